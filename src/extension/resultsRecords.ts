// The results record next to a lab (`<name>.lab.results.json`, written by `migration-lab run`)
// as the editor sees it: loaded once per notebook, reloaded when the file changes, so the
// status bar can say whether a run cell still matches its recorded result.
import * as vscode from 'vscode';
import { parseResults, resultsPathFor, type ResultsRecord } from '../lab/results';

export class ResultsRecords implements vscode.Disposable {
  private readonly records = new Map<string, ResultsRecord | undefined>();
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
