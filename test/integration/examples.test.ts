// Every example lab runs in the extension host: each code cell succeeds, each chart and compare
// cell produces a chart. Data-driven over the extension's examples/ (opened from the workspace,
// a copy of them), so a new example is covered without touching this file.
import * as assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { CHART_MIME, cellsOfKind, codeCells, ERROR_MIME, executed, openLab, outputItems } from './labs';
import { note } from './reporter';
import { extensionId, workspaceUri } from './workspace';

/** The repo's examples, not the workspace's files: other suites write their own labs there. */
function exampleNames(): string[] {
  const extension = vscode.extensions.getExtension(extensionId);
  assert.ok(extension, `${extensionId} is not loaded`);
  return readdirSync(join(extension.extensionPath, 'examples'))
    .filter((name) => name.endsWith('.lab.md'))
    .sort();
}

suite('every example lab', () => {
  const names = exampleNames();

  test('there are examples', () => {
    assert.ok(names.includes('intro.lab.md'), `examples: ${names.join(', ')}`);
  });

  for (const name of names) {
    test(`${name}: Run All succeeds in every cell, and every chart and compare cell draws a chart`, async () => {
      const notebook = await openLab(workspaceUri(name));
      const since = Date.now();
      await vscode.commands.executeCommand('notebook.execute', notebook.uri);
      await executed(codeCells(notebook), since, 120_000);
      note(`run all of ${name} (${codeCells(notebook).length} code cells): ${Date.now() - since} ms`);
      const failed = codeCells(notebook)
        .filter((c) => c.executionSummary?.success !== true)
        .map((c) => `cell ${c.index} (${c.document.languageId}): ${JSON.stringify(outputItems(c, ERROR_MIME))}`);
      assert.deepEqual(failed, []);
      for (const c of [...cellsOfKind(notebook, 'chart'), ...cellsOfKind(notebook, 'compare')]) {
        assert.equal(outputItems(c, CHART_MIME).length, 1, `cell ${c.index} (${c.document.languageId}) has no chart`);
      }
    });
  }
});
