// Means with 95 % confidence intervals (Student's t), for comparisons over seeds.
import type { Interval } from '../outputs/contract';

/** Two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The t quantile for a 95 % interval; beyond 30 degrees of freedom a series expansion about 1.96. */
export function tQuantile95(df: number): number {
  if (df < 1) return Number.NaN;
  if (df <= 30) return T975[df - 1];
  const z = 1.959964;
  // Cornish-Fisher expansion of t in powers of 1/df (Abramowitz & Stegun 26.7.5).
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

export function meanInterval(samples: readonly number[]): Interval {
  const n = samples.length;
  const mean = samples.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, halfWidth: Number.NaN, n };
  const variance = samples.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  return { mean, halfWidth: tQuantile95(n - 1) * Math.sqrt(variance / n), n };
}
