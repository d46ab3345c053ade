// `sweep`: one summary metric against the values of a swept parameter, one line per policy
// (the mean over seeds) inside a band (its 95 % confidence interval). The values sit evenly
// spaced in the order the cell lists them, labelled as written (2ms, 64KiB, 400/s).
import type { TopLevelSpec } from 'vega-lite';
import { colorScale, distinctColors, policyColor } from './colors';
import { axisTitle, scaleFor, unitOf } from '../outputs/format';
import type { ChartOutput } from '../outputs/contract';
import type { ChartSweep } from '../language/resolveLab';
import type { SweepGroup } from '../run/sweep';
import { ChartError } from './error';
import { VEGA_LITE_SCHEMA } from './common';

/** `colors`: the runs' colours in the lab (runColors); a line is drawn in its run's. */
export function sweepChart(
  sweep: ChartSweep,
  groups: readonly SweepGroup[],
  colors: ReadonlyMap<string, string> = new Map(),
): ChartOutput {
  const valueOf = (g: SweepGroup) => g.params[sweep.param];
  // A policy is one line, unless two runs share it: then each run is its own line.
  const shared = groups.some((g) =>
    groups.some((h) => h !== g && h.run !== g.run && h.policy === g.policy && valueOf(h) === valueOf(g)),
  );
  const lineOf = (g: SweepGroup) => (shared ? `${g.run} (${g.policy})` : g.policy);
  const points = groups.flatMap((g) => {
    const m = g.metrics[sweep.metric];
    if (!m) return [];
    // One seed has no interval: the band closes onto the mean.
    const band = Number.isFinite(m.halfWidth);
    return [
      {
        value: valueOf(g),
        line: lineOf(g),
        run: g.run,
        policy: g.policy,
        n: g.n,
        mean: m.mean,
        low: band ? m.low : m.mean,
        high: band ? m.high : m.mean,
      },
    ];
  });
  if (points.length === 0)
    throw new ChartError(`No run reports ${sweep.metric} (it needs a machine with the model that produces it).`);
  const lines = [...new Set(points.map((p) => p.line))];
  // A line that is a policy stands for the one run of the chart with that policy: it takes that run's colour.
  const wanted = new Map(points.map((p) => [p.line, colors.get(p.run) ?? policyColor(p.policy)]));
  const color = {
    field: 'line',
    type: 'nominal' as const,
    title: 'policy',
    sort: lines,
    scale: colorScale(distinctColors(lines.map((line) => [line, wanted.get(line)!]))),
    // The legend shows the lines' colour, not the pale band's.
    legend: { symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 },
  };
  // The points are in the metric's base unit (seconds, joules...): the axis says which; a fraction stays 0..1.
  const title =
    unitOf(sweep.metric) === 'fraction'
      ? `${sweep.metric} (0..1)`
      : axisTitle(sweep.metric, scaleFor(sweep.metric, [1]));
  const x = {
    field: 'value',
    type: 'ordinal' as const,
    sort: sweep.values,
    title: `$${sweep.param}`,
    axis: { labelAngle: 0 },
  };
  const y = {
    type: 'quantitative' as const,
    title,
    scale: { zero: false },
  };
  const seeds = Math.max(...groups.map((g) => g.n));
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: `${sweep.metric} against $${sweep.param}`,
      subtitle: `mean over ${seeds} seed${seeds === 1 ? '' : 's'} (line) with its 95 % confidence interval (band)`,
    },
    data: { values: points },
    width: 420,
    height: 240,
    encoding: { x, color },
    layer: [
      { mark: { type: 'area', opacity: 0.2 }, encoding: { y: { ...y, field: 'low' }, y2: { field: 'high' } } },
      {
        mark: { type: 'line', point: { filled: true, size: 50 }, tooltip: true },
        encoding: {
          y: { ...y, field: 'mean' },
          tooltip: [
            { field: 'line', type: 'nominal', title: 'policy' },
            { field: 'value', type: 'nominal', title: `$${sweep.param}` },
            { field: 'mean', type: 'quantitative', format: '.4~g' },
            { field: 'low', type: 'quantitative', title: '95 % low', format: '.4~g' },
            { field: 'high', type: 'quantitative', title: '95 % high', format: '.4~g' },
            { field: 'n', type: 'quantitative', title: 'seeds' },
          ],
        },
      },
    ],
  };
  return { title: `sweep-${sweep.param}-${sweep.metric}`, spec };
}
