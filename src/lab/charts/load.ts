// `load`: per-CPU utilisation over time (a dark row is a busy CPU, a pale one idle) and the
// imbalance across CPUs of every run on one set of axes.
import type { ChartOutput } from '../outputs/contract';
import type { ChartRun } from './common';
import { heatmapChart } from './heatmap';

/** Coefficient of variation of the per-CPU values of one column: 0 when perfectly balanced. */
export function imbalanceCv(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (mean === 0) return 0;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  return Math.sqrt(variance) / mean;
}

export function loadChart(runs: readonly ChartRun[]): ChartOutput {
  return heatmapChart(
    runs,
    {
      title: 'Load per CPU over time',
      subtitle: 'utilisation of each CPU (top); imbalance across CPUs, as coefficient of variation (bottom)',
      series: (cpu) => cpu.utilization,
      valueTitle: 'utilisation (%)',
      valueFormat: '.0%',
      domain: [0, 1],
      line: { title: 'imbalance (CV, no unit)', of: imbalanceCv },
    },
    `load-${runs.map((r) => r.name).join('-')}`,
  );
}
