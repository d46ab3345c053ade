// migration-lab release <instructor.lab.md> [--out student.lab.md]
// Writes the student version (src/lab/release.ts); without --out, prints it.
import { writeFileSync } from 'node:fs';
import { serializeLab } from '../lab/markdown';
import { releaseLab } from '../lab/release';
import { parseCommandArgs } from './args';
import { loadValidLab } from './loadLab';
import { BadInput, type LabFile } from './problems';

const USAGE = 'usage: migration-lab release <instructor.lab.md> [--out student.lab.md]';

/**
 * What grading needs of an instructor's checks: a distinct id each (grading matches checks by
 * id). That their expressions parse is part of validating any lab.
 */
export function checkProblems(lab: LabFile): string[] {
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
  return problems;
}

export async function releaseCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs('release', argv, { out: { type: 'string' } }, USAGE);
  if (positionals.length !== 1) throw new BadInput([USAGE]);
  const lab = loadValidLab(positionals[0], {}, checkProblems);
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
