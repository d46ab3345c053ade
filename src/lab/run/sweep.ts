// A parameter sweep in the lab model: every combination of swept parameter values, each run of
// the lab over seeds 1..n at each combination, and the metrics aggregated per combination, run
// and policy as mean and 95 % interval over the seeds. The command line's `sweep` and `merge`
// and the `show: sweep` chart cell share these, so a chart and a sweep file agree to the digit.
import type { Summary } from '../../sim';
import { canonicalJson } from '../../sim';
import type { Diagnostic } from '../document/diagnostic';
import type { LabCell } from '../document/markdown';
import type { Interval, SummaryValue } from '../outputs/contract';
import {
  resolveLab,
  type ChartSweep,
  type ComparedRun,
  type ResolveOptions,
  type ResolvedLab,
  type ResolvedRun,
} from '../language/resolveLab';
import { summaryValues } from './resultsRecord';
import { meanInterval } from './stats';

/** Every combination of parameter values, first parameter varying slowest. */
export function combinations(params: Readonly<Record<string, readonly string[]>>): Record<string, string>[] {
  let combos: Record<string, string>[] = [{}];
  for (const [name, values] of Object.entries(params))
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  return combos;
}

/**
 * A summary's metrics as a sweep keeps them: breakdowns flattened (migrationsByReason.load-balance)
 * and rounded to the 12 significant digits of the canonical form, as sweep files store them,
 * so statistics made now equal statistics made from a file read back.
 */
export function sweepMetrics(summary: Summary | Readonly<Record<string, SummaryValue>>): Record<string, number> {
  return JSON.parse(canonicalJson(summaryValues(summary as unknown as Record<string, SummaryValue>))) as Record<
    string,
    number
  >;
}

/** A run a sweep simulates: on one machine, or on a cluster (requests behind a balancer, or VMs). */
export type SweptRun = { kind: 'machine'; run: ResolvedRun } | ComparedRun;

/** The run of that name in a resolved lab, whatever its kind; undefined when it did not resolve. */
export function sweptRun(lab: ResolvedLab, name: string): SweptRun | undefined {
  const run = lab.runs.find((r) => r.name === name);
  if (run) return { kind: 'machine', run };
  const requests = lab.clusterRuns.find((r) => r.name === name);
  if (requests) return { kind: 'requests', run: requests };
  const vms = lab.vmRuns.find((r) => r.name === name);
  return vms && { kind: 'vms', run: vms };
}

/** One simulation of a chart's sweep: a run of the lab resolved with one value of the parameter. */
export interface ChartSweepJob {
  params: Record<string, string>;
  seed: number;
  run: SweptRun;
  /** The lab as resolved with that value (its policy cells run the job's policy). */
  lab: ResolvedLab;
}

export type ChartSweepPlan =
  | { ok: true; jobs: ChartSweepJob[] }
  /** A value the lab cannot take: the first cell it breaks, with its errors. */
  | { ok: false; value: string; cellIndex: number; errors: Diagnostic[] };

/**
 * The simulations of a `show: sweep` chart, in the order of `migration-lab sweep`: for each
 * value of the parameter the lab is resolved again with it, and each run goes over seeds 1..n.
 */
export function planChartSweep(
  cells: readonly LabCell[],
  runs: readonly string[],
  sweep: ChartSweep,
  options: ResolveOptions,
): ChartSweepPlan {
  const jobs: ChartSweepJob[] = [];
  for (const value of sweep.values) {
    const lab = resolveLab(cells, { ...options, params: { ...options.params, [sweep.param]: value } });
    const resolved = runs.map((name) => sweptRun(lab, name));
    if (resolved.some((r) => r === undefined)) {
      const broken = [...lab.diagnostics].find(([, ds]) => ds.some((d) => d.severity === 'error'));
      const cellIndex = broken?.[0] ?? lab.runCells.get(runs[resolved.indexOf(undefined)]) ?? -1;
      return {
        ok: false,
        value,
        cellIndex,
        errors: (lab.diagnostics.get(cellIndex) ?? []).filter((d) => d.severity === 'error'),
      };
    }
    for (let seed = 1; seed <= sweep.seeds; seed++)
      for (const run of resolved) jobs.push({ params: { [sweep.param]: value }, seed, run: run!, lab });
  }
  return { ok: true, jobs };
}

/** One simulation of a sweep, as aggregation sees it. */
export interface SweepSample {
  params: Readonly<Record<string, string>>;
  run: string;
  policy: string;
  seed: number;
  metrics: Readonly<Record<string, number>>;
}

/** A metric over the seeds of one group: mean, 95 % half-width and its ends (NaN with one seed). */
export interface SweepInterval {
  mean: number;
  halfWidth: number;
  low: number;
  high: number;
}

/** Every seed of one run at one combination of parameter values. */
export interface SweepGroup {
  params: Record<string, string>;
  run: string;
  policy: string;
  /** Seeds aggregated. */
  n: number;
  metrics: Record<string, SweepInterval>;
}

const withEnds = ({ mean, halfWidth }: Interval): SweepInterval => ({
  mean,
  halfWidth,
  low: mean - halfWidth,
  high: mean + halfWidth,
});

/**
 * Groups samples by parameter combination, run and policy (in the order they first appear)
 * and reduces each metric to its mean and 95 % interval over the group's seeds.
 */
export function aggregateSweep(samples: readonly SweepSample[]): SweepGroup[] {
  const groups = new Map<string, { group: Omit<SweepGroup, 'n' | 'metrics'>; samples: SweepSample[] }>();
  for (const sample of samples) {
    const key = canonicalJson([sample.params, sample.run, sample.policy]);
    let entry = groups.get(key);
    if (!entry)
      groups.set(
        key,
        (entry = { group: { params: { ...sample.params }, run: sample.run, policy: sample.policy }, samples: [] }),
      );
    entry.samples.push(sample);
  }
  return [...groups.values()].map(({ group, samples: members }) => {
    const names = [...new Set(members.flatMap((s) => Object.keys(s.metrics)))].sort();
    const metrics: Record<string, SweepInterval> = {};
    for (const name of names) {
      const values = members
        .map((s) => s.metrics[name])
        .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      if (values.length > 0) metrics[name] = withEnds(meanInterval(values));
    }
    return { ...group, n: members.length, metrics };
  });
}
