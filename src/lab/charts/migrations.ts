// `migrations`: a timeline of every move: at the time it happened, a line from the CPU a process
// left to the CPU it went to (dot at the destination), coloured by the reason for the move;
// below, the inspector (moveInspector.ts) on the move a person clicks, for runs with a timeline
// log (a lab gives its runs one for this chart).
import type { TopLevelSpec } from 'vega-lite';
import type { MigrationRow } from '../../sim';
import type { ChartOutput } from '../outputs/contract';
import { sampleEvenly, VEGA_LITE_SCHEMA, type ChartRun } from './common';
import { anatomyOf, inspectorView, moveKey, pickParam, type MoveAnatomy } from './moveInspector';
import { reasonScale } from './palettes';

/** A move's index in its run's timeline log (the inspector's id), by time and process; -1 without a log. */
function logIndex(run: ChartRun): (m: MigrationRow) => number {
  const moves = run.result.timeline?.moves;
  if (!moves) return () => -1;
  const index = new Map(moves.timeNs.map((t, i) => [moveKey(t, moves.pid[i]!, moves.from[i]!, moves.to[i]!), i]));
  return (m) => index.get(moveKey(m.timeNs, m.pid, m.from, m.to)) ?? -1;
}

export function migrationsChart(runs: readonly ChartRun[]): ChartOutput {
  const rows = runs.flatMap((run) => {
    const idOf = logIndex(run);
    return sampleEvenly(run.result.migrations).map((m) => ({
      run: run.name,
      id: idOf(m),
      t: m.timeNs / 1e9,
      pid: m.pid,
      group: m.group,
      from: m.from,
      to: m.to,
      reason: m.reason,
      costUs: m.totalNs / 1e3,
    }));
  });
  const anatomies: MoveAnatomy[] = runs.flatMap((run) => {
    const log = run.result.timeline;
    return log ? anatomyOf(run, { fromNs: log.fromNs, toNs: log.toNs }) : [];
  });
  const cpuCount = Math.max(1, ...runs.map((r) => r.result.series.cpus.length));
  const reasons = reasonScale(new Set(rows.map((r) => r.reason)));
  const names = runs.map((r) => r.name);
  const counts = runs.map((r) => `${r.name}: ${r.result.summary.migrations}`).join(', ');
  const y = {
    type: 'quantitative' as const,
    title: 'CPU (number)',
    scale: { domain: [-0.5, cpuCount - 0.5] },
    axis: { tickMinStep: 1 },
  };
  const chart = {
    data: { values: rows },
    facet: { row: { field: 'run', type: 'nominal', title: null, sort: names } },
    spec: {
      width: 560,
      height: Math.max(80, cpuCount * 14),
      layer: [
        {
          // Lines and dots opaque (Vega-Lite draws points at 70 %): at 70 % every reason's
          // colour has less than 3:1 on a light or a dark background.
          mark: { type: 'rule' },
          encoding: {
            x: { field: 't', type: 'quantitative', title: 'time (s)' },
            y: { field: 'from', ...y },
            y2: { field: 'to' },
            color: { field: 'reason', type: 'nominal', title: 'reason', scale: reasons },
          },
        },
        {
          ...(anatomies.length > 0 ? { params: [pickParam('pick', anatomies, ['run', 'id'])] } : {}),
          mark: { type: 'point', filled: true, opacity: 1, size: 25, tooltip: true, cursor: 'pointer' },
          encoding: {
            x: { field: 't', type: 'quantitative' },
            y: { field: 'to', ...y },
            color: { field: 'reason', type: 'nominal', scale: reasons },
            tooltip: [
              { field: 't', type: 'quantitative', title: 'time (s)', format: '.4f' },
              { field: 'pid', type: 'quantitative', title: 'process' },
              { field: 'group', type: 'nominal' },
              { field: 'from', type: 'quantitative', title: 'from CPU' },
              { field: 'to', type: 'quantitative', title: 'to CPU' },
              { field: 'reason', type: 'nominal' },
              { field: 'costUs', type: 'quantitative', title: 'cost (µs)', format: '.1f' },
            ],
          },
        },
      ],
    },
  };
  // Moves past a run's timeline log (a long, busy run) have no anatomy: say how far it reaches.
  const reach = runs
    .filter((r) => r.result.timeline?.cut)
    .map((r) => `${r.name} until ${Number((r.result.timeline!.toNs / 1e9).toPrecision(4))} s`);
  const title = {
    text: 'Migrations over time',
    subtitle: `each line: a process moved from one CPU to another (${counts})${anatomies.length > 0 ? `; click a dot for the move${reach.length > 0 ? ` (${reach.join(', ')})` : ''}` : ''}`,
  };
  // One inspector for the chart: it shows the picked move, of whichever run.
  const inspectors =
    anatomies.length > 0 ? [inspectorView('The move you picked (click a dot above)', 'pick', anatomies)] : [];
  const spec = (
    inspectors.length > 0
      ? { $schema: VEGA_LITE_SCHEMA, title, vconcat: [chart, ...inspectors] }
      : { $schema: VEGA_LITE_SCHEMA, title, ...chart }
  ) as TopLevelSpec;
  return { title: `migrations-${names.join('-')}`, spec };
}
