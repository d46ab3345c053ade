/** Turns a finished engine into a SimResult (summary, tables, series) and stamps its digest. */
import { MISS_CAUSES, REASONS, type MissCause, type Reason } from './config';
import { digestOf } from './digest';
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
    jobsCompleted: e.jobsCompleted,
    meanInSystem: T > 0 ? e.inSystemArea / T : 0,
    arrivalRatePerS: T > 0 ? (e.arrivedFinite * S) / T : 0,
    meanSojournS: e.arrivedFinite > 0 ? e.sojournDoneNs / e.arrivedFinite / S : 0,
    migrations: e.migrationsTotal,
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
  };
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
    cpus.push({ cpu, socket: e.m.cpuSocket[cpu]!, utilization, queueLength, missesByCause });
  }
  return { binNs: w, bins, cpus };
}

export function buildResult(e: Engine): SimResult {
  const result: Omit<SimResult, 'digest'> = {
    summary: summarize(e),
    processes: e.processRows,
    series: seriesOf(e),
    migrations: e.migrationRows,
  };
  return { ...result, digest: digestOf(result) };
}
