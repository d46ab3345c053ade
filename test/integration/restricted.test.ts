// Restricted mode, for real: this suite runs in a VS Code with workspace trust enabled and the
// folder not trusted (scripts/test-integration.mjs starts it so, apart from the other suites).
// Labs open and built-in policies run; a policy cell's code does not run at all, and the cell
// says why and what to do.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import { cell, cellStartingWith, ERROR_MIME, execute, outputItems, RUN_MIME, writeLab } from './labs';

/** Stdout items of a cell (what a policy printed), as text. */
const stdout = (c: vscode.NotebookCell) =>
  c.outputs.flatMap((o) => o.items.filter((i) => i.mime === 'application/vnd.code.notebook.stdout').map((i) => new TextDecoder().decode(i.data)));

suite('restricted mode: an untrusted workspace', () => {
  let notebook: vscode.NotebookDocument;

  suiteSetup(async () => {
    notebook = await writeLab(
      'restricted.lab.md',
      [
        '# A lab from somewhere\n',
        cell('workload', 'name: w\nprocesses:\n  - { name: a, count: 4, demand: 2ms }'),
        // Had this code run, it would have printed, then looped until its step budget stopped it.
        cell('policy name=mine lang=js', 'console.log("policy code ran");\nwhile (true) {}\ndefinePolicy({ place: (view, p) => 0 });'),
        cell('run', 'name: theirs\nmachine: laptop-4\nworkload: w\npolicy: mine\nduration: 20ms'),
        cell('run', 'name: builtin\nmachine: laptop-4\nworkload: w\npolicy: least-loaded\nduration: 20ms'),
      ].join('\n'),
    );
  });

  test('VS Code runs this folder in restricted mode', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  test('a run of a built-in policy works; a run of a policy cell is refused before any of its code runs, with what to do', async () => {
    const theirs = cellStartingWith(notebook, 'name: theirs');
    const builtin = cellStartingWith(notebook, 'name: builtin');
    await execute(notebook, [theirs, builtin]);
    assert.equal(builtin.executionSummary?.success, true);
    assert.equal((outputItems(builtin, RUN_MIME)[0] as { policy: string }).policy, 'least-loaded');
    assert.equal(theirs.executionSummary?.success, false);
    const [error] = outputItems(theirs, ERROR_MIME) as { name: string; message: string }[];
    assert.equal(error?.name, 'Policy code does not run in an untrusted workspace');
    assert.equal(error?.message, 'Policy mine is code from this lab, and this workspace is not trusted. Trust the workspace (Workspaces: Manage Workspace Trust) to run it.');
    // Neither its print nor its loop: the code was never compiled, let alone run.
    assert.deepEqual(stdout(theirs), []);
    assert.doesNotMatch(JSON.stringify(error), /budget|policy code ran/);
  });
});
