// Cell attributes edited in the notebook: the attributes of a code cell (```policy name=mine,
// ```check id=q1 points=2 hidden) live on the fence line, which a notebook never shows, so each
// code cell's status bar shows them and a click edits them through a quick pick and an input
// box. A policy cell without a name gets a quick fix. The attributes travel in the cell's
// metadata and the serializer writes them back on the fence line: the file format is unchanged.
import * as vscode from 'vscode';
import {
  attributeEntries,
  attributeProblem,
  describeAttributes,
  freshPolicyName,
  withAttribute,
  type AttributeEntry,
} from '../lab/language/cellAttributes';
import { labNames } from '../lab/language/editorHelp';
import type { Attributes, CellKind } from '../lab/document/markdown';
import { declaredName } from '../lab/language/resolveLab';
import { POLICY_NAMES } from '../lab/language/schema';
import { languageOf, toLabCells, type LabCellMetadata } from './cells';

export const EDIT_ATTRIBUTES_COMMAND = 'migration-lab.editCellAttributes';
const NAME_POLICY_COMMAND = 'migration-lab.namePolicyCell';
const NEEDS_NAME = 'policy-needs-name';

/** The lab cell kind of a notebook code cell, from its language id. */
function kindOf(cell: vscode.NotebookCell): CellKind | undefined {
  const kind = cell.document.languageId.replace(/^migration-lab-/, '') as CellKind;
  return cell.kind === vscode.NotebookCellKind.Code && languageOf(kind) === cell.document.languageId ? kind : undefined;
}

const attributesOf = (cell: vscode.NotebookCell): Attributes => (cell.metadata as LabCellMetadata).attributes ?? {};

/** The status bar item showing a code cell's attributes; a click edits them. */
export function attributesItem(cell: vscode.NotebookCell): vscode.NotebookCellStatusBarItem | undefined {
  const kind = kindOf(cell);
  if (!kind) return undefined;
  const attributes = attributesOf(cell);
  const labCell = toLabCells(cell.notebook)[cell.index];
  // An empty cell is one just inserted: nothing is missing yet.
  const unnamedPolicy =
    kind === 'policy' &&
    labCell.kind === 'policy' &&
    labCell.value.trim() !== '' &&
    declaredName(labCell) === undefined;
  const shown = describeAttributes(kind, attributes);
  // Cells with nothing set show the icon alone: most cells never need an attribute.
  const text = unnamedPolicy ? `$(warning) no name${shown ? ` · ${shown}` : ''}` : shown ? `$(tag) ${shown}` : '$(tag)';
  const item = new vscode.NotebookCellStatusBarItem(text, vscode.NotebookCellStatusBarAlignment.Left);
  const offered = attributeEntries(kind, attributes)
    .map((e) => e.key)
    .join(', ');
  item.tooltip = unnamedPolicy
    ? 'This policy has no name yet: click to name it, so runs can use it.'
    : `Cell attributes (${offered}): click to change them. They are kept on the fence line of the file.`;
  item.accessibilityInformation = { label: `Cell attributes: ${shown || 'none set'}` };
  item.command = unnamedPolicy
    ? { title: 'Name this policy', command: NAME_POLICY_COMMAND, arguments: [cell] }
    : { title: 'Edit cell attributes', command: EDIT_ATTRIBUTES_COMMAND, arguments: [cell] };
  return item;
}

/** Replaces a cell's attributes (one undoable notebook edit). */
async function setAttributes(cell: vscode.NotebookCell, attributes: Attributes): Promise<boolean> {
  const edit = new vscode.WorkspaceEdit();
  edit.set(cell.notebook.uri, [
    vscode.NotebookEdit.updateCellMetadata(cell.index, { ...cell.metadata, attributes } satisfies LabCellMetadata),
  ]);
  return vscode.workspace.applyEdit(edit);
}

/** Asks for an attribute's value, checked as it is typed; undefined when the user cancels. */
async function askValue(kind: CellKind, entry: AttributeEntry, placeholder?: string): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: `${kind} cell: ${entry.key}`,
    prompt: `${entry.field.doc}${entry.key === 'name' ? '' : ' Leave empty to remove it.'}`,
    value: typeof entry.value === 'string' ? entry.value : (placeholder ?? ''),
    valueSelection: [0, (typeof entry.value === 'string' ? entry.value : (placeholder ?? '')).length],
    validateInput: (text) =>
      entry.key === 'name' && text.trim() === '' ? 'A policy needs a name.' : attributeProblem(kind, entry.key, text),
  });
}

/** Names a policy cell: `name`, or one typed into an input box that proposes a name no other policy has. */
async function namePolicy(cell: vscode.NotebookCell, name?: string): Promise<void> {
  const entry = attributeEntries('policy', attributesOf(cell)).find((e) => e.key === 'name')!;
  name ??= await askValue('policy', entry, unusedPolicyName(cell.notebook));
  if (name !== undefined) await setAttributes(cell, withAttribute(attributesOf(cell), 'name', name));
}

function unusedPolicyName(notebook: vscode.NotebookDocument): string {
  return freshPolicyName([...POLICY_NAMES, ...labNames(toLabCells(notebook)).policy]);
}

/** The quick pick of a cell's attributes: a flag toggles, a value opens an input box. */
async function editAttributes(cell: vscode.NotebookCell | undefined): Promise<void> {
  cell ??= activeCell();
  const kind = cell && kindOf(cell);
  if (!cell || !kind) return;
  type Pick = vscode.QuickPickItem & { entry: AttributeEntry };
  const items: Pick[] = attributeEntries(kind, attributesOf(cell)).map((entry) => ({
    entry,
    label: entry.key,
    description: entry.flag
      ? entry.value === true
        ? '$(check) on'
        : 'off'
      : typeof entry.value === 'string'
        ? entry.value
        : 'not set',
    detail: entry.field.doc,
  }));
  const picked = await vscode.window.showQuickPick(items, {
    title: `Attributes of this ${kind} cell`,
    placeHolder: 'Pick an attribute to change',
  });
  if (!picked) return;
  const { entry } = picked;
  if (entry.flag) {
    await setAttributes(cell, withAttribute(attributesOf(cell), entry.key, entry.value !== true));
    return;
  }
  const value = await askValue(
    kind,
    entry,
    entry.key === 'name' ? unusedPolicyName(cell.notebook) : entry.field.default,
  );
  if (value !== undefined) await setAttributes(cell, withAttribute(attributesOf(cell), entry.key, value));
}

function activeCell(): vscode.NotebookCell | undefined {
  const editor = vscode.window.activeNotebookEditor;
  return editor && editor.notebook.cellAt(editor.selection.start);
}

/** The cell a cell document belongs to. */
function cellOfDocument(document: vscode.TextDocument): vscode.NotebookCell | undefined {
  for (const notebook of vscode.workspace.notebookDocuments) {
    const cell = notebook.getCells().find((c) => c.document === document);
    if (cell) return cell;
  }
  return undefined;
}

/** Quick fixes for "a policy cell needs a name": a fresh name at once, or one typed in. */
const needsNameFixes: vscode.CodeActionProvider = {
  provideCodeActions(document, _range, context) {
    const diagnostic = context.diagnostics.find((d) => d.code === NEEDS_NAME);
    const cell = diagnostic && cellOfDocument(document);
    if (!diagnostic || !cell) return [];
    const name = unusedPolicyName(cell.notebook);
    const now = new vscode.CodeAction(`Name this policy "${name}"`, vscode.CodeActionKind.QuickFix);
    now.diagnostics = [diagnostic];
    now.isPreferred = true;
    now.command = { title: now.title, command: NAME_POLICY_COMMAND, arguments: [cell, name] };
    const ask = new vscode.CodeAction('Name this policy…', vscode.CodeActionKind.QuickFix);
    ask.diagnostics = [diagnostic];
    ask.command = { title: 'Name this policy…', command: NAME_POLICY_COMMAND, arguments: [cell] };
    return [now, ask];
  },
};

export function registerAttributeEditing(): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand(EDIT_ATTRIBUTES_COMMAND, editAttributes),
    vscode.commands.registerCommand(NAME_POLICY_COMMAND, (cell?: vscode.NotebookCell, name?: string) => {
      cell ??= activeCell();
      return cell && kindOf(cell) === 'policy' ? namePolicy(cell, name) : undefined;
    }),
    vscode.languages.registerCodeActionsProvider({ language: languageOf('policy') }, needsNameFixes, {
      providedCodeActionKinds: [vscode.CodeActionKind.QuickFix],
    }),
  );
}
