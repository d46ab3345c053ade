// Grading: every check of a lab evaluated against one execution's results, and the reports
// graders read: GitHub Classroom's result JSON, JUnit XML, and a CSV row per submission.
import { evaluateCheck, type CheckScope } from './checks';
import type { LabCell, LabCodeCell } from '../document/markdown';
import { CHECKSUM_ATTRIBUTE, cellChecksum, cellKeys, cellLabel, isProtected, sameContent } from './release';
import type { ResolvedCheck } from '../language/resolveLab';
import { validateParams } from '../language/validateCell';

export interface GradedCheck {
  name: string;
  points: number;
  hidden: boolean;
  passed: boolean;
  score: number;
  message: string;
}

/** A check's name in reports: its id, else check1, check2... in file order. */
export const checkName = (check: ResolvedCheck, ordinal: number): string => check.id ?? `check${ordinal}`;

export function gradeChecks(checks: readonly ResolvedCheck[], scope: CheckScope): GradedCheck[] {
  return checks.map((check, i) => ({
    name: checkName(check, i + 1),
    points: check.points,
    hidden: check.hidden,
    ...evaluateCheck(check, scope),
  }));
}

// ---- assembling a submission -------------------------------------------------------------------

export interface IntegrityNote {
  cell: string;
  problem: 'modified' | 'deleted' | 'checksum' | 'redeclared' | 'shadowed' | 'duplicate' | 'reserved' | 'unreadable';
  message: string;
}

export interface Assembly {
  /** The submission with every protected cell as the source has it, hidden ones merged back. */
  cells: LabCell[];
  /** What the student may read (every report): nothing here names or confirms a hidden cell. */
  integrity: IntegrityNote[];
  /**
   * For the instructor only (grade --instructor-notes): student cells that had a hidden cell's
   * kind and name or id, or declared a hidden parameter, and were replaced or left out. A student
   * sees nothing of these, as for any other cell grading does not read, so a submission cannot
   * test whether a name it guessed is hidden.
   */
  withheld: IntegrityNote[];
}

interface ProtectedCell {
  cell: LabCodeCell;
  label: string;
  hidden: boolean;
  placed: boolean;
}

/** Where a submission's cell is, for notes that may not name what it collides with. */
const whereIs = (cell: LabCodeCell) =>
  `${cell.kind} cell${cell.bodyLine !== undefined ? ` at line ${cell.bodyLine}` : ''}`;

/**
 * Restores protected cells (checks and `locked` cells) and hidden cells from the instructor's
 * source into a submission. A submission cell that shares a protected cell's kind and id, or
 * its kind and name, stands for it: it is replaced by the source's copy where it stands (a
 * second one is left out), whatever id it was given. A protected cell with no stand-in is put
 * back at the end. Every edit, stand-in, copy and deletion of a visible cell is reported; what
 * concerns hidden cells goes to `withheld`, for the instructor only.
 */
export function assembleSubmission(source: readonly LabCell[], submission: readonly LabCell[]): Assembly {
  const byKey = new Map<string, ProtectedCell>();
  const originals: ProtectedCell[] = [];
  for (const cell of source) {
    if (cell.kind === 'markdown') continue;
    const hidden = cell.attributes.hidden === true;
    if (!hidden && !isProtected(cell)) continue;
    const original: ProtectedCell = { cell, label: cellLabel(cell), hidden, placed: false };
    originals.push(original);
    for (const key of cellKeys(cell)) if (!byKey.has(key)) byKey.set(key, original);
  }
  // A parameter of a protected params cell may not be declared again elsewhere: the first
  // declaration in the file wins, so another params cell could change it.
  const paramsOf = (hidden: boolean) =>
    new Set(
      originals
        .filter((o) => o.cell.kind === 'params' && o.hidden === hidden)
        .flatMap((o) => [...validateParams(o.cell.value).params.keys()]),
    );
  const protectedParams = paramsOf(false);
  const hiddenParams = paramsOf(true);
  const integrity: IntegrityNote[] = [];
  const withheld: IntegrityNote[] = [];
  const note = (cell: string, problem: IntegrityNote['problem'], message: string) =>
    integrity.push({ cell, problem, message });
  const withhold = (cell: string, problem: IntegrityNote['problem'], message: string) =>
    withheld.push({ cell, problem, message });
  const cells: LabCell[] = [];
  for (const cell of submission) {
    if (cell.kind === 'markdown') {
      cells.push(cell);
      continue;
    }
    const matches = [...new Set(cellKeys(cell).flatMap((key) => byKey.get(key) ?? []))];
    if (matches.length === 0) {
      const declared = cell.kind === 'params' ? [...validateParams(cell.value).params.keys()] : [];
      const redeclared = declared.filter((name) => protectedParams.has(name));
      const guessed = declared.filter((name) => hiddenParams.has(name));
      if (redeclared.length > 0)
        note(
          `params ${redeclared.join(', ')}`,
          'redeclared',
          `a params cell declares protected parameters again (${redeclared.join(', ')}); it was left out`,
        );
      if (guessed.length > 0)
        withhold(
          whereIs(cell),
          'reserved',
          `the ${whereIs(cell)} declares hidden parameters (${guessed.join(', ')}); it was left out`,
        );
      if (redeclared.length === 0 && guessed.length === 0) cells.push(cell);
      continue;
    }
    for (const original of matches) {
      const { label } = original;
      if (original.hidden) {
        withhold(
          whereIs(cell),
          'reserved',
          `the ${whereIs(cell)} has the name or id of the hidden ${label}; the hidden cell was graded in its place`,
        );
      } else if (original.placed) {
        note(
          label,
          'duplicate',
          `${label}: another copy (${whereIs(cell)}) was left out; the source version was graded`,
        );
      } else {
        const claimed = cell.attributes[CHECKSUM_ATTRIBUTE];
        const sameKeys = cellKeys(cell).join() === cellKeys(original.cell).join();
        if (!sameKeys)
          note(
            label,
            'shadowed',
            `${label}: a copy with another id or name (${whereIs(cell)}) stood in for it; the source version was graded`,
          );
        else if (typeof claimed === 'string' && claimed !== cellChecksum(cell))
          note(label, 'checksum', `${label}: its checksum does not match its content (it was edited after release)`);
        else if (!sameContent(cell, original.cell))
          note(label, 'modified', `${label} differs from the source; the source version was graded`);
      }
      if (original.placed) continue;
      original.placed = true;
      cells.push(original.cell);
    }
  }
  for (const original of originals) {
    if (original.placed) continue;
    if (!original.hidden)
      note(original.label, 'deleted', `${original.label} was deleted; the source version was graded`);
    cells.push(original.cell);
  }
  return { cells, integrity, withheld };
}

// ---- reports -----------------------------------------------------------------------------------

export interface SubmissionGrade {
  submission: string;
  checks: GradedCheck[];
  /** Student-visible notes: the only ones any report below contains. */
  integrity: IntegrityNote[];
  /** Instructor-only notes (Assembly.withheld); no report below reads them. */
  withheld?: IntegrityNote[];
}

export const maxScore = (checks: readonly GradedCheck[]) => checks.reduce((a, c) => a + c.points, 0);
export const totalScore = (checks: readonly GradedCheck[]) => checks.reduce((a, c) => a + c.score, 0);

/** GitHub Classroom's autograding result (what autograding-grading-reporter reads, base64-encoded). */
export function classroomResult(grade: SubmissionGrade) {
  return {
    version: 1,
    status: grade.checks.every((c) => c.passed) ? 'pass' : 'fail',
    max_score: maxScore(grade.checks),
    tests: grade.checks.map((c) => ({
      name: c.name,
      status: c.passed ? 'pass' : 'fail',
      score: c.score,
      max_score: c.points,
      message: c.message,
      test_code: '',
      filename: '',
      line_no: 0,
      duration: 0,
    })),
    integrity: grade.integrity.map((n) => n.message),
  };
}

const xml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // XML 1.0 has no place for most control characters, U+FFFE, U+FFFF or unpaired surrogates:
    // one of them in a message (a student's policy throws it) would make the whole file unreadable.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');

/** JUnit XML: one testsuite per submission, one testcase per check. */
export function junitXml(grades: readonly SubmissionGrade[]): string {
  const suites = grades.map((g) => {
    const failures = g.checks.filter((c) => !c.passed).length;
    const cases = g.checks.map((c) => {
      const head = `    <testcase classname="${xml(g.submission)}" name="${xml(c.name)}">`;
      return c.passed
        ? `${head}</testcase>`
        : `${head}\n      <failure message="${xml(c.message)}">score 0 of ${c.points}</failure>\n    </testcase>`;
    });
    const errOut = g.integrity.length
      ? [`    <system-err>${xml(g.integrity.map((n) => n.message).join('\n'))}</system-err>`]
      : [];
    return [
      `  <testsuite name="${xml(g.submission)}" tests="${g.checks.length}" failures="${failures}" errors="0">`,
      ...cases,
      ...errOut,
      '  </testsuite>',
    ].join('\n');
  });
  return ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites>', ...suites, '</testsuites>', ''].join('\n');
}

/** One row per submission: total, maximum, each check's score, and integrity problems. */
export function scoreRows(grades: readonly SubmissionGrade[]): Record<string, string | number>[] {
  return grades.map((g) => ({
    submission: g.submission,
    score: totalScore(g.checks),
    max_score: maxScore(g.checks),
    ...Object.fromEntries(g.checks.map((c) => [c.name, c.score])),
    integrity: g.integrity.map((n) => n.message).join('; '),
  }));
}
