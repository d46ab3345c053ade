// Checks one YAML cell against its schema and converts it at the same time: quantities become
// numbers in base units, distributions/arrivals/schedulers become simulator configs. Every
// problem becomes a diagnostic with the exact cell-relative range of the offending text.

import { chartSpecProblems } from './chartSpec';
import { parseCheckExpression } from './checkExpression';
import {
  closest,
  didYouMean,
  type Diagnostic,
  type LineIndex,
  type Range,
  type Severity,
} from '../document/diagnostic';
import type { Attributes, CellKind } from '../document/markdown';
import { parseInfoString } from '../document/markdown';
import {
  CELL_ATTRIBUTES,
  CELL_SCHEMAS,
  CHECK_BREAKDOWNS,
  describeSchema,
  METRICS,
  POLICY_NAMES,
  policyDoc,
  policyObjectSchema,
  type Field,
  type ObjectSchema,
  type RefTarget,
  type Schema,
} from './schema';
import {
  formatQuantity,
  notWhole,
  wholeCode,
  parseArrival,
  parseDistribution,
  parseQuantity,
  parseScheduler,
  parseTimeRange,
  type Parsed,
} from './units';
import { parseYaml, type Span, type YNode } from './yaml';
import type { PolicyConfig, TraceRecord } from '../../sim';

export type ParamValue = string | number | boolean;

/** A name used in a cell that must exist elsewhere in the lab. */
export interface Reference {
  target: RefTarget;
  name: string;
  range: Range;
}

export interface ValidationContext {
  /** Every name a reference may resolve to, built-ins (presets, policies) included. */
  names: Readonly<Record<RefTarget, ReadonlySet<string>>>;
  /** Declared parameters with their effective values (overrides applied). */
  params: ReadonlyMap<string, ParamValue>;
  /**
   * Kinds with a cell whose name cannot be read (its text has errors): an unknown name of such a
   * kind may be that cell's, so it is excused (see CellValidation.excused), not reported.
   */
  unreadable?: ReadonlySet<RefTarget>;
  /** Policy names that are valid but not runnable yet (warned about where used). */
}

export interface CellValidation {
  /** The converted cell; undefined when the body is not a mapping. Invalid keys are left out. */
  value: Record<string, unknown> | undefined;
  diagnostics: Diagnostic[];
  references: Reference[];
  /** Parameters the cell used as $name. */
  paramsUsed: Set<string>;
  /** Where each top-level key's value is, for messages about what it names (a broken machine...). */
  keyRanges: Map<string, Range>;
  /** Unknown names of an unreadable kind (ValidationContext.unreadable): the cell waits for that cell's fix. */
  excused: Reference[];
}

type Scalar = Extract<YNode, { kind: 'scalar' }>;

const NAME = /^[A-Za-z_][\w-]*$/;
const PARAM = /\$([A-Za-z_][\w]*)/g;

class Checker {
  readonly diagnostics: Diagnostic[] = [];
  readonly references: Reference[] = [];
  readonly excused: Reference[] = [];
  readonly paramsUsed = new Set<string>();

  constructor(
    readonly lines: LineIndex,
    readonly ctx: ValidationContext,
  ) {}

  /**
   * The span of characters [from, to) of a scalar's value in the cell, when the value appears
   * verbatim in the source (not folded or escaped); otherwise the whole scalar.
   */
  within(node: Scalar, from: number, to: number, substituted = false): Span {
    if (substituted) return node.range;
    const text = String(node.value);
    const verbatim = this.lines.text.slice(node.valueStart, node.valueStart + text.length) === text;
    return verbatim ? { start: node.valueStart + from, end: node.valueStart + Math.max(to, from + 1) } : node.range;
  }

  report(span: Span, message: string, code: string, severity: Severity = 'error'): undefined {
    this.diagnostics.push({ range: this.lines.range(span.start, span.end), severity, message, code });
    return undefined;
  }

  /** The scalar's value with $params substituted; undefined (reported) when a param is unknown. */
  scalarValue(node: Scalar): { value: string | number | boolean | null; substituted: boolean } | undefined {
    if (typeof node.value !== 'string' || !node.value.includes('$')) return { value: node.value, substituted: false };
    const whole = /^\$([A-Za-z_]\w*)$/.exec(node.value);
    let unknown = false;
    const lookup = (param: string, offset: number): ParamValue | undefined => {
      this.paramsUsed.add(param);
      const v = this.ctx.params.get(param);
      if (v === undefined) {
        unknown = true;
        this.report(
          this.within(node, offset, offset + param.length + 1),
          `Unknown parameter $${param}.${didYouMean(param, this.ctx.params.keys()).replace(/"([^"]+)"/, '$$$1')} Declare it in a params cell.`,
          'unknown-param',
        );
      }
      return v;
    };
    if (whole) {
      const v = lookup(whole[1], 0);
      return unknown ? undefined : { value: v!, substituted: true };
    }
    const text = node.value.replace(PARAM, (match, param: string, offset: number) => {
      const v = lookup(param, offset);
      return v === undefined ? match : String(v);
    });
    return unknown ? undefined : { value: text, substituted: true };
  }

  /** Reports a syntax failure inside a scalar at its exact place (or the whole scalar after substitution). */
  valueOrReport<T>(node: Scalar, parsed: Parsed<T>, substituted: boolean): T | undefined {
    if (parsed.ok) return parsed.value;
    return this.report(
      substituted ? node.range : this.within(node, parsed.start, parsed.end),
      parsed.message,
      parsed.code,
    );
  }

  check(node: YNode, schema: Schema, label: string): unknown {
    switch (schema.type) {
      case 'object':
        return this.object(node, schema, label);
      case 'list': {
        if (node.kind !== 'seq') return this.wrongType(node, label, schema);
        if (schema.minItems !== undefined && node.items.length < schema.minItems) {
          return this.report(
            node.range,
            `"${label}" needs at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`,
            'out-of-range',
          );
        }
        if (schema.maxItems !== undefined && node.items.length > schema.maxItems) {
          return this.report(node.range, `"${label}" takes at most ${schema.maxItems} items`, 'out-of-range');
        }
        const out = node.items.map((item) => this.check(item, schema.items, label));
        return out.every((v) => v !== undefined) ? out : undefined;
      }
      case 'json':
        // A raw Vega-Lite spec draws the lab's results and nothing else (chartSpec.ts).
        if (label === 'vegaLite')
          for (const p of chartSpecProblems(node)) this.report(p.span, p.message, 'unsafe-chart');
        return toPlain(node);
      case 'policy':
        return this.policy(node, label);
      default:
        return this.scalar(node, schema, label);
    }
  }

  wrongType(node: YNode, label: string, schema: Schema): undefined {
    const got =
      node.kind === 'map'
        ? 'a mapping'
        : node.kind === 'seq'
          ? 'a list'
          : node.value === null
            ? 'nothing'
            : `"${String(node.value)}"`;
    return this.report(node.range, `"${label}" must be ${describeSchema(schema)}; got ${got}`, 'wrong-type');
  }

  object(node: YNode, schema: ObjectSchema, label: string, ownerSpan?: Span): Record<string, unknown> | undefined {
    if (node.kind !== 'map') return this.wrongType(node, label, schema);
    const out: Record<string, unknown> = {};
    for (const entry of node.entries) {
      const field: Field | undefined = schema.fields[entry.key];
      if (!field) {
        const hint = didYouMean(
          entry.key,
          Object.keys(schema.fields).filter((k) => !node.entries.some((e) => e.key === k)),
        );
        this.report(entry.keyRange, `Unknown key "${entry.key}"${label ? ` in ${label}` : ''}.${hint}`, 'unknown-key');
        continue;
      }
      const value = this.check(entry.value, field.schema, entry.key);
      if (value !== undefined) out[entry.key] = value;
    }
    const missingAt = ownerSpan ?? { start: node.range.start, end: node.range.start };
    for (const [key, field] of Object.entries(schema.fields)) {
      if (field.required && !node.entries.some((e) => e.key === key)) {
        this.report(
          missingAt,
          `Missing required key "${key}"${label ? ` in ${label}` : ''}: ${field.doc}`,
          'missing-key',
        );
      }
    }
    for (const [key, rule] of Object.entries(schema.with ?? {})) {
      if (!node.entries.some((e) => e.key === key)) continue;
      for (const needed of rule.requires ?? [])
        if (!node.entries.some((e) => e.key === needed))
          this.report(
            missingAt,
            `Missing required key "${needed}" (with "${key}")${label ? ` in ${label}` : ''}: ${schema.fields[needed]?.doc ?? ''}`,
            'missing-key',
          );
      if (rule.requiresOneOf && !rule.requiresOneOf.some((k) => node.entries.some((e) => e.key === k)))
        this.report(
          missingAt,
          `Missing one of ${rule.requiresOneOf.map((k) => `"${k}"`).join(' or ')} (with "${key}")${label ? ` in ${label}` : ''}`,
          'missing-key',
        );
      for (const entry of node.entries)
        if (rule.forbids?.includes(entry.key))
          this.report(
            entry.keyRange,
            `"${entry.key}" does not go with "${key}": ${schema.fields[entry.key]?.doc ?? ''}`,
            'conflicting-keys',
          );
    }
    if (schema.exactlyOne) {
      const present = schema.exactlyOne.filter((k) => node.entries.some((e) => e.key === k));
      if (present.length !== 1) {
        const message =
          present.length === 0
            ? `Needs one of ${schema.exactlyOne.map((k) => `"${k}"`).join(' or ')}`
            : `Use only one of ${present.map((k) => `"${k}"`).join(' and ')}`;
        this.report(missingAt, message, present.length === 0 ? 'missing-key' : 'conflicting-keys');
      }
    }
    return out;
  }

  policy(node: YNode, label: string): PolicyConfig | undefined {
    if (node.kind === 'scalar') {
      const name = this.scalar(node, { type: 'ref', target: 'policy' }, label);
      return typeof name === 'string' ? { name } : undefined;
    }
    if (node.kind !== 'map') return this.wrongType(node, label, { type: 'policy' });
    const nameEntry = node.entries.find((e) => e.key === 'name');
    const policyName =
      nameEntry?.value.kind === 'scalar' && typeof nameEntry.value.value === 'string'
        ? nameEntry.value.value
        : undefined;
    // Parameters of policy cells (and of built-ins documented nowhere) are not known here: any single values pass.
    const documented =
      policyName !== undefined && POLICY_NAMES.includes(policyName) && policyDoc(policyName).params !== undefined;
    const schema = documented ? policyObjectSchema(policyName) : undefined;
    let checked: Record<string, unknown> | undefined;
    if (schema) {
      checked = this.object(node, schema, `policy ${policyName}`);
    } else {
      checked = {};
      for (const entry of node.entries) {
        if (entry.key === 'name') {
          const name = this.scalar(entry.value, { type: 'ref', target: 'policy' }, 'name');
          if (name !== undefined) checked.name = name;
        } else if (entry.value.kind === 'scalar') {
          const v = this.scalarValue(entry.value);
          if (v !== undefined && v.value !== null) checked[entry.key] = v.value;
        } else {
          this.report(entry.value.range, `Policy parameter "${entry.key}" must be a single value`, 'wrong-type');
        }
      }
      if (!nameEntry)
        this.report(
          { start: node.range.start, end: node.range.start },
          'Missing required key "name" in policy',
          'missing-key',
        );
    }
    if (checked === undefined || typeof checked.name !== 'string') return undefined;
    const { name, ...params } = checked;
    const out: PolicyConfig = { name };
    if (Object.keys(params).length > 0) out.params = params as PolicyConfig['params'];
    return out;
  }

  scalar(node: YNode, schema: Schema, label: string): unknown {
    if (node.kind !== 'scalar') {
      if (schema.type === 'arrival' && node.kind === 'seq') return this.trace(node, label);
      return this.wrongType(node, label, schema);
    }
    const sub = this.scalarValue(node);
    if (sub === undefined) return undefined;
    const { value, substituted } = sub;
    if (value === null)
      return this.report(node.range, `"${label}" needs a value: ${describeSchema(schema)}`, 'wrong-type');
    const text = String(value);
    switch (schema.type) {
      case 'string':
      case 'expression':
        if (typeof value !== 'string') return this.wrongType(node, label, schema);
        if (schema.type === 'expression') this.expression(node, value, substituted);
        return value;
      case 'name':
        if (typeof value !== 'string' || !NAME.test(value)) {
          return this.report(node.range, `"${label}" must be ${describeSchema(schema)}; got "${text}"`, 'wrong-type');
        }
        return value;
      case 'boolean':
        return typeof value === 'boolean' ? value : this.wrongType(node, label, schema);
      case 'integer':
      case 'number': {
        if (typeof value !== 'number' || (schema.type === 'integer' && !Number.isInteger(value)))
          return this.wrongType(node, label, schema);
        return this.inRange(node, label, value, schema, String);
      }
      case 'quantity': {
        const parsed = parseQuantity(text, schema.dimension);
        const v = this.valueOrReport(node, parsed, substituted);
        if (v === undefined) return undefined;
        const problem = schema.integer ? notWhole(text, v, schema.dimension) : undefined;
        if (problem !== undefined) return this.report(node.range, `"${label}": ${problem}`, wholeCode(v));
        return this.inRange(node, label, v, schema, (x) => formatQuantity(x, schema.dimension));
      }
      case 'enum': {
        if (typeof value === 'string' && Object.hasOwn(schema.values, value)) return value;
        return this.report(
          node.range,
          `"${text}" is not a valid ${label}.${didYouMean(text, Object.keys(schema.values))} Use one of: ${Object.keys(schema.values).join(', ')}`,
          'bad-value',
        );
      }
      case 'ref': {
        if (typeof value !== 'string') return this.wrongType(node, label, schema);
        const known = this.ctx.names[schema.target];
        const range = this.lines.range(node.range.start, node.range.end);
        if (!known.has(value)) {
          if (this.ctx.unreadable?.has(schema.target)) {
            this.excused.push({ target: schema.target, name: value, range });
            return undefined;
          }
          return this.report(
            node.range,
            `Unknown ${schema.target} "${value}".${didYouMean(value, known)}`,
            'unknown-reference',
          );
        }
        this.references.push({ target: schema.target, name: value, range });
        return value;
      }
      case 'distribution':
        if (typeof value === 'number' && value !== 0)
          return this.report(node.range, `"${label}" needs a time unit, e.g. ${value}ms`, 'bad-unit');
        return this.valueOrReport(node, parseDistribution(text), substituted);
      case 'arrival':
        return this.valueOrReport(node, parseArrival(text), substituted);
      case 'scheduler':
        return this.valueOrReport(node, parseScheduler(text), substituted);
      case 'timeRange':
        return this.valueOrReport(node, parseTimeRange(text), substituted);
      default:
        return this.wrongType(node, label, schema);
    }
  }

  inRange(
    node: YNode,
    label: string,
    value: number,
    bounds: { min?: number; above?: number; max?: number },
    show: (x: number) => string,
  ): number | undefined {
    const { min, above, max } = bounds;
    if (min !== undefined && value < min)
      return this.report(node.range, `"${label}" must be at least ${show(min)}; got ${show(value)}`, 'out-of-range');
    if (above !== undefined && value <= above)
      return this.report(
        node.range,
        `"${label}" must be greater than ${show(above)}; got ${show(value)}`,
        'out-of-range',
      );
    if (max !== undefined && value > max)
      return this.report(node.range, `"${label}" must be at most ${show(max)}; got ${show(value)}`, 'out-of-range');
    return value;
  }

  /** A trace: a list of arrival times, or of { at, demand } records. */
  trace(node: Extract<YNode, { kind: 'seq' }>, label: string): { kind: 'trace'; records: TraceRecord[] } | undefined {
    // The simulator's trace records: whole nanoseconds, a demand of at least 1 ns.
    const at: Schema = { type: 'quantity', dimension: 'time', min: 0, integer: true };
    const recordSchema: ObjectSchema = {
      type: 'object',
      fields: {
        at: { schema: at, doc: 'Arrival time.', required: true },
        demand: {
          schema: { type: 'quantity', dimension: 'time', min: 1, integer: true },
          doc: 'CPU demand of this process.',
        },
      },
    };
    const records: TraceRecord[] = [];
    for (const item of node.items) {
      if (item.kind === 'map') {
        const r = this.object(item, recordSchema, `${label} record`);
        if (r && typeof r.at === 'number')
          records.push(r.demand === undefined ? { atNs: r.at } : { atNs: r.at, demandNs: r.demand as number });
      } else {
        const time = this.scalar(item, at, label);
        if (typeof time === 'number') records.push({ atNs: time });
      }
    }
    return records.length === node.items.length ? { kind: 'trace', records } : undefined;
  }

  /** Checks the expression's syntax, and run and metric names in `runs.<run>.<metric>` references. */
  expression(node: Scalar, text: string, substituted: boolean) {
    const parsed = parseCheckExpression(text);
    if (!parsed.ok) {
      this.report(
        this.within(node, parsed.start, Math.max(parsed.end, parsed.start + 1), substituted),
        parsed.message,
        'bad-expression',
      );
      return;
    }
    // Names may contain '-' like run names do (checkExpression.ts reads them the same way);
    // after a breakdown metric, its part: .name or ["name"].
    const re =
      /\bruns\.([A-Za-z_][\w-]*\w|[A-Za-z_])(?:\.([A-Za-z_]\w*)(?:\.([A-Za-z_][\w-]*\w|[A-Za-z_])|\s*\[\s*(["'])([^"'\n]*)\4\s*\])?)?/g;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const runAt = m.index + 'runs.'.length;
      const run = m[1];
      if (!this.ctx.names.run.has(run) && this.ctx.unreadable?.has('run')) {
        const span = this.within(node, runAt, runAt + run.length, substituted);
        this.excused.push({ target: 'run', name: run, range: this.lines.range(span.start, span.end) });
      } else if (!this.ctx.names.run.has(run)) {
        this.report(
          this.within(node, runAt, runAt + run.length, substituted),
          `Unknown run "${run}".${didYouMean(run, this.ctx.names.run)}`,
          'unknown-reference',
        );
      } else {
        const span = this.within(node, runAt, runAt + run.length, substituted);
        this.references.push({ target: 'run', name: run, range: this.lines.range(span.start, span.end) });
      }
      const metric = m[2];
      if (metric === undefined) continue;
      const metricAt = runAt + run.length + 1;
      const breakdown = Object.hasOwn(CHECK_BREAKDOWNS, metric)
        ? CHECK_BREAKDOWNS[metric as keyof typeof CHECK_BREAKDOWNS]
        : undefined;
      if (breakdown === undefined) {
        if (!(metric in METRICS))
          this.report(
            this.within(node, metricAt, metricAt + metric.length, substituted),
            `Unknown metric "${metric}".${didYouMean(metric, [...Object.keys(METRICS), ...Object.keys(CHECK_BREAKDOWNS)])}`,
            'unknown-metric',
          );
        continue;
      }
      const part = m[3] ?? m[5];
      if (part === undefined) {
        const example = `runs.${run}.${metric}.${breakdown.parts[breakdown.parts.length - 1]}`;
        this.report(
          this.within(node, metricAt, metricAt + metric.length, substituted),
          `"${metric}" counts by ${breakdown.part}: read one ${breakdown.part}, e.g. ${example}.`,
          'unknown-metric',
        );
      } else if (!breakdown.parts.includes(part)) {
        const metricEnd = metricAt + metric.length - m.index;
        const partAt = m.index + metricEnd + m[0].slice(metricEnd).indexOf(part);
        this.report(
          this.within(node, partAt, partAt + Math.max(1, part.length), substituted),
          `Unknown ${breakdown.part} "${part}" of ${metric}.${didYouMean(part, breakdown.parts)} The ${breakdown.part}s: ${breakdown.parts.join(', ')}.`,
          'unknown-metric',
        );
      }
    }
  }
}

function toPlain(node: YNode): unknown {
  if (node.kind === 'map') return Object.fromEntries(node.entries.map((e) => [e.key, toPlain(e.value)]));
  if (node.kind === 'seq') return node.items.map(toPlain);
  return node.value;
}

/** The first line of a cell, where whole-cell problems (missing keys) are shown. */
function firstLineSpan(text: string): Span {
  const end = text.search(/\r|\n/);
  return { start: 0, end: end < 0 ? text.length : end };
}

/** Validates a YAML cell (every kind but policy and params). */
export function validateCell(
  kind: Exclude<CellKind, 'policy' | 'params'>,
  text: string,
  attributes: Attributes,
  ctx: ValidationContext,
): CellValidation {
  const parsed = parseYaml(text);
  const checker = new Checker(parsed.lines, ctx);
  checker.diagnostics.push(...parsed.diagnostics, ...validateAttributes(kind, attributes));
  const keyRanges = new Map<string, Range>();
  let value: Record<string, unknown> | undefined;
  const root: YNode = parsed.root ?? { kind: 'map', range: { start: 0, end: 0 }, entries: [] };
  // After a syntax error the structure is a guess: checking keys against it would only report
  // follow-on errors (a missing "processes" that is there, a key that is half of another).
  if (parsed.diagnostics.some((d) => d.severity === 'error')) {
    return {
      value,
      diagnostics: checker.diagnostics,
      references: [],
      paramsUsed: checker.paramsUsed,
      keyRanges,
      excused: [],
    };
  }
  if (root.kind !== 'map') {
    checker.report(root.range, `A ${kind} cell is a YAML mapping of keys, e.g. "name: ..."`, 'wrong-type');
  } else {
    value = checker.object(root, CELL_SCHEMAS[kind], '', firstLineSpan(text));
    for (const entry of root.entries)
      keyRanges.set(entry.key, parsed.lines.range(entry.value.range.start, entry.value.range.end));
  }
  return {
    value,
    diagnostics: checker.diagnostics,
    references: checker.references,
    paramsUsed: checker.paramsUsed,
    keyRanges,
    excused: checker.excused,
  };
}

export interface ParamsValidation {
  params: Map<string, { value: ParamValue; range: Range }>;
  diagnostics: Diagnostic[];
}

/** A params cell: a flat mapping of names to single values. */
export function validateParams(text: string): ParamsValidation {
  const parsed = parseYaml(text);
  const diagnostics = [...parsed.diagnostics];
  const params = new Map<string, { value: ParamValue; range: Range }>();
  const root = parsed.root;
  const report = (span: Span, message: string, code: string) =>
    diagnostics.push({ range: parsed.lines.range(span.start, span.end), severity: 'error', message, code });
  if (root && root.kind !== 'map')
    report(root.range, 'A params cell is a mapping of names to values, e.g. "dur: 5s"', 'wrong-type');
  if (root?.kind === 'map') {
    for (const entry of root.entries) {
      if (!/^[A-Za-z_]\w*$/.test(entry.key)) {
        report(entry.keyRange, `Parameter names are letters, digits and _ ("${entry.key}" is not)`, 'bad-name');
        continue;
      }
      const v = entry.value;
      if (v.kind !== 'scalar' || v.value === null) {
        report(
          v.range.start === v.range.end ? entry.keyRange : v.range,
          `Parameter "${entry.key}" needs a single value, e.g. 5s, 10 or fair`,
          'wrong-type',
        );
        continue;
      }
      params.set(entry.key, { value: v.value, range: parsed.lines.range(v.range.start, v.range.end) });
    }
  }
  return { params, diagnostics };
}

/** Problems with the info-string attributes; shown at the start of the cell body. */
export function validateAttributes(kind: CellKind, attributes: Attributes): Diagnostic[] {
  const at: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const allowed = CELL_ATTRIBUTES[kind];
  const out: Diagnostic[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    const field = allowed[key];
    if (!field) {
      const hint = closest(key, Object.keys(allowed));
      out.push({
        range: at,
        severity: 'warning',
        message: `Unknown attribute "${key}" on a ${kind} cell.${hint ? ` Did you mean "${hint}"?` : ''}`,
        code: 'unknown-attribute',
      });
      continue;
    }
    const s = field.schema;
    const bad =
      (s.type === 'boolean' && value !== true) ||
      (s.type === 'string' && value === true) ||
      (s.type === 'number' &&
        (value === true || !Number.isFinite(Number(value)) || Number(value) < (s.min ?? -Infinity))) ||
      (s.type === 'name' && (value === true || !NAME.test(value))) ||
      (s.type === 'enum' && (value === true || !(typeof value === 'string' && Object.hasOwn(s.values, value))));
    if (bad)
      out.push({
        range: at,
        severity: 'error',
        message: `Attribute "${key}" must be ${describeSchema(s)}`,
        code: 'bad-attribute',
      });
  }
  return out;
}

/** Attribute problems found while reading the info string itself (unterminated quotes...). */
export function infoStringDiagnostics(info: string | ReturnType<typeof parseInfoString>): Diagnostic[] {
  const at: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const parsed = typeof info === 'string' ? parseInfoString(info) : info;
  return parsed.problems.map((p) => ({
    range: at,
    severity: 'error' as const,
    message: p.message,
    code: 'bad-attribute',
  }));
}
