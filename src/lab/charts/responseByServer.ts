// `response-by-server`: the response time of a request run's requests on each server and over
// all of them (mean, p95, p99), one panel per run: where the balancer's choices show up as one
// slow server (random, round-robin onto a slower host) or as servers alike (least-connections,
// power-of-d). The figures are the simulator's own RequestStats, as the run's table gives them.
import type { TopLevelSpec } from 'vega-lite';
import type { RequestStats } from '../../sim';
import type { ChartOutput } from '../outputs/contract';
import type { ClusterChartRun } from './clusterRun';
import { VEGA_LITE_SCHEMA } from './common';

export interface ResponseByServerRow {
  run: string;
  /** A host name, or `overall`. */
  server: string;
  stat: 'mean' | 'p95' | 'p99';
  responseS: number;
  /** Requests answered: the statistics are over these. */
  completed: number;
}

const STATS = [
  ['mean', 'meanResponseS'],
  ['p95', 'p95ResponseS'],
  ['p99', 'p99ResponseS'],
] as const;

/**
 * Per run, three rows per server and three for `overall`. A server that answered nothing
 * (down all run, or never routed to) has no response time: its rows are left out rather than
 * drawn as zero.
 */
export function responseByServerRows(runs: readonly ClusterChartRun[]): ResponseByServerRow[] {
  const rows = (run: string, server: string, r: RequestStats) =>
    r.completed === 0
      ? []
      : STATS.map(([stat, key]) => ({ run, server, stat, responseS: r[key], completed: r.completed }));
  return runs.flatMap((run) => [
    ...run.result.servers.flatMap((s) => rows(run.name, s.host, s)),
    ...rows(run.name, 'overall', run.result.overall),
  ]);
}

export function responseByServerChart(runs: readonly ClusterChartRun[]): ChartOutput {
  const values = responseByServerRows(runs).map((r) => ({ ...r, responseMs: r.responseS * 1e3 }));
  const servers = [...new Set(values.filter((v) => v.server !== 'overall').map((v) => v.server)), 'overall'];
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: 'Response time by server', subtitle: 'mean, p95 and p99 of the requests each server answered' },
    data: { values },
    facet: { row: { field: 'run', type: 'nominal', sort: runs.map((r) => r.name), title: null } },
    spec: {
      width: 420,
      height: { step: 10 },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: { field: 'server', type: 'nominal', title: null, sort: servers },
        yOffset: { field: 'stat', type: 'nominal', sort: STATS.map(([s]) => s) },
        x: { field: 'responseMs', type: 'quantitative', title: 'response time (ms)' },
        color: {
          field: 'stat',
          type: 'nominal',
          title: 'statistic',
          sort: STATS.map(([s]) => s),
          scale: { domain: STATS.map(([s]) => s), range: ['#4c78a8', '#f58518', '#e45756'] },
        },
        tooltip: [
          { field: 'server' },
          { field: 'stat' },
          { field: 'responseMs', format: ',.3f', title: 'response (ms)' },
          { field: 'completed', format: ',d', title: 'requests answered' },
        ],
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
  return { title: `response-by-server-${runs.map((r) => r.name).join('-')}`, spec };
}
