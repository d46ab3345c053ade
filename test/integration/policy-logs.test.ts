// What a policy prints with console.log shows in the run cell's output in the editor, as the
// cell's standard output: under the summary when the run finishes, before the error when the
// policy failed (what it printed is often what explains the failure).
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import { cell, cellStartingWith, ERROR_MIME, execute, outputItems, RUN_MIME, writeLab } from './labs';

const STDOUT_MIME = 'application/vnd.code.notebook.stdout';
const stdout = (c: vscode.NotebookCell) =>
  c.outputs
    .flatMap((o) => o.items.filter((i) => i.mime === STDOUT_MIME).map((i) => new TextDecoder().decode(i.data)))
    .join('');

suite('policy logs in the editor', () => {
  let notebook: vscode.NotebookDocument;

  suiteSetup(async () => {
    notebook = await writeLab(
      'policy-logs.lab.md',
      [
        cell('workload', 'name: w\nprocesses:\n  - { name: a, count: 3, demand: 2ms }'),
        cell(
          'policy name=chatty lang=js',
          'definePolicy({\n  place(view, p) {\n    console.log("placing", p, "on", p % view.cpuCount);\n    return p % view.cpuCount;\n  },\n});',
        ),
        cell(
          'policy name=failing lang=js',
          'definePolicy({\n  place(view, p) {\n    console.log("about to fail on", p);\n    throw new Error("no CPU for " + p);\n  },\n});',
        ),
        cell('run', 'name: talks\nmachine: laptop-4\nworkload: w\npolicy: chatty\nduration: 20ms'),
        cell('run', 'name: fails\nmachine: laptop-4\nworkload: w\npolicy: failing\nduration: 20ms'),
      ].join('\n'),
    );
  });

  test('a finished run shows its summary and, below, what its policy printed', async () => {
    const talks = cellStartingWith(notebook, 'name: talks');
    await execute(notebook, [talks]);
    assert.equal(talks.executionSummary?.success, true);
    assert.equal(outputItems(talks, RUN_MIME).length, 1);
    assert.equal(stdout(talks), 'placing 0 on 0\nplacing 1 on 1\nplacing 2 on 2\n');
  });

  test('a failed run shows what its policy printed before it failed, then the error at its line', async () => {
    const fails = cellStartingWith(notebook, 'name: fails');
    await execute(notebook, [fails]);
    assert.equal(fails.executionSummary?.success, false);
    assert.equal(stdout(fails), 'about to fail on 0\n');
    const [error] = outputItems(fails, ERROR_MIME) as { message: string }[];
    assert.match(error?.message ?? '', /place\(\) at \d+ ns, line 4: Error: no CPU for 0/);
  });
});
