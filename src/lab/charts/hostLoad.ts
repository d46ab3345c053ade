// `host-load`: a heat map of each host's load over a cluster run, one row per host, one panel per
// run: in each time bin while it was on, the VMs' demand over the host's cores (a VM run, the
// simulator's VmHostResult.load) or its busy cores over its cores (a request run, its
// ServerResult.load). Bins a host was off throughout are left blank, so consolidation shows as
// rows going dark and the survivors getting warmer, and a failed server as its row ending.
import type { TopLevelSpec } from 'vega-lite';
import type { ChartOutput } from '../outputs/contract';
import { VEGA_LITE_SCHEMA } from './common';
import type { ClusterChartRun } from './clusterRun';
import type { VmChartRun } from './vmRun';

/** What the chart reads of a run of either kind: each host's bins. */
interface LoadRun {
  name: string;
  simulatedS: number;
  hosts: readonly { host: string; load: readonly { atS: number; load: number; on: number }[] }[];
}

export interface HostLoadCell {
  run: string;
  host: string;
  startS: number;
  endS: number;
  /** Demand over cores while on; above 1 when overcommitted. */
  load: number;
  /** Share of the bin the host was on. */
  on: number;
}

export function hostLoadCells(runs: readonly LoadRun[]): HostLoadCell[] {
  return runs.flatMap((run) =>
    run.hosts.flatMap((h) =>
      h.load
        .map((bin, k) => ({
          run: run.name,
          host: h.host,
          startS: bin.atS,
          endS: h.load[k + 1]?.atS ?? run.simulatedS,
          load: bin.load,
          on: bin.on,
        }))
        .filter((c) => c.on > 0),
    ),
  );
}

/** The host-load chart of VM runs. */
export function hostLoadChart(runs: readonly VmChartRun[]): ChartOutput {
  return loadChart(
    runs.map((r) => ({ name: r.name, simulatedS: r.result.simulatedS, hosts: r.result.hosts })),
    "VMs' demand over the host's cores while on; blank: off",
  );
}

/** The host-load chart of request runs: each server's busy cores (its requests, at most its cores). */
export function requestHostLoadChart(runs: readonly ClusterChartRun[]): ChartOutput {
  return loadChart(
    runs.map((r) => ({ name: r.name, simulatedS: r.result.simulatedS, hosts: r.result.servers })),
    "Busy cores over the server's cores while up (its requests there); blank: down",
  );
}

function loadChart(runs: readonly LoadRun[], subtitle: string): ChartOutput {
  const values = hostLoadCells(runs);
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: 'Load per host', subtitle },
    data: { values },
    facet: { row: { field: 'run', type: 'nominal', sort: runs.map((r) => r.name), title: null } },
    spec: {
      width: 480,
      height: { step: 14 },
      mark: { type: 'rect', tooltip: true },
      encoding: {
        x: { field: 'startS', type: 'quantitative', title: 'time (s)' },
        x2: { field: 'endS' },
        y: { field: 'host', type: 'nominal', title: null, sort: null },
        color: {
          field: 'load',
          type: 'quantitative',
          title: 'load',
          scale: { scheme: 'inferno', domainMin: 0, reverse: true },
          legend: { format: '.0%' },
        },
        tooltip: [
          { field: 'host' },
          { field: 'startS', title: 'from (s)', format: ',.1f' },
          { field: 'load', format: '.1%' },
          { field: 'on', title: 'on for', format: '.0%' },
        ],
      },
    },
    // One host axis for every panel: an independent y per facet row with x2 rects draws nothing
    // in Vega 5 (a "datum is not defined" error in its dataflow), and runs of one cluster share
    // their hosts anyway.
  };
  return { title: `host-load-${runs.map((r) => r.name).join('-')}`, spec };
}
