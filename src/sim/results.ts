/**
 * Turns a finished run into a SimResult (summary, tables, series) and stamps its digest. The
 * summary is computed from the run's counters (RunCounters) rather than from the engine, so the
 * same formulas give the summary of an observation window from the difference of two sets of
 * counters (window.ts).
 */
import { MISS_CAUSES, REASONS, type MissCause, type Reason } from './config';
import { digestOf, type Sha256Factory } from './digest';
import type { ResolvedMachine } from './machine';
import { imbalance, type LogHistogram } from './metrics';
import type { EnergyMeter } from './power';
import type { CpuSeriesResult, SimResult, Summary } from './result';
import type { RunStats } from './run-stats';
import type { CpuSeries } from './series';

const S = 1e9;

/** Everything a summary is computed from, at one instant of a run (open intervals closed there). */
export interface RunCounters {
  /** The time span the counters cover (a whole run: its end). */
  spanNs: number;
  busyNs: ArrayLike<number>;
  /** Indexed like MISS_CAUSES and REASONS. */
  missesByCause: ArrayLike<number>;
  migrationsByReason: ArrayLike<number>;
  response: LogHistogram;
  waitSumNs: number;
  arrived: number;
  arrivedFinite: number;
  completed: number;
  jobsReleased: number;
  jobsCompleted: number;
  /** Jobs released and not completed at the end of the span (its state there, not a difference). */
  jobsUnfinished: number;
  /** Time of the last completion, counted from the start of the span (0 when none). */
  makespanNs: number;
  /** Time in system of the non-periodic processes within the span, and how many were in it. */
  sojournNs: number;
  sojournCount: number;
  inSystemArea: number;
  migrationsTotal: number;
  /** Moves of a job that had started running, and of a task between jobs (they sum to migrationsTotal). */
  jobMigrations: number;
  taskMigrations: number;
  migrationCostNs: number;
  stallNsTotal: number;
  contextSwitches: number;
  preemptions: number;
  deadlineMisses: number;
  jobsDue: number;
  events: number;
  unfinished: number;
  processRowsOmitted: number;
  migrationRowsOmitted: number;
  /** With a power model. */
  energy: { byCpuJ: number[]; dramJ: number } | null;
  /** With a thermal model: ambient, peak and integral of the temperature rise over all cores. */
  thermal: { ambientC: number; peakTheta: number; thetaAreaKS: number; coreCount: number; throttledNs: number } | null;
  /** With machine events. */
  faults: { failures: number; lostWorkNs: number } | null;
}

/** What a result is built from: a finished run (the engine is one), read only through this. */
export interface FinishedRun {
  /** The machine simulated. */
  readonly m: ResolvedMachine;
  /** Where the run ended. */
  readonly now: number;
  /** Events applied. */
  readonly events: number;
  readonly stats: RunStats;
  readonly series: CpuSeries;
  /** Null without a power model. */
  readonly meter: EnergyMeter | null;
}

/** The counters of a finished run: everything from its start to its end. */
export function countersOf(e: FinishedRun): RunCounters {
  const meter = e.meter;
  const th = e.m.thermal;
  const s = e.stats;
  return {
    spanNs: e.now,
    busyNs: s.busyNs,
    missesByCause: s.missesByCause,
    migrationsByReason: s.migrationsByReason,
    response: s.response,
    waitSumNs: s.waitSumNs,
    arrived: s.arrived,
    arrivedFinite: s.arrivedFinite,
    completed: s.completed,
    jobsReleased: s.jobsReleased,
    jobsCompleted: s.jobsCompleted,
    jobsUnfinished: s.jobsUnfinished,
    makespanNs: s.lastCompletionNs,
    sojournNs: s.sojournDoneNs,
    sojournCount: s.arrivedFinite,
    inSystemArea: s.inSystemArea,
    migrationsTotal: s.migrationsTotal,
    jobMigrations: s.jobMigrations,
    taskMigrations: s.taskMigrations,
    migrationCostNs: s.migrationCostNs,
    stallNsTotal: s.stallNsTotal,
    contextSwitches: s.contextSwitches,
    preemptions: s.preemptions,
    deadlineMisses: s.deadlineMisses,
    jobsDue: s.jobsDue,
    events: e.events,
    unfinished: s.processRows.filter((r) => r.state === 'unfinished').length,
    processRowsOmitted: s.processRowsOmitted,
    migrationRowsOmitted: s.migrationRowsOmitted,
    energy: meter === null ? null : { byCpuJ: Array.from(meter.energyJ), dramJ: meter.dramJ },
    thermal:
      meter === null || th === null
        ? null
        : {
            ambientC: th.ambientC,
            peakTheta: meter.peakTheta,
            thetaAreaKS: meter.thetaAreaKS,
            coreCount: e.m.coreCount,
            throttledNs: s.throttledNs,
          },
    faults: e.m.events.length === 0 ? null : { failures: s.failures, lostWorkNs: s.lostWorkNs },
  };
}

function byReason(c: RunCounters): Record<Reason, number> {
  const out = {} as Record<Reason, number>;
  REASONS.forEach((r, i) => (out[r] = c.migrationsByReason[i]!));
  return out;
}

function byCause(values: ArrayLike<number>): Record<MissCause, number> {
  const out = {} as Record<MissCause, number>;
  MISS_CAUSES.forEach((c, i) => (out[c] = Math.round(values[i]!)));
  return out;
}

export function summarize(c: RunCounters): Summary {
  const T = c.spanNs;
  const n = c.busyNs.length;
  let busy = 0;
  for (let cpu = 0; cpu < n; cpu++) busy += c.busyNs[cpu]!;
  const imb = imbalance(c.busyNs);
  let misses = 0;
  for (let i = 0; i < c.missesByCause.length; i++) misses += c.missesByCause[i]!;
  return {
    simulatedS: T / S,
    makespanS: c.makespanNs / S,
    arrived: c.arrived,
    completed: c.completed,
    unfinished: c.unfinished,
    throughputPerS: T > 0 ? (c.completed * S) / T : 0,
    meanResponseS: c.response.mean() / S,
    p95ResponseS: c.response.quantile(0.95) / S,
    p99ResponseS: c.response.quantile(0.99) / S,
    meanWaitS: c.completed > 0 ? c.waitSumNs / c.completed / S : 0,
    jobsReleased: c.jobsReleased,
    jobsCompleted: c.jobsCompleted,
    jobsUnfinished: c.jobsUnfinished,
    meanInSystem: T > 0 ? c.inSystemArea / T : 0,
    arrivalRatePerS: T > 0 ? (c.arrivedFinite * S) / T : 0,
    meanSojournS: c.sojournCount > 0 ? c.sojournNs / c.sojournCount / S : 0,
    migrations: c.migrationsTotal,
    jobMigrations: c.jobMigrations,
    taskMigrations: c.taskMigrations,
    migrationsByReason: byReason(c),
    migrationCostS: c.migrationCostNs / S,
    cacheMisses: Math.round(misses),
    cacheMissesByCause: byCause(c.missesByCause),
    stallS: c.stallNsTotal / S,
    contextSwitches: c.contextSwitches,
    preemptions: c.preemptions,
    meanUtilization: T > 0 ? busy / (n * T) : 0,
    imbalanceCv: imb.cv,
    imbalanceMaxOverMean: imb.maxOverMean,
    jainIndex: imb.jain,
    deadlineMisses: c.deadlineMisses,
    deadlineMissRatio: c.jobsDue > 0 ? c.deadlineMisses / c.jobsDue : 0,
    events: c.events,
    processRowsOmitted: c.processRowsOmitted,
    migrationRowsOmitted: c.migrationRowsOmitted,
    ...energySummary(c),
    ...eventSummary(c),
  };
}

function energySummary(c: RunCounters): Partial<Summary> {
  if (c.energy === null) return {};
  const byCpu = c.energy.byCpuJ;
  const energyJ = byCpu.reduce((a, b) => a + b, 0) + c.energy.dramJ;
  const out: Partial<Summary> = {
    energyJ,
    energyByCpuJ: byCpu,
    dramEnergyJ: c.energy.dramJ,
    edpJs: (energyJ * c.makespanNs) / S,
  };
  const th = c.thermal;
  if (th !== null) {
    out.peakTempC = th.ambientC + th.peakTheta;
    out.meanTempC = th.ambientC + (c.spanNs > 0 ? th.thetaAreaKS / ((c.spanNs / S) * th.coreCount) : 0);
    out.throttledS = th.throttledNs / S;
  }
  return out;
}

function eventSummary(c: RunCounters): Partial<Summary> {
  if (c.faults === null) return {};
  const evacuations =
    c.migrationsByReason[REASONS.indexOf('fault')]! + c.migrationsByReason[REASONS.indexOf('maintenance')]!;
  return { failures: c.faults.failures, evacuations, lostWorkS: c.faults.lostWorkNs / S };
}

/** The run's time series; from `fromNs` on (an observation window's start: from the first bin that starts there or later). */
export function seriesOf(e: FinishedRun, fromNs = 0): SimResult['series'] {
  const T = e.now;
  const s = e.series;
  const all = s.binsFor(T);
  const w = s.binNs;
  const first = Math.min(all, Math.ceil(fromNs / w));
  const bins = all - first;
  const width = (b: number): number => Math.max(1, Math.min(w, T - b * w));
  const cpus: CpuSeriesResult[] = [];
  for (let cpu = 0; cpu < e.m.cpuCount; cpu++) {
    const busy = s.busy[cpu]!;
    const area = s.queueArea[cpu]!;
    const utilization: number[] = new Array<number>(bins);
    const queueLength: number[] = new Array<number>(bins);
    for (let i = 0; i < bins; i++) {
      const b = first + i;
      // Every bin but the last is w wide.
      const wb = b < all - 1 ? w : width(b);
      utilization[i] = Math.min(1, busy[b]! / wb);
      queueLength[i] = area[b]! / wb;
    }
    const missesByCause = {} as Record<MissCause, number[]>;
    MISS_CAUSES.forEach((c, i) => {
      missesByCause[c] = perBin(s.misses[cpu * MISS_CAUSES.length + i]!, first, all, null);
    });
    const row: CpuSeriesResult = { cpu, socket: e.m.cpuSocket[cpu]!, utilization, queueLength, missesByCause };
    if (s.frequencyArea.length > 0) row.frequencyHz = perBin(s.frequencyArea[cpu]!, first, all, (b) => width(b));
    if (s.energy.length > 0) row.powerW = perBin(s.energy[cpu]!, first, all, (b) => width(b) / S);
    if (s.temperatureArea.length > 0)
      row.temperatureC = perBin(s.temperatureArea[cpu]!, first, all, (b) => width(b) / S);
    cpus.push(row);
  }
  const out: SimResult['series'] = first > 0 ? { binNs: w, bins, startNs: first * w, cpus } : { binNs: w, bins, cpus };
  if (s.frequencyArea.length > 0) {
    const freqs = e.m.coreTypes.flatMap((t) => t.pstates.map((p) => p.freqHz));
    out.frequency = { governor: e.m.dvfs.governor, minHz: Math.min(...freqs), maxHz: Math.max(...freqs) };
  }
  const th = e.m.thermal;
  if (th !== null) out.thermal = { ambientC: th.ambientC, tripC: th.throttleC, hysteresisC: th.hysteresisC };
  return out;
}

/**
 * Per-bin values of bins [first, end): the bin's integral divided by its width in the integral's
 * time unit, or the bins as they are (`widthOf` null: counts). A loop, not Array.from: that
 * iterates a typed array one step at a time.
 */
function perBin(area: Float64Array, first: number, end: number, widthOf: ((b: number) => number) | null): number[] {
  const out = new Array<number>(end - first);
  if (widthOf === null) for (let b = first; b < end; b++) out[b - first] = area[b]!;
  else for (let b = first; b < end; b++) out[b - first] = area[b]! / widthOf(b);
  return out;
}

/** Stamps a result's digest: a hash of everything else in it (`sha256`: the platform's native hash, same digest). */
export function withDigest(result: Omit<SimResult, 'digest'>, sha256?: Sha256Factory): SimResult {
  return { ...result, digest: digestOf(result, sha256) };
}

export function buildResult(e: FinishedRun, sha256?: Sha256Factory): SimResult {
  return withDigest(
    {
      summary: summarize(countersOf(e)),
      processes: e.stats.processRows,
      series: seriesOf(e),
      migrations: e.stats.migrationRows,
    },
    sha256,
  );
}
