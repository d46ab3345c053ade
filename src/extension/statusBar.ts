// Cell status bar items: "output may be stale" when a cell, or a cell it uses, changed since its
// output was computed (click to re-run); the seed of a run; the grade id and points of a check.
import * as vscode from 'vscode';
import { outputInputsHash } from '../lab/execute';
import { resolveLab } from '../lab/resolve';
import { NOTEBOOK_TYPE, toLabCells } from './cells';
import type { OutputMetadata } from './controller';

export function registerStatusBar(): vscode.Disposable {
  const changed = new vscode.EventEmitter<void>();
  const provider: vscode.NotebookCellStatusBarItemProvider = {
    onDidChangeCellStatusBarItems: changed.event,
    provideCellStatusBarItems(cell) {
      if (cell.kind !== vscode.NotebookCellKind.Code) return [];
      const cells = toLabCells(cell.notebook);
      const lab = resolveLab(cells);
      const items: vscode.NotebookCellStatusBarItem[] = [];

      const stored = (cell.outputs[0]?.metadata as OutputMetadata | undefined)?.inputsHash;
      if (stored !== undefined && stored !== outputInputsHash(lab, cells, cell.index)) {
        const stale = new vscode.NotebookCellStatusBarItem('$(warning) output may be stale', vscode.NotebookCellStatusBarAlignment.Left);
        stale.tooltip = 'This cell or a cell it uses changed after the output was computed. Click to run it again.';
        stale.command = { title: 'Run cell', command: 'notebook.cell.execute', arguments: [{ start: cell.index, end: cell.index + 1 }, cell.notebook.uri] };
        items.push(stale);
      }
      const run = lab.runs.find((r) => r.cellIndex === cell.index);
      if (run) items.push(new vscode.NotebookCellStatusBarItem(`seed ${run.config.seed}`, vscode.NotebookCellStatusBarAlignment.Right));
      const check = lab.checks.find((c) => c.cellIndex === cell.index);
      if (check) {
        const text = `${check.id ? `${check.id} · ` : ''}${check.points} ${check.points === 1 ? 'point' : 'points'}${check.hidden ? ' · hidden' : ''}`;
        items.push(new vscode.NotebookCellStatusBarItem(text, vscode.NotebookCellStatusBarAlignment.Right));
      }
      return items;
    },
  };
  return vscode.Disposable.from(
    changed,
    vscode.notebooks.registerNotebookCellStatusBarItemProvider(NOTEBOOK_TYPE, provider),
    // Any edit can make another cell's output stale.
    vscode.workspace.onDidChangeNotebookDocument((event) => {
      if (event.notebook.notebookType === NOTEBOOK_TYPE) changed.fire();
    }),
  );
}
