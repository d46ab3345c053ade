// Grading: every check of a lab evaluated against one execution's results, and the reports
// graders read: GitHub Classroom's result JSON, JUnit XML, and a CSV row per submission.
import { evaluateCheck, type CheckScope } from './checks';
import type { LabCell, LabCodeCell } from './markdown';
import { CHECKSUM_ATTRIBUTE, cellChecksum, cellKey, cellLabel, isProtected, sameContent } from './release';
import type { ResolvedCheck } from './resolve';
import { validateParams } from './validate';

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
  return checks.map((check, i) => ({ name: checkName(check, i + 1), points: check.points, hidden: check.hidden, ...evaluateCheck(check, scope) }));
}

// ---- assembling a submission -------------------------------------------------------------------

export interface IntegrityNote {
  cell: string;
  problem: 'modified' | 'deleted' | 'checksum' | 'redeclared';
  message: string;
}

export interface Assembly {
  /** The submission with every protected cell as the source has it, hidden ones merged back. */
  cells: LabCell[];
  integrity: IntegrityNote[];
}

/**
 * Restores protected cells (checks and `locked` cells) from the instructor's source into a
 * submission: an edited copy is replaced in place, a deleted one is put back at the end, and
 * hidden cells (never released) are merged in. Every edit or deletion is reported; a
 * `checksum=` that no longer matches the cell it sits on is reported too.
 */
export function assembleSubmission(source: readonly LabCell[], submission: readonly LabCell[]): Assembly {
  const protectedSource = new Map<string, LabCodeCell>();
  for (const cell of source) {
    if (cell.kind === 'markdown') continue;
    // Hidden cells (a hidden run that a hidden check reads) come back the same way.
    const key = cell.attributes.hidden === true || isProtected(cell) ? cellKey(cell) : undefined;
    if (key !== undefined && !protectedSource.has(key)) protectedSource.set(key, cell);
  }
  // A parameter of a protected params cell may not be declared again elsewhere: the first
  // declaration in the file wins, so another params cell could change it.
  const protectedParams = new Set([...protectedSource.values()].filter((c) => c.kind === 'params').flatMap((c) => [...validateParams(c.value).params.keys()]));
  const integrity: IntegrityNote[] = [];
  const placed = new Set<string>();
  const cells: LabCell[] = [];
  for (const cell of submission) {
    const key = cell.kind === 'markdown' ? undefined : cellKey(cell);
    const original = key === undefined ? undefined : protectedSource.get(key);
    if (!original || cell.kind === 'markdown') {
      const redeclared = cell.kind === 'params' ? [...validateParams(cell.value).params.keys()].filter((name) => protectedParams.has(name)) : [];
      if (redeclared.length > 0) {
        integrity.push({ cell: `params ${redeclared.join(', ')}`, problem: 'redeclared', message: `a params cell declares protected parameters again (${redeclared.join(', ')}); it was left out` });
        continue;
      }
      cells.push(cell);
      continue;
    }
    if (placed.has(key!)) continue; // a second copy of a protected cell: the first one stands
    placed.add(key!);
    const label = cellLabel(original);
    const claimed = cell.attributes[CHECKSUM_ATTRIBUTE];
    if (typeof claimed === 'string' && claimed !== cellChecksum(cell)) {
      integrity.push({ cell: label, problem: 'checksum', message: `${label}: its checksum does not match its content (it was edited after release)` });
    }
    if (!sameContent(cell, original) && !integrity.some((n) => n.cell === label)) {
      integrity.push({ cell: label, problem: 'modified', message: `${label} differs from the source; the source version was graded` });
    }
    cells.push(original);
  }
  for (const [key, original] of protectedSource) {
    if (placed.has(key)) continue;
    if (original.attributes.hidden !== true) {
      const label = cellLabel(original);
      integrity.push({ cell: label, problem: 'deleted', message: `${label} was deleted; the source version was graded` });
    }
    cells.push(original);
  }
  return { cells, integrity };
}

// ---- reports -----------------------------------------------------------------------------------

export interface SubmissionGrade {
  submission: string;
  checks: GradedCheck[];
  integrity: IntegrityNote[];
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
    // XML 1.0 has no place for most control characters.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

/** JUnit XML: one testsuite per submission, one testcase per check. */
export function junitXml(grades: readonly SubmissionGrade[]): string {
  const suites = grades.map((g) => {
    const failures = g.checks.filter((c) => !c.passed).length;
    const cases = g.checks.map((c) => {
      const head = `    <testcase classname="${xml(g.submission)}" name="${xml(c.name)}">`;
      return c.passed ? `${head}</testcase>` : `${head}\n      <failure message="${xml(c.message)}">score 0 of ${c.points}</failure>\n    </testcase>`;
    });
    const errOut = g.integrity.length ? [`    <system-err>${xml(g.integrity.map((n) => n.message).join('\n'))}</system-err>`] : [];
    return [`  <testsuite name="${xml(g.submission)}" tests="${g.checks.length}" failures="${failures}" errors="0">`, ...cases, ...errOut, '  </testsuite>'].join('\n');
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
