// A lab's problems as `file:line:col: message` lines (1-based, positions in the file), the way
// the command line reports bad input and the library returns it.
import { cellPositionToFile, type ParsedLabCell } from '../document/markdown';
import type { ResolvedLab } from '../language/resolveLab';

/** `file:line:col: message` (1-based) for each error diagnostic of a code cell. */
export function cellProblemLines(
  file: string,
  cells: readonly ParsedLabCell[],
  lab: ResolvedLab,
  cellIndex: number,
): string[] {
  const cell = cells[cellIndex];
  if (cell.kind === 'markdown') return [];
  return (lab.diagnostics.get(cellIndex) ?? [])
    .filter((d) => d.severity === 'error')
    .map((d) => {
      const at = cellPositionToFile(cell, d.range.start.line, d.range.start.character);
      return `${file}:${at.line + 1}:${at.character + 1}: ${d.message}`;
    });
}

/** Every error of a resolved lab, in file order; empty when the lab is valid. */
export function labProblemLines(file: string, cells: readonly ParsedLabCell[], lab: ResolvedLab): string[] {
  const lines = cells.flatMap((_, i) => cellProblemLines(file, cells, lab, i));
  return [...lines, ...lab.problems.map((p) => `${file}:1:1: ${p}`)];
}
