// `downtime`: how long each live migration paused its VM, one mark per move on a log scale, one
// row per run: the distribution a run's SLA on availability is about.
import type { TopLevelSpec } from 'vega-lite';
import type { ChartOutput } from '../outputs/contract';
import { VEGA_LITE_SCHEMA } from './common';
import { ChartError } from './error';
import type { VmChartRun } from './vmRun';

export interface DowntimeRow {
  run: string;
  vm: string;
  reason: string;
  method: string;
  downtimeS: number;
}

/** Each move that paused its VM within the run, with that downtime (a log scale has no 0). */
export function downtimeRows(runs: readonly VmChartRun[]): DowntimeRow[] {
  return runs.flatMap((run) =>
    run.result.migrations
      .filter((m) => m.downtimeInRunNs > 0)
      .map((m) => ({
        run: run.name,
        vm: m.vm,
        reason: m.reason,
        method: m.record.method,
        downtimeS: m.downtimeInRunNs / 1e9,
      })),
  );
}

export function downtimeChart(runs: readonly VmChartRun[]): ChartOutput {
  const values = downtimeRows(runs);
  if (values.length === 0)
    throw new ChartError('No migration of these runs paused its VM before the end: a downtime chart needs one.');
  const names = runs.map((r) => r.name);
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: 'Downtime per live migration', subtitle: 'one mark per move (log scale)' },
    data: { values },
    width: 480,
    height: { step: 28 },
    mark: { type: 'tick', thickness: 2, color: '#d62728', tooltip: true },
    encoding: {
      y: { field: 'run', type: 'nominal', sort: names, title: null },
      x: {
        field: 'downtimeS',
        type: 'quantitative',
        title: 'downtime (s, log scale)',
        scale: { type: 'log' },
        axis: { format: '~s' },
      },
      tooltip: [{ field: 'vm' }, { field: 'reason' }, { field: 'method' }, { field: 'downtimeS', format: '.4~g' }],
    },
  };
  return { title: `downtime-${names.join('-')}`, spec };
}
