// `cache-misses`: misses per second over time, stacked by cause (cold, reload after migration,
// reload after eviction by others, capacity, coherence), and the lines each migration had to
// fetch again: the price of a move, visible next to the moves that paid it.
import type { TopLevelSpec } from 'vega-lite';
import { MISS_CAUSES } from '../../sim';
import type { ChartOutput } from '../outputs/contract';
import { coarsen, runColor, sampleEvenly, VEGA_LITE_SCHEMA, type ChartRun } from './common';
import { causeScale } from './palettes';

export function cacheMissesChart(runs: readonly ChartRun[]): ChartOutput {
  const overTime: { run: string; cause: string; t0: number; t1: number; perS: number }[] = [];
  const perMigration: {
    run: string;
    t: number;
    pid: number;
    from: number;
    to: number;
    reload: number;
    coherence: number;
    lines: number;
  }[] = [];
  for (const run of runs) {
    const { binNs, cpus } = run.result.series;
    for (const cause of MISS_CAUSES) {
      const total = new Array<number>(cpus[0]?.missesByCause[cause].length ?? 0).fill(0);
      for (const cpu of cpus) cpu.missesByCause[cause].forEach((v, i) => (total[i] += v));
      const coarse = coarsen(total, binNs, undefined, 'sum');
      const binS = coarse.binNs / 1e9;
      const originS = (run.result.series.startNs ?? 0) / 1e9;
      coarse.values.forEach((count, bin) =>
        overTime.push({
          run: run.name,
          cause,
          t0: originS + bin * binS,
          t1: originS + (bin + 1) * binS,
          perS: count / binS,
        }),
      );
    }
    for (const m of sampleEvenly(run.result.migrations)) {
      perMigration.push({
        run: run.name,
        t: m.timeNs / 1e9,
        pid: m.pid,
        from: m.from,
        to: m.to,
        reload: m.reloadMisses,
        coherence: m.coherenceLines,
        lines: m.reloadMisses + m.coherenceLines,
      });
    }
  }
  const names = runs.map((r) => r.name);
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'Cache misses',
      subtitle: 'misses per second by cause (top); lines re-fetched after each migration (bottom)',
    },
    vconcat: [
      {
        data: { values: overTime },
        facet: { row: { field: 'run', type: 'nominal', title: null, sort: names } },
        spec: {
          width: 560,
          height: 110,
          mark: { type: 'rect', tooltip: true },
          encoding: {
            x: { field: 't0', type: 'quantitative', title: 'time (s)' },
            x2: { field: 't1' },
            y: {
              field: 'perS',
              type: 'quantitative',
              title: 'misses per second (1/s)',
              stack: 'zero',
              aggregate: 'sum',
              axis: { format: '~s' },
            },
            color: { field: 'cause', type: 'nominal', title: 'cause', scale: causeScale },
            order: { field: 'cause' },
            tooltip: [
              { field: 'run', type: 'nominal' },
              { field: 'cause', type: 'nominal' },
              { field: 't0', type: 'quantitative', title: 'from (s)', format: '.3f' },
              { field: 'perS', type: 'quantitative', title: 'misses/s', format: ',.0f', aggregate: 'sum' },
            ],
          },
        },
      },
      {
        data: { values: perMigration },
        width: 560,
        height: 120,
        // Opaque (Vega-Lite draws points at 70 %): a paler dot has less than 3:1 on the background.
        mark: { type: 'point', filled: true, opacity: 1, tooltip: true },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'time of migration (s)' },
          y: { field: 'lines', type: 'quantitative', title: 'lines re-fetched (count)' },
          color: runColor(runs),
          tooltip: [
            { field: 'run', type: 'nominal' },
            { field: 'pid', type: 'quantitative', title: 'process' },
            { field: 'from', type: 'quantitative', title: 'from CPU' },
            { field: 'to', type: 'quantitative', title: 'to CPU' },
            { field: 'reload', type: 'quantitative', title: 'reload misses' },
            { field: 'coherence', type: 'quantitative', title: 'dirty lines from old cache' },
          ],
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
  return { title: `cache-misses-${names.join('-')}`, spec };
}
