// Conversion between VS Code notebook cells and the lab model's cells. A code cell's kind is
// its language id (`migration-lab-run` is a run cell); the cell's layout (how it was written)
// and info-string attributes travel in the cell metadata.
import * as vscode from 'vscode';
import { isCellKind, type Attributes, type CellLayout, type LabCell } from '../lab/document/markdown';

export const NOTEBOOK_TYPE = 'migration-lab';
const LANGUAGE_PREFIX = 'migration-lab-';

export const languageOf = (kind: string): string => LANGUAGE_PREFIX + kind;

/** What the serializer stores in each cell's metadata. */
export interface LabCellMetadata {
  layout?: CellLayout;
  attributes?: Attributes;
}

interface CellLike {
  kind: vscode.NotebookCellKind;
  languageId: string;
  value: string;
  metadata?: { [key: string]: unknown };
}

export function fromVscodeCell(cell: CellLike): LabCell {
  const { layout, attributes } = (cell.metadata ?? {}) as LabCellMetadata;
  if (cell.kind === vscode.NotebookCellKind.Markup) return { kind: 'markdown', value: cell.value, metadata: layout };
  const kind = cell.languageId.startsWith(LANGUAGE_PREFIX) ? cell.languageId.slice(LANGUAGE_PREFIX.length) : '';
  if (isCellKind(kind)) return { kind, value: cell.value, attributes: attributes ?? {}, metadata: layout };
  // A code cell switched to another language (say python) is kept as a plain fenced block,
  // so its text is never lost; it opens as Markdown next time.
  const fence = cell.value.includes('```') ? '````' : '```';
  return { kind: 'markdown', value: `${fence}${cell.languageId}\n${cell.value}\n${fence}` };
}

export function toVscodeCell(cell: LabCell): vscode.NotebookCellData {
  if (cell.kind === 'markdown') {
    const data = new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, cell.value, 'markdown');
    data.metadata = { layout: cell.metadata } satisfies LabCellMetadata;
    return data;
  }
  const data = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, cell.value, languageOf(cell.kind));
  data.metadata = { layout: cell.metadata, attributes: cell.attributes } satisfies LabCellMetadata;
  return data;
}

/** The notebook's current cells (including unsaved edits) as lab cells. */
export function toLabCells(notebook: vscode.NotebookDocument): LabCell[] {
  return notebook.getCells().map((cell) =>
    fromVscodeCell({
      kind: cell.kind,
      languageId: cell.document.languageId,
      value: cell.document.getText(),
      metadata: cell.metadata,
    }),
  );
}
