// `migration-cost`: what moving cost over the run, by component (docs/model.md, Migration
// cost): copying the process's state, reloading its lines from the shared cache or memory,
// fetching the dirty lines it left in the old core's cache, and the extra latency of memory on
// a remote node. On its own scale, so a price that is a sliver of all misses is still read.
import type { TopLevelSpec } from 'vega-lite';
import type { MigrationRow } from '../../sim';
import type { ChartOutput } from '../outputs/contract';
import { coarsen, MAX_COLUMNS, VEGA_LITE_SCHEMA, type ChartRun } from './common';
import { PALETTE } from './colors';
import { causeColor } from './palettes';

/** The components of a move's price, in the order they are paid, and each one's part of a migration row. */
export const COST_COMPONENTS = [
  { name: 'state copy', of: (m: MigrationRow) => m.stateCopyNs },
  { name: 'reload (cache, local memory)', of: (m: MigrationRow) => m.reloadNs - m.remotePenaltyNs },
  { name: 'remote memory (extra latency)', of: (m: MigrationRow) => m.remotePenaltyNs },
  { name: 'dirty lines from the old cache', of: (m: MigrationRow) => m.coherenceNs },
] as const;

/** Reload and dirty lines in the colours of their miss causes on the cache-misses chart. */
const COMPONENT_COLORS = [PALETTE.blue, causeColor('migration'), PALETTE.green, causeColor('coherence')];

export function migrationCostChart(runs: readonly ChartRun[]): ChartOutput {
  const names = runs.map((r) => r.name);
  const over: Record<string, unknown>[] = [];
  const totals: Record<string, unknown>[] = [];
  const notes: string[] = [];
  for (const run of runs) {
    const { result } = run;
    const startNs = result.series.startNs ?? 0;
    const endNs = (result.window?.endS ?? result.summary.simulatedS) * 1e9;
    const fineBins = Math.max(1, Math.ceil((endNs - startNs) / result.series.binNs));
    for (const [k, component] of COST_COMPONENTS.entries()) {
      const perBin = new Array<number>(fineBins).fill(0);
      let sum = 0;
      for (const m of result.migrations) {
        const ns = component.of(m);
        sum += ns;
        perBin[Math.min(fineBins - 1, Math.floor((m.timeNs - startNs) / result.series.binNs))]! += ns;
      }
      const { values, binNs } = coarsen(perBin, result.series.binNs, MAX_COLUMNS, 'sum');
      values.forEach((ns, b) =>
        over.push({
          run: run.name,
          component: component.name,
          order: k,
          t0: (startNs + b * binNs) / 1e9,
          t1: (startNs + (b + 1) * binNs) / 1e9,
          ms: ns / 1e6,
        }),
      );
      totals.push({
        run: run.name,
        component: component.name,
        order: k,
        ms: sum / 1e6,
        perMoveUs: result.migrations.length > 0 ? sum / result.migrations.length / 1e3 : 0,
      });
    }
    const busyNs = result.series.cpus.reduce(
      (all, cpu) =>
        all +
        cpu.utilization.reduce(
          (s, u, b) => s + u * Math.min(result.series.binNs, endNs - startNs - b * result.series.binNs),
          0,
        ),
      0,
    );
    const totalNs = result.migrations.reduce((s, m) => s + m.totalNs, 0);
    const share = busyNs > 0 ? ` = ${((100 * totalNs) / busyNs).toPrecision(2)} % of CPU time` : '';
    const omitted =
      result.summary.migrationRowsOmitted > 0
        ? `, over the first ${result.migrations.length} moves of ${result.summary.migrations}`
        : '';
    notes.push(
      `${run.name}: ${result.summary.migrations} moves, ${(totalNs / 1e6).toPrecision(3)} ms${share}${omitted}`,
    );
  }
  const color = {
    field: 'component',
    type: 'nominal' as const,
    title: 'component',
    sort: COST_COMPONENTS.map((c) => c.name),
    scale: { domain: COST_COMPONENTS.map((c) => c.name), range: COMPONENT_COLORS },
  };
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'The price of moving',
      subtitle: [`time the moved processes paid for their moves, by component (${notes.join('; ')})`],
    },
    vconcat: [
      {
        data: { values: over },
        facet: { row: { field: 'run', type: 'nominal', title: null, sort: names } },
        spec: {
          width: 560,
          height: 110,
          mark: { type: 'bar', tooltip: true },
          encoding: {
            x: { field: 't0', type: 'quantitative', title: 'time (s)' },
            x2: { field: 't1' },
            y: { aggregate: 'sum', field: 'ms', type: 'quantitative', title: 'cost (ms per column)', stack: 'zero' },
            color,
            order: { field: 'order' },
            tooltip: [
              { field: 'component', type: 'nominal' },
              { field: 't0', type: 'quantitative', title: 'from (s)', format: '.3f' },
              { field: 't1', type: 'quantitative', title: 'until (s)', format: '.3f' },
              { aggregate: 'sum', field: 'ms', type: 'quantitative', title: 'cost (ms)', format: '.4f' },
            ],
          },
        },
      },
      {
        data: { values: totals },
        width: 560,
        height: { step: 22 },
        mark: { type: 'bar', tooltip: true },
        encoding: {
          y: { field: 'run', type: 'nominal', title: null, sort: names },
          x: { field: 'ms', type: 'quantitative', title: 'total cost over the run (ms)', stack: 'zero' },
          color,
          order: { field: 'order' },
          tooltip: [
            { field: 'run', type: 'nominal' },
            { field: 'component', type: 'nominal' },
            { field: 'ms', type: 'quantitative', title: 'total (ms)', format: '.4f' },
            { field: 'perMoveUs', type: 'quantitative', title: 'per move (µs)', format: '.2f' },
          ],
        },
      },
    ],
  };
  return { title: `migration-cost-${names.join('-')}`, spec };
}
