// Results that survive closing a lab. Outputs are transient (never written into the lab), so a
// run or comparison that finishes in the editor is written into the results record beside the
// lab, as `migration-lab run` writes it. When the lab is opened again, its run summaries,
// comparison tables and check verdicts are shown from that record (stale ones marked stale by
// the status bar, as any output whose cells changed), and its charts whose runs are recorded as
// current are drawn again (a chart needs the full result, which the record does not keep).
import * as vscode from 'vscode';
import type { LabSession } from '../lab/notebook/execute';
import { COMPARE_MIME, RUN_MIME, type CompareOutput, type RunOutput } from '../lab/outputs/contract';
import { compareKeys, resolveLab, type ResolvedLab } from '../lab/language/resolveLab';
import { restoredOutputs } from '../lab/notebook/restore';
import {
  recordCompare,
  recordRun,
  resultsPathFor,
  staleness,
  type RecordedCompare,
  type RecordedRun,
  type ResultsRecord,
} from '../lab/run/resultsRecord';
import { SIM_VERSION } from '../sim';
import { NOTEBOOK_TYPE, toLabCells } from './cells';
import { CONTROLLER_ID, type CellRun, type LabController } from './controller';
import type { ResultsRecords } from './resultsRecords';

export const KEEP_RESULTS_SETTING = 'migrationLab.keepResults';

const keepResults = () => vscode.workspace.getConfiguration().get<boolean>(KEEP_RESULTS_SETTING, true);

function itemData<T>(run: CellRun, mime: string): T | undefined {
  if (!run.outcome.ok) return undefined;
  return run.outcome.outputs.flatMap((o) => o.items).find((item) => item.mime === mime)?.data as T | undefined;
}

/** Records a run or comparison that has just finished in the editor. */
function recordFinished(records: ResultsRecords, run: CellRun): Promise<void> | undefined {
  if (!run.outcome.ok || run.outcome.inputsHash === undefined || !keepResults()) return undefined;
  const cells = toLabCells(run.notebook);
  const lab = resolveLab(cells);
  const params = Object.fromEntries([...lab.params].map(([name, { value }]) => [name, value]));
  const runs: Record<string, RecordedRun> = {};
  const compares: Record<string, RecordedCompare> = {};
  const runOutput = itemData<RunOutput>(run, RUN_MIME);
  const compareOutput = itemData<CompareOutput>(run, COMPARE_MIME);
  if (runOutput) runs[runOutput.name] = recordRun(runOutput, run.outcome.inputsHash, SIM_VERSION);
  else if (compareOutput)
    compares[compareKeys(cells).get(run.cell.index)!] = recordCompare(
      compareOutput,
      run.outcome.inputsHash,
      SIM_VERSION,
    );
  else return undefined;
  return records.update(run.notebook, params, runs, compares);
}

/** Charts whose every run is recorded with the cells as they are now: drawing them again gives the recorded result. */
function redrawableCharts(
  notebook: vscode.NotebookDocument,
  lab: ResolvedLab,
  record: ResultsRecord,
  session: LabSession,
): vscode.NotebookCell[] {
  return lab.charts
    .filter((chart) => chart.runs.length > 0)
    .filter((chart) =>
      chart.runs.every((name) => {
        const run = lab.runs.find((r) => r.name === name);
        // Policy code does not run in an untrusted workspace: such a chart would only show why.
        return (
          run !== undefined &&
          staleness(record.runs[name], run.inputsHash) === 'current' &&
          (session.runsUserCode || run.policyCell === undefined)
        );
      }),
    )
    .map((chart) => notebook.cellAt(chart.cellIndex));
}

export function registerKeptResults(
  extensionId: string,
  controller: LabController,
  records: ResultsRecords,
  sessionFor: (notebook: vscode.NotebookDocument) => LabSession,
): vscode.Disposable {
  const restored = new WeakSet<vscode.NotebookDocument>();

  const restore = async (editor: vscode.NotebookEditor) => {
    const notebook = editor.notebook;
    if (notebook.notebookType !== NOTEBOOK_TYPE || notebook.isUntitled || restored.has(notebook) || !keepResults())
      return;
    restored.add(notebook);
    const record = await records.read(notebook);
    if (!record) return;
    const cells = toLabCells(notebook);
    const lab = resolveLab(cells);
    const outputs = restoredOutputs(cells, lab, record).filter(
      ({ cellIndex }) => notebook.cellAt(cellIndex).outputs.length === 0,
    );
    const charts = redrawableCharts(notebook, lab, record, sessionFor(notebook)).filter(
      (cell) => cell.outputs.length === 0,
    );
    if (outputs.length === 0 && charts.length === 0) return;
    // Outputs can only be shown by the notebook's controller: this lab's is the only one there is.
    await vscode.commands.executeCommand('notebook.selectKernel', {
      notebookEditor: editor,
      id: CONTROLLER_ID,
      extension: extensionId,
    });
    const from = resultsPathFor(notebook.uri.path).split('/').pop()!;
    for (const { cellIndex, outcome } of outputs) await controller.restore(notebook.cellAt(cellIndex), outcome, from);
    await controller.execute(charts);
  };

  // Labs shown before the extension started (it starts when the first one opens) get no event.
  vscode.window.visibleNotebookEditors.forEach((editor) => void restore(editor));
  return vscode.Disposable.from(
    controller.onDidRunCell((run) => void recordFinished(records, run)),
    vscode.window.onDidChangeVisibleNotebookEditors((editors) => editors.forEach((editor) => void restore(editor))),
    vscode.workspace.onDidCloseNotebookDocument((notebook) => restored.delete(notebook)),
  );
}
