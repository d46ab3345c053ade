// "Migration Lab: Export Lab to HTML": the report `migration-lab export` writes, from the editor.
// The notebook's current text (unsaved edits included) is run headless from the first cell to
// the last, exactly as the command line runs a lab file, and the standalone HTML report is
// written where the user picks (beside the lab by default).
import * as vscode from 'vscode';
import { checkScopeOf, executeLab } from '../cli/executeLab';
import { htmlReport, type DrawChart } from '../cli/htmlReport';
import { gradeChecks, maxScore, totalScore } from '../lab/grading/grade';
import { parseLab, serializeLab } from '../lab/document/markdown';
import { cellPlace, resolveLab } from '../lab/language/resolveLab';
import type { RunHost } from '../lab/run/runHost';
import { NOTEBOOK_TYPE, toLabCells } from './cells';

export const EXPORT_COMMAND = 'migration-lab.exportHtml';

/** Where the report goes by default: `intro.lab.md` -> `intro.html`, beside it (or in the workspace). */
function defaultTarget(notebook: vscode.NotebookDocument): vscode.Uri {
  const name = `${notebook.uri.path
    .split('/')
    .pop()!
    .replace(/\.lab\.md$|\.md$/, '')}.html`;
  const folder = notebook.isUntitled
    ? vscode.workspace.workspaceFolders?.[0]?.uri
    : vscode.Uri.joinPath(notebook.uri, '..');
  return folder ? vscode.Uri.joinPath(folder, name) : vscode.Uri.file(`/${name}`);
}

export async function exportLab(
  host: RunHost,
  drawChart: DrawChart,
  notebook = vscode.window.activeNotebookEditor?.notebook,
): Promise<vscode.Uri | undefined> {
  if (notebook?.notebookType !== NOTEBOOK_TYPE) {
    void vscode.window.showErrorMessage('Open a lab (a .lab.md notebook) to export it.');
    return undefined;
  }
  // What the file would hold if saved now, read back as the command line reads a file.
  const cells = parseLab(serializeLab(toLabCells(notebook)));
  const lab = resolveLab(cells);
  const errors = [...lab.diagnostics].flatMap(([i, ds]) =>
    ds.filter((d) => d.severity === 'error').map((d) => `${cellPlace(cells, i)}: ${d.message}`),
  );
  if (errors.length > 0) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
    void vscode.window
      .showErrorMessage(`The lab cannot be exported until its problems are fixed: ${errors[0]}${more}`, 'Show Problems')
      .then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.actions.view.problems');
      });
    return undefined;
  }
  const target = await vscode.window.showSaveDialog({
    defaultUri: defaultTarget(notebook),
    filters: { 'HTML report': ['html'] },
    title: 'Export Lab to HTML',
    saveLabel: 'Export',
  });
  if (!target) return undefined;
  const name = notebook.uri.path.split('/').pop()!;
  const written = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Exporting ${name}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const subscription = token.onCancellationRequested(() => abort.abort());
      try {
        progress.report({ message: 'running every cell…' });
        const execution = await executeLab(cells, {
          host,
          signal: abort.signal,
          runsUserCode: vscode.workspace.isTrusted,
        });
        if (abort.signal.aborted) return undefined;
        const checks = gradeChecks(execution.lab.checks, checkScopeOf(execution));
        progress.report({ message: 'drawing the charts…' });
        const html = await htmlReport({ file: name, params: {}, cells }, execution, checks, drawChart);
        await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(html));
        return { checks };
      } finally {
        subscription.dispose();
      }
    },
  );
  if (!written) return undefined;
  const score =
    written.checks.length > 0 ? `, score ${totalScore(written.checks)} of ${maxScore(written.checks)} points` : '';
  void vscode.window
    .showInformationMessage(`Report written to ${vscode.workspace.asRelativePath(target)}${score}.`, 'Open in Browser')
    .then((choice) => {
      if (choice) void vscode.env.openExternal(target);
    });
  return target;
}
