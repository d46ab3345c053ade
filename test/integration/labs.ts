// What the integration suites do with labs: write one into the workspace, open it as a notebook
// with the Migration Lab controller, run cells and wait for them, read outputs and diagnostics.
import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { extensionId, workspaceUri } from './workspace';

export const NOTEBOOK_TYPE = 'migration-lab';
export const RUN_MIME = 'application/vnd.migration-lab.run+json';
export const CHART_MIME = 'application/vnd.migration-lab.chart+json';
export const ERROR_MIME = 'application/vnd.code.notebook.error';

/** Opens a lab as a notebook, shows it, and selects the Migration Lab controller for it. */
export async function openLab(uri: vscode.Uri): Promise<vscode.NotebookDocument> {
  const notebook = await vscode.workspace.openNotebookDocument(uri);
  const editor = await vscode.window.showNotebookDocument(notebook);
  await vscode.commands.executeCommand('notebook.selectKernel', {
    editor,
    id: 'migration-lab-kernel',
    extension: extensionId,
  });
  return notebook;
}

/** Writes `text` as `<fileName>` in the workspace and opens it as a lab. */
export async function writeLab(fileName: string, text: string): Promise<vscode.NotebookDocument> {
  const uri = workspaceUri(fileName);
  await writeFile(uri.fsPath, text);
  return openLab(uri);
}

/** A lab's text from fenced cells: `cell('run', 'name: a\n...')`, joined with prose between them. */
export function cell(info: string, body: string): string {
  return '```' + info + '\n' + body.replace(/\n$/, '') + '\n```\n';
}

export function codeCells(notebook: vscode.NotebookDocument): vscode.NotebookCell[] {
  return notebook.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
}

export function cellsOfKind(notebook: vscode.NotebookDocument, kind: string): vscode.NotebookCell[] {
  return codeCells(notebook).filter((c) => c.document.languageId === `migration-lab-${kind}`);
}

/** The code cell whose text starts with `firstLine` (e.g. `name: base`); fails when there is none or more. */
export function cellStartingWith(notebook: vscode.NotebookDocument, firstLine: string): vscode.NotebookCell {
  const found = codeCells(notebook).filter((c) => c.document.lineAt(0).text === firstLine);
  assert.equal(found.length, 1, `expected one cell starting with ${JSON.stringify(firstLine)}, found ${found.length}`);
  return found[0];
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns something truthy; throws `what` on timeout. */
export async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(50);
  }
}

/** Resolves when every given cell has an execution that ended at or after `since` (ms). */
export async function executed(cells: vscode.NotebookCell[], since: number, timeoutMs = 50_000): Promise<void> {
  const done = (c: vscode.NotebookCell) => (c.executionSummary?.timing?.endTime ?? 0) >= since;
  try {
    await until('cells to finish executing', () => cells.every(done), timeoutMs);
  } catch {
    throw new Error(
      `cells ${cells
        .filter((c) => !done(c))
        .map((c) => c.index)
        .join(', ')} did not finish executing within ${timeoutMs / 1000} s`,
    );
  }
}

/** Executes the given cells (in one request, as a person selecting them would) and waits for them. */
export async function execute(
  notebook: vscode.NotebookDocument,
  cells: vscode.NotebookCell[],
  timeoutMs?: number,
): Promise<void> {
  const since = Date.now();
  await vscode.commands.executeCommand('notebook.cell.execute', {
    ranges: cells.map((c) => ({ start: c.index, end: c.index + 1 })),
    document: notebook.uri,
  });
  await executed(cells, since, timeoutMs);
}

/** Every output item of `mime` in a cell, decoded as JSON. */
export function outputItems(c: vscode.NotebookCell, mime: string): unknown[] {
  return c.outputs.flatMap((output) =>
    output.items.filter((item) => item.mime === mime).map((item) => JSON.parse(new TextDecoder().decode(item.data))),
  );
}

/** The JSON of the first output item of `mime` in a cell. */
export function outputJson(c: vscode.NotebookCell, mime: string): unknown {
  const [first] = outputItems(c, mime);
  if (first !== undefined) return first;
  const shown = c.outputs.flatMap((output) => output.items.map((item) => item.mime));
  assert.fail(`cell ${c.index} has no ${mime} output (it has: ${shown.join(', ') || 'none'})`);
}

/** Replaces the whole text of a cell through a workspace edit, as typing would. */
export async function setCellText(c: vscode.NotebookCell, text: string): Promise<void> {
  const document = c.document;
  const edit = new vscode.WorkspaceEdit();
  edit.replace(
    document.uri,
    new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)),
    text,
  );
  assert.equal(await vscode.workspace.applyEdit(edit), true, 'the edit was not applied');
}
