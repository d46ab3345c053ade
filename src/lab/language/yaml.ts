// YAML cell bodies as a small position-carrying tree. eemeli/yaml does the parsing; this
// reduces its nodes to what validation needs: maps with key ranges, lists, scalars with their
// source text, all with offsets into the cell body.

import { isAlias, isMap, isScalar, isSeq, parseDocument, Scalar, type Node as YamlLibNode } from 'yaml';
import { LineIndex, type Diagnostic } from '../document/diagnostic';

/** Offsets into the cell body, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

export interface YEntry {
  key: string;
  keyRange: Span;
  value: YNode;
}

export type YNode =
  | { kind: 'map'; range: Span; entries: YEntry[] }
  | { kind: 'seq'; range: Span; items: YNode[] }
  | {
      kind: 'scalar';
      range: Span;
      value: string | number | boolean | null;
      /** Offset of the first character of the value itself (after an opening quote). */
      valueStart: number;
      /** True for quoted and block scalars: their text is never read as a number. */
      quoted: boolean;
    };

export interface ParsedYaml {
  /** Null when the body is empty or only comments. */
  root: YNode | null;
  diagnostics: Diagnostic[];
  lines: LineIndex;
}

/**
 * Deeper nesting is refused at the node where it passes this: no cell needs more than a handful
 * of levels, and everything that reads the tree after this (validation, completions, hovers)
 * recurses over it.
 */
export const MAX_YAML_DEPTH = 64;

function convert(
  node: YamlLibNode | null | undefined,
  fallbackAt: number,
  diagnostics: Diagnostic[],
  lines: LineIndex,
  depth = 0,
): YNode {
  if (node == null) {
    // `key:` with nothing after it: an empty scalar placed right after the colon.
    return {
      kind: 'scalar',
      range: { start: fallbackAt, end: fallbackAt },
      value: null,
      valueStart: fallbackAt,
      quoted: false,
    };
  }
  const [start, valueEnd] = node.range ?? [fallbackAt, fallbackAt, fallbackAt];
  const range = { start, end: valueEnd };
  if ((isMap(node) || isSeq(node)) && depth === MAX_YAML_DEPTH) {
    diagnostics.push({
      range: lines.range(start, Math.max(valueEnd, start + 1)),
      severity: 'error',
      message: `Nested more than ${MAX_YAML_DEPTH} levels deep`,
      code: 'yaml-syntax',
    });
    return { kind: 'scalar', range, value: null, valueStart: start, quoted: false };
  }
  if (isMap(node)) {
    const entries: YEntry[] = [];
    for (const pair of node.items) {
      const key = pair.key as YamlLibNode | null;
      const keyRange = key?.range ? { start: key.range[0], end: key.range[1] } : range;
      const keyText = isScalar(key) ? String(key.value) : key == null ? '' : String(key);
      if (key != null && !isScalar(key)) {
        diagnostics.push({
          range: lines.range(keyRange.start, keyRange.end),
          severity: 'error',
          message: 'Keys must be plain names',
          code: 'yaml-syntax',
        });
        continue;
      }
      entries.push({
        key: keyText,
        keyRange,
        value: convert(pair.value as YamlLibNode | null, keyRange.end + 1, diagnostics, lines, depth + 1),
      });
    }
    return { kind: 'map', range, entries };
  }
  if (isSeq(node)) {
    return {
      kind: 'seq',
      range,
      items: node.items.map((item) => convert(item as YamlLibNode | null, start, diagnostics, lines, depth + 1)),
    };
  }
  if (isAlias(node)) {
    diagnostics.push({
      range: lines.range(start, valueEnd),
      severity: 'error',
      message: 'YAML aliases (*name) are not supported in lab cells',
      code: 'yaml-syntax',
    });
    return { kind: 'scalar', range, value: null, valueStart: start, quoted: false };
  }
  const scalar = node as Scalar;
  const quoted = scalar.type !== Scalar.PLAIN && scalar.type !== undefined;
  const valueStart = scalar.type === Scalar.QUOTE_DOUBLE || scalar.type === Scalar.QUOTE_SINGLE ? start + 1 : start;
  const raw = scalar.value;
  const value =
    typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' || raw === null ? raw : String(raw);
  return { kind: 'scalar', range, value, valueStart, quoted };
}

/**
 * The first line of a yaml library message, without its "at line X, column Y" tail. The library
 * reports nesting deep enough to exhaust its own recursion as the engine's stack message.
 */
function shortMessage(message: string): string {
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  return /maximum call stack/i.test(first) ? 'nested too deeply to read' : first;
}

/**
 * Recent parses by text: resolving a lab reads each cell's YAML several times (its name, its
 * validation, positions for simulator errors), and the editor resolves again on every edit
 * pause with most cells unchanged. Parses are never modified by their readers.
 */
const parses = new Map<string, ParsedYaml>();
const PARSES_KEPT = 8192;

export function parseYaml(text: string): ParsedYaml {
  const known = parses.get(text);
  if (known !== undefined) return known;
  const parsed = parseYamlText(text);
  if (parses.size >= PARSES_KEPT) parses.delete(parses.keys().next().value!);
  parses.set(text, parsed);
  return parsed;
}

function parseYamlText(text: string): ParsedYaml {
  const lines = new LineIndex(text);
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const diagnostics: Diagnostic[] = [];
  for (const [list, severity] of [
    [doc.errors, 'error'],
    [doc.warnings, 'warning'],
  ] as const) {
    for (const e of list) {
      const [s, t] = e.pos;
      diagnostics.push({
        range: lines.range(s, Math.max(t, s + 1)),
        severity,
        message: `YAML: ${shortMessage(e.message)}`,
        code: 'yaml-syntax',
      });
    }
  }
  const contents = doc.contents as YamlLibNode | null;
  const root = contents == null ? null : convert(contents, 0, diagnostics, lines);
  return { root, diagnostics, lines };
}

/** The text a scalar shows, for messages: numbers and booleans as written. */
export function scalarText(node: Extract<YNode, { kind: 'scalar' }>): string {
  return node.value === null ? '' : String(node.value);
}
