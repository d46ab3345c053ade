// Completions and hovers for YAML cells, read from the same schema validation uses. Works on
// the text as typed (often not valid YAML yet), so the key path at the cursor is found from
// indentation, `- ` list markers and single-line flow collections rather than from a parse.

import type { Position, Range } from '../document/diagnostic';
import type { CellKind, LabCell } from '../document/markdown';
import { declaredName } from './resolveLab';
import { validateParams } from './validateCell';
import {
  CELL_DOCS,
  CELL_SCHEMAS,
  describeSchema,
  fieldAt,
  MACHINE_PRESET_NAMES,
  METRICS,
  policyDoc,
  policyObjectSchema,
  POLICY_NAMES,
  schemaAt,
  type Field,
  type RefTarget,
  type Schema,
} from './schema';
import { ARRIVAL_FORMS, DIMENSIONS, DISTRIBUTION_FORMS, parseQuantity, SCHEDULER_FORMS } from './units';

/** Names defined by the lab's cells (built-ins are added here). */
export type LabNames = Readonly<Record<RefTarget | 'params', readonly string[]>>;

/** The names the lab's cells define, for completions (duplicates and broken cells included). */
export function labNames(cells: readonly LabCell[]): LabNames {
  const names: Record<RefTarget | 'params', string[]> = {
    machine: [],
    workload: [],
    cluster: [],
    service: [],
    vms: [],
    run: [],
    policy: [],
    params: [],
  };
  for (const cell of cells) {
    if (cell.kind === 'markdown') continue;
    if (cell.kind === 'params') names.params.push(...validateParams(cell.value).params.keys());
    // Every kind of cell others refer to by name (RefTarget) is listed by its kind.
    else if (cell.kind in names) {
      const declared = declaredName(cell);
      if (declared && !names[cell.kind as RefTarget].includes(declared.name))
        names[cell.kind as RefTarget].push(declared.name);
    }
  }
  return names;
}

export interface CompletionItem {
  label: string;
  kind: 'key' | 'value' | 'reference' | 'unit' | 'param';
  detail?: string;
  documentation?: string;
  /** Text to insert; the label when absent. */
  insertText?: string;
  /** The text the item replaces (the partial word before the cursor). */
  range: Range;
}

export interface Hover {
  /** Markdown. */
  contents: string;
  range: Range;
}

/** Where the cursor is in the YAML structure. */
interface CursorContext {
  /** Key path of the mapping (mode key) or of the value (mode value); list items are "[]". */
  path: string[];
  mode: 'key' | 'value';
  /** The partial word before the cursor, and where it starts on the line. */
  partial: string;
  partialStart: number;
  /** The policy named in the same flow mapping, for policy parameters. */
  policyName?: string;
  /** Keys already present in the mapping being completed (flow mappings only). */
  present?: string[];
}

const KEY_LINE = /^([A-Za-z_$][\w$-]*)\s*:(?:\s|$)/;

interface LineShape {
  /** Column where the line's key (or content) starts, after any "- " markers. */
  column: number;
  /** Columns of "- " markers on the line. */
  dashes: number[];
  key?: string;
  /** Text after "key:", trimmed. */
  value?: string;
}

function shape(line: string): LineShape | undefined {
  const indent = /^ */.exec(line)![0].length;
  let rest = line.slice(indent);
  if (rest === '' || rest.startsWith('#')) return undefined;
  let column = indent;
  const dashes: number[] = [];
  for (let m = /^-(\s+|$)/.exec(rest); m; m = /^-(\s+|$)/.exec(rest)) {
    dashes.push(column);
    column += m[0].length;
    rest = rest.slice(m[0].length);
  }
  const km = KEY_LINE.exec(rest);
  return km ? { column, dashes, key: km[1], value: rest.slice(km[0].length).trim() } : { column, dashes };
}

/** Block-structure path of the mapping that holds a key at `column` on line `line`. */
function blockPath(lines: readonly string[], line: number, column: number, dashes: readonly number[]): string[] {
  const path: string[] = [];
  let need = column;
  // "- " markers on the cursor's own line: innermost first.
  for (let i = dashes.length - 1; i >= 0; i--) {
    path.unshift('[]');
    need = dashes[i];
  }
  for (let l = line - 1; l >= 0 && need > 0; l--) {
    const s = shape(lines[l]);
    if (!s) continue;
    if (s.key !== undefined && s.column < need) {
      if (s.value !== '') continue; // a scalar at lower indentation cannot be our parent
      path.unshift(s.key);
      need = s.column;
    }
    for (let i = s.dashes.length - 1; i >= 0; i--) {
      if (s.dashes[i] < need) {
        path.unshift('[]');
        need = s.dashes[i];
      }
    }
  }
  return path;
}

interface FlowFrame {
  type: 'map' | 'seq';
  /** Keys already written in this mapping. */
  keys: string[];
  key?: string;
  afterColon: boolean;
  tokenStart: number;
}

/** Path and mode inside a single-line flow value such as `{ name: web, arrival: po`. */
function flowContext(
  text: string,
):
  | { segments: string[]; mode: 'key' | 'value'; tokenStart: number; present: string[]; policyName?: string }
  | undefined {
  const frames: FlowFrame[] = [];
  let quote: string | undefined;
  let policyName: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    const top = frames[frames.length - 1];
    if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '[')
      frames.push({ type: c === '{' ? 'map' : 'seq', keys: [], afterColon: false, tokenStart: i + 1 });
    else if (c === '}' || c === ']') frames.pop();
    else if (c === ',' && top) {
      top.key = undefined;
      top.afterColon = false;
      top.tokenStart = i + 1;
    } else if (c === ':' && top?.type === 'map' && !top.afterColon) {
      top.key = text.slice(top.tokenStart, i).trim();
      top.keys.push(top.key);
      top.afterColon = true;
      top.tokenStart = i + 1;
      if (top.key === 'name') policyName = /^\s*([\w-]+)/.exec(text.slice(i + 1))?.[1];
    }
  }
  if (frames.length === 0) return undefined;
  const segments: string[] = [];
  frames.forEach((frame, k) => {
    const innermost = k === frames.length - 1;
    if (frame.type === 'seq') segments.push('[]');
    else if (!innermost || frame.afterColon) segments.push(frame.key ?? '');
  });
  const top = frames[frames.length - 1];
  const mode = top.type === 'map' && !top.afterColon ? 'key' : 'value';
  return { segments, mode, tokenStart: top.tokenStart, present: top.keys, policyName };
}

function cursorContext(text: string, position: Position, root: Schema): CursorContext {
  const lines = text.split(/\r\n|\r|\n/);
  const lineText = lines[position.line] ?? '';
  const prefix = lineText.slice(0, position.character);
  const s = shape(prefix) ?? { column: prefix.length, dashes: [] };
  const base = blockPath(lines, position.line, s.column, s.dashes);
  const partialOf = (from: number) => {
    const m = /[^\s{}[\],:]*$/.exec(prefix.slice(from))!;
    return { partial: m[0], partialStart: prefix.length - m[0].length };
  };
  if (s.key === undefined) {
    // A flow collection as a list item: `- { name: web, arrival: po`.
    const itemFlow = /^[{[]/.test(prefix.slice(s.column)) ? flowContext(prefix.slice(s.column)) : undefined;
    if (itemFlow) {
      const partial = partialOf(s.column + itemFlow.tokenStart);
      return {
        path: [...base, ...itemFlow.segments],
        mode: itemFlow.mode,
        ...partial,
        policyName: itemFlow.policyName,
        present: itemFlow.present,
      };
    }
    // Typing a key, or a bare list item value.
    const isItemValue = s.dashes.length > 0 && base.length > 0 && schemaAt(root, base)?.type !== 'object';
    return { path: base, mode: isItemValue ? 'value' : 'key', ...partialOf(s.column) };
  }
  const valueStart = prefix.indexOf(':', s.column) + 1;
  const value = prefix.slice(valueStart);
  const flow = flowContext(value);
  if (flow) {
    const partial = partialOf(valueStart + flow.tokenStart);
    return {
      path: [...base, s.key, ...flow.segments],
      mode: flow.mode,
      ...partial,
      policyName: flow.policyName,
      present: flow.present,
    };
  }
  return { path: [...base, s.key], mode: 'value', ...partialOf(valueStart) };
}

/** `parent`: the mapping the key is in, whose other keys may require it (ObjectSchema.with). */
function fieldDoc(key: string, field: Field, parent?: Schema): string {
  const parts = [`**${key}** — ${field.doc}`, `Type: ${describeSchema(field.schema)}.`];
  if (field.default !== undefined) parts.push(`Default: \`${field.default}\`.`);
  if (field.required) parts.push('Required.');
  const by =
    parent?.type === 'object'
      ? Object.entries(parent.with ?? {}).flatMap(([k, rule]) => (rule.requires?.includes(key) ? [`\`${k}\``] : []))
      : [];
  if (by.length > 0) parts.push(`Required with ${by.join(' or ')}.`);
  if (parent?.type === 'object')
    for (const [k, rule] of Object.entries(parent.with ?? {}))
      if (rule.requiresOneOf?.includes(key))
        parts.push(`With \`${k}\`, one of ${rule.requiresOneOf.map((o) => `\`${o}\``).join(' or ')} is required.`);
  return parts.join('\n\n');
}

/** Keys that do not go with those present: the other keys of an exactly-one set, and those a present key forbids. */
function excludedBy(parent: Schema | undefined, present: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  if (parent?.type !== 'object') return out;
  const chosen = (parent.exactlyOne ?? []).filter((k) => present.has(k));
  if (chosen.length > 0) for (const k of parent.exactlyOne!) if (!present.has(k)) out.add(k);
  for (const [k, rule] of Object.entries(parent.with ?? {}))
    if (present.has(k)) for (const f of rule.forbids ?? []) out.add(f);
  return out;
}

function refCandidates(target: RefTarget, names: LabNames): { label: string; doc: string }[] {
  switch (target) {
    case 'machine':
      return [
        ...names.machine.map((n) => ({ label: n, doc: 'Machine cell in this lab.' })),
        ...MACHINE_PRESET_NAMES.map((n) => ({ label: n, doc: 'Built-in machine preset.' })),
      ];
    case 'policy':
      return [
        ...POLICY_NAMES.map((n) => ({ label: n, doc: policyDoc(n).doc })),
        ...names.policy.map((n) => ({ label: n, doc: 'Policy cell in this lab.' })),
      ];
    case 'workload':
    case 'cluster':
    case 'service':
    case 'vms':
    case 'run':
      return names[target].map((n) => ({
        label: n,
        doc: `${target[0]!.toUpperCase()}${target.slice(1)} cell in this lab.`,
      }));
  }
}

function valueCandidates(schema: Schema, partial: string, names: LabNames): Omit<CompletionItem, 'range'>[] {
  switch (schema.type) {
    case 'enum':
      return Object.entries(schema.values).map(([label, doc]) => ({ label, kind: 'value', documentation: doc }));
    case 'ref':
      return refCandidates(schema.target, names).map(({ label, doc }) => ({
        label,
        kind: 'reference',
        documentation: doc,
      }));
    case 'policy':
      return refCandidates('policy', names).map(({ label, doc }) => ({ label, kind: 'reference', documentation: doc }));
    case 'boolean':
      return ['true', 'false'].map((label) => ({ label, kind: 'value' }));
    case 'scheduler':
      return SCHEDULER_FORMS.map((label) => ({ label, kind: 'value' }));
    case 'distribution':
      return DISTRIBUTION_FORMS.map((label) => ({ label, kind: 'value' }));
    case 'arrival':
      return ARRIVAL_FORMS.map((label) => ({ label, kind: 'value' }));
    case 'list':
      return valueCandidates(schema.items, partial, names);
    case 'quantity': {
      // After a number, offer it with each unit; otherwise the documented example.
      const number = /^[+-]?(\d+(\.\d*)?|\.\d+)/.exec(partial)?.[0];
      const units = Object.keys(DIMENSIONS[schema.dimension].units);
      if (number !== undefined)
        return units.map((u) => ({ label: `${number}${u}`, kind: 'unit', detail: DIMENSIONS[schema.dimension].label }));
      return [];
    }
    default:
      return [];
  }
}

/** Completions at a position in a cell body. */
export function completions(kind: CellKind, text: string, position: Position, names: LabNames): CompletionItem[] {
  if (kind === 'policy' || kind === 'params') return [];
  const root = CELL_SCHEMAS[kind];
  const ctx = cursorContext(text, position, root);
  const range: Range = { start: { line: position.line, character: ctx.partialStart }, end: position };
  if (ctx.partial.startsWith('$')) {
    return names.params.map((p) => ({ label: `$${p}`, kind: 'param', detail: 'parameter', range }));
  }
  if (ctx.mode === 'key') {
    const parent = schemaAt(root, ctx.path);
    const fields =
      parent?.type === 'object'
        ? parent.fields
        : parent?.type === 'policy'
          ? policyObjectSchema(ctx.policyName).fields
          : undefined;
    if (!fields) return [];
    const present = new Set(
      ctx.path.length === 0 ? [...text.matchAll(/^([\w-]+)\s*:/gm)].map((m) => m[1]) : (ctx.present ?? []),
    );
    const excluded = excludedBy(parent, present);
    return Object.entries(fields)
      .filter(([key]) => !present.has(key) && !excluded.has(key))
      .map(([key, field]) => ({
        label: key,
        kind: 'key' as const,
        detail: describeSchema(field.schema),
        documentation: fieldDoc(key, field, parent),
        insertText: `${key}: `,
        range,
      }));
  }
  const schema = schemaAt(root, ctx.path);
  if (!schema) return [];
  if (schema.type === 'expression') return expressionCandidates(text, position, names);
  return valueCandidates(schema, ctx.partial, names).map((item) => ({ ...item, range }));
}

/** In a check expression: run names after `runs.`, metrics after `runs.<run>.`. */
function expressionCandidates(text: string, position: Position, names: LabNames): CompletionItem[] {
  const prefix = (text.split(/\r\n|\r|\n/)[position.line] ?? '').slice(0, position.character);
  const m = /\bruns\.(?:([A-Za-z_]\w*)\.)?(\w*)$/.exec(prefix);
  if (!m) return [];
  const range: Range = { start: { line: position.line, character: position.character - m[2].length }, end: position };
  if (m[1] === undefined)
    return names.run.map((label) => ({ label, kind: 'reference', documentation: 'Run cell in this lab.', range }));
  return Object.entries(METRICS).map(([label, doc]) => ({ label, kind: 'value', documentation: doc, range }));
}

/** The word (key, name or value) around a position: letters, digits and . - _ $ % / µ °. */
function wordAt(line: string, character: number): { word: string; start: number; end: number } | undefined {
  const isWord = (c: string | undefined) => c !== undefined && /[\w.$%/µ°+-]/.test(c);
  let start = character;
  let end = character;
  while (isWord(line[start - 1])) start--;
  while (isWord(line[end])) end++;
  return start === end ? undefined : { word: line.slice(start, end), start, end };
}

/** Hover docs: keys show their doc, unit and default; values show what they mean. */
export function hover(kind: CellKind, text: string, position: Position, names: LabNames): Hover | undefined {
  if (kind === 'policy' || kind === 'params') return undefined;
  const lines = text.split(/\r\n|\r|\n/);
  const line = lines[position.line] ?? '';
  const w = wordAt(line, position.character);
  if (!w) return undefined;
  const range: Range = {
    start: { line: position.line, character: w.start },
    end: { line: position.line, character: w.end },
  };
  const root = CELL_SCHEMAS[kind];
  const isKey = /^\s*:/.test(line.slice(w.end));
  if (isKey) {
    const ctx = cursorContext(text, { line: position.line, character: w.start }, root);
    const path = ctx.mode === 'key' ? [...ctx.path, w.word] : [...ctx.path.slice(0, -1), w.word];
    const field = fieldAt(root, path, ctx.policyName);
    return field ? { contents: fieldDoc(w.word, field, schemaAt(root, path.slice(0, -1))), range } : undefined;
  }
  // Metrics inside check expressions: runs.<run>.<metric>.
  const dotted = /^runs\.([\w-]+)(?:\.(\w+))?$/.exec(w.word);
  if (dotted) {
    const metric = dotted[2];
    const run = names.run.includes(dotted[1]) ? `run cell **${dotted[1]}**` : `unknown run **${dotted[1]}**`;
    return { contents: metric && METRICS[metric] ? `${run} — **${metric}**: ${METRICS[metric]}` : run, range };
  }
  const ctx = cursorContext(text, { line: position.line, character: w.end }, root);
  const schema = schemaAt(root, ctx.path);
  if (!schema) return undefined;
  const items = schema.type === 'list' ? schema.items : schema;
  switch (items.type) {
    case 'enum':
      return items.values[w.word] ? { contents: `**${w.word}** — ${items.values[w.word]}`, range } : undefined;
    case 'ref':
    case 'policy': {
      const target = items.type === 'policy' ? 'policy' : items.target;
      const hit = refCandidates(target, names).find((c) => c.label === w.word);
      return hit ? { contents: `**${w.word}** — ${hit.doc}`, range } : undefined;
    }
    case 'quantity': {
      const q = parseQuantity(w.word, items.dimension);
      if (!q.ok) return undefined;
      const base = items.dimension === 'fraction' ? '' : ` ${Object.keys(DIMENSIONS[items.dimension].units)[0]}`;
      return { contents: `**${w.word}** = ${q.value}${base} (${DIMENSIONS[items.dimension].label})`, range };
    }
    default:
      return undefined;
  }
}

/** A one-line description of a cell kind, e.g. for the language status or a cell toolbar. */
export const cellKindDoc = (kind: CellKind): string => CELL_DOCS[kind];
