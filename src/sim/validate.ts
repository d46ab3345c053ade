/**
 * Small readers that check one field and throw SimConfigError naming its path. Every config
 * value goes through one of these, so no malformed input reaches the engine.
 */
import { SimConfigError } from './errors';

export interface NumberRule {
  min?: number;
  max?: number;
  /** min is exclusive (value must be > min). */
  above?: number;
  integer?: boolean;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function record(value: unknown, path: string): Record<string, unknown> {
  if (!isRecord(value)) throw new SimConfigError(path, 'must be an object');
  return value;
}

export function optionalRecord(value: unknown, path: string): Record<string, unknown> {
  return value === undefined ? {} : record(value, path);
}

export function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new SimConfigError(path, 'must be a list');
  return value;
}

export function num(value: unknown, path: string, rule: NumberRule = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SimConfigError(path, 'must be a finite number');
  }
  if (rule.integer && !Number.isInteger(value)) throw new SimConfigError(path, 'must be an integer');
  // Beyond 2^53 consecutive integers are no longer all representable: time would skip.
  if (rule.integer && !Number.isSafeInteger(value))
    throw new SimConfigError(path, `must be at most ${Number.MAX_SAFE_INTEGER} (2^53 - 1)`);
  if (rule.min !== undefined && value < rule.min) throw new SimConfigError(path, `must be at least ${rule.min}`);
  if (rule.above !== undefined && value <= rule.above)
    throw new SimConfigError(path, `must be greater than ${rule.above}`);
  if (rule.max !== undefined && value > rule.max) throw new SimConfigError(path, `must be at most ${rule.max}`);
  return value;
}

export function optNum(value: unknown, path: string, fallback: number, rule: NumberRule = {}): number {
  return value === undefined ? fallback : num(value, path, rule);
}

export function str(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new SimConfigError(path, 'must be a non-empty string');
  return value;
}

export function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new SimConfigError(path, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** Rejects keys the schema does not know, so a typo is reported instead of silently ignored. */
export function onlyKeys(obj: Record<string, unknown>, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new SimConfigError(`${path}.${key}`, `unknown field (expected one of ${allowed.join(', ')})`);
    }
  }
}
