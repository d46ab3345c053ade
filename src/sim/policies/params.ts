/**
 * Declared policy parameters: each built-in policy lists its parameters with kind, default,
 * range and a one-line doc; readParams validates a run's `policy.params` against that list
 * (unknown names, wrong types and out-of-range values are SimConfigErrors on the exact key).
 * Times are in nanoseconds and fractions in 0..1, as the lab's units resolve them.
 */
import { SimConfigError } from '../errors';
import type { PolicyContext } from './policy';

export type ParamKind = 'time' | 'fraction' | 'integer' | 'number' | 'boolean';

interface NumericParam {
  kind: 'time' | 'fraction' | 'integer' | 'number';
  default: number;
  min?: number;
  max?: number;
  doc: string;
}

interface BooleanParam {
  kind: 'boolean';
  default: boolean;
  doc: string;
}

export type ParamSpec = NumericParam | BooleanParam;
export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

export type ParamValues<S extends ParamSpecs> = {
  readonly [K in keyof S]: S[K] extends BooleanParam ? boolean : number;
};

export function readParams<S extends ParamSpecs>(ctx: PolicyContext, specs: S): ParamValues<S> {
  const out: Record<string, number | boolean> = {};
  for (const [key, spec] of Object.entries(specs)) out[key] = spec.default;
  for (const [key, value] of Object.entries(ctx.params)) {
    const spec = specs[key];
    const path = `${ctx.path}.params.${key}`;
    if (spec === undefined) {
      const known = Object.keys(specs);
      throw new SimConfigError(
        path,
        `unknown parameter (${known.length > 0 ? `known: ${known.join(', ')}` : 'this policy takes no parameters'})`,
      );
    }
    if (spec.kind === 'boolean') {
      if (typeof value !== 'boolean') throw new SimConfigError(path, 'expected true or false');
      out[key] = value;
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new SimConfigError(path, `expected a number (${describe(spec)})`);
    if ((spec.kind === 'integer' || spec.kind === 'time') && !Number.isInteger(value))
      throw new SimConfigError(path, `expected a whole number (${describe(spec)})`);
    const min = spec.min ?? (spec.kind === 'fraction' ? 0 : undefined);
    const max = spec.max ?? (spec.kind === 'fraction' ? 1 : undefined);
    if ((min !== undefined && value < min) || (max !== undefined && value > max))
      throw new SimConfigError(path, `out of range (${describe(spec)})`);
    out[key] = value;
  }
  return out as ParamValues<S>;
}

function describe(spec: NumericParam): string {
  const unit = spec.kind === 'time' ? ' ns' : '';
  const range = [
    spec.min !== undefined ? `>= ${spec.min}${unit}` : '',
    spec.max !== undefined ? `<= ${spec.max}${unit}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  return `${spec.kind}${range ? `, ${range}` : ''}, default ${spec.default}${unit}`;
}
