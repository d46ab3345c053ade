/** Turns a finished engine into a SimResult (summary, tables, series) and stamps its digest. */
import { MISS_CAUSES, REASONS, type MissCause, type Reason } from './config';
import { digestOf, type Sha256Factory } from './digest';
import type { Engine } from './engine';
import { imbalance } from './metrics';
import type { CpuSeriesResult, SimResult, Summary } from './result';

const S = 1e9;

function byReason(e: Engine): Record<Reason, number> {
  const out = {} as Record<Reason, number>;
  REASONS.forEach((r, i) => (out[r] = e.migrationsByReason[i]!));
  return out;
}

function byCause(values: ArrayLike<number>): Record<MissCause, number> {
  const out = {} as Record<MissCause, number>;
  MISS_CAUSES.forEach((c, i) => (out[c] = Math.round(values[i]!)));
  return out;
}

function summarize(e: Engine): Summary {
  const T = e.now;
  const n = e.m.cpuCount;
  let busy = 0;
  for (let cpu = 0; cpu < n; cpu++) busy += e.busyNs[cpu]!;
  const imb = imbalance(e.busyNs);
  let misses = 0;
  for (let i = 0; i < e.missesByCause.length; i++) misses += e.missesByCause[i]!;
  const unfinished = e.processRows.filter((r) => r.state === 'unfinished').length;
  return {
    simulatedS: T / S,
    makespanS: e.lastCompletionNs / S,
    arrived: e.arrived,
    completed: e.completed,
    unfinished,
    throughputPerS: T > 0 ? (e.completed * S) / T : 0,
    meanResponseS: e.response.mean() / S,
    p95ResponseS: e.response.quantile(0.95) / S,
    p99ResponseS: e.response.quantile(0.99) / S,
    meanWaitS: e.completed > 0 ? e.waitSumNs / e.completed / S : 0,
    jobsReleased: e.jobsReleased,
    jobsCompleted: e.jobsCompleted,
    jobsUnfinished: e.jobsUnfinished,
    meanInSystem: T > 0 ? e.inSystemArea / T : 0,
    arrivalRatePerS: T > 0 ? (e.arrivedFinite * S) / T : 0,
    meanSojournS: e.arrivedFinite > 0 ? e.sojournDoneNs / e.arrivedFinite / S : 0,
    migrations: e.migrationsTotal,
    jobMigrations: e.jobMigrations,
    taskMigrations: e.taskMigrations,
    migrationsByReason: byReason(e),
    migrationCostS: e.migrationCostNs / S,
    cacheMisses: Math.round(misses),
    cacheMissesByCause: byCause(e.missesByCause),
    stallS: e.stallNsTotal / S,
    contextSwitches: e.contextSwitches,
    preemptions: e.preemptions,
    meanUtilization: T > 0 ? busy / (n * T) : 0,
    imbalanceCv: imb.cv,
    imbalanceMaxOverMean: imb.maxOverMean,
    jainIndex: imb.jain,
    deadlineMisses: e.deadlineMisses,
    deadlineMissRatio: e.jobsDue > 0 ? e.deadlineMisses / e.jobsDue : 0,
    events: e.events,
    processRowsOmitted: e.processRowsOmitted,
    migrationRowsOmitted: e.migrationRowsOmitted,
    ...energySummary(e),
    ...eventSummary(e),
  };
}

function energySummary(e: Engine): Partial<Summary> {
  const meter = e.meter;
  if (meter === null) return {};
  const byCpu = Array.from(meter.energyJ);
  const energyJ = byCpu.reduce((a, b) => a + b, 0) + meter.dramJ;
  const out: Partial<Summary> = { energyJ, energyByCpuJ: byCpu, dramEnergyJ: meter.dramJ, edpJs: (energyJ * e.lastCompletionNs) / S };
  const th = e.m.thermal;
  if (th !== null) {
    out.peakTempC = th.ambientC + meter.peakTheta;
    out.meanTempC = th.ambientC + (e.now > 0 ? meter.thetaAreaKS / ((e.now / S) * e.m.coreCount) : 0);
    out.throttledS = e.throttledNs / S;
  }
  return out;
}

function eventSummary(e: Engine): Partial<Summary> {
  if (e.m.events.length === 0) return {};
  const evacuations = e.migrationsByReason[REASONS.indexOf('fault')]! + e.migrationsByReason[REASONS.indexOf('maintenance')]!;
  return { failures: e.failures, evacuations, lostWorkS: e.lostWorkNs / S };
}

function seriesOf(e: Engine): SimResult['series'] {
  const T = e.now;
  const s = e.series;
  const bins = s.binsFor(T);
  const w = s.binNs;
  const width = (b: number): number => Math.max(1, Math.min(w, T - b * w));
  const cpus: CpuSeriesResult[] = [];
  for (let cpu = 0; cpu < e.m.cpuCount; cpu++) {
    const busy = s.busy[cpu]!;
    const area = s.queueArea[cpu]!;
    const utilization: number[] = new Array<number>(bins);
    const queueLength: number[] = new Array<number>(bins);
    for (let b = 0; b < bins; b++) {
      utilization[b] = Math.min(1, busy[b]! / width(b));
      queueLength[b] = area[b]! / width(b);
    }
    const missesByCause = {} as Record<MissCause, number[]>;
    MISS_CAUSES.forEach((c, i) => {
      missesByCause[c] = Array.from(s.misses[cpu * MISS_CAUSES.length + i]!.subarray(0, bins));
    });
    const row: CpuSeriesResult = { cpu, socket: e.m.cpuSocket[cpu]!, utilization, queueLength, missesByCause };
    if (s.frequencyArea.length > 0) row.frequencyHz = perBin(s.frequencyArea[cpu]!, bins, (b) => width(b));
    if (s.energy.length > 0) row.powerW = perBin(s.energy[cpu]!, bins, (b) => width(b) / S);
    if (s.temperatureArea.length > 0) row.temperatureC = perBin(s.temperatureArea[cpu]!, bins, (b) => width(b) / S);
    cpus.push(row);
  }
  const out: SimResult['series'] = { binNs: w, bins, cpus };
  if (s.frequencyArea.length > 0) {
    const freqs = e.m.coreTypes.flatMap((t) => t.pstates.map((p) => p.freqHz));
    out.frequency = { governor: e.m.dvfs.governor, minHz: Math.min(...freqs), maxHz: Math.max(...freqs) };
  }
  const th = e.m.thermal;
  if (th !== null) out.thermal = { ambientC: th.ambientC, tripC: th.throttleC, hysteresisC: th.hysteresisC };
  return out;
}

/** Per-bin values: the bin's integral divided by its width in the integral's time unit. */
function perBin(area: Float64Array, bins: number, widthOf: (b: number) => number): number[] {
  const out = new Array<number>(bins);
  for (let b = 0; b < bins; b++) out[b] = area[b]! / widthOf(b);
  return out;
}

export function buildResult(e: Engine, sha256?: Sha256Factory): SimResult {
  const result: Omit<SimResult, 'digest'> = {
    summary: summarize(e),
    processes: e.processRows,
    series: seriesOf(e),
    migrations: e.migrationRows,
  };
  return { ...result, digest: digestOf(result, sha256) };
}
