// Running cells beyond the happy path: outputs that know what they were computed from (so the
// cell status bar can mark them stale), and a long run that a person cancels while the editor
// keeps answering.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import { toLabCells } from '../../src/extension/cells';
import { outputInputsHash } from '../../src/lab/notebook/execute';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { cell, cellStartingWith, execute, outputJson, RUN_MIME, setCellText, sleep, until, writeLab } from './labs';
import { note } from './reporter';

/** The inputs hash stored with a cell's outputs (see OutputMetadata in src/extension/controller.ts). */
function storedHash(c: vscode.NotebookCell): string {
  const hash = (c.outputs[0]?.metadata as { inputsHash?: unknown } | undefined)?.inputsHash;
  assert.equal(typeof hash, 'string', `cell ${c.index} has no inputsHash on its output`);
  return hash as string;
}

/** What the status bar compares the stored hash with: the hash of the cell's inputs as they are now. */
function currentHash(c: vscode.NotebookCell): string | undefined {
  const cells = toLabCells(c.notebook);
  return outputInputsHash(resolveLab(cells), cells, c.index);
}

suite('stale outputs', () => {
  let notebook: vscode.NotebookDocument;
  const machine = () => cellStartingWith(notebook, 'name: m');
  const spare = () => cellStartingWith(notebook, 'name: spare');
  const run = () => cellStartingWith(notebook, 'name: r');
  const chart = () => cellStartingWith(notebook, 'show: load');
  const MACHINE = 'name: m\nsockets: 1\ncoresPerSocket: 2';
  const SPARE = 'name: spare\nprocesses:\n  - { name: a, count: 1, demand: 1ms }';

  suiteSetup(async () => {
    notebook = await writeLab(
      'stale.lab.md',
      [
        '# Stale outputs\n',
        cell('machine', MACHINE),
        cell('workload', 'name: w\nprocesses:\n  - { name: a, count: 4, demand: 20ms }'),
        cell('workload', SPARE),
        cell('run', 'name: r\nmachine: m\nworkload: w\npolicy: pinned\nduration: 1s'),
        cell('chart', 'show: load\nruns: [r]'),
      ].join('\n'),
    );
  });

  test('outputs carry the hash of their inputs, which matches the inputs until they change', async () => {
    await execute(notebook, [run(), chart()]);
    for (const c of [run(), chart()]) {
      assert.equal(c.executionSummary?.success, true, `cell ${c.index} failed`);
      assert.match(storedHash(c), /^[0-9a-f]{64}$/);
      assert.equal(storedHash(c), currentHash(c), `cell ${c.index} is stale right after running`);
    }
    assert.notEqual(storedHash(run()), storedHash(chart()), 'a chart and its run have the same hash');
  });

  test('editing the machine a run uses makes the run and its chart stale; an unrelated edit does not', async () => {
    const before = { run: storedHash(run()), chart: storedHash(chart()) };
    await setCellText(spare(), SPARE.replace('demand: 1ms', 'demand: 2ms'));
    assert.equal(currentHash(run()), before.run, 'an unused workload made the run stale');
    assert.equal(currentHash(chart()), before.chart, 'an unused workload made the chart stale');

    await setCellText(machine(), MACHINE.replace('coresPerSocket: 2', 'coresPerSocket: 4'));
    assert.notEqual(currentHash(run()), before.run, 'the run is not stale after its machine changed');
    assert.notEqual(currentHash(chart()), before.chart, "the chart is not stale after its run's machine changed");
    // The outputs still carry the old hashes until the cells run again.
    assert.deepEqual({ run: storedHash(run()), chart: storedHash(chart()) }, before);
  });

  test('running again stores the new hash and new results; undoing the edit restores the first hash', async () => {
    const stale = storedHash(run());
    const staleDigest = (outputJson(run(), RUN_MIME) as { digest: string }).digest;
    await execute(notebook, [run(), chart()]);
    assert.notEqual(storedHash(run()), stale);
    assert.equal(storedHash(run()), currentHash(run()));
    assert.notEqual(
      (outputJson(run(), RUN_MIME) as { digest: string }).digest,
      staleDigest,
      'four cores gave the same run as two',
    );
    assert.equal(storedHash(chart()), currentHash(chart()));

    await setCellText(machine(), MACHINE);
    assert.equal(currentHash(run()), stale, 'the hash depends on more than the inputs');
    await execute(notebook, [run()]);
    assert.equal(storedHash(run()), stale);
    assert.equal(
      (outputJson(run(), RUN_MIME) as { digest: string }).digest,
      staleDigest,
      'the same inputs gave a different run',
    );
  });
});

suite('cancelling a long run', () => {
  let notebook: vscode.NotebookDocument;
  const long = () => cellStartingWith(notebook, 'name: long');
  const quick = () => cellStartingWith(notebook, 'name: quick');

  suiteSetup(async () => {
    notebook = await writeLab(
      'cancel.lab.md',
      [
        '# A run too long to wait for\n',
        // 16 CPUs and an open Poisson stream of 5,000 requests a second for ten simulated minutes.
        cell(
          'workload',
          'name: stream\nprocesses:\n  - { name: web, arrival: poisson 5000/s, demand: exp 2ms, workingSet: 256KiB }',
        ),
        cell('workload', 'name: few\nprocesses:\n  - { name: a, count: 4, demand: 10ms }'),
        cell('run', 'name: long\nmachine: numa-4x4\nworkload: stream\npolicy: least-loaded\nduration: 600s'),
        cell('run', 'name: quick\nmachine: laptop-4\nworkload: few\npolicy: pinned\nduration: 1s'),
      ].join('\n'),
    );
  });

  test('the run reports progress, the editor stays responsive, and cancelling ends it within seconds', async () => {
    const cellRange = { ranges: [{ start: long().index, end: long().index + 1 }], document: notebook.uri };
    const since = Date.now();
    // Not awaited: the command resolves when the execution ends.
    const execution = vscode.commands.executeCommand('notebook.cell.execute', cellRange);
    const progress = await until(
      'progress output from the long run',
      () =>
        long()
          .outputs.flatMap((o) => o.items)
          .find((i) => i.mime === 'text/plain' && /Simulating long: \d+ %/.test(new TextDecoder().decode(i.data))),
      20_000,
    );
    note(`long run: first progress after ${Date.now() - since} ms (${new TextDecoder().decode(progress.data)})`);

    // While the simulation runs in its worker, the extension host answers at once.
    const asked = performance.now();
    const completions = await vscode.commands.executeCommand<vscode.CompletionList>(
      'vscode.executeCompletionItemProvider',
      quick().document.uri,
      new vscode.Position(2, 'workload: '.length),
    );
    const answerMs = performance.now() - asked;
    note(`completion during the long run answered in ${answerMs.toFixed(0)} ms`);
    assert.ok(
      completions.items.some((item) => item.label === 'stream'),
      'the completion during the run is wrong',
    );
    // A host blocked by the simulation would answer only when the run ends, minutes later; on a
    // loaded two-core machine a free host still takes a few hundred ms.
    assert.ok(answerMs < 2_000, `a completion took ${answerMs.toFixed(0)} ms while a run executed`);
    assert.ok((long().executionSummary?.timing?.endTime ?? 0) < since, 'the long run ended before it was cancelled');

    const cancelled = Date.now();
    await vscode.commands.executeCommand('notebook.cell.cancelExecution', cellRange);
    await until('the cancelled cell to end', () => (long().executionSummary?.timing?.endTime ?? 0) >= since, 5_000);
    await execution;
    const cancelMs = Date.now() - cancelled;
    note(`cancelling the long run took ${cancelMs} ms`);
    assert.notEqual(long().executionSummary?.success, true, 'a cancelled run reports success');
    const texts = long()
      .outputs.flatMap((o) => o.items)
      .map((i) => new TextDecoder().decode(i.data));
    assert.deepEqual(texts, ['Cancelled.']);
  });

  test('after a cancel the next run works', async () => {
    await sleep(100);
    await execute(notebook, [quick()]);
    assert.equal(quick().executionSummary?.success, true);
    // Four 10 ms processes on four CPUs all finish within the second.
    assert.equal((outputJson(quick(), RUN_MIME) as { summary: { completed?: number } }).summary.completed, 4);
  });
});
