// A CPU out of service (failed, or in a maintenance window) drawn as such on every per-CPU
// chart: a dark grey rectangle over its time out, labelled with why. The heat maps (heatmap.ts)
// and the timeline (timeline.ts) draw it with these layers, so it looks the same in each.
import type { ChartRun } from './common';

/** The colour of a CPU out of service. */
export const OFFLINE_COLOR = '#4d4d4d';

/** One out-of-service stretch as the layers read it: `t0`..`t1` in seconds. */
export interface OfflineRow {
  run: string;
  cpu: number;
  state: 'failed' | 'maintenance';
  t0: number;
  t1: number;
}

/** A run's out-of-service stretches, clipped to `[fromS, toS]` (the part a chart shows), as rows. */
export function offlineRows(run: ChartRun, fromS = -Infinity, toS = Infinity): OfflineRow[] {
  return (run.offline ?? [])
    .map((span) => ({
      run: run.name,
      cpu: span.cpu,
      state: span.state,
      t0: Math.max(fromS, span.fromS),
      t1: Math.min(toS, span.toS),
    }))
    .filter((row) => row.t1 > row.t0);
}

interface Position {
  x: object;
  x2: object;
  y: object;
}

/**
 * The layers that draw out-of-service rows: the dark rectangle (with a tooltip) and its label
 * at its start. `filter`: a Vega expression that picks the rows from a shared table; `position`:
 * the x, x2 and y encodings, when the enclosing view does not give them.
 */
export function offlineLayers(options: { filter?: string; position?: Position } = {}) {
  const transform = options.filter ? [{ filter: options.filter }] : [];
  const at = options.position;
  return [
    {
      transform,
      mark: { type: 'rect' as const, color: OFFLINE_COLOR, tooltip: true },
      encoding: {
        ...(at ?? {}),
        tooltip: [
          { field: 'run', type: 'nominal' as const },
          { field: 'cpu', type: 'ordinal' as const, title: 'CPU' },
          { field: 'state', type: 'nominal' as const, title: 'out of service' },
          { field: 't0', type: 'quantitative' as const, title: 'from (s)', format: '.3f' },
          { field: 't1', type: 'quantitative' as const, title: 'until (s)', format: '.3f' },
        ],
      },
    },
    {
      transform,
      mark: {
        type: 'text' as const,
        align: 'left' as const,
        baseline: 'middle' as const,
        dx: 3,
        fontSize: 9,
        color: '#ffffff',
      },
      encoding: {
        x: at ? at.x : { field: 't0', type: 'quantitative' as const },
        ...(at ? { y: at.y } : {}),
        text: { field: 'state' },
      },
    },
  ];
}
