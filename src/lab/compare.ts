// A comparison: every policy on the same seeds (common random numbers: each seed gives every
// policy the same arrivals and demands), reported as mean and 95 % interval per metric, and as
// paired differences against the first policy, which cancel the seed-to-seed noise.
import type { TopLevelSpec } from 'vega-lite';
import { colorScale } from './colors';
import type { ChartOutput, CompareCell, CompareOutput } from './outputs';
import { compareConfigs, type ResolvedCompare } from './resolve';
import type { RunSummary } from './runHost';
import { scaleFor, unitLabel } from './format';
import { metricDefinition } from './metrics';
import { meanInterval } from './stats';


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
    // Only metrics with a better direction have a best (more migrations are not worse in themselves).
    const better = metricDefinition(metric)?.better;
    const means = rows.map((r) => r.interval.mean).filter(Number.isFinite);
    const bestMean = better === 'higher' ? Math.max(...means) : Math.min(...means);
    for (const row of rows) row.best = better !== undefined && row.interval.mean === bestMean;
    cells.push(...rows);
  }
  return {
    name: compare.name,
    machine: compare.machineName,
    workload: compare.workloadName,
    policies,
    metrics: compare.metrics,
    seeds: compare.seeds,
    ...(compare.base.window ? { window: { startS: compare.base.window.startNs / 1e9, endS: compare.base.window.endNs / 1e9 } } : {}),
    cells,
  };
}

/** One small chart per metric: the mean per policy with its 95 % interval as a whisker, on an axis in the metric's unit. */
export function compareChart(output: CompareOutput): ChartOutput {
  const color = { field: 'policy', type: 'nominal' as const, title: 'policy', scale: colorScale(output.policies), sort: output.policies };
  const panels = output.metrics.map((metric) => {
    const cells = output.cells.filter((c) => c.metric === metric);
    const scale = scaleFor(metric, cells.map((c) => c.interval.mean));
    const halfWidth = (c: CompareCell) => (Number.isFinite(c.interval.halfWidth) ? c.interval.halfWidth : 0);
    const values = cells.map((c) => ({
      policy: c.policy,
      mean: c.interval.mean * scale.factor,
      low: (c.interval.mean - halfWidth(c)) * scale.factor,
      high: (c.interval.mean + halfWidth(c)) * scale.factor,
    }));
    const unit = unitLabel(scale);
    const format = `,.${scale.decimals}f`;
    return {
      title: { text: metric, fontSize: 11 },
      data: { values },
      width: 200,
      height: { step: 16 },
      encoding: { y: { field: 'policy', type: 'nominal' as const, title: null, sort: output.policies } },
      layer: [
        {
          mark: { type: 'rule' as const },
          encoding: {
            x: { field: 'low', type: 'quantitative' as const, title: unit ? `${metric} (${unit})` : `${metric} (${metricDefinition(metric)?.unit === 'count' ? 'count' : 'no unit'})`, scale: { zero: false }, axis: { format, tickCount: 4 } },
            x2: { field: 'high' },
            color,
          },
        },
        {
          mark: { type: 'point' as const, filled: true, size: 60, tooltip: true },
          encoding: {
            x: { field: 'mean', type: 'quantitative' as const },
            color,
            tooltip: [
              { field: 'policy', type: 'nominal' as const },
              { field: 'mean', type: 'quantitative' as const, title: unit ? `mean (${unit})` : 'mean', format },
              { field: 'low', type: 'quantitative' as const, title: '95 % low', format },
              { field: 'high', type: 'quantitative' as const, title: '95 % high', format },
            ],
          },
        },
      ],
    };
  });
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `Policies compared over ${output.seeds} seeds`, subtitle: 'mean with 95 % confidence interval, each metric on an axis in its own unit' },
    columns: 3,
    concat: panels,
  };
  return { title: `compare-${output.name ?? output.policies.join('-')}`, spec };
}
