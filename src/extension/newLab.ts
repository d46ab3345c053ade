// "Migration Lab: New Lab": an untitled lab with a machine, a workload, two runs and a chart,
// ready to run.
import * as vscode from 'vscode';
import { NOTEBOOK_TYPE } from './cells';

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

export async function newLab(serializer: vscode.NotebookSerializer): Promise<void> {
  const data = await serializer.deserializeNotebook(new TextEncoder().encode(TEMPLATE), new vscode.CancellationTokenSource().token);
  const notebook = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, data);
  await vscode.window.showNotebookDocument(notebook);
}
