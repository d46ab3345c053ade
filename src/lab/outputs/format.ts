// Human-readable metric values, in each metric's own unit and precision (src/lab/outputs/metrics.ts):
// times in s, ms, µs or ns, fractions as percentages, counts as whole numbers. Numbers shown
// together (the means of one column of a comparison, a mean with its interval and difference)
// share one unit and one number of decimals, so they line up and compare at a glance.
import { metricDefinition, type MetricUnit } from './metrics';

/** Significant digits a value is shown with. */
const DIGITS: Readonly<Record<MetricUnit, number>> = {
  count: 4,
  seconds: 4,
  'per-second': 4,
  fraction: 3,
  number: 4,
  joules: 4,
  'joule-seconds': 4,
  celsius: 4,
};

const SYMBOLS: Readonly<Record<MetricUnit, string>> = {
  count: '',
  seconds: 's',
  'per-second': '/s',
  fraction: '%',
  number: '',
  joules: 'J',
  'joule-seconds': 'J·s',
  celsius: '°C',
};

/** The unit a summary key's values are in (a metric the table does not define is a plain number). */
export const unitOf = (key: string): MetricUnit => metricDefinition(key)?.unit ?? 'number';

/** How a set of values of one metric is shown: a unit symbol, the factor into it, the decimals. */
export interface Scale {
  symbol: string;
  factor: number;
  decimals: number;
}

/** The time unit that puts a digit before the point for `seconds`. */
function timeScale(seconds: number): { symbol: string; factor: number } {
  const abs = Math.abs(seconds);
  if (abs >= 1 || abs === 0) return { symbol: 's', factor: 1 };
  if (abs >= 1e-3) return { symbol: 'ms', factor: 1e3 };
  if (abs >= 1e-6) return { symbol: 'µs', factor: 1e6 };
  return { symbol: 'ns', factor: 1e9 };
}

/**
 * One scale for values shown together: the unit suits the largest, the decimals keep the
 * metric's significant digits for the smallest non-zero one (whole numbers for whole counts).
 */
export function scaleFor(key: string, values: readonly number[]): Scale {
  const unit = unitOf(key);
  const finite = values.filter(Number.isFinite);
  const largest = Math.max(0, ...finite.map(Math.abs));
  const { symbol, factor } =
    unit === 'seconds'
      ? timeScale(largest)
      : unit === 'fraction'
        ? { symbol: '%', factor: 100 }
        : { symbol: SYMBOLS[unit], factor: 1 };
  if (unit === 'count' && finite.every(Number.isInteger)) return { symbol, factor, decimals: 0 };
  const nonZero = finite.map((v) => Math.abs(v * factor)).filter((v) => v > 0);
  const smallest = nonZero.length > 0 ? Math.min(...nonZero) : 0;
  const decimals = smallest === 0 ? 0 : Math.min(6, Math.max(0, DIGITS[unit] - 1 - Math.floor(Math.log10(smallest))));
  return { symbol, factor, decimals };
}

/** A number on a scale, without its unit; -0 and rounding noise show as 0. */
export function onScale(value: number, scale: Scale): string {
  if (!Number.isFinite(value)) return '—';
  const scaled = value * scale.factor;
  const rounded = Number(scaled.toFixed(scale.decimals));
  return (rounded === 0 ? 0 : rounded).toLocaleString('en-US', {
    minimumFractionDigits: scale.decimals,
    maximumFractionDigits: scale.decimals,
  });
}

const withUnit = (text: string, symbol: string) =>
  symbol === '' ? text : symbol === '%' ? `${text} %` : `${text} ${symbol}`;

/** Trailing zeros off a number shown alone (1.500 s reads 1.5 s). */
const trimmed = (text: string) => (text.includes('.') ? text.replace(/\.?0+$/, '') : text);

/** One summary value for a table cell: `4.2 ms`, `75.5 %`, `123,456`, or a breakdown `steal 3, fault 1`. */
export function formatMetric(key: string, value: number | Record<string, number> | readonly number[]): string {
  if (Array.isArray(value)) {
    const scale = scaleFor(key, value);
    return withUnit(value.map((v) => trimmed(onScale(v, scale))).join(', '), scale.symbol);
  }
  if (typeof value !== 'number') {
    const parts = Object.entries(value as Record<string, number>).filter(([, v]) => v !== 0);
    if (parts.length === 0) return '—';
    const scale = scaleFor(
      key,
      parts.map(([, v]) => v),
    );
    return parts.map(([k, v]) => `${k} ${trimmed(onScale(v, scale))}`).join(', ');
  }
  const scale = scaleFor(key, [value]);
  return withUnit(trimmed(onScale(value, scale)), scale.symbol);
}

/** `mean ± halfWidth unit` on one scale (no ± when the half-width is unknown). */
export function formatInterval(key: string, mean: number, halfWidth: number, scale = scaleFor(key, [mean])): string {
  const spread = Number.isFinite(halfWidth) ? ` ± ${onScale(halfWidth, scale)}` : '';
  return withUnit(`${onScale(mean, scale)}${spread}`, scale.symbol);
}

/** A paired difference on its metric's scale, signed: `+1.20 ± 0.40 ms`, or `0` when there is none. */
export function formatDifference(difference: { mean: number; halfWidth: number }, scale: Scale): string {
  const mean = onScale(difference.mean, scale);
  const sign = Number(mean.replace(/,/g, '')) > 0 ? '+' : '';
  const spread = Number.isFinite(difference.halfWidth) ? ` ± ${onScale(difference.halfWidth, scale)}` : '';
  return withUnit(`${sign}${mean}${spread}`.replace(/^-/, '\u2212'), scale.symbol);
}

/** The unit symbol to put in a column header or axis title: `ms`, `%`, or '' for counts and pure numbers. */
export const unitLabel = (scale: Scale): string => scale.symbol;

/** An axis title for a metric on a scale: its name and unit, `(count)` or `(no unit)` where there is no symbol. */
export function axisTitle(key: string, scale: Scale): string {
  return `${key} (${scale.symbol || (unitOf(key) === 'count' ? 'count' : 'no unit')})`;
}
