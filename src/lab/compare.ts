// A comparison: every policy on the same seeds (common random numbers: each seed gives every
// policy the same arrivals and demands), reported as mean and 95 % interval per metric, and as
// paired differences against the first policy, which cancel the seed-to-seed noise.
import type { TopLevelSpec } from 'vega-lite';
import { colorScale } from './colors';
import type { ChartOutput, CompareCell, CompareOutput } from './outputs';
import { compareConfigs, type ResolvedCompare } from './resolve';
import type { RunSummary } from './runHost';
import { meanInterval } from './stats';

/** Metrics where more is better; every other metric is better when lower. */
const HIGHER_IS_BETTER = new Set(['throughputPerS', 'completed', 'jainIndex', 'meanUtilization', 'jobsCompleted']);

export const isHigherBetter = (metric: string): boolean => HIGHER_IS_BETTER.has(metric);

/** A metric's value in a summary; breakdowns (by reason, by cause) count as their total. */
export function metricValue(result: RunSummary, metric: string): number {
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
  simulate: (config: ReturnType<typeof compareConfigs>[number]['config']) => Promise<RunSummary>,
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
  const samples = (policyIndex: number, metric: string) =>
    results.slice(policyIndex * compare.seeds, (policyIndex + 1) * compare.seeds).map((r) => metricValue(r, metric));

  const cells: CompareCell[] = [];
  for (const metric of compare.metrics) {
    const baseline = samples(0, metric);
    const rows = policies.map((policy, i) => {
      const values = samples(i, metric);
      return {
        policy,
        metric,
        interval: meanInterval(values),
        difference: i === 0 ? undefined : meanInterval(values.map((v, k) => v - baseline[k])),
        best: false,
      };
    });
    const means = rows.map((r) => r.interval.mean).filter(Number.isFinite);
    const bestMean = isHigherBetter(metric) ? Math.max(...means) : Math.min(...means);
    for (const row of rows) row.best = row.interval.mean === bestMean;
    cells.push(...rows);
  }
  return {
    name: compare.name,
    machine: compare.machineName,
    workload: compare.workloadName,
    policies,
    metrics: compare.metrics,
    seeds: compare.seeds,
    cells,
  };
}

/** One small chart per metric: the mean per policy with its 95 % interval as a whisker. */
export function compareChart(output: CompareOutput): ChartOutput {
  const values = output.cells.map((c) => ({
    policy: c.policy,
    metric: c.metric,
    mean: c.interval.mean,
    low: c.interval.mean - (Number.isFinite(c.interval.halfWidth) ? c.interval.halfWidth : 0),
    high: c.interval.mean + (Number.isFinite(c.interval.halfWidth) ? c.interval.halfWidth : 0),
  }));
  const color = { field: 'policy', type: 'nominal' as const, title: 'policy', scale: colorScale(output.policies), sort: output.policies };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `Policies compared over ${output.seeds} seeds`, subtitle: 'mean with 95 % confidence interval' },
    data: { values },
    facet: { field: 'metric', type: 'nominal', title: null, sort: output.metrics },
    columns: 3,
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 200,
      height: { step: 16 },
      encoding: { y: { field: 'policy', type: 'nominal', title: null, sort: output.policies } },
      layer: [
        {
          mark: { type: 'rule' },
          encoding: { x: { field: 'low', type: 'quantitative', title: null, scale: { zero: false } }, x2: { field: 'high' }, color },
        },
        {
          mark: { type: 'point', filled: true, size: 60, tooltip: true },
          encoding: {
            x: { field: 'mean', type: 'quantitative' },
            color,
            tooltip: [
              { field: 'policy', type: 'nominal' },
              { field: 'metric', type: 'nominal' },
              { field: 'mean', type: 'quantitative', format: '.4~g' },
              { field: 'low', type: 'quantitative', title: '95 % low', format: '.4~g' },
              { field: 'high', type: 'quantitative', title: '95 % high', format: '.4~g' },
            ],
          },
        },
      ],
    },
  };
  return { title: `compare-${output.name ?? output.policies.join('-')}`, spec };
}
