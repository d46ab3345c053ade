// Web entry (vscode.dev, code-server's web extension host): simulations run in web workers,
// and runs too large for a browser tab's memory are refused with a message in the cell.
import * as vscode from 'vscode';
import { withBrowserMemoryLimit } from '../worker/browserLimits';
import { webWorkerPool } from './webWorker';
import { activateLab } from './activate';

export function activate(context: vscode.ExtensionContext): void {
  activateLab(context, {
    createRunHost: (ctx) =>
      withBrowserMemoryLimit(webWorkerPool(vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'simWorker.web.js'))),
  });
}

export function deactivate(): void {}
