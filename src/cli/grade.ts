// migration-lab grade <submission.lab.md>... --source <instructor.lab.md>
//   [--classroom result.json] [--junit junit.xml] [--csv scores.csv] [--time-limit seconds]
//   [--memory-limit MB] [--workers N]
// Restores protected cells from the source, merges hidden checks back, runs each submission
// (student policies in the sandbox, each cell under a time limit) and scores every check of
// the source. A broken submission scores 0 on what it breaks; grading goes on with the next.
import { readFileSync, writeFileSync } from 'node:fs';
import { assembleSubmission, classroomResult, gradeChecks, junitXml, maxScore, scoreRows, totalScore, type SubmissionGrade } from '../lab/grade';
import { parseLab, serializeLab, type ParsedLabCell } from '../lab/markdown';
import { intOption, parseCommandArgs } from './args';
import { toCsv } from './csv';
import { checkScopeOf, executeLab } from './executeLab';
import { simulationPool, WORKER_HEAP_MB } from './host';
import { loadValidLab } from './loadLab';
import { BadInput } from './problems';
import { checkProblems } from './release';

const USAGE =
  'usage: migration-lab grade <submission.lab.md>... --source <instructor.lab.md> [--classroom result.json] [--junit junit.xml] [--csv scores.csv] [--time-limit seconds] [--memory-limit MB] [--workers N]';

function readSubmission(file: string): ParsedLabCell[] {
  try {
    return parseLab(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new BadInput([`${file}:1:1: cannot read the submission: ${(error as Error).message}`]);
  }
}

export async function gradeCommand(argv: string[]): Promise<number> {
  const options = {
    source: { type: 'string' },
    classroom: { type: 'string' },
    junit: { type: 'string' },
    csv: { type: 'string' },
    'time-limit': { type: 'string' },
    workers: { type: 'string' },
    'memory-limit': { type: 'string' },
  } as const;
  const { positionals, values } = parseCommandArgs('grade', argv, options, USAGE);
  if (positionals.length === 0 || typeof values.source !== 'string') throw new BadInput([USAGE]);
  if (typeof values.classroom === 'string' && positionals.length > 1) throw new BadInput(['--classroom takes one submission; use --junit or --csv for several']);
  const timeLimitMs = intOption(values, 'time-limit', 60) * 1000;
  const source = loadValidLab(values.source, {}, checkProblems);
  const submissions = positionals.map((file) => ({ file, cells: readSubmission(file) }));

  const grades: SubmissionGrade[] = [];
  // Per simulation worker; policy code has its own, smaller limit inside the sandbox.
  const host = simulationPool(intOption(values, 'workers', 2), intOption(values, 'memory-limit', WORKER_HEAP_MB));
  try {
    for (const { file, cells } of submissions) {
      const assembly = assembleSubmission(source.cells, cells);
      const reparsed = parseLab(serializeLab(assembly.cells));
      const execution = await executeLab(reparsed, { host, timeLimitMs });
      grades.push({ submission: file, checks: gradeChecks(source.lab.checks, checkScopeOf(execution)), integrity: assembly.integrity });
    }
  } finally {
    host.dispose();
  }

  for (const g of grades) {
    console.log(`${g.submission}: ${totalScore(g.checks)}/${maxScore(g.checks)}`);
    for (const c of g.checks) console.log(`  ${c.passed ? 'PASS' : 'FAIL'} ${c.name} (${c.score}/${c.points}): ${c.message}`);
    for (const n of g.integrity) console.log(`  INTEGRITY ${n.message}`);
  }
  if (typeof values.classroom === 'string') writeFileSync(values.classroom, `${JSON.stringify(classroomResult(grades[0]), null, 2)}\n`);
  if (typeof values.junit === 'string') writeFileSync(values.junit, junitXml(grades));
  if (typeof values.csv === 'string') writeFileSync(values.csv, toCsv(scoreRows(grades)));
  return grades.every((g) => g.checks.every((c) => c.passed)) ? 0 : 1;
}
