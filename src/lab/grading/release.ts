// Student versions of instructor labs, nbgrader style.
//   - `hidden` cells (hidden checks, and any cell only they use) are removed;
//   - `solution` cells lose the lines between BEGIN SOLUTION and END SOLUTION markers (replaced
//     by a "YOUR ANSWER HERE" comment); a solution cell without markers is removed whole;
//   - protected cells (every check, and any cell marked `locked`) get a `checksum=` attribute,
//     a hash of their content, so an edited copy is evident; grading restores them anyway.
import { sha256Hex } from '../../sim';
import type { Attributes, LabCell, LabCodeCell } from '../document/markdown';
import { cellKey, cellKeys, cellLabel } from '../language/resolveLab';

export const CHECKSUM_ATTRIBUTE = 'checksum';

export const isProtected = (cell: LabCell): cell is LabCodeCell =>
  cell.kind === 'check' || (cell.kind !== 'markdown' && cell.attributes.locked === true);

// Defined with the names they are read from; re-exported here, where grading looks for them.
export { cellKey, cellKeys, cellLabel };

function withoutChecksum(attributes: Attributes): Attributes {
  const { [CHECKSUM_ATTRIBUTE]: _checksum, ...rest } = attributes;
  void _checksum;
  return rest;
}

/**
 * sha256 (first 16 hex digits) of a cell's kind, attributes (but the checksum itself) and body
 * with line endings and trailing spaces normalised, so re-saving in another editor keeps it.
 */
export function cellChecksum(cell: LabCodeCell): string {
  const attributes = Object.entries(withoutChecksum(cell.attributes)).sort(([a], [b]) => (a < b ? -1 : 1));
  const body = cell.value
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trimEnd();
  return sha256Hex(JSON.stringify([cell.kind, attributes, body])).slice(0, 16);
}

/** True when two versions of a protected cell say the same thing. */
export const sameContent = (a: LabCodeCell, b: LabCodeCell): boolean =>
  a.kind === b.kind && cellChecksum(a) === cellChecksum(b);

const BEGIN = /^(\s*)(#|\/\/)\s*BEGIN SOLUTION\s*$/;
const END = /^\s*(#|\/\/)\s*END SOLUTION\s*$/;

/** The body with every solution region replaced by a comment, or undefined when it has none. */
export function stripSolution(value: string): string | undefined {
  const out: string[] = [];
  let inside = false;
  let found = false;
  for (const line of value.split('\n')) {
    const begin = BEGIN.exec(line);
    if (!inside && begin) {
      inside = true;
      found = true;
      out.push(`${begin[1]}${begin[2]} YOUR ANSWER HERE`);
    } else if (inside && END.test(line)) {
      inside = false;
    } else if (!inside) {
      out.push(line);
    }
  }
  return found ? out.join('\n') : undefined;
}

export interface Release {
  cells: LabCell[];
  /** `check q3 (hidden)`, `policy mine (solution)`: what the student version leaves out. */
  removed: string[];
}

/** The student version of an instructor lab. */
export function releaseLab(cells: readonly LabCell[]): Release {
  const out: LabCell[] = [];
  const removed: string[] = [];
  for (const cell of cells) {
    if (cell.kind === 'markdown') {
      out.push(cell);
      continue;
    }
    if (cell.attributes.hidden === true) {
      removed.push(`${cellLabel(cell)} (hidden)`);
      continue;
    }
    let released: LabCodeCell = cell;
    if (cell.attributes.solution === true) {
      const stub = stripSolution(cell.value);
      if (stub === undefined) {
        removed.push(`${cellLabel(cell)} (solution)`);
        continue;
      }
      const { solution: _solution, ...attributes } = cell.attributes;
      void _solution;
      released = { ...cell, value: stub, attributes };
    }
    if (isProtected(released))
      released = {
        ...released,
        attributes: { ...withoutChecksum(released.attributes), [CHECKSUM_ATTRIBUTE]: cellChecksum(released) },
      };
    out.push(released);
  }
  return { cells: out, removed };
}
