// "Migration Lab: New Lab": an untitled lab (`lab-1.lab.md`) with a machine, a workload, two runs
// and a chart, ready to run.
import * as vscode from 'vscode';

const TEMPLATE = `# My lab

\`\`\`machine
name: quad
sockets: 1
coresPerSocket: 4
\`\`\`

\`\`\`workload
name: jobs
processes:
  - { name: short, count: 40, arrival: poisson 200/s, demand: exp 5ms, workingSet: 128KiB }
  - { name: long, count: 3, arrival: 0s, demand: 1s, workingSet: 4MiB }
\`\`\`

\`\`\`run
name: pinned
machine: quad
workload: jobs
policy: pinned
duration: 2s
seed: 1
\`\`\`

\`\`\`run
name: balanced
machine: quad
workload: jobs
policy: least-loaded
duration: 2s
seed: 1
\`\`\`

\`\`\`chart
show: load
runs: [pinned, balanced]
\`\`\`
`;

/**
 * Opens the template as an untitled notebook named `lab-N.lab.md` in the first workspace folder
 * (N the first number no file or open notebook uses there), so saving proposes a name the lab
 * can be saved under: only `*.lab.md` files open as labs.
 */
export async function newLab(serializer: vscode.NotebookSerializer): Promise<vscode.NotebookDocument> {
  const data = await serializer.deserializeNotebook(
    new TextEncoder().encode(TEMPLATE),
    new vscode.CancellationTokenSource().token,
  );
  const notebook = await vscode.workspace.openNotebookDocument(await untitledLabUri());
  const edit = new vscode.WorkspaceEdit();
  edit.set(notebook.uri, [vscode.NotebookEdit.insertCells(0, data.cells)]);
  await vscode.workspace.applyEdit(edit);
  await vscode.window.showNotebookDocument(notebook);
  return notebook;
}

async function untitledLabUri(): Promise<vscode.Uri> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const taken = new Set(vscode.workspace.notebookDocuments.map((n) => n.uri.path));
  for (let n = 1; ; n++) {
    const name = `lab-${n}.lab.md`;
    const file = folder ? vscode.Uri.joinPath(folder, name) : vscode.Uri.file(`/${name}`);
    if (taken.has(file.path) || (folder && (await exists(file)))) continue;
    return file.with({ scheme: 'untitled' });
  }
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
