// The lab's score in the window's status bar while a lab with checks is the active notebook:
// points earned of the total, from the check cells' outputs (each carries its score), so it
// counts the checks run in this session and those restored from the results record alike.
import * as vscode from 'vscode';
import { resolveLab } from '../lab/language/resolveLab';
import { NOTEBOOK_TYPE, toLabCells } from './cells';
import type { OutputMetadata } from './controller';

export interface LabScore {
  earned: number;
  total: number;
  checks: number;
  /** Checks without a verdict yet (not run, or they could not be evaluated). */
  ungraded: number;
}

/** The score of a lab notebook's checks, or undefined when it has none. */
export function labScore(notebook: vscode.NotebookDocument): LabScore | undefined {
  const checks = resolveLab(toLabCells(notebook)).checks;
  if (checks.length === 0) return undefined;
  const score: LabScore = { earned: 0, total: 0, checks: checks.length, ungraded: 0 };
  for (const check of checks) {
    score.total += check.points;
    const graded = (notebook.cellAt(check.cellIndex).outputs[0]?.metadata as OutputMetadata | undefined)?.check;
    if (graded) score.earned += graded.score;
    else score.ungraded++;
  }
  return score;
}

export function registerLabScore(): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('migration-lab.score', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Migration Lab score';
  const update = () => {
    const notebook = vscode.window.activeNotebookEditor?.notebook;
    const score = notebook?.notebookType === NOTEBOOK_TYPE ? labScore(notebook) : undefined;
    if (!score) {
      item.hide();
      return;
    }
    const points = (n: number) => `${n} ${n === 1 ? 'point' : 'points'}`;
    const notRun =
      score.ungraded > 0 ? ` (${score.ungraded} ${score.ungraded === 1 ? 'check' : 'checks'} not run)` : '';
    item.text = `$(checklist) ${score.earned} of ${points(score.total)}${notRun}`;
    item.tooltip =
      `Lab score: ${score.earned} of ${points(score.total)} from ${score.checks} ${score.checks === 1 ? 'check' : 'checks'}` +
      (score.ungraded > 0 ? `; ${score.ungraded} not graded yet (run them, or Run All)` : '');
    item.command = score.ungraded > 0 ? 'notebook.execute' : undefined;
    item.show();
  };
  update();
  return vscode.Disposable.from(
    item,
    vscode.window.onDidChangeActiveNotebookEditor(update),
    vscode.workspace.onDidChangeNotebookDocument((event) => {
      if (event.notebook === vscode.window.activeNotebookEditor?.notebook) update();
    }),
  );
}
