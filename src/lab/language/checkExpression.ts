// Check cells' syntax: a small, safe expression language over run and comparison results (its
// evaluation is src/lab/grading/checks.ts). It is parsed here by hand (no eval, no Function)
// because check expressions come from lab files that may be student submissions: the only
// things an expression can reach are the values in its scope, and the only operations are
// arithmetic, comparison and logic.
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
    for (const [symbol, factor] of Object.entries(info.units as Record<string, number>))
      if (!units.has(symbol)) units.set(symbol, factor * scale);
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
        if (factor === undefined)
          throw new CheckSyntaxError(
            `Unknown unit "${unit[0]}" (known: ${[...UNITS.keys()].join(', ')})`,
            i,
            i + unit[0].length,
          );
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
      tokens.push({
        type: 'string',
        text: text.slice(i, close + 1),
        value: text.slice(i + 1, close),
        start,
        end: close + 1,
      });
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
    if (t.type !== 'op' || t.text !== op)
      throw new CheckSyntaxError(
        `Expected "${op}"${t.type === 'end' ? ' before the end' : `, found "${t.text}"`}`,
        t.start,
        Math.max(t.end, t.start + 1),
      );
    return this.take();
  }

  parse(): CheckNode {
    const node = this.or();
    const t = this.peek();
    if (t.type !== 'end') throw new CheckSyntaxError(`Unexpected "${t.text}"`, t.start, t.end);
    return node;
  }

  private binary<K extends string>(
    next: () => CheckNode,
    ops: K[],
    make: (op: K, left: CheckNode, right: CheckNode) => CheckNode,
  ): CheckNode {
    let left = next();
    for (let t = this.accept(...ops); t; t = this.accept(...ops)) left = make(t.text as K, left, next());
    return left;
  }

  private or = (): CheckNode =>
    this.binary(this.and, ['||'], (op, left, right) => ({
      kind: 'logic',
      op,
      left,
      right,
      start: left.start,
      end: right.end,
    }));
  private and = (): CheckNode =>
    this.binary(this.not, ['&&'], (op, left, right) => ({
      kind: 'logic',
      op,
      left,
      right,
      start: left.start,
      end: right.end,
    }));

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

  private sum = (): CheckNode =>
    this.binary(this.product, ['+', '-'], (op, left, right) => ({
      kind: 'arith',
      op,
      left,
      right,
      start: left.start,
      end: right.end,
    }));
  private product = (): CheckNode =>
    this.binary(this.unary, ['*', '/'], (op, left, right) => ({
      kind: 'arith',
      op,
      left,
      right,
      start: left.start,
      end: right.end,
    }));

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
        if (t.type !== 'name' && t.type !== 'number')
          throw new CheckSyntaxError('Expected a name after "."', t.start, Math.max(t.end, t.start + 1));
        node = { kind: 'member', object: node, property: t.text, start: node.start, end: t.end };
      } else if (this.accept('[')) {
        const t = this.take();
        if (t.type !== 'string')
          throw new CheckSyntaxError('Expected a quoted name inside [ ]', t.start, Math.max(t.end, t.start + 1));
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
      if (t.text === 'true' || t.text === 'false')
        return { kind: 'boolean', value: t.text === 'true', start: t.start, end: t.end };
      if (this.accept('(')) {
        if (!FUNCTIONS.has(t.text))
          throw new CheckSyntaxError(
            `Unknown function "${t.text}" (known: ${[...FUNCTIONS].join(', ')})`,
            t.start,
            t.end,
          );
        const args: CheckNode[] = [];
        if (!this.accept(')')) {
          do args.push(this.or());
          while (this.accept(','));
          this.expect(')');
        }
        const arity = t.text === 'abs' ? args.length === 1 : args.length >= 1;
        if (!arity)
          throw new CheckSyntaxError(
            `${t.text}() takes ${t.text === 'abs' ? 'one argument' : 'one or more arguments'}`,
            t.start,
            this.tokens[this.at - 1].end,
          );
        return {
          kind: 'call',
          fn: t.text as 'abs' | 'min' | 'max',
          args,
          start: t.start,
          end: this.tokens[this.at - 1].end,
        };
      }
      return { kind: 'name', name: t.text, start: t.start, end: t.end };
    }
    if (t.type === 'op' && t.text === '(') {
      const inner = this.or();
      const close = this.expect(')');
      return { ...inner, start: t.start, end: close.end };
    }
    throw new CheckSyntaxError(
      t.type === 'end' ? 'The expression ends too early' : `Unexpected "${t.text}"`,
      t.start,
      Math.max(t.end, t.start + 1),
    );
  }
}

/** Parses a check expression; on failure, the message and the offending span (offsets into `text`). */
export function parseCheckExpression(text: string): ParsedCheck {
  try {
    if (text.length > 10_000) return { ok: false, message: 'The expression is too long', start: 0, end: text.length };
    return { ok: true, ast: new Parser(tokenize(text)).parse() };
  } catch (error) {
    if (error instanceof CheckSyntaxError)
      return { ok: false, message: error.message, start: error.start, end: error.end };
    // Deep nesting ends in a stack overflow; the expression is still only text.
    if (error instanceof RangeError)
      return { ok: false, message: 'The expression is nested too deeply', start: 0, end: text.length };
    throw error;
  }
}
