// `response`: how long processes took from arrival to completion: the distribution (log-scaled
// histogram) and the cumulative distribution, one colour per run. Tails show in the CDF's top.
import type { TopLevelSpec } from 'vega-lite';
import type { ChartOutput } from '../outputs/contract';
import { runColor, sampleEvenly, VEGA_LITE_SCHEMA, type ChartRun } from './common';

/** CDF points: at most MAX_POINTS per run, sampled from the sorted responses. */
function cdf(run: ChartRun): { run: string; responseS: number; fraction: number }[] {
  const sorted = run.result.processes
    .filter((p) => p.state === 'completed')
    .map((p) => p.responseS)
    .sort((a, b) => a - b);
  const points = sorted.map((responseS, i) => ({ run: run.name, responseS, fraction: (i + 1) / sorted.length }));
  return sampleEvenly(points, 500).concat(points.length > 500 ? [points[points.length - 1]] : []);
}

export function responseChart(runs: readonly ChartRun[]): ChartOutput {
  const values = runs.flatMap(cdf).map((p) => ({ ...p, log10: Math.log10(Math.max(p.responseS, 1e-9)) }));
  const color = runColor(runs);
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'Response time',
      subtitle: 'arrival to completion of finished processes: distribution (left) and CDF (right)',
    },
    data: { values },
    hconcat: [
      {
        width: 280,
        height: 200,
        // Step lines, not bars: overlapping runs stay readable instead of blending.
        mark: { type: 'line', interpolate: 'step', tooltip: true },
        encoding: {
          x: {
            field: 'log10',
            type: 'quantitative',
            bin: { maxbins: 30 },
            title: 'response time (s, log scale)',
            // The bins are on a log scale; label them with the times they stand for.
            axis: { labelExpr: "format(pow(10, datum.value), '.2~s') + 's'", tickCount: 6 },
          },
          y: { aggregate: 'count', type: 'quantitative', title: 'processes (count)' },
          color,
        },
      },
      {
        width: 280,
        height: 200,
        mark: { type: 'line', interpolate: 'step-after', tooltip: true },
        encoding: {
          x: {
            field: 'responseS',
            type: 'quantitative',
            title: 'response time (s)',
            scale: { type: 'log' },
            axis: { tickCount: 5, format: '~s', grid: false },
          },
          y: {
            field: 'fraction',
            type: 'quantitative',
            title: 'finished within that time (% of processes)',
            axis: { format: '.0%' },
          },
          color,
        },
      },
    ],
  };
  return { title: `response-${runs.map((r) => r.name).join('-')}`, spec };
}
