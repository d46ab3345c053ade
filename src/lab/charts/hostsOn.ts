// `hosts-on`: how many hosts of a VM run were on (and booting) over time, one step line per run,
// from each host's power states as the simulator logged them: what consolidation switches off
// and what a busy spell or an evacuation powers back on.
import type { TopLevelSpec } from 'vega-lite';
import type { ChartOutput } from '../outputs/contract';
import { VEGA_LITE_SCHEMA } from './common';
import type { VmChartRun } from './vmRun';

export interface HostsOnPoint {
  run: string;
  atS: number;
  /** Hosts on from atS until the next point. */
  on: number;
  booting: number;
}

/** Per run: the count of hosts on and booting after every change, from 0 to the end of the run. */
export function hostsOnPoints(runs: readonly VmChartRun[]): HostsOnPoint[] {
  return runs.flatMap((run) => {
    const changes = run.result.hosts
      .flatMap((h, host) => h.powerStates.map((p, k) => ({ ...p, host, first: k === 0 })))
      .sort((a, b) => a.atS - b.atS);
    const state = run.result.hosts.map(() => 'off');
    const points: HostsOnPoint[] = [];
    for (let i = 0; i < changes.length;) {
      const at = changes[i]!.atS;
      for (; i < changes.length && changes[i]!.atS === at; i++) state[changes[i]!.host] = changes[i]!.state;
      const point = {
        run: run.name,
        atS: at,
        on: state.filter((s) => s === 'on').length,
        booting: state.filter((s) => s === 'booting').length,
      };
      // Several changes at one instant are one point.
      if (points.length > 0 && points[points.length - 1]!.atS === at) points[points.length - 1] = point;
      else points.push(point);
    }
    const last = points[points.length - 1]!;
    points.push({ ...last, atS: run.result.simulatedS });
    return points;
  });
}

export function hostsOnChart(runs: readonly VmChartRun[]): ChartOutput {
  const values = hostsOnPoints(runs);
  const most = Math.max(...runs.map((r) => r.result.hosts.length));
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: 'Hosts on', subtitle: 'powered on (solid) and booting (dashed), over the run' },
    data: { values },
    transform: [{ fold: ['on', 'booting'], as: ['state', 'hosts'] }],
    width: 480,
    height: 200,
    mark: { type: 'line', interpolate: 'step-after', tooltip: true },
    encoding: {
      x: { field: 'atS', type: 'quantitative', title: 'time (s)' },
      y: {
        field: 'hosts',
        type: 'quantitative',
        title: 'hosts',
        scale: { domain: [0, most] },
        axis: { tickMinStep: 1 },
      },
      color: { field: 'run', type: 'nominal', sort: runs.map((r) => r.name), title: 'run' },
      strokeDash: { field: 'state', type: 'nominal', sort: ['on', 'booting'], title: null },
    },
  };
  return { title: `hosts-on-${runs.map((r) => r.name).join('-')}`, spec };
}
