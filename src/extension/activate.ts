// Wires the lab into VS Code. Everything here is glue: the lab model, the simulator and the
// renderer know nothing of VS Code.
import * as vscode from 'vscode';
import { LabSession } from '../lab/notebook/execute';
import type { RunHost } from '../lab/run/runHost';
import { NOTEBOOK_TYPE } from './cells';
import { LabController } from './controller';
import { newLab } from './newLab';
import { registerAttributeEditing } from './attributeEditing';
import { registerNewCells } from './newCells';
import { registerDiagnostics } from './diagnostics';
import { registerLanguageFeatures } from './languageFeatures';
import { registerPolicyFeatures } from './policyFeatures';
import { registerRendererMessaging } from './rendererMessaging';
import { registerStatusBar } from './statusBar';
import { registerKeptResults } from './keptResults';
import { registerLabScore } from './labScore';
import { EXPORT_COMMAND, exportLab } from './exportLab';
import type { DrawChart } from '../cli/htmlReport';
import { ResultsRecords } from './resultsRecords';
import { LabSerializer } from './serializer';
import { showWelcome } from './welcome';

export const RENDERER_ID = 'migration-lab-renderer';

/** What differs between the desktop (Node) and web extension hosts. */
export interface Platform {
  createRunHost(context: vscode.ExtensionContext): RunHost;
  /** Draws a chart as SVG for an exported report; absent where Vega cannot be loaded on demand. */
  drawChart?: DrawChart;
  /** What `npm start` asks to open on start (see welcome.ts); desktop only. */
  welcomeRequest?: string;
}

export function activateLab(context: vscode.ExtensionContext, platform: Platform): void {
  const runHost = platform.createRunHost(context);
  const sessions = new Map<string, LabSession>();
  const sessionFor = (notebook: vscode.NotebookDocument) => {
    const key = notebook.uri.toString();
    let session = sessions.get(key);
    if (!session) sessions.set(key, (session = new LabSession(runHost, {}, vscode.workspace.isTrusted)));
    return session;
  };
  const serializer = new LabSerializer();
  // Workers start and warm up once a lab is open where it may run, not when the editor starts
  // (a workspace with labs activates the extension before any is opened).
  const prepareFor = (notebook: vscode.NotebookDocument) => {
    if (notebook.notebookType === NOTEBOOK_TYPE && vscode.workspace.isTrusted) runHost.prepare?.();
  };
  vscode.workspace.notebookDocuments.forEach(prepareFor);

  const walkthrough = `${context.extension.id}#gettingStarted`;
  const controller = new LabController(sessionFor, NOTEBOOK_TYPE);
  const records = new ResultsRecords();

  context.subscriptions.push(
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, serializer, { transientOutputs: true }),
    controller,
    records,
    registerKeptResults(context.extension.id, controller, records, sessionFor),
    registerRendererMessaging(RENDERER_ID),
    registerDiagnostics(),
    registerLanguageFeatures(),
    registerPolicyFeatures(context.extensionUri),
    registerStatusBar(records),
    registerLabScore(),
    registerAttributeEditing(),
    registerNewCells(),
    vscode.commands.registerCommand('migration-lab.newLab', () => newLab(serializer)),
    vscode.commands.registerCommand(EXPORT_COMMAND, (uri?: vscode.Uri) => {
      if (!platform.drawChart) {
        void vscode.window.showErrorMessage(
          'Export Lab to HTML needs VS Code on the desktop; in the browser, use `migration-lab export` on the lab file.',
        );
        return undefined;
      }
      return exportLab(
        runHost,
        platform.drawChart,
        uri ? vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === uri.toString()) : undefined,
      );
    }),
    vscode.commands.registerCommand('migration-lab.openWalkthrough', () =>
      vscode.commands.executeCommand('workbench.action.openWalkthrough', walkthrough, false),
    ),
    vscode.workspace.onDidOpenNotebookDocument(prepareFor),
    vscode.workspace.onDidCloseNotebookDocument((notebook) => sessions.delete(notebook.uri.toString())),
    // Sessions made before the user trusted the workspace refuse policy code: start afresh.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      sessions.clear();
      vscode.workspace.notebookDocuments.forEach(prepareFor);
    }),
    { dispose: () => runHost.dispose?.() },
  );
  void showWelcome(context, platform.welcomeRequest, walkthrough);
}
