import * as assert from 'node:assert/strict';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { extensionId } from './workspace';
import { note } from './reporter';

suite('activation', () => {
  test('the extension is loaded from the repo', () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is not among the loaded extensions`);
    assert.equal(extension.packageJSON.name, 'migration-lab');
    assert.ok(
      extension.packageJSON.contributes?.notebooks?.some((n: { type: string }) => n.type === 'migration-lab'),
      'the manifest contributes the migration-lab notebook type',
    );
  });

  test('activates, and reports how long activation took', async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension);
    const activeBefore = extension.isActive;
    const started = performance.now();
    await extension.activate();
    const ms = performance.now() - started;
    note(`activation: ${ms.toFixed(1)} ms (isActive before: ${activeBefore}, after: ${extension.isActive})`);
    assert.equal(extension.isActive, true);
  });
});
