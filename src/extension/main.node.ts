// Desktop entry: simulations run in Node worker threads.
import * as vscode from 'vscode';
import { nodeWorkerPool } from '../worker/nodeWorker';
import { activateLab } from './activate';

export function activate(context: vscode.ExtensionContext): void {
  activateLab(context, {
    // The run budget (src/worker/limits.ts): a lab that asks for millions of processes, or one
    // that never ends, fails its run instead of taking the extension host down with it.
    createRunHost: (ctx) => nodeWorkerPool(vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'simWorker.node.js').fsPath),
  });
}

export function deactivate(): void {}
