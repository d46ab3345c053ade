// Completions and hovers inside cells, through VS Code's own commands (the same path the editor's
// suggest widget and hover take): keys of the cell kind, built-in and lab-defined names, key
// documentation with units and defaults.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import { cell, cellStartingWith, writeLab } from './labs';
import { extensionId } from './workspace';

const LAB = [
  '# Completions and hovers\n',
  cell('params', 'dur: 2s\nmean: 4ms'),
  cell('machine', 'name: duo\nsockets: 2\ncaches: { l1d: 32KiB }'),
  cell('workload', 'name: mixed\nprocesses:\n  - { name: web, count: 8, demand: exp $mean }'),
  cell('policy name=sticky lang=js', 'export default { place: (process, ctx) => 0 };'),
  cell('run', 'name: base\nmachine: duo\nworkload: mixed\npolicy: least-loaded\nduration: 1s'),
  // Cells being written: completions are asked for at the end of their lines.
  cell('machine', 'name: draft-machine\nso'),
  cell('run', 'name: draft-run\nmachine: \nworkload: \npolicy: \nduration: $'),
  cell('chart', 'show: load\nruns: ['),
  cell('check', 'expect: runs.'),
  cell('check', 'expect: runs.base.'),
  // Metrics named where they are used: a comparison's metrics and a check expression.
  cell(
    'compare',
    'machine: duo\nworkload: mixed\npolicies: [pinned, least-loaded]\nmetrics: [makespanS, meanSojournS]',
  ),
  cell('check', 'expect: runs.base.makespanS < 2s'),
  // A policy being written: completions after view. and inside act.migrate's reason.
  cell(
    'policy name=drafting lang=ts',
    "definePolicy({\n  place(view, p) { return view.\n  onIdle(view, act, cpu) { act.migrate(p, cpu, '",
  ),
].join('\n');

/** What the completion providers offer at a position, without VS Code's plain-word suggestions. */
async function completionsAt(
  document: vscode.TextDocument,
  line: number,
  character = document.lineAt(line).text.length,
): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>(
    'vscode.executeCompletionItemProvider',
    document.uri,
    new vscode.Position(line, character),
  );
  return list.items
    .filter((item) => item.kind !== vscode.CompletionItemKind.Text)
    .map((item) => (typeof item.label === 'string' ? item.label : item.label.label));
}

/** The hover text at the first occurrence of `word` on a line of a cell. */
async function hoverAt(document: vscode.TextDocument, line: number, word: string): Promise<string> {
  const character = document.lineAt(line).text.indexOf(word);
  assert.ok(character >= 0, `line ${line} has no ${word}`);
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
    'vscode.executeHoverProvider',
    document.uri,
    new vscode.Position(line, character + 1),
  );
  return hovers
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === 'string' ? content : content.value))
    .join('\n');
}

function assertIncludes(actual: string[], expected: string[], what: string): void {
  const missing = expected.filter((label) => !actual.includes(label));
  assert.deepEqual(missing, [], `${what}: missing from ${JSON.stringify(actual)}`);
}

suite('completions and hovers in lab cells', () => {
  let notebook: vscode.NotebookDocument;
  const doc = (firstLine: string) => cellStartingWith(notebook, firstLine).document;

  suiteSetup(async () => {
    notebook = await writeLab('language.lab.md', LAB);
  });

  test("a machine cell offers machine keys, not the ones already written nor other kinds' keys", async () => {
    // The person has typed "so" of a key: every key is offered and VS Code filters them as they type.
    const labels = await completionsAt(doc('name: draft-machine'), 1);
    assertIncludes(
      labels,
      ['sockets', 'coresPerSocket', 'smt', 'caches', 'pstates', 'latency', 'migration', 'thermal'],
      'machine keys',
    );
    assert.ok(!labels.includes('name'), 'offers "name", which the cell already has');
    for (const foreign of ['processes', 'workload', 'policy', 'expect'])
      assert.ok(!labels.includes(foreign), `offers ${foreign}`);
  });

  test('a run cell offers run keys', async () => {
    const labels = await completionsAt(doc('name: base'), 4, 0);
    assertIncludes(labels, ['scheduler', 'seed'], 'run keys');
    for (const present of ['name', 'machine', 'workload', 'policy'])
      assert.ok(!labels.includes(present), `offers ${present}, already written`);
  });

  test("machine: offers the lab's machine cells and every preset", async () => {
    const labels = await completionsAt(doc('name: draft-run'), 1);
    assertIncludes(
      labels,
      ['duo', 'draft-machine', 'laptop-4', 'server-2x8', 'server-2x8-smt', 'numa-4x4', 'phone-4+4'],
      'machines',
    );
    assert.ok(!labels.includes('mixed'), 'offers a workload as a machine');
  });

  test("workload: offers the lab's workload cells only", async () => {
    const labels = await completionsAt(doc('name: draft-run'), 2);
    assert.deepEqual(labels, ['mixed']);
  });

  test("policy: offers the built-in policies and the lab's policy cells", async () => {
    const labels = await completionsAt(doc('name: draft-run'), 3);
    assertIncludes(labels, ['pinned', 'random', 'least-loaded', 'global-queue', 'linux-cfs', 'sticky'], 'policies');
  });

  test('$ offers the declared parameters', async () => {
    const labels = await completionsAt(doc('name: draft-run'), 4);
    assert.deepEqual(labels.sort(), ['$dur', '$mean']);
  });

  test("a chart's runs: offers the lab's run cells", async () => {
    const labels = await completionsAt(doc('show: load'), 1);
    assertIncludes(labels, ['base', 'draft-run'], 'runs');
    assert.ok(!labels.includes('duo'), 'offers a machine as a run');
  });

  test('a check expression offers runs after runs. and metrics after runs.<run>.', async () => {
    assertIncludes(await completionsAt(doc('expect: runs.'), 0), ['base', 'draft-run'], 'runs');
    const metrics = await completionsAt(doc('expect: runs.base.'), 0);
    assertIncludes(metrics, ['migrations', 'meanResponseS', 'imbalanceCv', 'cacheMisses'], 'metrics');
    assert.ok(!metrics.includes('base'), 'offers a run where a metric goes');
  });

  test('hovering a key shows its meaning, value type with units, and default', async () => {
    const l1d = await hoverAt(doc('name: duo'), 2, 'l1d');
    for (const part of ['Private L1 data cache per core', 'a size with a unit, e.g. 256KiB', 'Default: `32KiB`']) {
      assert.ok(l1d.includes(part), `the l1d hover lacks ${JSON.stringify(part)}:\n${l1d}`);
    }
    const duration = await hoverAt(doc('name: base'), 4, 'duration');
    for (const part of ['Simulated time limit', 'a time in whole nanoseconds with a unit', 'Default: `10s`']) {
      assert.ok(duration.includes(part), `the duration hover lacks ${JSON.stringify(part)}:\n${duration}`);
    }
    const sockets = await hoverAt(doc('name: duo'), 1, 'sockets');
    for (const part of ['Number of sockets', 'a whole number from 1 to 64', 'Default: `1`']) {
      assert.ok(sockets.includes(part), `the sockets hover lacks ${JSON.stringify(part)}:\n${sockets}`);
    }
  });

  test('hovering a value explains it: a policy, a reference, a quantity in base units', async () => {
    const run = doc('name: base');
    assert.match(await hoverAt(run, 3, 'least-loaded'), /shortest run queue/);
    assert.match(await hoverAt(run, 1, 'duo'), /Machine cell in this lab/);
    assert.match(await hoverAt(doc('name: duo'), 2, '32KiB'), /32768 B/);
  });

  test("hovering a metric where it is used gives its definition, the docs' own words", async () => {
    const docs = new TextDecoder().decode(
      await vscode.workspace.fs.readFile(
        vscode.Uri.joinPath(vscode.extensions.getExtension(extensionId)!.extensionUri, 'docs', 'lab-format.md'),
      ),
    );
    const documented = (metric: string) => new RegExp(`^\\| \`${metric}\` \\| (.+) \\|$`, 'm').exec(docs)?.[1];
    const makespan = documented('makespanS');
    assert.match(makespan ?? '', /Finished processes only/);
    assert.ok((await hoverAt(doc('machine: duo'), 3, 'makespanS')).includes(makespan!), "in a compare cell's metrics");
    assert.ok(
      (await hoverAt(doc('machine: duo'), 3, 'meanSojournS')).includes(documented('meanSojournS')!),
      'the second metric of the list',
    );
    assert.ok(
      (await hoverAt(doc('expect: runs.base.makespanS < 2s'), 0, 'makespanS')).includes(makespan!),
      'in a check expression',
    );
  });

  test('policy cells complete and explain the policy API from its shipped types', async () => {
    const policy = doc('definePolicy({');
    assertIncludes(
      await completionsAt(policy, 1),
      ['load', 'queueLength', 'isAllowed', 'temperatureC'],
      'view members',
    );
    assertIncludes(
      await completionsAt(policy, 2),
      ['load-balance', 'cache-contention', 'thermal', 'maintenance'],
      'reasons',
    );
    assertIncludes(
      await completionsAt(policy, 0, 0),
      ['place', 'balance', 'onIdle', 'definePolicy'],
      'hooks and globals',
    );
    assert.match(await hoverAt(policy, 2, 'migrate'), /migrate\(/);
  });
});
