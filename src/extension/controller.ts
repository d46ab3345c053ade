// The notebook controller: runs cells of one notebook strictly in order through a queue,
// shows them as pending up front, reports progress, cancels through the execution token,
// and shows errors in the cell that failed while the others still run.
import * as vscode from 'vscode';
import type { CellOutcome, CheckScore, LabSession } from '../lab/notebook/execute';
import { languageOf, toLabCells } from './cells';
import { CELL_KINDS } from '../lab/document/markdown';

export const CONTROLLER_ID = 'migration-lab-kernel';

/** Metadata on every output this controller writes. */
export interface OutputMetadata {
  inputsHash?: string;
  /** On a check cell's output: its score and points, for the lab's total. */
  check?: CheckScore;
  /** Set on outputs shown again from the results record (its file name) rather than computed now. */
  restoredFrom?: string;
}

/** A cell that finished running, with what it produced. */
export interface CellRun {
  notebook: vscode.NotebookDocument;
  cell: vscode.NotebookCell;
  outcome: CellOutcome;
}

export class LabController implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  /** The tail of each notebook's queue: new batches run after it. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly executionOrder = new Map<string, number>();
  /** Cells already waiting or running, so a second request for one is ignored. */
  private readonly pending = new Set<vscode.NotebookCell>();
  private readonly ran = new vscode.EventEmitter<CellRun>();
  /** Fires when a cell has run (not when it was cancelled), after its outputs are shown. */
  readonly onDidRunCell = this.ran.event;

  constructor(
    private readonly sessionFor: (notebook: vscode.NotebookDocument) => LabSession,
    notebookType: string,
  ) {
    this.controller = vscode.notebooks.createNotebookController(CONTROLLER_ID, notebookType, 'Migration Lab');
    // Every cell kind's language (package.json declares one per kind).
    this.controller.supportedLanguages = CELL_KINDS.map(languageOf);
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'Process-migration simulator';
    this.controller.executeHandler = (cells, notebook) => this.enqueue(cells, notebook);
  }

  dispose(): void {
    this.controller.dispose();
    this.ran.dispose();
  }

  /** Runs cells as Run Cell does (the controller must be the notebook's selected one). */
  execute(cells: vscode.NotebookCell[]): Promise<void> {
    return cells.length === 0 ? Promise.resolve() : this.enqueue(cells, cells[0].notebook);
  }

  /**
   * Shows outputs computed earlier (from the results record) in a cell, through an execution
   * without an order number or timing, as outputs that were already there when it opened.
   */
  async restore(
    cell: vscode.NotebookCell,
    outcome: Exclude<CellOutcome, { cancelled: true }>,
    from: string,
  ): Promise<void> {
    if (this.pending.has(cell) || cell.outputs.length > 0) return;
    const execution = this.controller.createNotebookCellExecution(cell);
    execution.start();
    await execution.replaceOutput(toOutputs(outcome, from));
    execution.end(outcome.ok);
  }

  /** Resolves when this batch has finished, so callers (and tests) can await execution. */
  private enqueue(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    const key = notebook.uri.toString();
    const executions = cells
      .filter((cell) => cell.kind === vscode.NotebookCellKind.Code && !this.pending.has(cell))
      .map((cell) => {
        this.pending.add(cell);
        return this.controller.createNotebookCellExecution(cell);
      });
    const previous = this.queues.get(key) ?? Promise.resolve();
    const batch = previous.then(() => this.runBatch(executions, notebook));
    const tail = batch.finally(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    this.queues.set(key, tail);
    return batch;
  }

  private async runBatch(executions: vscode.NotebookCellExecution[], notebook: vscode.NotebookDocument): Promise<void> {
    const key = notebook.uri.toString();
    for (const execution of executions) {
      try {
        if (execution.token.isCancellationRequested) {
          execution.start(Date.now());
          execution.end(undefined, Date.now());
          continue;
        }
        const order = (this.executionOrder.get(key) ?? 0) + 1;
        this.executionOrder.set(key, order);
        execution.executionOrder = order;
        execution.start(Date.now());
        await execution.clearOutput();
        const outcome = await this.runCell(execution, notebook);
        await execution.replaceOutput(toOutputs(outcome));
        execution.end(outcome.ok ? true : outcome.cancelled ? undefined : false, Date.now());
        if (outcome.ok || !outcome.cancelled) this.ran.fire({ notebook, cell: execution.cell, outcome });
      } catch (error) {
        // Never leave a cell spinning: whatever happened, end its execution.
        await execution.replaceOutput(
          new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(asError(error))]),
        );
        execution.end(false, Date.now());
      } finally {
        this.pending.delete(execution.cell);
      }
    }
  }

  private async runCell(
    execution: vscode.NotebookCellExecution,
    notebook: vscode.NotebookDocument,
  ): Promise<CellOutcome> {
    const abort = new AbortController();
    const subscription = execution.token.onCancellationRequested(() => abort.abort());
    try {
      let shown = -1;
      return await this.sessionFor(notebook).execute(toLabCells(notebook), execution.cell.index, {
        signal: abort.signal,
        onProgress: (fraction, label) => {
          const percent = Math.floor(fraction * 100);
          if (percent === shown) return;
          shown = percent;
          void execution.replaceOutput(
            new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text(`${label}: ${percent} %`, 'text/plain')]),
          );
        },
      });
    } finally {
      subscription.dispose();
    }
  }
}

function toOutputs(outcome: CellOutcome, restoredFrom?: string): vscode.NotebookCellOutput[] {
  if (!outcome.ok) {
    if (outcome.cancelled)
      return [new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text('Cancelled.', 'text/plain')])];
    const error = new Error(outcome.message);
    error.name = outcome.title;
    error.stack = '';
    const metadata: OutputMetadata = { inputsHash: outcome.inputsHash, check: outcome.check, restoredFrom };
    const failed = new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(error)], metadata);
    // What the policy printed before it failed is often what explains the failure.
    return outcome.logs
      ? [new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.stdout(outcome.logs.join('\n') + '\n')]), failed]
      : [failed];
  }
  // The inputs hash rides on each output, so the status bar can tell when it went stale.
  const metadata: OutputMetadata = { inputsHash: outcome.inputsHash, check: outcome.check, restoredFrom };
  return outcome.outputs.map(
    (output) =>
      new vscode.NotebookCellOutput(
        output.items.map((item) =>
          typeof item.data === 'string'
            ? vscode.NotebookCellOutputItem.text(item.data, item.mime)
            : vscode.NotebookCellOutputItem.json(item.data, item.mime),
        ),
        metadata,
      ),
  );
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
