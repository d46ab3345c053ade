// Writing a lab in the notebook, through VS Code's own commands: the "needs a name" quick fix on
// a policy cell lands on the fence line of the saved file; New Lab opens an untitled lab-N.lab.md;
// a run finished in the editor is written into the results record beside the lab.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import { cell, cellStartingWith, execute, NOTEBOOK_TYPE, outputJson, RUN_MIME, until, writeLab } from './labs';
import { workspaceUri } from './workspace';

const LAB = [
  '# Editing\n',
  cell('machine', 'name: duo\nsockets: 1\ncoresPerSocket: 2'),
  cell('workload', 'name: jobs\nprocesses:\n  - { name: job, count: 6, arrival: 0s, demand: exp 10ms }'),
  cell('policy', 'export default definePolicy({ place: (view: PolicyView, p: Proc) => 0 });'),
  cell('run', 'name: first\nmachine: duo\nworkload: jobs\npolicy: pinned\nduration: 1s'),
].join('\n');

suite('writing a lab in the notebook', () => {
  let notebook: vscode.NotebookDocument;

  suiteSetup(async () => {
    notebook = await writeLab('editing.lab.md', LAB);
  });

  test('a policy cell without a name: the problem names its cell, the quick fix names it, the file has the name on its fence', async () => {
    const policy = cellStartingWith(
      notebook,
      'export default definePolicy({ place: (view: PolicyView, p: Proc) => 0 });',
    );
    const problem = await until('the needs-a-name problem', () =>
      vscode.languages.getDiagnostics(policy.document.uri).find((d) => d.code === 'policy-needs-name'),
    );
    assert.match(problem.message, new RegExp(`^Cell ${policy.index + 1} \\(policy\\): A policy cell needs a name`));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
      'vscode.executeCodeActionProvider',
      policy.document.uri,
      problem.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const fix = actions.find((a) => a.title === 'Name this policy "my-policy"');
    assert.ok(fix?.command, `quick fixes offered: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(
      actions.some((a) => a.title === 'Name this policy…' && a.command),
      'a fix that asks for the name',
    );
    // What choosing the quick fix in the editor does.
    await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
    await until(
      'the problem to go',
      () => !vscode.languages.getDiagnostics(policy.document.uri).some((d) => d.code === 'policy-needs-name'),
      5_000,
    );
    await notebook.save();
    const text = readFileSync(notebook.uri.fsPath, 'utf8');
    assert.ok(text.includes('```policy name=my-policy\nexport default definePolicy'), text);
    // Only that fence changed.
    assert.equal(text.replace('```policy name=my-policy\n', '```policy\n'), LAB);
  });

  test('a run finished in the editor is recorded beside the lab, as migration-lab run records it', async () => {
    const run = cellStartingWith(notebook, 'name: first');
    await execute(notebook, [run]);
    const output = outputJson(run, RUN_MIME) as { digest: string; summary: Record<string, unknown> };
    const record = workspaceUri('editing.lab.results.json').fsPath;
    await until(
      'the results record',
      () => existsSync(record) && readFileSync(record, 'utf8').includes(output.digest),
      10_000,
    );
    const recorded = JSON.parse(readFileSync(record, 'utf8'));
    assert.equal(recorded.lab, 'editing.lab.md');
    assert.equal(recorded.runs.first.digest, output.digest);
    assert.deepEqual(recorded.runs.first.summary, output.summary);
    assert.equal(recorded.runs.first.machine, 'duo');
  });

  test('New Lab opens an untitled lab-N.lab.md notebook, ready to run', async () => {
    await vscode.commands.executeCommand('migration-lab.newLab');
    const opened = await until(
      'the new lab',
      () => vscode.window.activeNotebookEditor?.notebook.isUntitled && vscode.window.activeNotebookEditor.notebook,
    );
    assert.equal(opened.notebookType, NOTEBOOK_TYPE);
    assert.equal(opened.uri.scheme, 'untitled');
    assert.match(opened.uri.path, /\/lab-\d+\.lab\.md$/);
    assert.ok(opened.getCells().some((c) => c.document.languageId === 'migration-lab-run'));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
