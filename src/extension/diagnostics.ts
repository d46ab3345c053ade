// Problems in cells: squiggles where they are and entries in the Problems panel, from the same
// resolution the run uses, so the editor and the run never disagree about what is wrong.
import * as vscode from 'vscode';
import type { Diagnostic } from '../lab/document/diagnostic';
import { cellPlace, resolveLab } from '../lab/language/resolveLab';
import { NOTEBOOK_TYPE, toLabCells } from './cells';

const SEVERITY = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
} as const;

/** `where` names the cell (`Cell 3 (machine duo)`): the Problems panel lists cells only by the notebook's name. */
export function toVscodeDiagnostic(d: Diagnostic, where?: string): vscode.Diagnostic {
  const range = new vscode.Range(d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character);
  const diagnostic = new vscode.Diagnostic(range, where ? `${where}: ${d.message}` : d.message, SEVERITY[d.severity]);
  diagnostic.source = 'migration-lab';
  diagnostic.code = d.code;
  return diagnostic;
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function registerDiagnostics(): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('migration-lab');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const publish = (notebook: vscode.NotebookDocument) => {
    if (notebook.notebookType !== NOTEBOOK_TYPE) return;
    const cells = toLabCells(notebook);
    const lab = resolveLab(cells);
    for (const cell of notebook.getCells()) {
      // A cell just inserted is empty: it is not wrong until something is typed into it.
      const problems = cells[cell.index].value.trim() === '' ? [] : (lab.diagnostics.get(cell.index) ?? []);
      const where = capitalize(cellPlace(cells, cell.index));
      collection.set(
        cell.document.uri,
        problems.map((d) => toVscodeDiagnostic(d, where)),
      );
    }
  };
  // Typing fires many changes: publish once the user pauses.
  const schedule = (notebook: vscode.NotebookDocument) => {
    const key = notebook.uri.toString();
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => publish(notebook), 150),
    );
  };
  const clear = (notebook: vscode.NotebookDocument) => {
    for (const cell of notebook.getCells()) collection.delete(cell.document.uri);
  };

  vscode.workspace.notebookDocuments.forEach(publish);
  return vscode.Disposable.from(
    collection,
    vscode.workspace.onDidOpenNotebookDocument(publish),
    vscode.workspace.onDidChangeNotebookDocument((event) => schedule(event.notebook)),
    vscode.workspace.onDidCloseNotebookDocument(clear),
    { dispose: () => timers.forEach(clearTimeout) },
  );
}
