// `deadlines`: the share of real-time jobs that missed their deadline, per run and per task.
import type { TopLevelSpec } from 'vega-lite';
import type { ChartOutput } from '../outputs/contract';
import { ChartError } from './error';
import { runColor, sampleEvenly, VEGA_LITE_SCHEMA, type ChartRun } from './common';

export function deadlinesChart(runs: readonly ChartRun[]): ChartOutput {
  const perRun = runs.map((r) => ({
    run: r.name,
    ratio: r.result.summary.deadlineMissRatio,
    misses: r.result.summary.deadlineMisses,
  }));
  const perTask = runs.flatMap((r) =>
    sampleEvenly(
      r.result.processes.filter((p) => p.kind === 'periodic' && p.jobs > 0),
      200,
    ).map((p) => ({
      run: r.name,
      task: `${p.group} ${p.pid}`,
      misses: p.deadlineMisses,
      jobs: p.jobs,
    })),
  );
  if (perTask.length === 0 && perRun.every((r) => r.misses === 0 && r.ratio === 0)) {
    throw new ChartError(
      'None of these runs has work with deadlines: add periodic tasks (periodic: or taskSet:) or a deadline: to a workload group.',
    );
  }
  const color = runColor(runs);
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'Deadline misses',
      subtitle: 'share of jobs that missed their deadline per run (left); missed deadlines per periodic task (right)',
    },
    hconcat: [
      {
        data: { values: perRun },
        width: { step: 28 },
        height: 200,
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: { field: 'run', type: 'nominal', title: null, sort: runs.map((r) => r.name) },
          y: {
            field: 'ratio',
            type: 'quantitative',
            title: 'jobs that missed their deadline (%)',
            axis: { format: '.1~%', tickMinStep: 0.001 },
            scale: { domainMin: 0, nice: true },
          },
          color,
        },
      },
      {
        data: { values: perTask },
        width: 420,
        height: 200,
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: { field: 'task', type: 'nominal', title: 'task', sort: null },
          xOffset: { field: 'run', sort: runs.map((r) => r.name) },
          // A count, not a share: a job still unfinished at the end has missed its deadline too.
          y: { field: 'misses', type: 'quantitative', title: 'missed deadlines (count)', axis: { tickMinStep: 1 } },
          color,
          tooltip: [
            { field: 'run', type: 'nominal' },
            { field: 'task', type: 'nominal' },
            { field: 'misses', type: 'quantitative', title: 'missed deadlines' },
            { field: 'jobs', type: 'quantitative', title: 'jobs completed' },
          ],
        },
      },
    ],
  };
  return { title: `deadlines-${runs.map((r) => r.name).join('-')}`, spec };
}
