// `live-migrations`: one bar per move of a VM run, its rounds stacked along time (live rounds
// while the VM runs, the paused round, post-copy's pull on demand), the downtime marked as a
// red band: the migration record's rounds and downtime exactly as the simulator logged them, up
// to the end of the run (a move still running then is drawn as far as it got, and one a host
// failure cut short as far as the cut).
import type { TopLevelSpec } from 'vega-lite';
import type { ChartOutput } from '../outputs/contract';
import { VEGA_LITE_SCHEMA } from './common';
import { ChartError } from './error';
import type { VmChartRun } from './vmRun';

/** Moves a chart draws at most (a consolidating run may move hundreds of VMs): the first ones. */
export const MAX_MOVES = 400;

export interface RoundRow {
  run: string;
  /** The bar: run, VM, route and start, unique within the chart. */
  move: string;
  round: number;
  phase: string;
  startS: number;
  endS: number;
  bytes: number;
}

export interface DowntimeMark {
  run: string;
  move: string;
  pauseS: number;
  resumeS: number;
  downtimeS: number;
}

/**
 * Each move's rounds and its pause, in move order, cut at the end of the run. A logged record is
 * already on the run's clock (vm-cluster-simulation.ts offsets its rounds and pause by the
 * decision time).
 */
export function moveRows(runs: readonly VmChartRun[]): { rounds: RoundRow[]; downtimes: DowntimeMark[] } {
  const rounds: RoundRow[] = [];
  const downtimes: DowntimeMark[] = [];
  for (const run of runs)
    run.result.migrations.slice(0, MAX_MOVES).forEach((m, k) => {
      const move = `${runs.length > 1 ? `${run.name}: ` : ''}#${k + 1} ${m.vm} ${m.from}→${m.to}`;
      // A move cut short by a host failure is drawn up to the cut.
      const endS = m.cutNs === undefined ? run.result.simulatedS : Math.min(run.result.simulatedS, m.cutNs / 1e9);
      for (const r of m.record.rounds) {
        const startS = r.startNs / 1e9;
        if (startS >= endS) continue;
        rounds.push({
          run: run.name,
          move,
          round: r.index,
          phase: r.phase,
          startS,
          endS: Math.min(endS, (r.startNs + r.durationNs) / 1e9),
          bytes: r.bytes,
        });
      }
      if (m.downtimeInRunNs === 0) return;
      const pauseS = m.record.pauseStartNs / 1e9;
      downtimes.push({
        run: run.name,
        move,
        pauseS,
        resumeS: pauseS + m.downtimeInRunNs / 1e9,
        downtimeS: m.downtimeInRunNs / 1e9,
      });
    });
  return { rounds, downtimes };
}

export function liveMigrationsChart(runs: readonly VmChartRun[]): ChartOutput {
  const { rounds, downtimes } = moveRows(runs);
  if (rounds.length === 0)
    throw new ChartError('These runs moved no VM: a live-migrations chart needs at least one migration.');
  const order = [...new Set(rounds.map((r) => r.move))];
  const y = { field: 'move', type: 'nominal' as const, sort: order, title: null, axis: { labelLimit: 280 } };
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'Live migrations',
      subtitle: 'one bar per move: its rounds along time, the downtime in red',
    },
    width: 520,
    height: { step: 18 },
    layer: [
      {
        data: { values: rounds },
        mark: { type: 'bar', tooltip: true, stroke: 'white', strokeWidth: 1 },
        encoding: {
          y,
          x: { field: 'startS', type: 'quantitative', title: 'time (s)' },
          x2: { field: 'endS' },
          color: {
            field: 'phase',
            type: 'nominal',
            title: 'round',
            scale: { domain: ['live', 'paused', 'demand'], range: ['#4c78a8', '#f58518', '#72b7b2'] },
          },
          tooltip: [
            { field: 'move' },
            { field: 'round' },
            { field: 'phase' },
            { field: 'startS', title: 'start (s)', format: '.3f' },
            { field: 'endS', title: 'end (s)', format: '.3f' },
            { field: 'bytes', title: 'bytes', format: ',' },
          ],
        },
      },
      {
        data: { values: downtimes },
        // At least a few pixels wide: a downtime of milliseconds on a run of minutes still shows.
        mark: { type: 'tick', color: '#d62728', thickness: 3, size: 16, tooltip: true },
        encoding: {
          y,
          x: { field: 'pauseS', type: 'quantitative' },
          tooltip: [
            { field: 'move' },
            { field: 'pauseS', title: 'paused at (s)', format: '.3f' },
            { field: 'downtimeS', title: 'downtime (s)', format: '.4~g' },
          ],
        },
      },
    ],
  };
  return { title: `live-migrations-${runs.map((r) => r.name).join('-')}`, spec };
}
