// Desktop entry: simulations run in Node worker threads.
import * as vscode from 'vscode';
import { nodeWorkerPool } from '../worker/nodeWorker';
import { activateLab } from './activate';

export function activate(context: vscode.ExtensionContext): void {
  activateLab(context, {
    createRunHost: (ctx) => nodeWorkerPool(vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'simWorker.node.js').fsPath),
  });
}

export function deactivate(): void {}
