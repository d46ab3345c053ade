// migration-lab release <instructor.lab.md> [--out student.lab.md]
// Writes the student version (src/lab/grading/release.ts); without --out, prints it.
import { writeFileSync } from 'node:fs';
import { serializeLab } from '../lab/document/markdown';
import { releaseLab } from '../lab/grading/release';
import { compareKeys, declaredName } from '../lab/language/resolveLab';
import { parseCommandArgs } from './args';
import { loadValidLab } from './loadLab';
import { refuseOverwrites } from './outputs';
import { BadInput, type LabFile } from './problems';

const USAGE = 'usage: migration-lab release <instructor.lab.md> [--out student.lab.md]';

/** Check ids that would collide with the columns of grade's CSV. */
export const RESERVED_CHECK_IDS = ['submission', 'score', 'max_score', 'integrity'];

/**
 * What grading needs of an instructor's checks: a distinct id each (grading matches checks by
 * id), none that is a column of the scores CSV, and names on the comparisons they read (an
 * unnamed one is known by its place, which a student shifts by adding a compare cell before
 * it). That their expressions parse is part of validating any lab.
 */
export function checkProblems(lab: LabFile): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const unnamedCompares = new Set<string>();
  compareKeys(lab.cells).forEach((key, i) => {
    const cell = lab.cells[i];
    if (cell.kind !== 'markdown' && declaredName(cell) === undefined) unnamedCompares.add(key);
  });
  lab.cells.forEach((cell) => {
    if (cell.kind !== 'check') return;
    const where = `${lab.file}:${cell.bodyLine}:1`;
    const id = cell.attributes.id;
    if (typeof id !== 'string') problems.push(`${where}: a check needs an id for grading: \`\`\`check id=q1 points=1`);
    else if (RESERVED_CHECK_IDS.includes(id.toLowerCase()))
      problems.push(
        `${where}: check id "${id}" is a column of the grading reports (${RESERVED_CHECK_IDS.join(', ')}); choose another`,
      );
    else if (seen.has(id))
      problems.push(`${where}: check id "${id}" is already used by the check on line ${seen.get(id)}`);
    else seen.set(id, cell.bodyLine);
    for (const [, key] of cell.value.matchAll(/\bcompares\.([\w-]+)/g)) {
      if (unnamedCompares.has(key!))
        problems.push(
          `${where}: the check reads ${key}, a compare cell without a name: give it one (name: ...), since its place-based name shifts when a compare cell is added before it`,
        );
    }
  });
  return problems;
}

export async function releaseCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs('release', argv, { out: { type: 'string' } }, USAGE);
  if (positionals.length !== 1) throw new BadInput([USAGE]);
  const lab = loadValidLab(positionals[0], {}, checkProblems);
  refuseOverwrites([lab.file], [{ option: '--out', path: typeof values.out === 'string' ? values.out : undefined }]);
  const release = releaseLab(lab.cells);
  const text = serializeLab(release.cells);
  if (typeof values.out === 'string') {
    writeFileSync(values.out, text);
    console.error(
      `student version written to ${values.out}${release.removed.length ? `; left out: ${release.removed.join(', ')}` : ''}`,
    );
  } else {
    process.stdout.write(text);
  }
  return 0;
}
