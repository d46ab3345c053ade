// A chart cell's output: one of the named charts, or the user's own Vega-Lite spec over a
// result table of the runs it names.
import type { TopLevelSpec } from 'vega-lite';
import type { ChartOutput } from '../outputs/contract';
import type { ResolvedChart } from '../language/resolveLab';
import { resultTable, type TableName } from '../run/tables';
import { cacheMissesChart } from './cacheMisses';
import type { ChartRun } from './common';
import { deadlinesChart } from './deadlines';
import { ChartError } from './error';
import { loadChart } from './load';
import { migrationCostChart } from './migrationCost';
import { migrationsChart } from './migrations';
import { energyChart, frequencyChart, temperatureChart } from './power';
import { queuesChart } from './queues';
import { responseChart } from './response';
import { timelineChart } from './timeline';
import { downtimeChart } from './downtime';
import { hostEnergyChart } from './hostEnergy';
import { hostsOnChart } from './hostsOn';
import { hostLoadChart, hostTemperatureChart, requestHostLoadChart } from './hostLoad';
import { liveMigrationsChart } from './liveMigrations';
import type { VmChartRun } from './vmRun';
import type { ClusterChartRun } from './clusterRun';
import { responseByServerChart } from './responseByServer';

export { chartRunOf, type ChartRun } from './common';
export { ChartError } from './error';
export { sweepChart } from './sweep';
export { VM_CHARTS, type VmChartRun } from './vmRun';
export { CLUSTER_CHARTS, type ClusterChartRun } from './clusterRun';

/** The charts of VM runs on a cluster (VM_CHARTS), drawn from their VmClusterResult. */
const VM_RUN_CHARTS: Record<string, (runs: readonly VmChartRun[]) => ChartOutput> = {
  'live-migrations': liveMigrationsChart,
  downtime: downtimeChart,
  'host-energy': hostEnergyChart,
  'hosts-on': hostsOnChart,
  'host-load': hostLoadChart,
  'host-temperature': hostTemperatureChart,
};

/** A chart of VM runs: `show:` one of VM_CHARTS (a raw spec reads one-machine tables only). */
export function buildVmChart(chart: ResolvedChart, runs: readonly VmChartRun[]): ChartOutput {
  const build = VM_RUN_CHARTS[chart.show ?? ''];
  if (!build)
    throw new ChartError(
      `Runs of VMs on a cluster draw ${Object.keys(VM_RUN_CHARTS).join(', ')} charts; ${chart.show === undefined ? 'a raw Vega-Lite spec reads the tables of one-machine runs' : `"${chart.show}" draws one-machine runs`}.`,
    );
  return titled(build(runs), chart);
}

/** The charts of request runs on a cluster (CLUSTER_CHARTS), drawn from their ClusterResult. */
const CLUSTER_RUN_CHARTS: Record<string, (runs: readonly ClusterChartRun[]) => ChartOutput> = {
  'response-by-server': responseByServerChart,
  'host-load': requestHostLoadChart,
};

/** A chart of request runs on a cluster: `show:` one of CLUSTER_CHARTS. */
export function buildClusterChart(chart: ResolvedChart, runs: readonly ClusterChartRun[]): ChartOutput {
  const build = CLUSTER_RUN_CHARTS[chart.show ?? ''];
  if (!build)
    throw new ChartError(
      `Request runs on a cluster draw ${Object.keys(CLUSTER_RUN_CHARTS).join(', ')} charts; ${chart.show === undefined ? 'a raw Vega-Lite spec reads the tables of one-machine runs' : `"${chart.show}" draws other runs`}.`,
    );
  return titled(build(runs), chart);
}

const NAMED_CHARTS: Record<string, (runs: readonly ChartRun[]) => ChartOutput> = {
  load: loadChart,
  queues: queuesChart,
  'cache-misses': cacheMissesChart,
  migrations: migrationsChart,
  'migration-cost': migrationCostChart,
  response: responseChart,
  deadlines: deadlinesChart,
  energy: energyChart,
  frequency: frequencyChart,
  temperature: temperatureChart,
};

function rawChart(chart: ResolvedChart, runs: readonly ChartRun[]): ChartOutput {
  const table = (chart.table ?? 'series') as TableName;
  const values = runs.flatMap((run) => resultTable(run.result, table).map((row) => ({ run: run.name, ...row })));
  const spec = { ...(chart.vegaLite as object), data: { values } } as TopLevelSpec;
  return { title: chart.title ?? `${table}-${runs.map((r) => r.name).join('-')}`, spec };
}

export function buildChart(chart: ResolvedChart, runs: readonly ChartRun[]): ChartOutput {
  if (chart.vegaLite !== undefined) return rawChart(chart, runs);
  // A sweep chart runs a sweep of its own (LabSession) and is drawn by sweepChart.
  if (chart.show === 'sweep') throw new ChartError('A sweep chart is drawn from its sweep, not from single runs.');
  if (chart.show === 'timeline') return titled(timelineChart(runs, chart.span), chart);
  const build = NAMED_CHARTS[chart.show ?? ''];
  if (!build) throw new ChartError(`The "${chart.show}" chart needs results this simulator does not produce yet.`);
  return titled(build(runs), chart);
}

/** A chart cell's `title:` replaces the built-in chart's. */
function titled(output: ChartOutput, chart: ResolvedChart): ChartOutput {
  if (chart.title) output.spec = { ...output.spec, title: chart.title } as TopLevelSpec;
  return output;
}
