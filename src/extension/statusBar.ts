// Cell status bar items: "output may be stale" when a cell, or a cell it uses, changed since its
// output was computed (click to re-run); whether a run or comparison still matches the lab's
// results record; the seed of a run; the grade id and points of a check.
import * as vscode from 'vscode';
import { outputInputsHash } from '../lab/execute';
import { resolveLab } from '../lab/resolve';
import { NOTEBOOK_TYPE, toLabCells } from './cells';
import type { OutputMetadata } from './controller';
import { staleness } from '../lab/results';
import { ResultsRecords } from './resultsRecords';

const RECORD_TEXT = {
  current: ['$(pass) matches the results record', 'The inputs of this cell are those of the result recorded in the .lab.results.json file.'],
  stale: ['$(history) results record is stale', 'This cell or a cell it uses changed since the results record was written: run `migration-lab run` to record it again.'],
} as const;

export function registerStatusBar(): vscode.Disposable {
  const changed = new vscode.EventEmitter<void>();
  const records = new ResultsRecords();
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
      const compare = lab.compares.find((c) => c.cellIndex === cell.index);
      const record = records.get(cell.notebook);
      const recorded = run ? record?.runs[run.name] : compare ? record?.compares[compare.key] : undefined;
      const state = recorded && staleness(recorded, (run ?? compare)!.inputsHash);
      if (state === 'current' || state === 'stale') {
        const [text, tooltip] = RECORD_TEXT[state];
        const item = new vscode.NotebookCellStatusBarItem(text, vscode.NotebookCellStatusBarAlignment.Right);
        item.tooltip = tooltip;
        items.push(item);
      }
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
    records,
    records.onDidChange(() => changed.fire()),
    vscode.notebooks.registerNotebookCellStatusBarItemProvider(NOTEBOOK_TYPE, provider),
    // Any edit can make another cell's output stale.
    vscode.workspace.onDidChangeNotebookDocument((event) => {
      if (event.notebook.notebookType === NOTEBOOK_TYPE) changed.fire();
    }),
  );
}
