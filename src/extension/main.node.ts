// Desktop entry: simulations run in Node worker threads; reports' charts are drawn by Vega,
// loaded when a lab is first exported.
import * as vscode from 'vscode';
import { nodeWorkerPool } from '../worker/nodeWorker';
import { activateLab } from './activate';

export function activate(context: vscode.ExtensionContext): void {
  activateLab(context, {
    // A heap limit per worker: a lab that asks for millions of processes fails its run instead
    // of taking the extension host down with it.
    createRunHost: (ctx) =>
      nodeWorkerPool(vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'simWorker.node.js').fsPath, undefined, { maxOldGenerationSizeMb: 1024 }),
    // Vega is bundled apart (dist/chartSvg.node.js) and loaded on the first export only, so it
    // does not slow down activation.
    welcomeRequest: process.env.MIGRATION_LAB_WELCOME,
    drawChart: (spec) => (require(vscode.Uri.joinPath(context.extensionUri, 'dist', 'chartSvg.node.js').fsPath) as typeof import('../lab/chartSvg')).chartSvg(spec),
  });
}

export function deactivate(): void {}
