// Desktop entry: simulations run in Node worker threads; reports' charts are drawn by Vega,
// loaded when a lab is first exported.
import * as vscode from 'vscode';
import { nodeWorkerPool } from '../worker/nodeWorker';
import { activateLab } from './activate';

export function activate(context: vscode.ExtensionContext): void {
  activateLab(context, {
    // The run budget (src/worker/limits.ts): a lab that asks for millions of processes, or one
    // that never ends, fails its run instead of taking the extension host down with it.
    createRunHost: (ctx) => nodeWorkerPool(vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'simWorker.node.js').fsPath),
    welcomeRequest: process.env.MIGRATION_LAB_WELCOME,
    // Vega is bundled apart (dist/drawChart.node.js) and loaded on the first export only, so it
    // does not slow down activation. It draws with the locked loader (src/lab/charts/draw.ts).
    drawChart: (spec) => {
      const bundle = vscode.Uri.joinPath(context.extensionUri, 'dist', 'drawChart.node.js').fsPath;
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a bundle loaded by path at run time
      const draw = require(bundle) as typeof import('../lab/charts/draw');
      return draw.drawChartSvg(spec);
    },
  });
}

export function deactivate(): void {}
