/**
 * The one description of the simulator's config keys. Each section (machine, caches, latency,
 * memory, migration, power, thermal, DVFS, machine events, workload group, periodic task, task
 * set, run) declares its keys once, next to the code that reads them, with unit, default,
 * bounds and a one-line doc; the resolvers read every value through it (readNumber, keysOf),
 * and the lab schema (validation, completions, hovers) and the key tables of the docs are
 * derived from it, as policy parameters are from their own spec (policies/params.ts).
 */
import { SimConfigError } from './errors';
import { num, onlyKeys, type NumberRule } from './validate';

/**
 * What a number measures, in the simulator's base units: `ns` nanoseconds, `B` bytes, `Hz`,
 * `V`, `W`, `J`, `C` degrees Celsius, `K/W`, `J/K`, `B/s`, `/s` per second, `fraction` (0..1),
 * `count` (a whole number of things), `number` (no unit).
 */
export type Unit =
  'ns' | 'B' | 'Hz' | 'V' | 'W' | 'J' | 'C' | 'K/W' | 'J/K' | 'B/s' | '/s' | 'fraction' | 'count' | 'number';

interface KeyCommon {
  /** One sentence for hovers and docs. */
  doc: string;
  /** The key as a lab cell writes it, when it differs (`l1d` for `l1dBytes`). */
  lab?: string;
  required?: boolean;
  /** The default in words when it is not a constant ("the period"), or what leaving the key out means. */
  defaultText?: string;
  /** Where the default comes from (shown in docs/model.md). */
  source?: string;
}

export interface NumberKey extends KeyCommon {
  kind: 'number';
  unit: Unit;
  default?: number;
  /** Whole numbers only (counts and bytes always are): times the engine keeps in whole nanoseconds. */
  integer?: boolean;
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  max?: number;
}

export interface EnumKey extends KeyCommon {
  kind: 'enum';
  /** Each value with a one-line doc. */
  values: Readonly<Record<string, string>>;
  default?: string;
}

/** A name (letters, digits, `-` and `_`). */
export interface NameKey extends KeyCommon {
  kind: 'name';
}

export interface ListKey extends KeyCommon {
  kind: 'list';
  items: KeySpec;
  minItems?: number;
  maxItems?: number;
}

export interface SectionKey extends KeyCommon {
  kind: 'section';
  keys: Section;
}

/** A value with a syntax of its own in a lab (`exp 4ms`, `poisson 400/s`); the simulator reads it as an object. */
export interface SyntaxKey extends KeyCommon {
  kind: 'distribution' | 'arrival';
}

export type KeySpec = NumberKey | EnumKey | NameKey | ListKey | SectionKey | SyntaxKey;

/** A section's keys, by their name in the simulator's config. */
export type Section = Readonly<Record<string, KeySpec>>;

/** The rule `num()` checks for a numeric key (its bounds, and whole numbers where required). */
export function ruleOf(spec: NumberKey): NumberRule {
  return {
    integer: spec.integer || spec.unit === 'count' || spec.unit === 'B',
    min: spec.min,
    above: spec.above,
    max: spec.max,
  };
}

/**
 * A numeric key's value: the given one, checked against the spec (and `extra`, for bounds that
 * depend on other keys), or the spec's default when absent. A key without a default must be given.
 */
export function readNumber(spec: NumberKey, value: unknown, path: string, extra: NumberRule = {}): number {
  if (value === undefined) {
    if (spec.default === undefined) throw new SimConfigError(path, 'is required');
    return spec.default;
  }
  const rule = ruleOf(spec);
  return num(value, path, {
    integer: rule.integer,
    min: Math.max(rule.min ?? -Infinity, extra.min ?? -Infinity),
    above: extra.above ?? rule.above,
    max: Math.min(rule.max ?? Infinity, extra.max ?? Infinity),
  });
}

/** Like readNumber for a key without a default: undefined when absent. */
export function readOptionalNumber(spec: NumberKey, value: unknown, path: string): number | undefined {
  return value === undefined ? undefined : readNumber(spec, value, path);
}

/** An enum key's value, or its default. */
export function readEnum<T extends string>(spec: EnumKey, value: unknown, path: string): T {
  if (value === undefined) {
    if (spec.default === undefined) throw new SimConfigError(path, 'is required');
    return spec.default as T;
  }
  const allowed = Object.keys(spec.values);
  if (typeof value !== 'string' || !allowed.includes(value))
    throw new SimConfigError(path, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

/** `value`, which the simulator's API requires even where a lab has a default. */
export function given(value: unknown, path: string): unknown {
  if (value === undefined) throw new SimConfigError(path, 'is required');
  return value;
}

/** Rejects keys the section does not declare (a typo is reported, never ignored). */
export function onlySectionKeys(obj: Record<string, unknown>, path: string, section: Section): void {
  onlyKeys(obj, path, Object.keys(section));
}
