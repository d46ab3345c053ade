// A comparison over cluster runs (a compare cell with `runs:`): each run as its run cell
// resolves it, with seeds 1..n in place of its own seed, tabulated by the same code as a
// comparison of policies on one machine (compareCells). Runs of one service differ only in
// their balancer or cluster: the requests are drawn from streams named after the service, so
// seed k gives every run the same arrivals and demands (common random numbers) and the paired
// differences cancel the seed-to-seed noise as they do on one machine.
import type { ComparedRun, ResolvedRunsCompare } from '../language/resolveLab';
import type { CompareOutput, RunOutput } from '../outputs/contract';
import { NO_REQUEST_COMPLETED, NO_SLA, RESPONSE_METRICS } from '../outputs/metrics';
import { compareCells } from './compare';
import type { RunSummary } from './runHost';

/** A compared run's summary at one seed (the session runs it in its worker pool). */
export type SummarizeComparedRun = (run: ComparedRun, seed: number) => Promise<RunOutput['summary']>;

/** Thrown when a run's summary lacks a metric asked for (energyJ without power models...). */
export class MissingMetricError extends Error {
  constructor(
    readonly run: string,
    readonly metric: string,
  ) {
    super(
      `Run ${run} has no ${metric}: ${
        metric === 'energyJ'
          ? 'not every host of its cluster has a power model'
          : (RESPONSE_METRICS as readonly string[]).includes(metric)
            ? NO_REQUEST_COMPLETED
            : metric.startsWith('slaViolation')
              ? NO_SLA
              : 'its summary does not give it'
      }`,
    );
    this.name = 'MissingMetric';
  }
}

export async function runRunsCompare(
  compare: ResolvedRunsCompare,
  summarize: SummarizeComparedRun,
  onProgress?: (fraction: number) => void,
): Promise<CompareOutput> {
  const jobs = compare.runs.flatMap((run) => Array.from({ length: compare.seeds }, (_, k) => ({ run, seed: k + 1 })));
  let done = 0;
  const results = await Promise.all(
    jobs.map(async ({ run, seed }) => {
      const summary = await summarize(run, seed);
      onProgress?.(++done / jobs.length);
      for (const metric of compare.metrics)
        if ((summary as Record<string, unknown>)[metric] === undefined)
          throw new MissingMetricError(run.run.name, metric);
      // A cluster summary is a one-machine Summary's metrics under the same names, fewer of them.
      return { summary: summary as unknown as RunSummary['summary'] };
    }),
  );
  const names = compare.runs.map((r) => r.run.name);
  const unique = (values: string[]) => [...new Set(values)].join(', ');
  return {
    name: compare.name,
    over: 'runs',
    machine: unique(compare.runs.map((r) => r.run.clusterName)),
    workload: unique(compare.runs.flatMap((r) => (r.kind === 'vms' ? r.run.vmsNames : [r.run.serviceName]))),
    policies: names,
    metrics: compare.metrics,
    seeds: compare.seeds,
    cells: compareCells(names, compare.seeds, compare.metrics, results),
  };
}
