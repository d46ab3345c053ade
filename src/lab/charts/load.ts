// Chart specs: turn simulation results into complete Vega-Lite specs with inlined data.
// Marks are bounded whatever the run length: time series are re-binned to at most
// MAX_COLUMNS columns before they reach the chart.
import type { TopLevelSpec } from 'vega-lite';
import { colorScale, policyColor } from './colors';
import type { ChartOutput } from './outputs';

/** The per-CPU series a chart needs from a simulation result. */
export interface CpuSeries {
  cpu: number;
  utilization: number[];
  queueLength: number[];
}

/** A finished run, as charts see it. */
export interface ChartRun {
  name: string;
  policy: string;
  series: { binNs: number; cpus: CpuSeries[] };
}

export const MAX_COLUMNS = 200;

/** Averages consecutive bins so that at most `max` remain; returns the new bin width too. */
export function coarsen(values: readonly number[], binNs: number, max = MAX_COLUMNS): { values: number[]; binNs: number } {
  const factor = Math.max(1, Math.ceil(values.length / max));
  if (factor === 1) return { values: [...values], binNs };
  const out: number[] = [];
  for (let start = 0; start < values.length; start += factor) {
    const end = Math.min(values.length, start + factor);
    let sum = 0;
    for (let i = start; i < end; i++) sum += values[i];
    out.push(sum / (end - start));
  }
  return { values: out, binNs: binNs * factor };
}

/** Coefficient of variation of the per-CPU values of one bin: 0 when perfectly balanced. */
function imbalanceCv(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (mean === 0) return 0;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return Math.sqrt(variance) / mean;
}

interface LoadRow {
  run: string;
  cpu: number;
  /** Bin start and end in seconds. */
  t0: number;
  t1: number;
  utilization: number;
}

interface ImbalanceRow {
  run: string;
  t: number;
  imbalanceCv: number;
}

function loadRows(run: ChartRun): { load: LoadRow[]; imbalance: ImbalanceRow[] } {
  const load: LoadRow[] = [];
  const perCpu = run.series.cpus.map((c) => coarsen(c.utilization, run.series.binNs));
  const binS = (perCpu[0]?.binNs ?? run.series.binNs) / 1e9;
  perCpu.forEach((series, index) => {
    series.values.forEach((utilization, bin) => {
      load.push({ run: run.name, cpu: run.series.cpus[index].cpu, t0: bin * binS, t1: (bin + 1) * binS, utilization });
    });
  });
  const columns = perCpu[0]?.values.length ?? 0;
  const imbalance: ImbalanceRow[] = [];
  for (let bin = 0; bin < columns; bin++) {
    imbalance.push({ run: run.name, t: (bin + 0.5) * binS, imbalanceCv: imbalanceCv(perCpu.map((s) => s.values[bin])) });
  }
  return { load, imbalance };
}

/**
 * `load`: a heatmap of per-CPU utilisation over time for each run (a dark row is a busy CPU,
 * a pale one is idle), and below it the imbalance (coefficient of variation across CPUs) of
 * every run on one set of axes, one colour per policy.
 */
export function loadChart(runs: readonly ChartRun[]): ChartOutput {
  const rows = runs.map(loadRows);
  const names = runs.map((r) => r.name);
  const colors = colorScale(names, (name) => policyColor(runs.find((r) => r.name === name)!.policy));
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Load per CPU over time', subtitle: 'utilisation per CPU (top), imbalance across CPUs (bottom)' },
    vconcat: [
      {
        data: { values: rows.flatMap((r) => r.load) },
        facet: { row: { field: 'run', type: 'nominal', title: null, sort: names } },
        spec: {
          width: 560,
          height: { step: 14 },
          mark: { type: 'rect', tooltip: true },
          encoding: {
            x: { field: 't0', type: 'quantitative', title: 'time (s)' },
            x2: { field: 't1' },
            y: { field: 'cpu', type: 'ordinal', title: 'CPU' },
            color: {
              field: 'utilization',
              type: 'quantitative',
              title: 'utilisation',
              scale: { domain: [0, 1], scheme: 'blues' },
              legend: { format: '.0%' },
            },
            tooltip: [
              { field: 'run', type: 'nominal' },
              { field: 'cpu', type: 'ordinal', title: 'CPU' },
              { field: 't0', type: 'quantitative', title: 'from (s)', format: '.3f' },
              { field: 'utilization', type: 'quantitative', format: '.1%' },
            ],
          },
        },
      },
      {
        data: { values: rows.flatMap((r) => r.imbalance) },
        width: 560,
        height: 120,
        mark: { type: 'line', interpolate: 'step-after', tooltip: true },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'time (s)' },
          y: { field: 'imbalanceCv', type: 'quantitative', title: 'imbalance (CV)' },
          color: { field: 'run', type: 'nominal', title: 'run', scale: colors, sort: names },
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
  return { title: `load-${names.join('-')}`, spec };
}
