// Grading: every check of a lab evaluated against one execution's results, and the reports
// graders read: GitHub Classroom's result JSON, JUnit XML, and a CSV row per submission.
import { evaluateCheck, type CheckScope } from './checks';
import type { ResolvedCheck } from './resolve';

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
