// `host-load`: a heat map of each host's load over a cluster run, one row per host, one panel per
// run: in each time bin while it was on, the VMs' demand over the host's cores (a VM run, the
// simulator's VmHostResult.load) or its busy cores over its cores (a request run, its
// ServerResult.load). Bins a host was off throughout are left blank, so consolidation shows as
// rows going dark and the survivors getting warmer, and a failed server as its row ending.
// `host-temperature` is the same heat map of a VM run's host temperatures (its hotspot policy's
// lumped RC model), so a hot spot shows as a row that darkens and, policed, cools again.
import type { TopLevelSpec } from 'vega-lite';
import type { ChartOutput } from '../outputs/contract';
import { VEGA_LITE_SCHEMA } from './common';
import type { ClusterChartRun } from './clusterRun';
import type { VmChartRun } from './vmRun';
import { ChartError } from './error';

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
  return hostHeatMap(runs, hostLoadCells(runs), {
    title: 'Load per host',
    subtitle,
    field: 'load',
    scale: { scheme: 'inferno', domainMin: 0, reverse: true },
    format: '.0%',
    tooltip: [
      { field: 'load', format: '.1%' },
      { field: 'on', title: 'on for', format: '.0%' },
    ],
    name: 'host-load',
  });
}

export interface HostTemperatureCell {
  run: string;
  host: string;
  startS: number;
  endS: number;
  /** Mean temperature over the bin (C). */
  temperatureC: number;
}

/** Each host's mean temperature per bin (VmHostResult.thermal.series); a run without a hotspot policy has none. */
export function hostTemperatureCells(runs: readonly VmChartRun[]): HostTemperatureCell[] {
  const missing = runs.filter((r) => r.result.hosts.some((h) => h.thermal === undefined)).map((r) => r.name);
  if (missing.length > 0)
    throw new ChartError(
      `Run ${missing.join(', ')} has no host temperatures: give its vms cell a hotspot policy (migration: { hotspot: { threshold: 70C } }; migrate: off only watches).`,
    );
  return runs.flatMap((run) =>
    run.result.hosts.flatMap((h) => {
      const series = h.thermal!.series;
      return series.map((bin, k) => ({
        run: run.name,
        host: h.host,
        startS: bin.atS,
        endS: series[k + 1]?.atS ?? run.result.simulatedS,
        temperatureC: bin.temperatureC,
      }));
    }),
  );
}

/** The host-temperature chart of VM runs with a hotspot policy: the lumped RC host model over the run. */
export function hostTemperatureChart(runs: readonly VmChartRun[]): ChartOutput {
  return hostHeatMap(runs, hostTemperatureCells(runs), {
    title: 'Temperature per host',
    subtitle: "each host's mean temperature per time bin, heated by its power (off and failed hosts cool)",
    field: 'temperatureC',
    scale: { scheme: 'inferno', reverse: true, zero: false },
    format: '.0f',
    tooltip: [{ field: 'temperatureC', title: 'temperature (°C)', format: '.1f' }],
    name: 'host-temperature',
  });
}

/** A heat map with one row per host and one panel per run: `field` of each cell, coloured. */
function hostHeatMap(
  runs: readonly { name: string }[],
  values: readonly object[],
  o: {
    title: string;
    subtitle: string;
    field: string;
    scale: Record<string, unknown>;
    format: string;
    tooltip: { field: string; title?: string; format?: string }[];
    name: string;
  },
): ChartOutput {
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: o.title, subtitle: o.subtitle },
    data: { values: values as Record<string, unknown>[] },
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
          field: o.field,
          type: 'quantitative',
          title: o.field === 'load' ? 'load' : '°C',
          scale: o.scale,
          legend: { format: o.format },
        },
        tooltip: [{ field: 'host' }, { field: 'startS', title: 'from (s)', format: ',.1f' }, ...o.tooltip],
      },
    },
    // One host axis for every panel: an independent y per facet row with x2 rects draws nothing
    // in Vega 5 (a "datum is not defined" error in its dataflow), and runs of one cluster share
    // their hosts anyway.
  };
  return { title: `${o.name}-${runs.map((r) => r.name).join('-')}`, spec };
}
