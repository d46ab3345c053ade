// Tells the renderer about settings it cannot read itself: "light charts" draws every chart on
// white whatever the theme. Sent when a renderer announces itself and when the setting changes.
import * as vscode from 'vscode';

const SETTING = 'migrationLab.lightCharts';

export function registerRendererMessaging(rendererId: string): vscode.Disposable {
  const messaging = vscode.notebooks.createRendererMessaging(rendererId);
  const settings = () => ({
    type: 'settings',
    lightCharts: vscode.workspace.getConfiguration().get<boolean>(SETTING, false),
  });
  return vscode.Disposable.from(
    messaging.onDidReceiveMessage(({ editor, message }) => {
      if ((message as { type?: string })?.type === 'ready') void messaging.postMessage(settings(), editor);
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SETTING)) void messaging.postMessage(settings());
    }),
  );
}
