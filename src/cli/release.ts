// migration-lab release <instructor.lab.md> [--out student.lab.md]
// Writes the student version (src/lab/release.ts); without --out, prints it.
import { writeFileSync } from 'node:fs';
import { parseCheckExpression } from '../lab/checks';
import { cellPositionToFile, serializeLab, type LabCodeCell } from '../lab/markdown';
import { releaseLab } from '../lab/release';
import { parseCommandArgs } from './args';
import { loadValidLab, type ValidLab } from './loadLab';
import { BadInput } from './problems';

const USAGE = 'usage: migration-lab release <instructor.lab.md> [--out student.lab.md]';

/**
 * What grading needs of an instructor's checks: a distinct id each (grading matches checks by
 * id) and an expression that parses (else every submission would fail it).
 */
export function checkProblems(lab: ValidLab): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  lab.cells.forEach((cell) => {
    if (cell.kind !== 'check') return;
    const where = `${lab.file}:${cell.bodyLine}:1`;
    const id = cell.attributes.id;
    if (typeof id !== 'string') problems.push(`${where}: a check needs an id for grading: \`\`\`check id=q1 points=1`);
    else if (seen.has(id)) problems.push(`${where}: check id "${id}" is already used by the check on line ${seen.get(id)}`);
    else seen.set(id, cell.bodyLine);
  });
  for (const check of lab.lab.checks) {
    const parsed = parseCheckExpression(check.expect);
    if (parsed.ok) continue;
    const cell = lab.cells[check.cellIndex] as LabCodeCell;
    // Where the expression starts in the cell: after `expect:` on its line.
    const lines = cell.value.split('\n');
    const line = Math.max(0, lines.findIndex((l) => /^expect:/.test(l)));
    const column = (/^expect:\s*['"]?/.exec(lines[line])?.[0].length ?? 0) + parsed.start;
    const at = cellPositionToFile(cell, line, column);
    problems.push(`${lab.file}:${at.line + 1}:${at.character + 1}: ${parsed.message}`);
  }
  return problems;
}

export async function releaseCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs('release', argv, { out: { type: 'string' } }, USAGE);
  if (positionals.length !== 1) throw new BadInput([USAGE]);
  const lab = loadValidLab(positionals[0]);
  const problems = checkProblems(lab);
  if (problems.length > 0) throw new BadInput(problems);
  const release = releaseLab(lab.cells);
  const text = serializeLab(release.cells);
  if (typeof values.out === 'string') {
    writeFileSync(values.out, text);
    console.error(`student version written to ${values.out}${release.removed.length ? `; left out: ${release.removed.join(', ')}` : ''}`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}
