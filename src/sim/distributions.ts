/** Sampling and checking of duration distributions (DistConfig). Results are integer ns >= 1. */
import type { DistConfig } from './config';
import { SimConfigError } from './errors';
import type { Rng } from './rng';
import { num, onlyKeys, record } from './validate';

const DIST_KINDS = ['fixed', 'exp', 'uniform', 'lognormal', 'pareto'] as const;

/** Validates a distribution config (throws SimConfigError with the path of the bad field). */
export function checkDist(value: unknown, path: string): DistConfig {
  const d = record(value, path);
  const kind = d.kind;
  const pos = { above: 0 };
  switch (kind) {
    case 'fixed':
      onlyKeys(d, path, ['kind', 'valueNs']);
      // A fixed draw is used as given: whole nanoseconds, at least 1 (every process has work, every sleep takes time).
      return { kind, valueNs: num(d.valueNs, `${path}.valueNs`, { integer: true, min: 1 }) };
    case 'exp':
      onlyKeys(d, path, ['kind', 'meanNs']);
      return { kind, meanNs: num(d.meanNs, `${path}.meanNs`, pos) };
    case 'uniform': {
      onlyKeys(d, path, ['kind', 'minNs', 'maxNs']);
      const minNs = num(d.minNs, `${path}.minNs`, { min: 0 });
      return { kind, minNs, maxNs: num(d.maxNs, `${path}.maxNs`, { min: minNs }) };
    }
    case 'lognormal':
      onlyKeys(d, path, ['kind', 'meanNs', 'cv']);
      return { kind, meanNs: num(d.meanNs, `${path}.meanNs`, pos), cv: num(d.cv, `${path}.cv`, { min: 0, max: 100 }) };
    case 'pareto': {
      onlyKeys(d, path, ['kind', 'alpha', 'minNs', 'maxNs']);
      const minNs = num(d.minNs, `${path}.minNs`, pos);
      return {
        kind,
        alpha: num(d.alpha, `${path}.alpha`, { above: 0, max: 100 }),
        minNs,
        maxNs: num(d.maxNs, `${path}.maxNs`, { above: minNs }),
      };
    }
    default:
      throw new SimConfigError(`${path}.kind`, `must be one of ${DIST_KINDS.join(', ')}`);
  }
}

/** Mean of a distribution (used for documentation, defaults and tests). */
export function distMean(d: DistConfig): number {
  switch (d.kind) {
    case 'fixed':
      return d.valueNs;
    case 'exp':
    case 'lognormal':
      return d.meanNs;
    case 'uniform':
      return (d.minNs + d.maxNs) / 2;
    case 'pareto': {
      const { alpha: a, minNs: l, maxNs: h } = d;
      if (Math.abs(a - 1) < 1e-12) return ((h * l) / (h - l)) * Math.log(h / l);
      return (l ** a / (1 - (l / h) ** a)) * (a / (a - 1)) * (1 / l ** (a - 1) - 1 / h ** (a - 1));
    }
  }
}

/** One draw in integer nanoseconds (at least 1, so every process has work and every sleep takes time). */
export function sample(d: DistConfig, rng: Rng): number {
  let x: number;
  switch (d.kind) {
    case 'fixed':
      x = d.valueNs;
      break;
    case 'exp':
      x = rng.exp(d.meanNs);
      break;
    case 'uniform':
      x = d.minNs + rng.next() * (d.maxNs - d.minNs);
      break;
    case 'lognormal': {
      const s2 = Math.log(1 + d.cv * d.cv);
      x = Math.exp(Math.log(d.meanNs) - s2 / 2 + Math.sqrt(s2) * rng.normal());
      break;
    }
    case 'pareto': {
      // Inverse CDF of the Pareto distribution truncated to [min, max].
      const ratio = (d.minNs / d.maxNs) ** d.alpha;
      x = d.minNs / (1 - rng.next() * (1 - ratio)) ** (1 / d.alpha);
      break;
    }
  }
  return Math.max(1, Math.round(x));
}
