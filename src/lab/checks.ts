// Check cells: a small, safe expression language over run and comparison results. It is
// parsed here by hand (no eval, no Function) because check expressions come from lab files
// that may be student submissions: the only things an expression can reach are the values in
// its scope, and the only operations are arithmetic, comparison and logic.
//
//   expr    := or
//   or      := and ('||' and)*
//   and     := not ('&&' not)*
//   not     := '!' not | compare
//   compare := sum (('<' | '<=' | '>' | '>=' | '==' | '!=') sum)?
//   sum     := product (('+' | '-') product)*
//   product := unary (('*' | '/') unary)*
//   unary   := '-' unary | postfix
//   postfix := primary ('.' name | '[' string ']')*
//   primary := number unit? | string | true | false | name | name '(' args ')' | '(' expr ')'
//
// Numbers may carry a unit and are converted to the unit summary metrics are reported in:
// `2ms` is 0.002 (metrics such as meanResponseS are in seconds), `30%` is 0.3, `1MiB` is
// 1048576. Functions: abs, min, max.

import type { CompareOutput, SummaryValue } from './outputs';
import type { ResolvedCheck } from './resolve';
import { DIMENSIONS } from './units';

// ---- syntax ------------------------------------------------------------------------------------

type CompareOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

export type CheckNode = { start: number; end: number } & (
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'name'; name: string }
  | { kind: 'member'; object: CheckNode; property: string }
  | { kind: 'call'; fn: 'abs' | 'min' | 'max'; args: CheckNode[] }
  | { kind: 'negate'; operand: CheckNode }
  | { kind: 'not'; operand: CheckNode }
  | { kind: 'arith'; op: '+' | '-' | '*' | '/'; left: CheckNode; right: CheckNode }
  | { kind: 'compare'; op: CompareOp; left: CheckNode; right: CheckNode }
  | { kind: 'logic'; op: '&&' | '||'; left: CheckNode; right: CheckNode }
);

export type ParsedCheck = { ok: true; ast: CheckNode } | { ok: false; message: string; start: number; end: number };

/** Unit symbol -> factor to the unit metrics are reported in (seconds for time, base SI otherwise). */
const UNITS: ReadonlyMap<string, number> = (() => {
  const units = new Map<string, number>();
  for (const [dimension, info] of Object.entries(DIMENSIONS)) {
    // Durations are configured in ns but reported in seconds (meanResponseS, makespanS).
    const scale = dimension === 'time' ? 1e-9 : 1;
    for (const [symbol, factor] of Object.entries(info.units as Record<string, number>)) if (!units.has(symbol)) units.set(symbol, factor * scale);
  }
  return units;
})();

const FUNCTIONS = new Set(['abs', 'min', 'max']);

interface Token {
  type: 'number' | 'string' | 'name' | 'op' | 'end';
  text: string;
  value?: number | string;
  start: number;
  end: number;
}

class CheckSyntaxError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

const OPERATORS = ['<=', '>=', '==', '!=', '&&', '||', '<', '>', '!', '+', '-', '*', '/', '(', ')', '.', ',', '[', ']'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++;
      continue;
    }
    const start = i;
    const number = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (number) {
      i += number[0].length;
      // A unit follows the number directly: 2ms, 30%, 1.5GHz, 400/s.
      const unit = /^(?:[A-Za-zµ°]+(?:\/[A-Za-z]+)?|%|\/[a-z]+)/.exec(text.slice(i));
      let value = Number(number[0]);
      if (unit) {
        const factor = UNITS.get(unit[0]);
        if (factor === undefined) throw new CheckSyntaxError(`Unknown unit "${unit[0]}" (known: ${[...UNITS.keys()].join(', ')})`, i, i + unit[0].length);
        value *= factor;
        i += unit[0].length;
      }
      tokens.push({ type: 'number', text: text.slice(start, i), value, start, end: i });
      continue;
    }
    const name = /^[A-Za-z_][\w-]*/.exec(text.slice(i));
    if (name) {
      // Names may contain '-' (run and policy names do: least-loaded), but "a-b" where b
      // starts a number is still read as a name; write "a - 1" for arithmetic.
      let word = name[0];
      while (word.endsWith('-')) word = word.slice(0, -1);
      i += word.length;
      tokens.push({ type: 'name', text: word, start, end: i });
      continue;
    }
    if (text[i] === '"' || text[i] === "'") {
      const quote = text[i];
      const close = text.indexOf(quote, i + 1);
      if (close < 0) throw new CheckSyntaxError('Unterminated string', i, text.length);
      tokens.push({ type: 'string', text: text.slice(i, close + 1), value: text.slice(i + 1, close), start, end: close + 1 });
      i = close + 1;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (!op) throw new CheckSyntaxError(`Unexpected "${text[i]}"`, i, i + 1);
    i += op.length;
    tokens.push({ type: 'op', text: op, start, end: i });
  }
  tokens.push({ type: 'end', text: '', start: text.length, end: text.length });
  return tokens;
}

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.at];
  }
  private take(): Token {
    return this.tokens[this.at++];
  }
  private accept(...ops: string[]): Token | undefined {
    const t = this.peek();
    return t.type === 'op' && ops.includes(t.text) ? this.take() : undefined;
  }
  private expect(op: string): Token {
    const t = this.peek();
    if (t.type !== 'op' || t.text !== op) throw new CheckSyntaxError(`Expected "${op}"${t.type === 'end' ? ' before the end' : `, found "${t.text}"`}`, t.start, Math.max(t.end, t.start + 1));
    return this.take();
  }

  parse(): CheckNode {
    const node = this.or();
    const t = this.peek();
    if (t.type !== 'end') throw new CheckSyntaxError(`Unexpected "${t.text}"`, t.start, t.end);
    return node;
  }

  private binary<K extends string>(next: () => CheckNode, ops: K[], make: (op: K, left: CheckNode, right: CheckNode) => CheckNode): CheckNode {
    let left = next();
    for (let t = this.accept(...ops); t; t = this.accept(...ops)) left = make(t.text as K, left, next());
    return left;
  }

  private or = (): CheckNode => this.binary(this.and, ['||'], (op, left, right) => ({ kind: 'logic', op, left, right, start: left.start, end: right.end }));
  private and = (): CheckNode => this.binary(this.not, ['&&'], (op, left, right) => ({ kind: 'logic', op, left, right, start: left.start, end: right.end }));

  private not = (): CheckNode => {
    const bang = this.accept('!');
    if (!bang) return this.compare();
    const operand = this.not();
    return { kind: 'not', operand, start: bang.start, end: operand.end };
  };

  private compare = (): CheckNode => {
    const left = this.sum();
    const op = this.accept('<', '<=', '>', '>=', '==', '!=');
    if (!op) return left;
    const right = this.sum();
    const again = this.accept('<', '<=', '>', '>=', '==', '!=');
    if (again) throw new CheckSyntaxError('Comparisons do not chain: write a < b && b < c', again.start, again.end);
    return { kind: 'compare', op: op.text as CompareOp, left, right, start: left.start, end: right.end };
  };

  private sum = (): CheckNode => this.binary(this.product, ['+', '-'], (op, left, right) => ({ kind: 'arith', op, left, right, start: left.start, end: right.end }));
  private product = (): CheckNode => this.binary(this.unary, ['*', '/'], (op, left, right) => ({ kind: 'arith', op, left, right, start: left.start, end: right.end }));

  private unary = (): CheckNode => {
    const minus = this.accept('-');
    if (!minus) return this.postfix();
    const operand = this.unary();
    return { kind: 'negate', operand, start: minus.start, end: operand.end };
  };

  private postfix(): CheckNode {
    let node = this.primary();
    for (;;) {
      if (this.accept('.')) {
        const t = this.take();
        // Member names may be numbers too: a compare of seeds has no numeric keys, but a
        // policy called "2q" should still be reachable.
        if (t.type !== 'name' && t.type !== 'number') throw new CheckSyntaxError('Expected a name after "."', t.start, Math.max(t.end, t.start + 1));
        node = { kind: 'member', object: node, property: t.text, start: node.start, end: t.end };
      } else if (this.accept('[')) {
        const t = this.take();
        if (t.type !== 'string') throw new CheckSyntaxError('Expected a quoted name inside [ ]', t.start, Math.max(t.end, t.start + 1));
        const close = this.expect(']');
        node = { kind: 'member', object: node, property: t.value as string, start: node.start, end: close.end };
      } else {
        return node;
      }
    }
  }

  private primary(): CheckNode {
    const t = this.take();
    if (t.type === 'number') return { kind: 'number', value: t.value as number, start: t.start, end: t.end };
    if (t.type === 'string') return { kind: 'string', value: t.value as string, start: t.start, end: t.end };
    if (t.type === 'name') {
      if (t.text === 'true' || t.text === 'false') return { kind: 'boolean', value: t.text === 'true', start: t.start, end: t.end };
      if (this.accept('(')) {
        if (!FUNCTIONS.has(t.text)) throw new CheckSyntaxError(`Unknown function "${t.text}" (known: ${[...FUNCTIONS].join(', ')})`, t.start, t.end);
        const args: CheckNode[] = [];
        if (!this.accept(')')) {
          do args.push(this.or());
          while (this.accept(','));
          this.expect(')');
        }
        const arity = t.text === 'abs' ? args.length === 1 : args.length >= 1;
        if (!arity) throw new CheckSyntaxError(`${t.text}() takes ${t.text === 'abs' ? 'one argument' : 'one or more arguments'}`, t.start, this.tokens[this.at - 1].end);
        return { kind: 'call', fn: t.text as 'abs' | 'min' | 'max', args, start: t.start, end: this.tokens[this.at - 1].end };
      }
      return { kind: 'name', name: t.text, start: t.start, end: t.end };
    }
    if (t.type === 'op' && t.text === '(') {
      const inner = this.or();
      const close = this.expect(')');
      return { ...inner, start: t.start, end: close.end };
    }
    throw new CheckSyntaxError(t.type === 'end' ? 'The expression ends too early' : `Unexpected "${t.text}"`, t.start, Math.max(t.end, t.start + 1));
  }
}

/** Parses a check expression; on failure, the message and the offending span (offsets into `text`). */
export function parseCheckExpression(text: string): ParsedCheck {
  try {
    if (text.length > 10_000) return { ok: false, message: 'The expression is too long', start: 0, end: text.length };
    return { ok: true, ast: new Parser(tokenize(text)).parse() };
  } catch (error) {
    if (error instanceof CheckSyntaxError) return { ok: false, message: error.message, start: error.start, end: error.end };
    // Deep nesting ends in a stack overflow; the expression is still only text.
    if (error instanceof RangeError) return { ok: false, message: 'The expression is nested too deeply', start: 0, end: text.length };
    throw error;
  }
}

// ---- scope -------------------------------------------------------------------------------------

/**
 * A result a check may read, or why there is none (the run failed, its policy crashed). A
 * hidden run (grading) is never named in a message: its error says only what the student may
 * know, such as the line of their own policy that failed.
 */
export type Available<T> = { ok: true; value: T } | { ok: false; error: string; hidden?: boolean };

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
    const stats: Record<string, Value> = { mean: cell.interval.mean, halfWidth: half, low: cell.interval.mean - half, high: cell.interval.mean + half, n: cell.interval.n, best: cell.best };
    if (cell.difference) stats.difference = cell.difference.mean;
    (byPolicy[cell.policy] ??= {})[cell.metric] = stats;
  }
  return byPolicy;
}

const describe = (v: Value): string =>
  typeof v === 'number' ? String(Number(v.toPrecision(6))) : typeof v === 'string' ? JSON.stringify(v) : typeof v === 'boolean' ? String(v) : 'a group of values';

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
      for (const [compare, available] of Object.entries(this.scope.compares)) if (available.ok) out[compare] = compareRecord(available.value);
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
      if (available && !available.ok && available.hidden) throw new CheckEvalError(`a hidden ${what} it reads could not finish${available.error ? `: ${available.error}` : ''}`, false);
      if (available && !available.ok) throw new CheckEvalError(`${what} "${node.property}" has no result: ${available.error}`, false);
    }
    const object = this.value(node.object);
    if (typeof object !== 'object') throw new CheckEvalError(`${this.text(node.object)} is ${describe(object)}, which has no "${node.property}"`, true);
    if (!Object.hasOwn(object, node.property)) {
      const known = Object.keys(object);
      const list = known.length === 0 ? 'there are none' : `known: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', ...' : ''}`;
      throw new CheckEvalError(`${this.text(node.object)} has no "${node.property}" (${list})`, true);
    }
    return object[node.property];
  }

  private number(node: CheckNode): number {
    const v = this.value(node);
    if (typeof v === 'number') return v;
    if (typeof v === 'object') throw new CheckEvalError(`${this.text(node)} is a group of values (${Object.keys(v).slice(0, 8).join(', ')}): pick one`, true);
    throw new CheckEvalError(`${this.text(node)} is ${describe(v)}, not a number`, true);
  }

  private boolean(node: CheckNode): boolean {
    const v = this.value(node);
    if (typeof v === 'boolean') return v;
    throw new CheckEvalError(`${this.text(node)} is ${describe(v)}, not true or false: compare it with something`, true);
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
      if (typeof a === 'object' || typeof b === 'object') throw new CheckEvalError(`${this.text(typeof a === 'object' ? node.left : node.right)} is a group of values: pick one`, true);
      return (a === b) === (node.op === '==');
    }
    const x = this.number(node.left);
    const y = this.number(node.right);
    return node.op === '<' ? x < y : node.op === '<=' ? x <= y : node.op === '>' ? x > y : x >= y;
  }

  private explain(node: Extract<CheckNode, { kind: 'compare' }>): string {
    const side = (n: CheckNode) => (n.kind === 'number' || n.kind === 'string' || n.kind === 'boolean' ? this.text(n) : `${this.text(n)} = ${describe(this.value(n))}`);
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
    return fail(evaluator.failedComparisons.length > 0 ? evaluator.failedComparisons.join('; ') : 'the condition is false', true);
  } catch (error) {
    if (error instanceof CheckEvalError) return fail(error.message, error.revealing);
    if (error instanceof RangeError) return fail('the expression is nested too deeply', true);
    throw error;
  }
}
