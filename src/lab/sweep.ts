// A parameter sweep in the lab model: every combination of swept parameter values, each run of
// the lab over seeds 1..n at each combination, and the metrics aggregated per combination, run
// and policy as mean and 95 % interval over the seeds. The command line's `sweep` and `merge`
// and the `show: sweep` chart cell share these, so a chart and a sweep file agree to the digit.
import { canonicalJson } from '../sim/digest';
import type { SummaryValue } from './outputs';
import { summaryValues } from './results';
import { meanInterval, type Interval } from './stats';

/** Every combination of parameter values, first parameter varying slowest. */
export function combinations(params: Readonly<Record<string, readonly string[]>>): Record<string, string>[] {
  let combos: Record<string, string>[] = [{}];
  for (const [name, values] of Object.entries(params)) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [name]: v })));
  return combos;
}

/**
 * A summary's metrics as a sweep keeps them: breakdowns flattened (migrationsByReason.steal)
 * and rounded to the 12 significant digits of the canonical form, as sweep files store them,
 * so statistics made now equal statistics made from a file read back.
 */
export function sweepMetrics(summary: Readonly<Record<string, SummaryValue>>): Record<string, number> {
  return JSON.parse(canonicalJson(summaryValues(summary as Record<string, SummaryValue>))) as Record<string, number>;
}

/** One simulation of a sweep, as aggregation sees it. */
export interface SweepSample {
  params: Readonly<Record<string, string>>;
  run: string;
  policy: string;
  seed: number;
  metrics: Readonly<Record<string, number>>;
}

/** A metric over the seeds of one group: mean, 95 % half-width and its ends (NaN with one seed). */
export interface SweepInterval {
  mean: number;
  halfWidth: number;
  low: number;
  high: number;
}

/** Every seed of one run at one combination of parameter values. */
export interface SweepGroup {
  params: Record<string, string>;
  run: string;
  policy: string;
  /** Seeds aggregated. */
  n: number;
  metrics: Record<string, SweepInterval>;
}

const withEnds = ({ mean, halfWidth }: Interval): SweepInterval => ({ mean, halfWidth, low: mean - halfWidth, high: mean + halfWidth });

/**
 * Groups samples by parameter combination, run and policy (in the order they first appear)
 * and reduces each metric to its mean and 95 % interval over the group's seeds.
 */
export function aggregateSweep(samples: readonly SweepSample[]): SweepGroup[] {
  const groups = new Map<string, { group: Omit<SweepGroup, 'n' | 'metrics'>; samples: SweepSample[] }>();
  for (const sample of samples) {
    const key = canonicalJson([sample.params, sample.run, sample.policy]);
    let entry = groups.get(key);
    if (!entry) groups.set(key, (entry = { group: { params: { ...sample.params }, run: sample.run, policy: sample.policy }, samples: [] }));
    entry.samples.push(sample);
  }
  return [...groups.values()].map(({ group, samples: members }) => {
    const names = [...new Set(members.flatMap((s) => Object.keys(s.metrics)))].sort();
    const metrics: Record<string, SweepInterval> = {};
    for (const name of names) {
      const values = members.map((s) => s.metrics[name]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      if (values.length > 0) metrics[name] = withEnds(meanInterval(values));
    }
    return { ...group, n: members.length, metrics };
  });
}
