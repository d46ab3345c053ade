// Bad input: reported as `file:line:col: message` lines, exit code 2, nothing written.
import { readFileSync } from 'node:fs';
import { parseLab, type ParsedLabCell } from '../lab/document/markdown';

export class BadInput extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

// Shared with the library (src/library), which runs where node:fs does not exist.
export { cellProblemLines, labProblemLines } from '../lab/report/problemLines';

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
    throw new BadInput([
      `${file}:1:1: cannot read the lab${code === 'ENOENT' ? ': no such file' : `: ${(error as Error).message}`}`,
    ]);
  }
  const cells = parseLab(text);
  if (!hasCodeCells(cells))
    throw new BadInput([`${file}:1:1: not a lab: no cells (a lab has fenced blocks such as \`\`\`run)`]);
  return { file, text, cells };
}
