// Quantities with units, and the small value syntaxes built on them: distributions
// (`exp 4ms`), arrivals (`poisson 400/s`) and per-CPU schedulers (`rr 4ms`).
// Every value is converted to the simulator's base unit (ns, bytes, Hz, V, W, J, °C, ...)
// exactly, never rounded: a value finer than the simulator keeps (a time that must be whole
// nanoseconds, a size in bytes) is refused where it is checked, with an error at the value.

import type { ArrivalConfig, DistConfig, SchedulerConfig } from '../../sim';

export interface DimensionInfo {
  /** What the quantity measures, for messages and hovers. */
  label: string;
  /** Unit symbol -> factor to the base unit. The first unit is the base. */
  units: Record<string, number>;
  /** A bare number is accepted as-is in base units (fractions like 0.3). */
  bareNumber?: boolean;
}

export const DIMENSIONS = {
  time: { label: 'time', units: { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9 } },
  bytes: { label: 'size', units: { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 } },
  bandwidth: {
    label: 'bandwidth',
    units: { 'B/s': 1, 'KiB/s': 1024, 'MiB/s': 1024 ** 2, 'GiB/s': 1024 ** 3, 'MB/s': 1e6, 'GB/s': 1e9 },
  },
  frequency: { label: 'frequency', units: { Hz: 1, kHz: 1e3, MHz: 1e6, GHz: 1e9 } },
  voltage: { label: 'voltage', units: { V: 1, mV: 1e-3 } },
  power: { label: 'power', units: { W: 1, mW: 1e-3 } },
  energy: { label: 'energy', units: { J: 1, mJ: 1e-3, uJ: 1e-6, nJ: 1e-9 } },
  temperature: { label: 'temperature', units: { C: 1, '°C': 1 } },
  thermalResistance: { label: 'thermal resistance', units: { 'K/W': 1 } },
  heatCapacity: { label: 'heat capacity', units: { 'J/K': 1 } },
  fraction: { label: 'fraction', units: { '%': 0.01 }, bareNumber: true },
  rate: { label: 'rate', units: { '/s': 1, '/ms': 1e3, '/us': 1e6, Hz: 1 } },
} satisfies Record<string, DimensionInfo>;

export type Dimension = keyof typeof DIMENSIONS;

export const dimensionInfo = (d: Dimension): DimensionInfo => DIMENSIONS[d];

/** Units of a dimension as a readable list: "ns, us, µs, ms, s". */
export const unitList = (d: Dimension) => Object.keys(DIMENSIONS[d].units).join(', ');

/** A failure with the offending part of the text (offsets into the parsed string). */
export interface SyntaxFailure {
  ok: false;
  message: string;
  start: number;
  end: number;
  /** "bad-unit", "bad-number", "out-of-range", "bad-syntax". */
  code: string;
}

export type Parsed<T> = { ok: true; value: T } | SyntaxFailure;

const fail = (code: string, message: string, start: number, end: number): SyntaxFailure => ({
  ok: false,
  code,
  message,
  start,
  end,
});

const NUMBER = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*)$/;

/**
 * `numberText` x `factor`, exactly: a power-of-ten factor shifts the decimal exponent of the
 * text itself (4.2us is 4200 ns, not 4200.000000000001); other factors (powers of 1024) scale
 * the number's binary value, which is exact.
 */
function scaled(numberText: string, factor: number): number {
  const exponent = Math.round(Math.log10(factor));
  if (10 ** exponent !== factor) return Number(numberText) * factor;
  const [mantissa, ownExponent = '0'] = numberText.split(/[eE]/);
  return Number(`${mantissa}e${Number(ownExponent) + exponent}`);
}

/** Parses `32KiB`, `4 ms`, `30%`, `400/s` into the dimension's base unit, exactly. */
export function parseQuantity(text: string, dimension: Dimension): Parsed<number> {
  const info: DimensionInfo = DIMENSIONS[dimension];
  const trimmed = text.trim();
  const lead = text.length - text.trimStart().length;
  const m = NUMBER.exec(trimmed);
  if (!m)
    return fail(
      'bad-number',
      `Expected a ${info.label} like ${example(dimension)}, got "${trimmed}"`,
      lead,
      lead + trimmed.length,
    );
  const [, numberText, unit] = m;
  const number = Number(numberText);
  if (!Number.isFinite(number)) return tooLarge(trimmed, lead);
  const unitStart = lead + trimmed.length - unit.length;
  if (unit === '') {
    if (info.bareNumber || number === 0) return { ok: true, value: number };
    return fail('bad-unit', `A ${info.label} needs a unit: one of ${unitList(dimension)}`, lead, lead + trimmed.length);
  }
  const factor = info.units[unit];
  if (factor === undefined) {
    return fail(
      'bad-unit',
      `Unknown ${info.label} unit "${unit}": use one of ${unitList(dimension)}`,
      unitStart,
      lead + trimmed.length,
    );
  }
  const value = scaled(numberText, factor);
  return Number.isFinite(value) ? { ok: true, value } : tooLarge(trimmed, lead);
}

function tooLarge(text: string, at: number): Parsed<number> {
  return fail('out-of-range', `${text} is too large a number`, at, at + text.length);
}

/** The code for a value `notWhole` refuses: finer than the base unit, or too large to count. */
export function wholeCode(value: number): 'too-fine' | 'out-of-range' {
  return Number.isInteger(value) ? 'out-of-range' : 'too-fine';
}

/** How a dimension's base unit reads in "a whole number of ..." messages. */
const BASE_UNIT_NAMES: Partial<Record<Dimension, string>> = { time: 'nanoseconds', bytes: 'bytes' };

/**
 * Why `value` (read from `text`) is not a whole number of the base unit that the simulator can
 * keep exactly (a time in whole ns, a size in bytes, both below 2^53), or undefined when it is.
 */
export function notWhole(text: string, value: number, dimension: Dimension): string | undefined {
  const base = BASE_UNIT_NAMES[dimension] ?? Object.keys(DIMENSIONS[dimension].units)[0];
  if (!Number.isInteger(value)) {
    const why = dimension === 'time' ? ": the simulator's clock counts whole nanoseconds" : '';
    return `${text.trim()} is not a whole number of ${base}${why}`;
  }
  if (Number.isSafeInteger(value)) return undefined;
  // 2^53 ns is about 104 days; past it consecutive nanoseconds are no longer all representable.
  const about = dimension === 'time' ? ' (about 104 days)' : '';
  return `${text.trim()} is more than the simulator can count exactly: at most 2^53 - 1 ${base}${about}`;
}

/** A value written with the dimension's most natural unit, for messages and docs. */
export function example(dimension: Dimension): string {
  const examples: Record<Dimension, string> = {
    time: '4ms',
    bytes: '256KiB',
    bandwidth: '10GiB/s',
    frequency: '2.4GHz',
    voltage: '1.0V',
    power: '0.3W',
    energy: '5J',
    temperature: '45C',
    thermalResistance: '2K/W',
    heatCapacity: '0.05J/K',
    fraction: '30%',
    rate: '400/s',
  };
  return examples[dimension];
}

interface Token {
  text: string;
  start: number;
}

function tokens(text: string): Token[] {
  const out: Token[] = [];
  // A number and the unit after it are one token even with a space between ("exp 4 ms"), as
  // quantities allow everywhere else.
  const re = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s+(?=[A-Za-zµ°%])(?!after\b)\S+|\S+/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push({ text: m[0], start: m.index });
  return out;
}

/**
 * Parses one token as a non-negative quantity, shifting error offsets to the token's place;
 * `whole`: it must be a whole number of the base unit (a time the simulator keeps in whole ns).
 */
function tokenQuantity(token: Token, dimension: Dimension, whole = false): Parsed<number> {
  const q = parseQuantity(token.text, dimension);
  const end = token.start + token.text.length;
  if (!q.ok) return { ...q, start: q.start + token.start, end: q.end + token.start };
  if (q.value < 0) return fail('out-of-range', `"${token.text}" must not be negative`, token.start, end);
  const problem = whole ? notWhole(token.text, q.value, dimension) : undefined;
  return problem === undefined ? q : fail(wholeCode(q.value), problem, token.start, end);
}

function tokenNumber(token: Token, what: string, exclusiveMin: number): Parsed<number> {
  const n = Number(token.text);
  if (!Number.isFinite(n) || token.text.trim() === '')
    return fail(
      'bad-number',
      `Expected a number for the ${what}, got "${token.text}"`,
      token.start,
      token.start + token.text.length,
    );
  if (n <= exclusiveMin)
    return fail(
      'out-of-range',
      `The ${what} must be greater than ${exclusiveMin}`,
      token.start,
      token.start + token.text.length,
    );
  return { ok: true, value: n };
}

/** A fixed duration: whole nanoseconds, at least 1 (every process has work, every sleep takes time). */
function fixedTime(token: Token): Parsed<number> {
  const v = tokenQuantity(token, 'time', true);
  if (v.ok && v.value < 1)
    return fail('out-of-range', `"${token.text}" must be at least 1ns`, token.start, token.start + token.text.length);
  return v;
}

/** Distribution forms, for completions, hovers and messages. */
export const DISTRIBUTION_FORMS = [
  '4ms',
  'fixed 4ms',
  'exp 4ms',
  'uniform 1ms 3ms',
  'lognormal 4ms 1.5',
  'pareto 1ms 100ms 1.5',
] as const;

/** `4ms`, `exp 4ms`, `uniform 1ms 3ms`, `lognormal <mean> <cv>`, `pareto <min> <max> <alpha>`. */
export function parseDistribution(text: string): Parsed<DistConfig> {
  const parts = tokens(text);
  const forms = `use one of: ${DISTRIBUTION_FORMS.join(', ')}`;
  if (parts.length === 0) return fail('bad-syntax', `Expected a distribution: ${forms}`, 0, text.length);
  const [head, ...args] = parts;
  const arity = (n: number): SyntaxFailure | undefined => {
    if (args.length === n) return undefined;
    const end = text.trimEnd().length;
    return fail(
      'bad-syntax',
      `"${head.text}" takes ${n} argument${n === 1 ? '' : 's'}: ${DISTRIBUTION_FORMS.find((f) => f.startsWith(head.text + ' '))}`,
      head.start,
      end,
    );
  };
  switch (head.text) {
    case 'fixed':
    case 'exp': {
      const bad = arity(1);
      if (bad) return bad;
      const v = head.text === 'exp' ? tokenQuantity(args[0], 'time') : fixedTime(args[0]);
      if (!v.ok) return v;
      return {
        ok: true,
        value: head.text === 'exp' ? { kind: 'exp', meanNs: v.value } : { kind: 'fixed', valueNs: v.value },
      };
    }
    case 'uniform': {
      const bad = arity(2);
      if (bad) return bad;
      const lo = tokenQuantity(args[0], 'time');
      if (!lo.ok) return lo;
      const hi = tokenQuantity(args[1], 'time');
      if (!hi.ok) return hi;
      if (hi.value < lo.value)
        return fail(
          'out-of-range',
          'uniform: the maximum must not be below the minimum',
          args[0].start,
          args[1].start + args[1].text.length,
        );
      return { ok: true, value: { kind: 'uniform', minNs: lo.value, maxNs: hi.value } };
    }
    case 'lognormal': {
      const bad = arity(2);
      if (bad) return bad;
      const mean = tokenQuantity(args[0], 'time');
      if (!mean.ok) return mean;
      const cv = tokenNumber(args[1], 'coefficient of variation', 0);
      if (!cv.ok) return cv;
      return { ok: true, value: { kind: 'lognormal', meanNs: mean.value, cv: cv.value } };
    }
    case 'pareto': {
      const bad = arity(3);
      if (bad) return bad;
      const lo = tokenQuantity(args[0], 'time');
      if (!lo.ok) return lo;
      if (lo.value === 0)
        return fail(
          'out-of-range',
          'pareto: the minimum must be greater than 0',
          args[0].start,
          args[0].start + args[0].text.length,
        );
      const hi = tokenQuantity(args[1], 'time');
      if (!hi.ok) return hi;
      if (hi.value <= lo.value)
        return fail(
          'out-of-range',
          'pareto: the maximum must be above the minimum',
          args[0].start,
          args[1].start + args[1].text.length,
        );
      const alpha = tokenNumber(args[2], 'shape (alpha)', 0);
      if (!alpha.ok) return alpha;
      return { ok: true, value: { kind: 'pareto', minNs: lo.value, maxNs: hi.value, alpha: alpha.value } };
    }
    default: {
      if (args.length > 0)
        return fail(
          'bad-syntax',
          `Unknown distribution "${head.text}": ${forms}`,
          head.start,
          head.start + head.text.length,
        );
      const v = fixedTime(head);
      if (!v.ok)
        return /^[a-z]+$/i.test(head.text)
          ? fail('bad-syntax', `Unknown distribution "${head.text}": ${forms}`, v.start, v.end)
          : v;
      return { ok: true, value: { kind: 'fixed', valueNs: v.value } };
    }
  }
}

export const ARRIVAL_FORMS = ['0s', 'poisson 400/s', 'poisson 400/s after 1s', 'every 10ms', '1s every 10ms'] as const;

/** `0s` (all at once), `poisson 400/s [after 1s]`, `[1s] every 10ms`. Trace arrivals are YAML lists (see validate). */
export function parseArrival(text: string): Parsed<ArrivalConfig> {
  const parts = tokens(text);
  const forms = `use one of: ${ARRIVAL_FORMS.join(', ')}, or a list of times`;
  if (parts.length === 0) return fail('bad-syntax', `Expected an arrival: ${forms}`, 0, text.length);
  const words = parts.map((p) => p.text);
  if (words[0] === 'poisson') {
    if (words.length !== 2 && !(words.length === 4 && words[2] === 'after')) {
      return fail(
        'bad-syntax',
        `Expected "poisson <rate>" or "poisson <rate> after <time>", e.g. poisson 400/s`,
        parts[0].start,
        text.trimEnd().length,
      );
    }
    const rate = tokenQuantity(parts[1], 'rate');
    if (!rate.ok) return rate;
    if (rate.value === 0)
      return fail(
        'out-of-range',
        'The arrival rate must be greater than 0',
        parts[1].start,
        parts[1].start + parts[1].text.length,
      );
    if (words.length === 2) return { ok: true, value: { kind: 'poisson', ratePerS: rate.value } };
    const after = tokenQuantity(parts[3], 'time', true);
    if (!after.ok) return after;
    return { ok: true, value: { kind: 'poisson', ratePerS: rate.value, startNs: after.value } };
  }
  const everyAt = words.indexOf('every');
  if (everyAt >= 0) {
    if (everyAt > 1 || words.length !== everyAt + 2)
      return fail(
        'bad-syntax',
        'Expected "every <time>" or "<start> every <time>", e.g. every 10ms',
        parts[0].start,
        text.trimEnd().length,
      );
    const every = tokenQuantity(parts[everyAt + 1], 'time', true);
    if (!every.ok) return every;
    if (every.value === 0)
      return fail(
        'out-of-range',
        'The interval must be greater than 0',
        parts[everyAt + 1].start,
        parts[everyAt + 1].start + parts[everyAt + 1].text.length,
      );
    let atNs = 0;
    if (everyAt === 1) {
      const at = tokenQuantity(parts[0], 'time', true);
      if (!at.ok) return at;
      atNs = at.value;
    }
    return { ok: true, value: { kind: 'fixed', atNs, everyNs: every.value } };
  }
  if (parts.length !== 1) return fail('bad-syntax', `Unknown arrival: ${forms}`, parts[0].start, text.trimEnd().length);
  const at = tokenQuantity(parts[0], 'time', true);
  if (!at.ok)
    return /^[a-z]+$/i.test(words[0])
      ? fail('bad-syntax', `Unknown arrival "${words[0]}": ${forms}`, at.start, at.end)
      : at;
  return { ok: true, value: { kind: 'fixed', atNs: at.value } };
}

export const SCHEDULER_FORMS = ['fair', 'fair 1ms', 'fcfs', 'rr', 'rr 4ms', 'edf', 'priority'] as const;

/** `fair [slice]`, `fcfs`, `rr [quantum]`, `edf`, `priority`. */
export function parseScheduler(text: string): Parsed<SchedulerConfig> {
  const parts = tokens(text);
  const forms = `use one of: ${SCHEDULER_FORMS.join(', ')}`;
  if (parts.length === 0) return fail('bad-syntax', `Expected a scheduler: ${forms}`, 0, text.length);
  const [head, ...args] = parts;
  const kind = head.text;
  if (kind !== 'fair' && kind !== 'fcfs' && kind !== 'rr' && kind !== 'edf' && kind !== 'priority') {
    return fail('bad-syntax', `Unknown scheduler "${kind}": ${forms}`, head.start, head.start + kind.length);
  }
  const takesQuantum = kind === 'fair' || kind === 'rr';
  if (args.length > (takesQuantum ? 1 : 0)) {
    return fail(
      'bad-syntax',
      takesQuantum ? `"${kind}" takes at most one time slice, e.g. ${kind} 4ms` : `"${kind}" takes no arguments`,
      args[0].start,
      text.trimEnd().length,
    );
  }
  if (args.length === 0) return { ok: true, value: { kind } };
  const q = tokenQuantity(args[0], 'time', true);
  if (!q.ok) return q;
  if (q.value === 0)
    return fail(
      'out-of-range',
      'The time slice must be greater than 0',
      args[0].start,
      args[0].start + args[0].text.length,
    );
  return { ok: true, value: { kind, quantumNs: q.value } };
}

/** An observation window `1s..5s` (start, then end, each a time): [startNs, endNs), positions kept for errors. */
export function parseTimeRange(text: string): Parsed<{ startNs: number; endNs: number }> {
  const at = text.indexOf('..');
  if (at < 0)
    return fail(
      'bad-syntax',
      `Expected a time range like 1s..5s (from, two dots, to), got "${text.trim()}"`,
      0,
      text.length,
    );
  const shift = (q: Parsed<number>, by: number): Parsed<number> =>
    q.ok ? q : { ...q, start: q.start + by, end: q.end + by };
  // Each end is a time the simulator's clock keeps: whole nanoseconds.
  const time = (part: string, by: number): Parsed<number> => {
    const q = shift(parseQuantity(part, 'time'), by);
    const problem = q.ok ? notWhole(part, q.value, 'time') : undefined;
    return !q.ok || problem === undefined ? q : fail(wholeCode(q.value), problem, by, by + part.length);
  };
  const start = time(text.slice(0, at), 0);
  if (!start.ok) return start;
  const end = time(text.slice(at + 2), at + 2);
  if (!end.ok) return end;
  if (end.value <= start.value)
    return fail(
      'out-of-range',
      `The window must end after it starts (${text.slice(0, at).trim()} .. ${text.slice(at + 2).trim()})`,
      0,
      text.length,
    );
  return { ok: true, value: { startNs: start.value, endNs: end.value } };
}

/**
 * A base-unit value written in the unit (the base unit, or one that keeps it at or above 1) with
 * the shortest number, the larger unit on ties: 1500000 ns -> "1.5ms", 12.8e9 B/s -> "12.8GB/s",
 * 65536 B -> "64KiB", 0.3 W -> "0.3W".
 */
export function formatQuantity(value: number, dimension: Dimension): string {
  if (dimension === 'fraction') return `${Number((value * 100).toPrecision(6))}%`;
  const units = Object.entries(DIMENSIONS[dimension].units as Record<string, number>).sort((a, b) => b[1] - a[1]);
  // The base unit always may: 0.3W rather than 300mW when neither is shorter.
  const fits = units.filter(([, f]) => Math.abs(value) >= f || f === 1);
  let best = { text: '', length: Infinity };
  for (const [unit, factor] of fits.length > 0 ? fits : [units[units.length - 1]]) {
    const number = String(Number((value / factor).toPrecision(6)));
    if (number.length < best.length) best = { text: `${number}${unit}`, length: number.length };
  }
  return best.text;
}
