// `compare` cells' chart: one small panel per metric, the mean per policy with its 95 % interval
// (src/lab/run/compare.ts computes them), each on an axis in the metric's own unit.
import type { TopLevelSpec } from 'vega-lite';
import type { ChartOutput, CompareCell, CompareOutput } from '../outputs/contract';
import { axisTitle, scaleFor, unitLabel } from '../outputs/format';
import { colorScale, distinctColors, policyColor } from './colors';

/** One small chart per metric: the mean per policy with its 95 % interval as a whisker, on an axis in the metric's unit. */
export function compareChart(output: CompareOutput): ChartOutput {
  const scale = colorScale(distinctColors(output.policies.map((p) => [p, policyColor(p)])));
  // A compare over cluster runs lists runs where the other lists policies (the field keeps its name).
  const arm = output.over === 'runs' ? 'run' : 'policy';
  const color = { field: 'policy', type: 'nominal' as const, title: arm, scale, sort: output.policies };
  const panels = output.metrics.map((metric) => {
    const cells = output.cells.filter((c) => c.metric === metric);
    const scale = scaleFor(
      metric,
      cells.map((c) => c.interval.mean),
    );
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
            x: {
              field: 'low',
              type: 'quantitative' as const,
              title: axisTitle(metric, scale),
              scale: { zero: false },
              axis: { format, tickCount: 4 },
            },
            x2: { field: 'high' },
            color,
          },
        },
        {
          // Opaque (Vega-Lite draws points at 70 %): a paler dot has less than 3:1 on the background.
          mark: { type: 'point' as const, filled: true, opacity: 1, size: 60, tooltip: true },
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
    title: {
      text: `${output.over === 'runs' ? 'Runs' : 'Policies'} compared over ${output.seeds} seeds`,
      subtitle: 'mean with 95 % confidence interval, each metric on an axis in its own unit',
    },
    columns: 3,
    concat: panels,
  };
  return { title: `compare-${output.name ?? output.policies.join('-')}`, spec };
}
