// Human-readable metric values. Summary keys carry their SI unit in the name
// (meanResponseS, energyJ, peakTempC, throughputPerS), so the unit is read off the key.

export interface MetricUnit {
  /** Unit symbol shown after the value, '' for counts and ratios. */
  symbol: string;
  /** Factor from the SI value to the shown value. */
  scale: number;
}

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

/** Formats a value in seconds with the largest unit that keeps it at or above 1. */
function formatSeconds(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs === 0) return '0 s';
  if (abs >= 1) return `${round(seconds)} s`;
  if (abs >= 1e-3) return `${round(seconds * 1e3)} ms`;
  if (abs >= 1e-6) return `${round(seconds * 1e6)} µs`;
  return `${round(seconds * 1e9)} ns`;
}

/** Four significant digits, no exponent for everyday magnitudes. */
export function round(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-4) return value.toExponential(3);
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
  const unit = unitOfKey(key);
  if (unit === 's') return formatSeconds(value);
  return unit ? `${round(value)} ${unit}` : round(value);
}

/** Metrics shown first, in this order; any others follow alphabetically. */
const LEADING_KEYS = [
  'completed', 'unfinished', 'makespanS', 'throughputPerS', 'meanResponseS', 'p95ResponseS',
  'p99ResponseS', 'meanWaitS', 'meanUtilization', 'imbalanceCv', 'imbalanceMaxOverMean', 'jainIndex',
  'migrations', 'migrationsByReason', 'cacheMisses', 'cacheMissesByCause', 'contextSwitches',
  'preemptions', 'deadlineMisses', 'deadlineMissRatio', 'energyJ', 'peakTempC',
];

/** Summary keys in reading order: the leading metrics first, then the rest alphabetically. */
export function orderedSummaryKeys(summary: Readonly<Record<string, unknown>>): string[] {
  const rest = Object.keys(summary).filter((k) => !LEADING_KEYS.includes(k)).sort();
  return [...LEADING_KEYS.filter((k) => k in summary), ...rest];
}
