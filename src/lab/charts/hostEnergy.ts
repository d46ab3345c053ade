// `host-energy`: each host's energy over a VM run, split into what it drew idle, what its load
// added and what its boots cost: where consolidation saves (idle hosts switched off) and what it
// spends (boots). One row of bars per host, one panel per run.
import type { TopLevelSpec } from 'vega-lite';
import type { ChartOutput } from '../outputs/contract';
import { VEGA_LITE_SCHEMA } from './common';
import type { VmChartRun } from './vmRun';

export interface HostEnergyRow {
  run: string;
  host: string;
  part: 'idle' | 'load' | 'boot';
  energyJ: number;
}

export function hostEnergyRows(runs: readonly VmChartRun[]): HostEnergyRow[] {
  return runs.flatMap((run) =>
    run.result.hosts.flatMap((h) => [
      { run: run.name, host: h.host, part: 'idle' as const, energyJ: h.idleEnergyJ },
      { run: run.name, host: h.host, part: 'load' as const, energyJ: h.dynamicEnergyJ },
      { run: run.name, host: h.host, part: 'boot' as const, energyJ: h.bootEnergyJ },
    ]),
  );
}

export function hostEnergyChart(runs: readonly VmChartRun[]): ChartOutput {
  const values = hostEnergyRows(runs);
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: 'Energy per host', subtitle: 'idle power, what the load added, and boots' },
    data: { values },
    facet: { row: { field: 'run', type: 'nominal', sort: runs.map((r) => r.name), title: null } },
    spec: {
      width: 420,
      height: { step: 16 },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: { field: 'host', type: 'nominal', title: null },
        x: { field: 'energyJ', type: 'quantitative', aggregate: 'sum', title: 'energy (J)', axis: { format: '~s' } },
        color: {
          field: 'part',
          type: 'nominal',
          title: 'drawn',
          scale: { domain: ['idle', 'load', 'boot'], range: ['#9ecae9', '#4c78a8', '#e45756'] },
        },
        order: { field: 'part', sort: 'descending' },
        tooltip: [{ field: 'host' }, { field: 'part' }, { field: 'energyJ', format: ',.0f', title: 'energy (J)' }],
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
  return { title: `host-energy-${runs.map((r) => r.name).join('-')}`, spec };
}
