// Bad input: reported as `file:line:col: message` lines, exit code 2, nothing written.
import { readFileSync } from 'node:fs';
import type { ResolvedLab } from '../lab/resolve';
import { cellPositionToFile, parseLab, type ParsedLabCell } from '../lab/markdown';

export class BadInput extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

/** `file:line:col: message` (1-based) for each error diagnostic of a code cell. */
export function cellProblemLines(file: string, cells: readonly ParsedLabCell[], lab: ResolvedLab, cellIndex: number): string[] {
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

export interface LabFile {
  file: string;
  text: string;
  cells: ParsedLabCell[];
}

export const hasCodeCells = (cells: readonly ParsedLabCell[]) => cells.some((c) => c.kind !== 'markdown');

/** Reads and splits a lab; a missing file or a file with no lab cells is bad input. */
export function readLab(file: string): LabFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BadInput([`${file}:1:1: cannot read the lab${code === 'ENOENT' ? ': no such file' : `: ${(error as Error).message}`}`]);
  }
  const cells = parseLab(text);
  if (!hasCodeCells(cells)) throw new BadInput([`${file}:1:1: not a lab: no cells (a lab has fenced blocks such as \`\`\`run)`]);
  return { file, text, cells };
}
