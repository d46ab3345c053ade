/** Statistics helpers: a fixed-memory response-time histogram and load-imbalance measures. */

/** Relative width of a histogram bucket: quantiles are exact to within 0.5 %. */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Buckets cover 1 ns .. ~1e15 ns (11 days) and beyond in the last bucket. */
const BUCKETS = Math.ceil(Math.log(1e15) / LOG_GROWTH) + 2;

/**
 * Log-bucketed histogram of durations in ns. Memory is fixed (~3.5k buckets), so percentiles
 * stay cheap however many processes a run completes; the mean is kept exactly.
 */
export class LogHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;

  add(ns: number): void {
    this.count++;
    this.sum += ns;
    const b = ns < 1 ? 0 : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(ns) / LOG_GROWTH));
    this.counts[b]!++;
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** The durations added since `earlier` was this histogram's state (it must be an earlier state of the same run). */
  since(earlier: LogHistogram): LogHistogram {
    const out = new LogHistogram();
    out.count = this.count - earlier.count;
    out.sum = this.sum - earlier.sum;
    for (let b = 0; b < BUCKETS; b++) out.counts[b] = this.counts[b]! - earlier.counts[b]!;
    return out;
  }

  /** q-quantile (0 < q <= 1): geometric middle of the bucket holding the ceil(q n)-th value. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.counts[b]!;
      if (seen >= rank) return b === 0 ? 0 : GROWTH ** (b - 0.5);
    }
    return GROWTH ** (BUCKETS - 1);
  }
}

export interface Imbalance {
  cv: number;
  maxOverMean: number;
  jain: number;
}

/** Imbalance of per-CPU busy time: coefficient of variation, max/mean, Jain's fairness index. */
export function imbalance(values: ArrayLike<number>): Imbalance {
  const n = values.length;
  let sum = 0;
  let sumSq = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    sum += v;
    sumSq += v * v;
    if (v > max) max = v;
  }
  if (n === 0 || sum === 0) return { cv: 0, maxOverMean: 1, jain: 1 };
  const mean = sum / n;
  const variance = Math.max(0, sumSq / n - mean * mean);
  return { cv: Math.sqrt(variance) / mean, maxOverMean: max / mean, jain: (sum * sum) / (n * sumSq) };
}
