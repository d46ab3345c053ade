// Desktop entry: simulations run in Node worker threads.
import * as vscode from 'vscode';
import { nodeWorkerPool } from '../worker/nodeWorker';
import { activateLab } from './activate';

export function activate(context: vscode.ExtensionContext): void {
  activateLab(context, {
    // A heap limit per worker: a lab that asks for millions of processes fails its run instead
    // of taking the extension host down with it.
    createRunHost: (ctx) =>
      nodeWorkerPool(vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'simWorker.node.js').fsPath, undefined, { maxOldGenerationSizeMb: 1024 }),
  });
}

export function deactivate(): void {}
