// Diagnostics in the shape LSP and VS Code use: 0-based line/character ranges relative to the
// cell body, so the extension maps them 1:1 and the CLI adds the cell's bodyLine.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  range: Range;
  severity: Severity;
  message: string;
  /** Stable machine-readable kind, e.g. "unknown-key", "bad-unit". */
  code: string;
}

/** Offset <-> line/character conversion for one text. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) this.starts.push(i + 1);
    }
  }

  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: clamped - this.starts[lo] };
  }

  offset(position: Position): number {
    const start = this.starts[Math.min(position.line, this.starts.length - 1)] ?? 0;
    return Math.min(this.text.length, start + position.character);
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }
}

const MAX_SUGGESTED_LENGTH = 64;
const MAX_CANDIDATES = 500;

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** True when `short` is `long` with letters left out, first letter kept: "pts" in "points". */
function isAbbreviation(short: string, long: string): boolean {
  if (short.length < 2 || short[0] !== long[0]) return false;
  let j = 0;
  for (const c of long) if (c === short[j]) j++;
  return j === short.length;
}

/**
 * The closest candidate within a distance that grows with the word, compared case-insensitively;
 * failing that, the only candidate the word abbreviates.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  // Bounded work however many names a lab has: a long word or a long list gets no suggestion
  // from the candidates past the first few hundred, and lengths too far apart are skipped
  // without computing a distance.
  if (word.length > MAX_SUGGESTED_LENGTH) return undefined;
  const lower = word.toLowerCase();
  const list = [...candidates].slice(0, MAX_CANDIDATES);
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of list) {
    if (Math.abs(candidate.length - word.length) >= bestDistance || candidate.length > MAX_SUGGESTED_LENGTH) continue;
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best !== undefined) return best;
  const abbreviated = list.filter((c) => isAbbreviation(lower, c.toLowerCase()));
  return abbreviated.length === 1 ? abbreviated[0] : undefined;
}

/** " Did you mean "x"?" or "" — appended to unknown-name messages. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const hit = closest(word, candidates);
  return hit === undefined ? '' : ` Did you mean "${hit}"?`;
}
