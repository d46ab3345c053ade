// `queues`: how many processes wait on each CPU over time, and the longest queue of each run.
// Long queues next to empty ones are the imbalance that balancing removes.
import type { ChartOutput } from '../outputs/contract';
import type { ChartRun } from './common';
import { heatmapChart } from './heatmap';

export function queuesChart(runs: readonly ChartRun[]): ChartOutput {
  return heatmapChart(
    runs,
    {
      title: 'Run-queue length per CPU over time',
      subtitle: 'processes waiting on each CPU, time-averaged (top); the longest queue of each run (bottom)',
      series: (cpu) => cpu.queueLength,
      valueTitle: 'waiting (processes)',
      valueFormat: '.1f',
      line: { title: 'longest queue (processes)', of: (values) => Math.max(...values) },
    },
    `queues-${runs.map((r) => r.name).join('-')}`,
  );
}
