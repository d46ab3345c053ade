// What every chart shares: the runs it draws, bounded re-binning of time series, and a colour
// for each run.
import { resolveMachine, type SimConfig, type SimResult } from '../../sim';
import { colorScale, distinctColors, policyColor } from './colors';

/** A time a CPU was out of service: failed (for good) or in a maintenance window. */
export interface OfflineSpan {
  cpu: number;
  state: 'failed' | 'maintenance';
  fromS: number;
  toS: number;
}

/** A finished run, as charts see it. */
export interface ChartRun {
  name: string;
  policy: string;
  result: SimResult;
  /** CPUs out of service during the run (machine events), drawn as such on per-CPU charts. */
  offline?: readonly OfflineSpan[];
  /** The process state a move copies (machine migration.stateBytes), for the move inspector. */
  stateBytes?: number;
  /** On a machine of several core types: each CPU's type and capacity (1024 = reference), for the move inspector. */
  cpuKinds?: { type: string; capacity: number }[];
  /** The run's colour in its lab (runColors over the lab's runs); without it, its policy's. */
  color?: string;
}

/** A run of the lab as charts see it; `color`, its colour in the lab. */
export function chartRunOf(name: string, config: SimConfig, result: SimResult, color?: string): ChartRun {
  const machine = resolveMachine(config.machine);
  const cpuKinds =
    machine.coreTypes.length > 1
      ? Array.from(machine.cpuType, (t) => ({
          type: machine.coreTypes[t]!.name,
          capacity: machine.coreTypes[t]!.capacity,
        }))
      : undefined;
  return {
    name,
    policy: config.policy.name,
    result,
    offline: offlineSpans(machine, result),
    stateBytes: machine.stateBytes,
    ...(cpuKinds ? { cpuKinds } : {}),
    ...(color === undefined ? {} : { color }),
  };
}

/** When each CPU of a run's machine was out of service, clipped to the run (or to its observation window). */
export function offlineSpans(machine: ReturnType<typeof resolveMachine>, result: SimResult): OfflineSpan[] {
  const { startS, endS } = result.window ?? { startS: 0, endS: result.summary.simulatedS };
  return machine.events
    .filter((e) => e.atNs / 1e9 < endS && e.endNs / 1e9 > startS)
    .map((e) => ({
      cpu: e.cpu,
      state: e.kind === 'fail' ? 'failed' : 'maintenance',
      fromS: Math.max(startS, e.atNs / 1e9),
      toS: Math.min(endS, e.endNs / 1e9),
    }));
}

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Time columns a chart shows at most, whatever the run length. */
export const MAX_COLUMNS = 200;

/** Points a chart draws at most for event data (migrations, processes): more are sampled evenly. */
export const MAX_POINTS = 3000;

/** Averages consecutive bins so that at most `max` remain; returns the new bin width too. */
export function coarsen(
  values: readonly number[],
  binNs: number,
  max = MAX_COLUMNS,
  combine: 'mean' | 'sum' = 'mean',
): { values: number[]; binNs: number } {
  const factor = Math.max(1, Math.ceil(values.length / max));
  if (factor === 1) return { values: [...values], binNs };
  const out: number[] = [];
  for (let start = 0; start < values.length; start += factor) {
    const end = Math.min(values.length, start + factor);
    let sum = 0;
    for (let i = start; i < end; i++) sum += values[i];
    out.push(combine === 'sum' ? sum : sum / (end - start));
  }
  return { values: out, binNs: binNs * factor };
}

/** Every k-th item so that at most `max` remain (keeps first and order). */
export function sampleEvenly<T>(items: readonly T[], max = MAX_POINTS): T[] {
  if (items.length <= max) return [...items];
  const step = items.length / max;
  return Array.from({ length: max }, (_, i) => items[Math.floor(i * step)]);
}

/** A colour encoding for the `run` field: each run in its colour, no two runs of the chart alike. */
export function runColor(runs: readonly ChartRun[], title = 'run') {
  return {
    field: 'run',
    type: 'nominal' as const,
    title,
    sort: runs.map((r) => r.name),
    scale: colorScale(distinctColors(runs.map((r) => [r.name, r.color ?? policyColor(r.policy)]))),
  };
}

/** `pinned` or `pinned, cfs`: for titles. */
export const runList = (runs: readonly ChartRun[]): string => runs.map((r) => r.name).join(', ');
