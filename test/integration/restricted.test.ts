// Restricted mode, for real: this suite runs in a VS Code with workspace trust enabled and the
// folder not trusted (scripts/test-integration.mjs starts it so, apart from the other suites,
// and writes what the workbench shows to a file this suite reads). Labs open and are checked;
// VS Code runs no cell until the folder is trusted, so no policy code runs; and the Workspace
// Trust editor tells the user what the extension does without trust.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import { cell, cellStartingWith, sleep, until, writeLab } from './labs';
import { note } from './reporter';
import { extensionId } from './workspace';

/** What the workbench shows now, as text (written by the harness a few times a second). */
function screen(): string {
  const file = process.env.MIGRATION_LAB_TEST_SCREEN;
  assert.ok(file, 'MIGRATION_LAB_TEST_SCREEN is not set: run this suite through scripts/test-integration.mjs');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

suite('restricted mode: an untrusted workspace', () => {
  let notebook: vscode.NotebookDocument;

  suiteSetup(async () => {
    notebook = await writeLab(
      'restricted.lab.md',
      [
        '# A lab from somewhere\n',
        cell('workload', 'name: w\nprocesses:\n  - { name: a, count: 4, demand: 2ms }'),
        // Had this code run, it would have printed, then looped until its step budget stopped it.
        cell(
          'policy name=mine lang=js',
          'console.log("policy code ran");\nwhile (true) {}\ndefinePolicy({ place: (view, p) => 0 });',
        ),
        cell('run', 'name: theirs\nmachine: laptop-4\nworkload: w\npolicy: mine\nduration: 20ms'),
        cell('run', 'name: builtin\nmachine: laptop-4\nworkload: w\npolicy: least-loaded\nduration: 2 parsecs'),
      ].join('\n'),
    );
  });

  test('VS Code opens the folder in restricted mode, and the lab opens and is checked as you type', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    // The status bar says so (and a banner, until the user closes it).
    await until('the Restricted Mode status item', () => /Restricted Mode/.test(screen()), 30_000);
    const broken = cellStartingWith(notebook, 'name: builtin');
    const diagnostics = await until('diagnostics on the broken run', () => {
      const ds = vscode.languages.getDiagnostics(broken.document.uri);
      return ds.length > 0 ? ds : undefined;
    });
    assert.match(diagnostics.map((d) => d.message).join('\n'), /Unknown time unit "parsecs"/);
  });

  test('no cell runs until the folder is trusted, so no policy code runs', async () => {
    const theirs = cellStartingWith(notebook, 'name: theirs');
    // VS Code asks for trust before it runs anything; nobody grants it here.
    void vscode.commands.executeCommand('notebook.cell.execute', {
      ranges: [{ start: theirs.index, end: theirs.index + 1 }],
      document: notebook.uri,
    });
    // The same cell runs in well under a second in a trusted folder (the other suites).
    await sleep(8000);
    assert.equal(theirs.executionSummary?.timing, undefined, 'the cell ran');
    assert.equal(theirs.executionSummary?.success, undefined, 'the cell ran');
    assert.deepEqual(theirs.outputs, []);
    assert.equal(vscode.workspace.isTrusted, false);
  });

  test('the Workspace Trust editor tells the user what restricted mode disables, this extension among them', async () => {
    const extension = vscode.extensions.getExtension(extensionId)!;
    const said = extension.packageJSON.capabilities.untrustedWorkspaces as { supported: string; description: string };
    assert.equal(said.supported, 'limited');
    assert.match(
      said.description,
      /Running cells needs a trusted workspace, and user-written policy code in `policy` cells never runs in an untrusted one/,
    );
    await vscode.commands.executeCommand('workbench.trust.manage');
    const text = await until(
      'the Workspace Trust editor',
      () => (/You are in Restricted Mode/.test(screen()) ? screen() : undefined),
      30_000,
    );
    assert.match(text, /extensions are disabled or have limited functionality/);
    note(
      `Workspace Trust editor: ${text
        .split('\n')
        .filter((l) => /Restricted Mode|extensions are disabled/.test(l))
        .join(' / ')}`,
    );
  });
});
