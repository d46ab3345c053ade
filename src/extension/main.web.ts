// Web entry (vscode.dev, code-server's web extension host): simulations run in web workers.
import * as vscode from 'vscode';
import { webWorkerPool } from './webWorker';
import { activateLab } from './activate';

export function activate(context: vscode.ExtensionContext): void {
  activateLab(context, {
    createRunHost: (ctx) => webWorkerPool(vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'simWorker.web.js')),
  });
}

export function deactivate(): void {}
