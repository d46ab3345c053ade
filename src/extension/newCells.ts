// A code cell the user inserts (the notebook's "+ Code") starts empty in the language of the
// cell before it. Ask which kind of lab cell it is, the likely kind already chosen, and fill it
// with a template that is valid in this lab (it uses the lab's own machine, workload and runs).
// Escape leaves the cell empty; an empty cell shows no problems until something is typed.
import * as vscode from 'vscode';
import { cellTemplate, suggestedKind } from '../lab/language/cellTemplates';
import { labNames } from '../lab/language/editorHelp';
import { CELL_KINDS, type CellKind } from '../lab/document/markdown';
import { CELL_DOCS } from '../lab/language/schema';
import { languageOf, NOTEBOOK_TYPE, toLabCells, type LabCellMetadata } from './cells';

/** Asks for the kind of cell and fills it; resolves when done (or dismissed). */
export async function chooseCellKind(cell: vscode.NotebookCell): Promise<void> {
  const cells = toLabCells(cell.notebook);
  const names = labNames(cells);
  const above = cells.slice(0, cell.index).flatMap((c) => (c.kind === 'markdown' ? [] : [c.kind]));
  const suggested = suggestedKind(above, names);
  type Item = vscode.QuickPickItem & { cellKind: CellKind };
  const pick = vscode.window.createQuickPick<Item>();
  pick.title = 'New lab cell';
  pick.placeholder = `What kind of cell is this? (Enter: ${suggested})`;
  pick.items = CELL_KINDS.map((kind) => ({ cellKind: kind, label: kind, description: CELL_DOCS[kind] }));
  pick.activeItems = pick.items.filter((item) => item.cellKind === suggested);
  pick.ignoreFocusOut = true;
  // Just after inserting a cell the notebook selects it and moves the focus into its editor, and
  // that can close a quick pick shown meanwhile: one closed at once, unanswered, is shown again.
  await selectionSettled(cell.notebook);
  const ask = () =>
    new Promise<CellKind | undefined>((resolve) => {
      const done = (kind: CellKind | undefined) => {
        listeners.forEach((listener) => listener.dispose());
        resolve(kind);
      };
      const listeners = [
        pick.onDidAccept(() => done(pick.selectedItems[0]?.cellKind)),
        pick.onDidHide(() => done(undefined)),
      ];
      pick.show();
    });
  const shown = Date.now();
  let chosen = await ask();
  if (!chosen && Date.now() - shown < 1_000) chosen = await ask();
  pick.dispose();
  // The user may have typed into the cell meanwhile: then it is theirs.
  if (!chosen || cell.document.getText() !== '' || cell.index < 0) return;
  const template = cellTemplate(chosen, names);
  await vscode.languages.setTextDocumentLanguage(cell.document, languageOf(chosen));
  const edit = new vscode.WorkspaceEdit();
  edit.insert(cell.document.uri, new vscode.Position(0, 0), template.value);
  edit.set(cell.notebook.uri, [
    vscode.NotebookEdit.updateCellMetadata(cell.index, {
      ...cell.metadata,
      attributes: template.attributes,
    } satisfies LabCellMetadata),
  ]);
  await vscode.workspace.applyEdit(edit);
}

/** Resolves at the notebook's next selection change, or after a moment if none comes. */
function selectionSettled(notebook: vscode.NotebookDocument): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      subscription.dispose();
      setTimeout(resolve, 0);
    };
    const timer = setTimeout(done, 300);
    const subscription = vscode.window.onDidChangeNotebookEditorSelection((event) => {
      if (event.notebookEditor.notebook === notebook) done();
    });
  });
}

export function registerNewCells(): vscode.Disposable {
  /** One question at a time: a second one would close the first. */
  let asking = false;
  return vscode.workspace.onDidChangeNotebookDocument((event) => {
    if (
      event.notebook.notebookType !== NOTEBOOK_TYPE ||
      vscode.window.activeNotebookEditor?.notebook !== event.notebook
    )
      return;
    for (const change of event.contentChanges) {
      for (const cell of change.addedCells) {
        // Pasted, moved or undone cells come with their text: only a fresh, empty one is asked about.
        if (asking || cell.kind !== vscode.NotebookCellKind.Code || cell.document.getText() !== '') continue;
        asking = true;
        void chooseCellKind(cell).finally(() => (asking = false));
      }
    }
  });
}
