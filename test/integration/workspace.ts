// Where the integration tests find their files: the first workspace folder, which every
// harness fills with a throwaway copy of examples/ (never the repo's own files).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export const extensionId = 'migration-lab.migration-lab';

export function workspaceUri(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need a workspace folder (a copy of examples/)');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}
