// migration-lab grade <submission.lab.md>... --source <instructor.lab.md>
//   [--classroom result.json] [--junit junit.xml] [--csv scores.csv] [--workers N]
//   [--cpu-limit seconds] [--memory-limit MB] [--submission-cpu-limit seconds]
//   [--instructor-notes notes.csv]
// Restores protected cells from the source, merges hidden cells back, and runs, for each
// submission, only the cells the source's checks read: in a worker process of the submission's
// own, under the run budget and the submission's, so whatever one submission does (run out of
// memory, never end, abort V8) costs only that submission. The source itself is graded first
// under the same limits: if it does not pass all of its own checks, no scores are written.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { Available, CheckScope } from '../lab/grading/checks';
import type { CellOutcome } from '../lab/notebook/execute';
import {
  assembleSubmission,
  classroomResult,
  gradeChecks,
  junitXml,
  maxScore,
  scoreRows,
  totalScore,
  type GradedCheck,
  type SubmissionGrade,
} from '../lab/grading/grade';
import { parseLab, serializeLab, type LabCell, type ParsedLabCell } from '../lab/document/markdown';
import { COMPARE_MIME, RUN_MIME, type CompareOutput, type RunOutput, type SummaryValue } from '../lab/outputs/contract';
import { compareKeys, declaredName, type ResolvedLab } from '../lab/language/resolveLab';
import { RunError } from '../lab/run/runHost';
import { CpuAccount, DEFAULT_SUBMISSION_CPU_S, type RunLimits } from '../worker/limits';
import { intOption, LIMIT_OPTIONS, LIMIT_USAGE, numberOption, parseCommandArgs, runLimits } from './args';
import { toCsv } from './csv';
import { failure } from './executeLab';
import { simulationPool } from './host';
import { loadValidLab, type ValidLab } from './loadLab';
import { refuseOverwrites } from './outputs';
import { BadInput } from './problems';
import { checkProblems } from './release';

const USAGE = `usage: migration-lab grade <submission.lab.md>... --source <instructor.lab.md> [--classroom result.json] [--junit junit.xml] [--csv scores.csv] [--workers N] ${LIMIT_USAGE} [--submission-cpu-limit seconds] [--instructor-notes notes.csv]`;

/** Exit code when the instructor's own lab fails its checks: the setup is wrong, no scores are posted. */
export const BASELINE_FAILED = 3;

/** A submission larger than this is not read (graded 0, with the reason). */
const MAX_SUBMISSION_BYTES = 4 * 1024 * 1024;

/** The results graded checks read, and which of them the student never sees. */
interface Needed {
  runs: Set<string>;
  compares: Set<string>;
  hidden: Set<string>;
  /** Simulations each needed comparison of the source runs (its CPU limit is that many runs'). */
  compareSize: Map<string, number>;
}

function neededBy(source: ValidLab): Needed {
  const lab: ResolvedLab = source.lab;
  const runs = new Set(lab.checks.flatMap((c) => c.runs));
  const compares = new Set(
    lab.checks.flatMap((c) => [...c.expect.matchAll(/\bcompares\.([\w-]+)/g)].map((m) => m[1]!)),
  );
  const hidden = new Set<string>();
  source.cells.forEach((cell) => {
    if (cell.kind === 'markdown' || cell.attributes.hidden !== true) return;
    const name = declaredName(cell)?.name;
    if (name !== undefined) hidden.add(`${cell.kind}:${name}`);
  });
  const compareSize = new Map([
    ...lab.compares.map((c) => [c.key, c.policies.length * c.seeds] as const),
    ...lab.runsCompares.map((c) => [c.key, c.runs.length * c.seeds] as const),
  ]);
  return { runs, compares, hidden, compareSize };
}

/** A submission's file, read and split; one that cannot be read is graded as empty, with a note. */
function readSubmission(file: string): { cells: ParsedLabCell[]; problem?: string } {
  try {
    if (statSync(file).size > MAX_SUBMISSION_BYTES)
      return {
        cells: [],
        problem: `the file is larger than ${MAX_SUBMISSION_BYTES / 1024 / 1024} MB and was not read`,
      };
    return { cells: parseLab(readFileSync(file, 'utf8')) };
  } catch (error) {
    throw new BadInput([`${file}:1:1: cannot read the submission: ${(error as Error).message}`]);
  }
}

/** Where a failed run stopped in a policy cell of the student's: the policy's name and the line. */
function policyFailure(
  outcome: Exclude<CellOutcome, { ok: true }> | undefined,
  cells: readonly LabCell[],
): { policy: string; line: number } | undefined {
  const at = outcome && !outcome.cancelled ? outcome.at : undefined;
  const cell = at ? cells[at.cellIndex] : undefined;
  if (cell?.kind !== 'policy' || !at?.diagnostics[0]) return undefined;
  return { policy: declaredName(cell)?.name ?? '', line: at.diagnostics[0].range.start.line + 1 };
}

/**
 * What a hidden run's failure may tell: that the student's policy failed, and at which line only
 * when a run the student sees failed at that same line. The line a policy stops at is the policy's
 * to choose (`if (count === 30) throw` on line 30), so in a hidden run it would tell the student
 * what their policy saw there, a hidden workload's size or timing, a few bits per submission.
 */
function hiddenFailure(where: { policy: string; line: number } | undefined, seen: ReadonlySet<string>): string {
  if (where === undefined) return '';
  return seen.has(`${where.policy}:${where.line}`)
    ? `your policy ${where.policy} failed at line ${where.line}`
    : `your policy ${where.policy} failed (in a run you do not see: try it on workloads of your own)`;
}

/**
 * The text a submission is graded from: its code cells only, each written afresh in canonical
 * form. Markdown never changes a result, and without it no trick in it (an unclosed comment or
 * HTML block) can change how the cells after it are read once the assignment's cells are put
 * back in. Read back, it must give exactly the assembled cells.
 */
function gradingText(cells: readonly LabCell[]): { text: string; assembled: ParsedLabCell[] } {
  const code = cells.flatMap((c) =>
    c.kind === 'markdown' ? [] : [{ kind: c.kind, value: c.value.replace(/\r\n?/g, '\n'), attributes: c.attributes }],
  );
  const text = serializeLab(code);
  const assembled = parseLab(text);
  const same =
    assembled.length === code.length &&
    assembled.every(
      (c, i) =>
        c.kind !== 'markdown' &&
        c.kind === code[i]!.kind &&
        c.value === code[i]!.value &&
        JSON.stringify(c.attributes) === JSON.stringify(code[i]!.attributes),
    );
  if (!same) throw new Error('the assembled submission does not read back as the cells it was made of');
  return { text, assembled };
}

/**
 * Runs the cells the checks need, one at a time, in a worker process of this submission's own,
 * and collects what the checks read. Only the worker ever resolves the submission's text. Hidden
 * runs and comparisons are run from `cells` (hidden cells merged back); the others from `visible`,
 * the submission with only its visible protected cells restored: a run of the student's own can
 * use no hidden cell, so it can neither confirm a guessed hidden name nor show a hidden
 * workload's figures in a check's message.
 */
async function resultsOf(
  cells: LabCell[],
  visible: LabCell[],
  needed: Needed,
  limits: RunLimits,
  submissionCpuMs: number,
): Promise<CheckScope> {
  const texts = {
    hidden: gradingText(cells),
    visible: gradingText(visible.filter((cell) => cell.kind === 'markdown' || cell.attributes.hidden !== true)),
  };
  const pool = simulationPool(1, limits);
  const account = new CpuAccount(submissionCpuMs);
  const signal = new AbortController().signal;
  const runs: Record<string, Available<Readonly<Record<string, SummaryValue>>>> = {};
  const compares: Record<string, Available<CompareOutput>> = {};
  /** `policy:line` of each failure of a run the student sees. */
  const seen = new Set<string>();
  const hiddenFailures: {
    result: { ok: false; error: string; hidden?: boolean };
    where?: { policy: string; line: number };
  }[] = [];
  /** Executes the run or compare `name`; what it defines is hidden if the source hides it. */
  const execute = async (
    kind: 'run' | 'compare',
    name: string,
    cpuLimitMs: number,
  ): Promise<Available<unknown> | undefined> => {
    const hidden = needed.hidden.has(`${kind}:${name}`);
    const { text, assembled } = hidden ? texts.hidden : texts.visible;
    const index =
      kind === 'run'
        ? assembled.findIndex((cell) => cell.kind === 'run' && declaredName(cell)?.name === name)
        : [...compareKeys(assembled)].find(([, key]) => key === name)?.[0];
    if (index === undefined || index < 0) return undefined;
    let outcome: CellOutcome;
    try {
      outcome = (await pool.executeCell(text, index, { signal, account, cpuLimitMs })) as CellOutcome;
    } catch (error) {
      // The worker was stopped (a limit) or died: the message says which limit, never which run.
      return {
        ok: false,
        error: error instanceof RunError ? error.message : String(error),
        ...(hidden ? { hidden } : {}),
      };
    }
    if (outcome.ok) {
      const item = outcome.outputs
        .flatMap((o) => o.items)
        .find((i) => i.mime === (kind === 'run' ? RUN_MIME : COMPARE_MIME));
      if (item)
        return {
          ok: true,
          value: kind === 'run' ? (item.data as RunOutput).summary : item.data,
          ...(hidden ? { hidden } : {}),
        };
    }
    const where = outcome.ok ? undefined : policyFailure(outcome, assembled);
    if (hidden) {
      // Its message is written once every run has been seen (hiddenFailure).
      const result = { ok: false as const, error: '', hidden };
      hiddenFailures.push({ result, where });
      return result;
    }
    if (where) seen.add(`${where.policy}:${where.line}`);
    return { ok: false, error: outcome.ok ? 'the cell produced no result' : failure(outcome) };
  };
  try {
    for (const name of needed.runs) {
      const result = await execute('run', name, limits.cpuMs);
      if (result) runs[name] = result as Available<Readonly<Record<string, SummaryValue>>>;
    }
    for (const key of needed.compares) {
      const result = await execute('compare', key, limits.cpuMs * (needed.compareSize.get(key) ?? 1));
      if (result) compares[key] = result as Available<CompareOutput>;
    }
  } finally {
    pool.dispose();
  }
  for (const { result, where } of hiddenFailures) result.error = hiddenFailure(where, seen);
  return { runs, compares };
}

/** One row per note of every submission, for the instructor: the student-visible ones and the withheld. */
const instructorNotes = (grades: readonly SubmissionGrade[]): Record<string, string>[] =>
  grades.flatMap((g) => [
    ...g.integrity.map((n) => ({ submission: g.submission, visible: 'yes', ...n })),
    ...(g.withheld ?? []).map((n) => ({ submission: g.submission, visible: 'no', ...n })),
  ]);

/** A file name as printed: one that holds a line break or an escape sequence cannot forge a line. */
const printable = (name: string) => name.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '\ufffd');

const describeGrade = (g: SubmissionGrade): string[] => [
  `${printable(g.submission)}: ${totalScore(g.checks)}/${maxScore(g.checks)}`,
  ...g.checks.map((c) => `  ${c.passed ? 'PASS' : 'FAIL'} ${c.name} (${c.score}/${c.points}): ${c.message}`),
  ...g.integrity.map((n) => `  INTEGRITY ${n.message}`),
];

/** Runs `grade` over items with at most `width` at once, keeping their order. */
async function inOrder<T, R>(items: readonly T[], width: number, grade: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await grade(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
  return out;
}

export async function gradeCommand(argv: string[]): Promise<number> {
  const options = {
    source: { type: 'string' },
    classroom: { type: 'string' },
    junit: { type: 'string' },
    csv: { type: 'string' },
    workers: { type: 'string' },
    'submission-cpu-limit': { type: 'string' },
    'instructor-notes': { type: 'string' },
    ...LIMIT_OPTIONS,
  } as const;
  const { positionals, values } = parseCommandArgs('grade', argv, options, USAGE);
  if (positionals.length === 0 || typeof values.source !== 'string') throw new BadInput([USAGE]);
  if (typeof values.classroom === 'string' && positionals.length > 1)
    throw new BadInput(['--classroom takes one submission; use --junit or --csv for several']);
  const output = (option: 'classroom' | 'junit' | 'csv' | 'instructor-notes') =>
    typeof values[option] === 'string' ? (values[option] as string) : undefined;
  refuseOverwrites(
    [values.source, ...positionals],
    (['classroom', 'junit', 'csv', 'instructor-notes'] as const).map((o) => ({ option: `--${o}`, path: output(o) })),
  );
  const limits = runLimits(values);
  const submissionCpuMs = numberOption(values, 'submission-cpu-limit', DEFAULT_SUBMISSION_CPU_S) * 1000;
  const source = loadValidLab(values.source, {}, checkProblems);
  const needed = neededBy(source);
  const visibleSource = source.cells.filter((cell) => cell.kind === 'markdown' || cell.attributes.hidden !== true);
  const grade = async (file: string, cells: readonly LabCell[], problem?: string): Promise<SubmissionGrade> => {
    const assembly = assembleSubmission(source.cells, cells);
    // The same with only the visible protected cells put back: what the student's own runs read.
    const visible = assembleSubmission(visibleSource, cells).cells;
    const checks: GradedCheck[] = gradeChecks(
      source.lab.checks,
      await resultsOf(assembly.cells, visible, needed, limits, submissionCpuMs),
    );
    const integrity = problem
      ? [{ cell: file, problem: 'unreadable' as const, message: problem }, ...assembly.integrity]
      : assembly.integrity;
    return { submission: file, checks, integrity, withheld: assembly.withheld };
  };

  // The baseline: the instructor's lab must pass every one of its own checks under these limits.
  const baseline = await grade(source.file, source.cells);
  if (!baseline.checks.every((c) => c.passed)) {
    console.error(
      `grade: the instructor's lab ${source.file} does not pass its own checks under these limits, so no scores were written:`,
    );
    // (Its integrity notes are about itself: every hidden cell "collides" with its own copy.)
    for (const line of describeGrade({ ...baseline, integrity: [] }).slice(1)) console.error(line);
    console.error('Fix the lab, or raise --cpu-limit, --memory-limit or --submission-cpu-limit.');
    return BASELINE_FAILED;
  }

  const submissions = positionals.map((file) => ({ file, ...readSubmission(file) }));
  const grades = await inOrder(submissions, intOption(values, 'workers', 2), (s) => grade(s.file, s.cells, s.problem));
  for (const g of grades) for (const line of describeGrade(g)) console.log(line);
  const classroom = output('classroom');
  const junit = output('junit');
  const csv = output('csv');
  if (classroom !== undefined) writeFileSync(classroom, `${JSON.stringify(classroomResult(grades[0]!), null, 2)}\n`);
  if (junit !== undefined) writeFileSync(junit, junitXml(grades));
  if (csv !== undefined) writeFileSync(csv, toCsv(scoreRows(grades)));
  // The instructor's view: every note, those withheld from students (guessed hidden names) too.
  const notes = output('instructor-notes');
  if (notes !== undefined)
    writeFileSync(notes, toCsv(instructorNotes(grades), ['submission', 'visible', 'cell', 'problem', 'message']));
  return grades.every((g) => g.checks.every((c) => c.passed)) ? 0 : 1;
}
