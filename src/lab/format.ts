// Human-readable metric values. Summary keys carry their SI unit in the name
// (meanResponseS, energyJ, peakTempC, throughputPerS), so the unit is read off the key.

const SUFFIXES: ReadonlyArray<[suffix: string, unit: string]> = [
  ['PerS', '/s'],
  ['Js', 'J·s'],
  ['J', 'J'],
  ['W', 'W'],
  ['C', '°C'],
  ['S', 's'],
];

/** The unit a summary key's value is in, judged by its suffix. */
export function unitOfKey(key: string): string {
  for (const [suffix, unit] of SUFFIXES) {
    if (key.endsWith(suffix) && key.length > suffix.length && /[a-z]/.test(key[key.length - suffix.length - 1])) {
      return unit;
    }
  }
  return '';
}

/** The time unit that shows `seconds` with at least 1 before the point. */
function secondsScale(seconds: number): { symbol: string; scale: number } {
  const abs = Math.abs(seconds);
  if (abs >= 1 || abs === 0) return { symbol: 's', scale: 1 };
  if (abs >= 1e-3) return { symbol: 'ms', scale: 1e3 };
  if (abs >= 1e-6) return { symbol: 'µs', scale: 1e6 };
  return { symbol: 'ns', scale: 1e9 };
}

/** Four significant digits, no exponent for everyday magnitudes. */
export function round(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  if (abs >= 1e4) return Math.round(value).toLocaleString('en-US');
  if (abs < 1e-4) return value.toExponential(3);
  return Number(value.toPrecision(4)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

/** Formats one summary value for a table cell. */
export function formatMetric(key: string, value: number | Record<string, number>): string {
  if (typeof value !== 'number') {
    const parts = Object.entries(value)
      .filter(([, v]) => v !== 0)
      .map(([k, v]) => `${k} ${round(v)}`);
    return parts.length > 0 ? parts.join(', ') : '—';
  }
  return formatInterval(key, value, Number.NaN);
}

/** `mean ± halfWidth unit`, both in the unit that suits the mean (no ± when halfWidth is NaN). */
export function formatInterval(key: string, mean: number, halfWidth: number): string {
  const unit = unitOfKey(key);
  const { symbol, scale } = unit === 's' ? secondsScale(mean) : { symbol: unit, scale: 1 };
  // Identical samples leave rounding noise (1e-16) as the half-width: show it as 0.
  const width = Math.abs(halfWidth) <= Math.abs(mean) * 1e-9 ? 0 : halfWidth;
  const spread = Number.isFinite(width) ? ` ± ${round(width * scale)}` : '';
  return `${round(mean * scale)}${spread}${symbol ? ` ${symbol}` : ''}`;
}

/** Metrics shown first, in this order; any others follow alphabetically. */
const LEADING_KEYS = [
  'completed', 'unfinished', 'makespanS', 'throughputPerS', 'meanResponseS', 'p95ResponseS',
  'p99ResponseS', 'meanWaitS', 'meanUtilization', 'imbalanceCv', 'imbalanceMaxOverMean', 'jainIndex',
  'migrations', 'migrationsByReason', 'cacheMisses', 'cacheMissesByCause', 'contextSwitches',
  'preemptions', 'deadlineMisses', 'deadlineMissRatio', 'energyJ', 'peakTempC',
];

/** The key metrics present in a summary (in reading order), and the rest alphabetically. */
export function splitSummaryKeys(summary: Readonly<Record<string, unknown>>): { leading: string[]; rest: string[] } {
  return {
    leading: LEADING_KEYS.filter((k) => k in summary),
    rest: Object.keys(summary).filter((k) => !LEADING_KEYS.includes(k)).sort(),
  };
}

/** Summary keys in reading order: the key metrics first, then the rest alphabetically. */
export function orderedSummaryKeys(summary: Readonly<Record<string, unknown>>): string[] {
  const { leading, rest } = splitSummaryKeys(summary);
  return [...leading, ...rest];
}
