// Cell status bar items: "output may be stale" when a cell, or a cell it uses, changed since its
// output was computed (click to re-run); whether a run or comparison still matches the lab's
// results record; the seed of a run; the cell's attributes (name, grade id, points...).
import * as vscode from 'vscode';
import { outputInputsHash } from '../lab/notebook/execute';
import { resolveLab } from '../lab/language/resolveLab';
import { NOTEBOOK_TYPE, toLabCells } from './cells';
import type { OutputMetadata } from './controller';
import { staleness } from '../lab/run/resultsRecord';
import type { ResultsRecords } from './resultsRecords';
import { attributesItem } from './attributeEditing';

const RECORD_TEXT = {
  current: [
    '$(pass) matches the results record',
    'The inputs of this cell are those of the result recorded in the .lab.results.json file.',
  ],
  stale: [
    '$(history) results record is stale',
    'This cell or a cell it uses changed since the results record was written: run the cell (or `migration-lab run`) to record it again.',
  ],
} as const;

export function registerStatusBar(records: ResultsRecords): vscode.Disposable {
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
        const stale = new vscode.NotebookCellStatusBarItem(
          '$(warning) output may be stale',
          vscode.NotebookCellStatusBarAlignment.Left,
        );
        stale.tooltip = 'This cell or a cell it uses changed after the output was computed. Click to run it again.';
        stale.command = {
          title: 'Run cell',
          command: 'notebook.cell.execute',
          arguments: [{ start: cell.index, end: cell.index + 1 }, cell.notebook.uri],
        };
        items.push(stale);
      }
      const run = lab.runs.find((r) => r.cellIndex === cell.index);
      const compare = [...lab.compares, ...lab.runsCompares].find((c) => c.cellIndex === cell.index);
      const record = records.get(cell.notebook);
      const recorded = run ? record?.runs[run.name] : compare ? record?.compares[compare.key] : undefined;
      const state = recorded && staleness(recorded, (run ?? compare)!.inputsHash);
      const restoredFrom = (cell.outputs[0]?.metadata as OutputMetadata | undefined)?.restoredFrom;
      if (restoredFrom) {
        const item = new vscode.NotebookCellStatusBarItem(
          '$(history) restored from the results record',
          vscode.NotebookCellStatusBarAlignment.Right,
        );
        item.tooltip = `This output was shown again from ${restoredFrom}, where it was recorded when the cell last ran; it was not computed now. Run the cell to compute it again.`;
        items.push(item);
      } else if (state === 'current' || state === 'stale') {
        const [text, tooltip] = RECORD_TEXT[state];
        const item = new vscode.NotebookCellStatusBarItem(text, vscode.NotebookCellStatusBarAlignment.Right);
        item.tooltip = tooltip;
        items.push(item);
      }
      if (run)
        items.push(
          new vscode.NotebookCellStatusBarItem(`seed ${run.config.seed}`, vscode.NotebookCellStatusBarAlignment.Right),
        );
      const attributes = attributesItem(cell);
      if (attributes) items.push(attributes);
      return items;
    },
  };
  return vscode.Disposable.from(
    changed,
    records.onDidChange(() => changed.fire()),
    vscode.notebooks.registerNotebookCellStatusBarItemProvider(NOTEBOOK_TYPE, provider),
    // Any edit can make another cell's output stale.
    vscode.workspace.onDidChangeNotebookDocument((event) => {
      if (event.notebook.notebookType === NOTEBOOK_TYPE) changed.fire();
    }),
  );
}
