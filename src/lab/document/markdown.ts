// Markdown <-> cells. A lab file is CommonMark; each top-level fenced block whose info string
// starts with a cell kind is a code cell, everything between them is markdown. Block structure
// (lists, block quotes, HTML blocks, indented code, lazy continuation) is decided by markdown-it,
// the engine VS Code itself renders Markdown with, so the split agrees with what users see.
// Each parsed cell carries a plain-JSON layout in `metadata` with everything needed to write an
// unchanged cell back byte for byte; edited or new cells are written in one canonical form.

import MarkdownIt from 'markdown-it';

export const CELL_KINDS = [
  'machine',
  'workload',
  'cluster',
  'service',
  'vms',
  'policy',
  'run',
  'compare',
  'chart',
  'check',
  'params',
] as const;
export type CellKind = (typeof CELL_KINDS)[number];

export function isCellKind(word: string): word is CellKind {
  return (CELL_KINDS as readonly string[]).includes(word);
}

/** Info-string attributes after the kind: `id=q1 points=2 hidden message="a b"`. */
export type Attributes = Record<string, string | true>;

/**
 * How a cell was written. Line endings are coded one character per line of the cell:
 * `n` LF, `w` CRLF, `r` lone CR, `e` none (the file's last line).
 */
interface LayoutBase {
  v: 1;
  /** Raw text between the previous cell and this one: blank lines, a byte order mark. */
  leading: string;
  /** Raw text after this cell when it ended the file (trailing blank lines, or ''). */
  trailing?: string;
  eols: string;
  /** Hash of the value as parsed; a different value means the cell was edited. */
  hash: string;
}

export interface MarkdownLayout extends LayoutBase {
  type: 'markdown';
}

export interface CodeLayout extends LayoutBase {
  type: 'code';
  /** Spaces before the opening fence (0-3). */
  indent: string;
  /** The fence run itself: ``` or ~~~~ ... */
  marker: string;
  /** Raw text after the fence on the opening line, spaces included. */
  info: string;
  /** Raw closing fence line, or null when the fence ran to the end of the file. */
  close: string | null;
  /** Spaces stripped from each body line (one digit per line) when the fence is indented. */
  dedent?: string;
}

export type CellLayout = MarkdownLayout | CodeLayout;

export interface LabMarkdownCell {
  kind: 'markdown';
  value: string;
  metadata?: CellLayout;
}

export interface LabCodeCell {
  kind: CellKind;
  /** The body, lines joined with LF, indentation of an indented fence removed. */
  value: string;
  attributes: Attributes;
  /** 0-based file line of the first body line (set by parseLab). */
  bodyLine?: number;
  metadata?: CellLayout;
}

export type LabCell = LabMarkdownCell | LabCodeCell;

/** What parseLab returns: code cells always know where they are in the file. */
export type ParsedLabCell =
  (LabMarkdownCell & { metadata: MarkdownLayout }) | (LabCodeCell & { bodyLine: number; metadata: CodeLayout });

interface Line {
  text: string;
  eol: string;
}

const EOL_CODE: Record<string, string> = { '\n': 'n', '\r\n': 'w', '\r': 'r', '': 'e' };
const CODE_EOL: Record<string, string> = { n: '\n', w: '\r\n', r: '\r', e: '' };

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const re = /\r\n|\r|\n/g;
  let start = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    lines.push({ text: text.slice(start, m.index), eol: m[0] });
    start = m.index + m[0].length;
  }
  if (start < text.length) lines.push({ text: text.slice(start), eol: '' });
  return lines;
}

/** FNV-1a over UTF-16 code units: cheap edit detection, not security. */
function hashText(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

const isBlank = (line: Line) => /^[ \t]*$/.test(line.text);
const rawText = (lines: readonly Line[]) => lines.map((l) => l.text + l.eol).join('');
const eolCodes = (lines: readonly Line[]) => lines.map((l) => EOL_CODE[l.eol]).join('');

/** Number of lines of a `---` front matter block at the start, 0 when there is none. */
function frontMatterLength(lines: readonly Line[]): number {
  if (lines.length === 0 || !/^---[ \t]*$/.test(lines[0].text)) return 0;
  for (let i = 1; i < lines.length; i++) {
    if (/^(---|\.\.\.)[ \t]*$/.test(lines[i].text)) return i + 1;
  }
  return 0; // unclosed: not front matter, just a thematic break
}

let engine: MarkdownIt | undefined;
function markdownEngine(): MarkdownIt {
  // 'commonmark' enables HTML blocks, so fences inside <!-- --> stay markdown.
  engine ??= new MarkdownIt('commonmark');
  return engine;
}

interface Span {
  start: number;
  /** Exclusive end line. */
  end: number;
}

/** Top-level fenced blocks whose info string starts with a cell kind. */
function codeSpans(lines: readonly Line[], skip: number): Span[] {
  // One LF after every line, so a final blank line still counts as a line.
  const source = lines.map((l, i) => (i < skip ? '' : l.text) + '\n').join('');
  const spans: Span[] = [];
  for (const token of markdownEngine().parse(source, {})) {
    if (token.type !== 'fence' || token.level !== 0 || !token.map) continue;
    const kind = parseInfoString(token.info).kind;
    if (isCellKind(kind)) spans.push({ start: token.map[0], end: Math.min(token.map[1], lines.length) });
  }
  return spans;
}

interface InfoProblem {
  /** Character offsets within the info string. */
  start: number;
  end: number;
  message: string;
}

/** Splits an info string into the kind word and attributes; never throws. */
export function parseInfoString(info: string): { kind: string; attributes: Attributes; problems: InfoProblem[] } {
  const attributes: Attributes = {};
  const problems: InfoProblem[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < info.length && /\s/.test(info[i])) i++;
  };
  skipSpace();
  const kindStart = i;
  while (i < info.length && !/\s/.test(info[i])) i++;
  const kind = info.slice(kindStart, i);
  for (skipSpace(); i < info.length; skipSpace()) {
    const keyStart = i;
    while (i < info.length && !/[\s=]/.test(info[i])) i++;
    const key = info.slice(keyStart, i);
    if (key === '') {
      problems.push({ start: i, end: i + 1, message: 'Expected an attribute name before "="' });
      i++;
      continue;
    }
    let value: string | true = true;
    if (info[i] === '=') {
      i++;
      const quote = info[i];
      if (quote === '"' || quote === "'") {
        const valueStart = i;
        let text = '';
        for (i++; i < info.length && info[i] !== quote; i++) {
          if (quote === '"' && info[i] === '\\' && i + 1 < info.length) i++;
          text += info[i];
        }
        if (i >= info.length)
          problems.push({ start: valueStart, end: i, message: `Unterminated quoted value for "${key}"` });
        else i++;
        value = text;
      } else {
        const valueStart = i;
        while (i < info.length && !/\s/.test(info[i])) i++;
        value = info.slice(valueStart, i);
      }
    }
    if (key in attributes)
      problems.push({ start: keyStart, end: keyStart + key.length, message: `Duplicate attribute "${key}"` });
    attributes[key] = value;
  }
  return { kind, attributes, problems };
}

/** The info string for a kind and attributes, quoting values only when needed. */
export function formatInfoString(kind: CellKind, attributes: Attributes): string {
  const parts: string[] = [kind];
  for (const [key, value] of Object.entries(attributes)) {
    if (value === true) parts.push(key);
    else if (/^[^\s"'=`]+$/.test(value)) parts.push(`${key}=${value}`);
    else parts.push(`${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  }
  return parts.join(' ');
}

function markdownCell(lines: readonly Line[], leading: string): ParsedLabCell {
  const value = lines.map((l) => l.text).join('\n');
  return {
    kind: 'markdown',
    value,
    metadata: { v: 1, type: 'markdown', leading, eols: eolCodes(lines), hash: hashText(value) },
  };
}

function codeCell(lines: readonly Line[], span: Span, leading: string): ParsedLabCell {
  const open = lines[span.start];
  const [, indent, marker, info] = /^( {0,3})(`{3,}|~{3,})(.*)$/.exec(open.text)!;
  const last = span.end - 1;
  const closeRe = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}[ \\t]*$`);
  const closed = last > span.start && closeRe.test(lines[last].text);
  const body = lines.slice(span.start + 1, closed ? last : span.end);
  const dedents = body.map((l) => Math.min(indent.length, /^ */.exec(l.text)![0].length));
  const value = body.map((l, i) => l.text.slice(dedents[i])).join('\n');
  const parsedInfo = parseInfoString(info);
  const layout: CodeLayout = {
    v: 1,
    type: 'code',
    leading,
    eols: eolCodes(lines.slice(span.start, span.end)),
    hash: hashText(value),
    indent,
    marker,
    info,
    close: closed ? lines[last].text : null,
  };
  if (indent.length > 0) layout.dedent = dedents.join('');
  return {
    kind: parsedInfo.kind as CellKind,
    value,
    attributes: parsedInfo.attributes,
    bodyLine: span.start + 1,
    metadata: layout,
  };
}

/** Splits a lab file into markdown and code cells. Total: any text parses. */
export function parseLab(text: string): ParsedLabCell[] {
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const lines = splitLines(text.slice(bom.length));
  const frontMatter = frontMatterLength(lines);
  const spans = codeSpans(lines, frontMatter);
  const cells: ParsedLabCell[] = [];
  let gap = bom;

  const addMarkdown = (from: number, to: number) => {
    let first = from;
    let last = to - 1;
    while (first <= last && isBlank(lines[first])) first++;
    while (last >= first && isBlank(lines[last])) last--;
    if (first > last) {
      gap += rawText(lines.slice(from, to));
      return;
    }
    cells.push(markdownCell(lines.slice(first, last + 1), gap + rawText(lines.slice(from, first))));
    gap = rawText(lines.slice(last + 1, to));
  };

  let cursor = 0;
  if (frontMatter > 0) {
    addMarkdown(0, frontMatter);
    cursor = frontMatter;
  }
  for (const span of spans) {
    addMarkdown(cursor, span.start);
    cells.push(codeCell(lines, span, gap));
    gap = '';
    cursor = span.end;
  }
  addMarkdown(cursor, lines.length);

  if (cells.length === 0) {
    if (gap === '') return [];
    // A blank file still round-trips: an empty markdown cell holds the whitespace.
    cells.push({
      kind: 'markdown',
      value: '',
      metadata: { v: 1, type: 'markdown', leading: gap, eols: '', hash: hashText('') },
    });
    gap = '';
  }
  cells[cells.length - 1].metadata.trailing = gap;
  return cells;
}

/** Guards metadata that came back from outside (VS Code cell metadata is untyped). */
export function isCellLayout(x: unknown): x is CellLayout {
  if (typeof x !== 'object' || x === null) return false;
  const l = x as Record<string, unknown>;
  const base =
    l.v === 1 &&
    typeof l.leading === 'string' &&
    typeof l.eols === 'string' &&
    /^[nwre]*$/.test(l.eols) &&
    typeof l.hash === 'string' &&
    (l.trailing === undefined || typeof l.trailing === 'string');
  if (!base) return false;
  if (l.type === 'markdown') return true;
  return (
    l.type === 'code' &&
    typeof l.indent === 'string' &&
    typeof l.marker === 'string' &&
    /^(`{3,}|~{3,})$/.test(l.marker) &&
    typeof l.info === 'string' &&
    (l.close === null || typeof l.close === 'string') &&
    (l.dedent === undefined || (typeof l.dedent === 'string' && /^[0-3]*$/.test(l.dedent)))
  );
}

function sameAttributes(a: Attributes, b: Attributes): boolean {
  const ak = Object.keys(a);
  return ak.length === Object.keys(b).length && ak.every((k) => k in b && a[k] === b[k]);
}

/** The cell's exact original text (without leading/trailing), or undefined if it was edited. */
function originalText(cell: LabCell, layout: CellLayout): string | undefined {
  if (hashText(cell.value) !== layout.hash) return undefined;
  const eols = [...layout.eols].map((c) => CODE_EOL[c]);
  if (layout.type === 'markdown') {
    if (cell.kind !== 'markdown') return undefined;
    const values = eols.length === 0 ? [] : cell.value.split('\n');
    if (values.length !== eols.length) return undefined;
    return values.map((v, i) => v + eols[i]).join('');
  }
  if (cell.kind === 'markdown') return undefined;
  const info = parseInfoString(layout.info);
  if (info.kind !== cell.kind || !sameAttributes(info.attributes, cell.attributes)) return undefined;
  const bodyCount = eols.length - 1 - (layout.close === null ? 0 : 1);
  if (bodyCount < 0) return undefined;
  const values = bodyCount === 0 ? [] : cell.value.split('\n');
  if (values.length !== bodyCount || cell.value.includes('\r')) return undefined;
  const dedent = layout.dedent ?? '';
  let out = layout.indent + layout.marker + layout.info + eols[0];
  values.forEach((v, i) => {
    out += ' '.repeat(Number(dedent[i] ?? 0)) + v + eols[i + 1];
  });
  if (layout.close !== null) out += layout.close + eols[eols.length - 1];
  return out;
}

/** The canonical form of an edited or new cell: LF, ``` fences, trailing LF. */
function canonicalText(cell: LabCell): string {
  const value = cell.value.replace(/\r\n?/g, '\n');
  if (cell.kind === 'markdown') return value.endsWith('\n') ? value : value + '\n';
  const info = formatInfoString(cell.kind, cell.attributes);
  // A backtick fence's info string may not contain backticks (CommonMark); use tildes then.
  const char = info.includes('`') ? '~' : '`';
  const longestRun = Math.max(
    0,
    ...value
      .split('\n')
      .map((l) => /^\s*(\S?)(\1*)/.exec(l)!)
      .map((m) => (m[1] === char ? m[1].length + m[2].length : 0)),
  );
  const fence = char.repeat(Math.max(3, longestRun + 1));
  const body = value === '' ? '' : value + '\n';
  return `${fence}${info}\n${body}${fence}\n`;
}

/** Writes cells back to Markdown; unchanged parsed cells come back byte for byte. */
export function serializeLab(cells: readonly LabCell[]): string {
  const parts: string[] = [];
  // The last character written, kept apart: reading it off the text built so far would flatten
  // that text once per cell, quadratic in the cells (a hostile submission has 150,000).
  let last = '';
  const write = (text: string) => {
    if (text === '') return;
    parts.push(text);
    last = text[text.length - 1]!;
  };
  const atEol = () => last === '\n' || last === '\r';
  cells.forEach((cell, index) => {
    const isLast = index === cells.length - 1;
    const layout = isCellLayout(cell.metadata) ? cell.metadata : undefined;
    // A fence that ran to the end of the file must be closed once something follows it.
    const runsToEnd = layout?.type === 'code' && layout.close === null && !isLast;
    const original = layout && !runsToEnd ? originalText(cell, layout) : undefined;
    if (last !== '' && !atEol()) write('\n');
    if (layout && original !== undefined) {
      write(layout.leading + original);
    } else {
      if (last !== '') write('\n');
      write(canonicalText(cell));
    }
    if (isLast) {
      if (layout && original !== undefined && layout.trailing !== undefined) write(layout.trailing);
      else if (last !== '' && !atEol()) write('\n');
    }
  });
  return parts.join('');
}

/** Maps a position in a code cell's body to the file, for file:line:col messages. */
export function cellPositionToFile(
  cell: LabCodeCell,
  line: number,
  character: number,
): { line: number; character: number } {
  const layout = isCellLayout(cell.metadata) && cell.metadata.type === 'code' ? cell.metadata : undefined;
  const shift = Number(layout?.dedent?.[line] ?? 0);
  return { line: (cell.bodyLine ?? 0) + line, character: character + shift };
}
