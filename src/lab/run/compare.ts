// A comparison: every policy on the same seeds (common random numbers: each seed gives every
// policy the same arrivals and demands), reported as mean and 95 % interval per metric, and as
// paired differences against the first policy, which cancel the seed-to-seed noise.
import type { CompareCell, CompareOutput } from '../outputs/contract';
import { compareConfigs, type ResolvedCompare } from '../language/resolveLab';
import type { RunSummary } from './runHost';
import { metricDefinition } from '../outputs/metrics';
import { meanInterval } from './stats';

/** A metric's value in a summary; breakdowns (by reason, by cause) count as their total. */
export function metricValue(result: Pick<RunSummary, 'summary'>, metric: string): number {
  const value = (result.summary as unknown as Record<string, number | Record<string, number> | undefined>)[metric];
  if (value === undefined) return Number.NaN;
  return typeof value === 'number' ? value : Object.values(value).reduce((a, b) => a + b, 0);
}

/**
 * Runs every policy x seed through `simulate` (all at once: a worker pool runs them in
 * parallel) and tabulates the metrics.
 */
export async function runCompare(
  compare: ResolvedCompare,
  /** A comparison reads each run's summary only. */
  simulate: (config: ReturnType<typeof compareConfigs>[number]['config']) => Promise<Pick<RunSummary, 'summary'>>,
  onProgress?: (fraction: number) => void,
): Promise<CompareOutput> {
  const jobs = compareConfigs(compare);
  let done = 0;
  const results = await Promise.all(
    jobs.map(async (job) => {
      const result = await simulate(job.config);
      onProgress?.(++done / jobs.length);
      return result;
    }),
  );
  const policies = compare.policies.map((p) => p.name);
  const cells = compareCells(policies, compare.seeds, compare.metrics, results);
  return {
    name: compare.name,
    machine: compare.machineName,
    workload: compare.workloadName,
    policies,
    metrics: compare.metrics,
    seeds: compare.seeds,
    ...(compare.base.window
      ? { window: { startS: compare.base.window.startNs / 1e9, endS: compare.base.window.endNs / 1e9 } }
      : {}),
    cells,
  };
}

/**
 * The table of a comparison: per arm (a policy, or a run of a compare over runs) and metric the
 * mean and 95 % interval over the seeds, the paired difference against the first arm, and the
 * best mean where the metric has a better direction. `results` holds each arm's seeds 1..n in
 * turn, arm by arm.
 */
export function compareCells(
  arms: readonly string[],
  seeds: number,
  metrics: readonly string[],
  results: readonly Pick<RunSummary, 'summary'>[],
): CompareCell[] {
  const samples = (armIndex: number, metric: string) =>
    results.slice(armIndex * seeds, (armIndex + 1) * seeds).map((r) => metricValue(r, metric));
  const cells: CompareCell[] = [];
  for (const metric of metrics) {
    const baseline = samples(0, metric);
    const rows = arms.map((policy, i) => {
      const values = samples(i, metric);
      return {
        policy,
        metric,
        interval: meanInterval(values),
        difference: i === 0 ? undefined : meanInterval(values.map((v, k) => v - baseline[k])),
        best: false,
      };
    });
    // Only metrics with a better direction have a best (more migrations are not worse in themselves).
    const better = metricDefinition(metric)?.better;
    const means = rows.map((r) => r.interval.mean).filter(Number.isFinite);
    const bestMean = better === 'higher' ? Math.max(...means) : Math.min(...means);
    for (const row of rows) row.best = better !== undefined && row.interval.mean === bestMean;
    cells.push(...rows);
  }
  return cells;
}
