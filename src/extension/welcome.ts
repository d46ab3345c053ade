// What `npm start` opens: the intro lab, with Migration Lab's walkthrough beside it. The start
// script asks for it through the environment of the VS Code it starts (MIGRATION_LAB_WELCOME =
// "<token> <lab file>"); the token makes it happen once per start, not at every window reload.
import * as vscode from 'vscode';
import { NOTEBOOK_TYPE } from './cells';

const SHOWN_KEY = 'migration-lab.welcomeShown';

export async function showWelcome(
  context: vscode.ExtensionContext,
  request: string | undefined,
  walkthrough: string,
): Promise<void> {
  const [token, file] = request?.split(' ') ?? [];
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!token || !file || !folder || context.workspaceState.get(SHOWN_KEY) === token) return;
  await context.workspaceState.update(SHOWN_KEY, token);
  const lab = vscode.Uri.joinPath(folder.uri, file);
  try {
    await vscode.window.showNotebookDocument(await vscode.workspace.openNotebookDocument(lab), { preview: false });
  } catch {
    // No such lab in this folder: the walkthrough alone.
  }
  const toSide = vscode.window.activeNotebookEditor?.notebook.notebookType === NOTEBOOK_TYPE;
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', walkthrough, toSide);
}
