// The results record next to a lab (`<name>.lab.results.json`, written by `migration-lab run`
// and by running cells in the editor) as the editor sees it: loaded once per notebook, reloaded
// when the file changes, so the status bar can say whether a run cell still matches its recorded
// result and a reopened lab can show its last outputs again.
import * as vscode from 'vscode';
import {
  parseResults,
  resultsPathFor,
  serializeResults,
  withRecorded,
  type RecordedCompare,
  type RecordedRun,
  type ResultsRecord,
} from '../lab/run/resultsRecord';
import { LAB_VERSION } from '../cli/version';

export class ResultsRecords implements vscode.Disposable {
  private readonly records = new Map<string, ResultsRecord | undefined>();
  /** The last write of each record, so writes happen one after another. */
  private readonly writes = new Map<string, Promise<void>>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly watcher = vscode.workspace.createFileSystemWatcher('**/*.lab.results.json');
  /** Fires when a record was loaded, changed or removed. */
  readonly onDidChange = this.changed.event;

  constructor() {
    const reload = (uri: vscode.Uri) => {
      for (const notebook of vscode.workspace.notebookDocuments) {
        if (recordUri(notebook).toString() === uri.toString()) void this.load(notebook);
      }
    };
    this.watcher.onDidCreate(reload);
    this.watcher.onDidChange(reload);
    this.watcher.onDidDelete(reload);
  }

  /** The notebook's record as last loaded; starts loading it on first ask. */
  get(notebook: vscode.NotebookDocument): ResultsRecord | undefined {
    const key = notebook.uri.toString();
    if (!this.records.has(key)) {
      this.records.set(key, undefined);
      void this.load(notebook);
    }
    return this.records.get(key);
  }

  /** The notebook's record read from disk now (undefined when there is none, or it is not one). */
  async read(notebook: vscode.NotebookDocument): Promise<ResultsRecord | undefined> {
    await this.load(notebook);
    return this.records.get(notebook.uri.toString());
  }

  /**
   * Writes these runs and comparisons into the record beside the lab, over their old entries.
   * Writes one at a time per record; an existing file that is not a record is left alone.
   */
  update(
    notebook: vscode.NotebookDocument,
    params: ResultsRecord['params'],
    runs: Record<string, RecordedRun>,
    compares: Record<string, RecordedCompare>,
  ): Promise<void> {
    if (notebook.isUntitled) return Promise.resolve();
    const uri = recordUri(notebook);
    const key = uri.toString();
    const write = async () => {
      let previous: ResultsRecord | undefined;
      try {
        previous = parseResults(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
      } catch (error) {
        if (!(error instanceof vscode.FileSystemError && error.code === 'FileNotFound')) return;
      }
      const record = withRecorded(previous, notebook.uri.path.split('/').pop()!, LAB_VERSION, params, runs, compares);
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(serializeResults(record)));
      this.records.set(notebook.uri.toString(), record);
      this.changed.fire();
    };
    const next = (this.writes.get(key) ?? Promise.resolve()).then(write, write);
    this.writes.set(key, next);
    return next;
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }

  private async load(notebook: vscode.NotebookDocument): Promise<void> {
    let record: ResultsRecord | undefined;
    try {
      record = parseResults(new TextDecoder().decode(await vscode.workspace.fs.readFile(recordUri(notebook))));
    } catch {
      record = undefined; // No record (or not a valid one): nothing to compare with.
    }
    this.records.set(notebook.uri.toString(), record);
    this.changed.fire();
  }
}

function recordUri(notebook: vscode.NotebookDocument): vscode.Uri {
  return notebook.uri.with({ path: resultsPathFor(notebook.uri.path) });
}
