// Check cells evaluated: a parsed check expression (src/lab/language/checkExpression.ts) over
// the results a check may read, runs' summaries and comparisons. Only the values in the scope
// are reachable; a hidden run is never named in a message.
import type { CompareOutput, SummaryValue } from '../outputs/contract';
import { NO_JOB_COMPLETED, NO_REQUEST_COMPLETED, NO_SLA, RESPONSE_METRICS } from '../outputs/metrics';
import { parseCheckExpression, type CheckNode } from '../language/checkExpression';
import type { ResolvedCheck } from '../language/resolveLab';

// ---- scope -------------------------------------------------------------------------------------

/**
 * A result a check may read, or why there is none (the run failed, its policy crashed). A
 * hidden run (grading) is never named in a message: its error says only what the student may
 * know, such as the line of their own policy that failed.
 */
export type Available<T> = { ok: true; value: T; hidden?: boolean } | { ok: false; error: string; hidden?: boolean };

/** What check expressions see: `runs.<run>.<metric>` and `compares.<name>.<policy>.<metric>.mean`. */
export interface CheckScope {
  runs: Readonly<Record<string, Available<Readonly<Record<string, SummaryValue>>>>>;
  compares: Readonly<Record<string, Available<CompareOutput>>>;
}

/** The result of one check. */
export interface CheckResult {
  passed: boolean;
  /** `points` when passed, else 0. */
  score: number;
  message: string;
}

/** A value inside an expression: numbers, strings, booleans, and records to take members of. */
type Value = number | string | boolean | { readonly [key: string]: Value };

/** Evaluation stops here: a missing name or a failed run. `revealing` = names parts of the expression. */
/** `runs.<name>`: the node whose value is a run's summary. */
const isRunSummary = (node: CheckNode): boolean =>
  node.kind === 'member' && node.object.kind === 'name' && node.object.name === 'runs';

class CheckEvalError extends Error {
  constructor(
    message: string,
    readonly revealing: boolean,
  ) {
    super(message);
  }
}

/** A compare output as nested records: <policy>.<metric>.{mean, halfWidth, low, high, n, difference}. */
function compareRecord(output: CompareOutput): Value {
  const byPolicy: Record<string, Record<string, Value>> = {};
  for (const cell of output.cells) {
    const half = Number.isFinite(cell.interval.halfWidth) ? cell.interval.halfWidth : 0;
    const stats: Record<string, Value> = {
      mean: cell.interval.mean,
      halfWidth: half,
      low: cell.interval.mean - half,
      high: cell.interval.mean + half,
      n: cell.interval.n,
      best: cell.best,
    };
    if (cell.difference) stats.difference = cell.difference.mean;
    (byPolicy[cell.policy] ??= {})[cell.metric] = stats;
  }
  return byPolicy;
}

const describe = (v: Value): string =>
  typeof v === 'number'
    ? String(Number(v.toPrecision(6)))
    : typeof v === 'string'
      ? JSON.stringify(v)
      : typeof v === 'boolean'
        ? String(v)
        : 'a group of values';

class Evaluator {
  /** `text = value` of each comparison that came out false, to explain a failure. */
  readonly failedComparisons: string[] = [];

  constructor(
    private readonly source: string,
    private readonly scope: CheckScope,
  ) {}

  private text(node: CheckNode): string {
    return this.source.slice(node.start, node.end).trim();
  }

  private root(name: string): Value {
    if (name === 'runs') {
      const out: Record<string, Value> = {};
      for (const [run, available] of Object.entries(this.scope.runs)) if (available.ok) out[run] = available.value;
      return out;
    }
    if (name === 'compares') {
      const out: Record<string, Value> = {};
      for (const [compare, available] of Object.entries(this.scope.compares))
        if (available.ok) out[compare] = compareRecord(available.value);
      return out;
    }
    throw new CheckEvalError(`Unknown name "${name}": expressions start with runs. or compares.`, true);
  }

  private member(node: Extract<CheckNode, { kind: 'member' }>): Value {
    // A run or compare that failed explains itself, without the rest of the expression.
    if (node.object.kind === 'name' && (node.object.name === 'runs' || node.object.name === 'compares')) {
      const table = node.object.name === 'runs' ? this.scope.runs : this.scope.compares;
      const available = Object.hasOwn(table, node.property) ? table[node.property] : undefined;
      const what = node.object.name === 'runs' ? 'run' : 'comparison';
      if (available && !available.ok && available.hidden)
        throw new CheckEvalError(
          `a hidden ${what} it reads could not finish${available.error ? `: ${available.error}` : ''}`,
          false,
        );
      if (available && !available.ok)
        throw new CheckEvalError(`${what} "${node.property}" has no result: ${available.error}`, false);
    }
    const object = this.value(node.object);
    if (typeof object !== 'object')
      throw new CheckEvalError(
        `${this.text(node.object)} is ${describe(object)}, which has no "${node.property}"`,
        true,
      );
    // A one-machine run's summary gives its response times as 0 s when no job completed (the
    // simulator's digest keeps them so): a check reading one fails instead of passing vacuously.
    if (
      isRunSummary(node.object) &&
      object.jobsCompleted === 0 &&
      (RESPONSE_METRICS as readonly string[]).includes(node.property)
    )
      throw new CheckEvalError(`${this.text(node.object)} has no "${node.property}": ${NO_JOB_COMPLETED}`, true);
    if (!Object.hasOwn(object, node.property)) {
      // A request run with nothing completed has no response times: say so, not "known: ...".
      if (
        isRunSummary(node.object) &&
        object.completed === 0 &&
        (RESPONSE_METRICS as readonly string[]).includes(node.property)
      )
        throw new CheckEvalError(`${this.text(node.object)} has no "${node.property}": ${NO_REQUEST_COMPLETED}`, true);
      if (isRunSummary(node.object) && Object.hasOwn(object, 'routed') && node.property.startsWith('slaViolation'))
        throw new CheckEvalError(`${this.text(node.object)} has no "${node.property}": ${NO_SLA}`, true);
      // The runs and comparisons a check could have meant, never naming a hidden one.
      const table =
        node.object.kind === 'name' && (node.object.name === 'runs' || node.object.name === 'compares')
          ? this.scope[node.object.name]
          : undefined;
      const known = Object.keys(object).filter((key) => table?.[key]?.hidden !== true);
      const list =
        known.length === 0
          ? 'there are none'
          : `known: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', ...' : ''}`;
      throw new CheckEvalError(`${this.text(node.object)} has no "${node.property}" (${list})`, true);
    }
    return object[node.property];
  }

  private number(node: CheckNode): number {
    const v = this.value(node);
    if (typeof v === 'number') return v;
    if (typeof v === 'object')
      throw new CheckEvalError(
        `${this.text(node)} is a group of values (${Object.keys(v).slice(0, 8).join(', ')}): pick one`,
        true,
      );
    throw new CheckEvalError(`${this.text(node)} is ${describe(v)}, not a number`, true);
  }

  private boolean(node: CheckNode): boolean {
    const v = this.value(node);
    if (typeof v === 'boolean') return v;
    throw new CheckEvalError(
      `${this.text(node)} is ${describe(v)}, not true or false: compare it with something`,
      true,
    );
  }

  value(node: CheckNode): Value {
    switch (node.kind) {
      case 'number':
      case 'string':
      case 'boolean':
        return node.value;
      case 'name':
        return this.root(node.name);
      case 'member':
        return this.member(node);
      case 'call': {
        const args = node.args.map((a) => this.number(a));
        return node.fn === 'abs' ? Math.abs(args[0]) : node.fn === 'min' ? Math.min(...args) : Math.max(...args);
      }
      case 'negate':
        return -this.number(node.operand);
      case 'not':
        return !this.boolean(node.operand);
      case 'arith': {
        const a = this.number(node.left);
        const b = this.number(node.right);
        return node.op === '+' ? a + b : node.op === '-' ? a - b : node.op === '*' ? a * b : a / b;
      }
      case 'logic': {
        const a = this.boolean(node.left);
        if (node.op === '&&' ? !a : a) return a;
        return this.boolean(node.right);
      }
      case 'compare': {
        const result = this.comparison(node);
        if (!result) this.failedComparisons.push(this.explain(node));
        return result;
      }
    }
  }

  private comparison(node: Extract<CheckNode, { kind: 'compare' }>): boolean {
    const a = this.value(node.left);
    const b = this.value(node.right);
    if (node.op === '==' || node.op === '!=') {
      if (typeof a === 'object' || typeof b === 'object')
        throw new CheckEvalError(
          `${this.text(typeof a === 'object' ? node.left : node.right)} is a group of values: pick one`,
          true,
        );
      return (a === b) === (node.op === '==');
    }
    const x = this.number(node.left);
    const y = this.number(node.right);
    return node.op === '<' ? x < y : node.op === '<=' ? x <= y : node.op === '>' ? x > y : x >= y;
  }

  private explain(node: Extract<CheckNode, { kind: 'compare' }>): string {
    const side = (n: CheckNode) =>
      n.kind === 'number' || n.kind === 'string' || n.kind === 'boolean'
        ? this.text(n)
        : `${this.text(n)} = ${describe(this.value(n))}`;
    return `${side(node.left)}, ${side(node.right)}`;
  }
}

/**
 * Evaluates a check against results. Never throws on bad input: a syntax error, a missing run
 * or a failed run is a failed check with a message saying why. For hidden checks the message
 * never quotes the expression or the values it read, only the check's own message and, when a
 * run failed, which run and why.
 */
export function evaluateCheck(check: ResolvedCheck, scope: CheckScope): CheckResult {
  const fail = (why: string, revealing: boolean): CheckResult => {
    const what = check.message ?? (check.hidden ? 'A hidden check failed' : `Expected ${check.expect}`);
    const detail = check.hidden && revealing ? '' : ` (${why})`;
    return { passed: false, score: 0, message: `${what}${detail}` };
  };
  const parsed = parseCheckExpression(check.expect);
  if (!parsed.ok) return fail(`the expression does not parse at column ${parsed.start + 1}: ${parsed.message}`, true);
  const evaluator = new Evaluator(check.expect, scope);
  try {
    const value = evaluator.value(parsed.ast);
    if (typeof value !== 'boolean') return fail(`the expression gives ${describe(value)}, not true or false`, true);
    if (value) return { passed: true, score: check.points, message: 'passed' };
    return fail(
      evaluator.failedComparisons.length > 0 ? evaluator.failedComparisons.join('; ') : 'the condition is false',
      true,
    );
  } catch (error) {
    if (error instanceof CheckEvalError) return fail(error.message, error.revealing);
    if (error instanceof RangeError) return fail('the expression is nested too deeply', true);
    throw error;
  }
}
