// Problems in cells, as a person sees them: squiggles at the exact place (the cell document's
// diagnostics, which the extension publishes on open and ~150 ms after edits) with the message
// the docs promise, and a run of the broken cell that refuses with the same message.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import {
  cell,
  cellStartingWith,
  cellsOfKind,
  ERROR_MIME,
  execute,
  outputJson,
  setCellText,
  sleep,
  until,
  writeLab,
} from './labs';
import { note } from './reporter';

/** A valid lab every case refers to: params `dur`, machine `duo`, workload `mixed`, run `base`. */
const BASE = [
  '# Diagnostics\n',
  cell('params', 'dur: 2s'),
  cell('machine', 'name: duo\nsockets: 2\ncoresPerSocket: 4'),
  cell('workload', 'name: mixed\nprocesses:\n  - { name: web, count: 8, arrival: poisson 400/s, demand: exp 4ms }'),
  cell('run', 'name: base\nmachine: duo\nworkload: mixed\npolicy: least-loaded\nduration: 1s'),
];

/**
 * Where a diagnostic should be: `[line, 'token']` is the first occurrence of the token on that
 * line of the cell body (the squiggle covers exactly the token); `[line, character]` is an empty
 * range (problems without a place in the body, e.g. on the fence line or at the end of the text).
 */
type Where = [line: number, token: string] | [line: number, character: number];

interface Expected {
  where: Where;
  message: string | ((notebook: vscode.NotebookDocument) => string);
  severity?: vscode.DiagnosticSeverity;
}

interface Case {
  title: string;
  /** The fence info string: the cell kind and attributes. */
  info: string;
  /** The cell body; its first line must be unique in the lab (cells are found by it). */
  body: string;
  expected: Expected;
  /** The expected diagnostic is the cell's only one (the default), or one among follow-ups. */
  only?: boolean;
}

const Warning = vscode.DiagnosticSeverity.Warning;

const CASES: Case[] = [
  {
    title: 'unknown key, with "did you mean"',
    info: 'machine',
    body: 'name: typo-key\ncoresPerSockt: 4',
    expected: { where: [1, 'coresPerSockt'], message: 'Unknown key "coresPerSockt". Did you mean "coresPerSocket"?' },
  },
  {
    title: 'wrong type',
    info: 'machine',
    body: 'name: wrong-type\nsockets: two',
    expected: { where: [1, 'two'], message: '"sockets" must be a whole number from 1 to 64; got "two"' },
  },
  {
    title: 'unknown unit',
    info: 'machine',
    body: 'name: bad-unit\ncaches: { l1d: 32KB }',
    expected: { where: [1, 'KB'], message: 'Unknown size unit "KB": use one of B, KiB, MiB, GiB' },
  },
  {
    title: 'missing unit',
    info: 'run',
    body: 'name: no-unit\nmachine: duo\nworkload: mixed\npolicy: pinned\nduration: 4',
    expected: { where: [4, '4'], message: 'A time needs a unit: one of ns, us, µs, ms, s' },
  },
  {
    title: 'value out of range',
    info: 'machine',
    body: 'name: out-of-range\nsockets: 0',
    expected: { where: [1, '0'], message: '"sockets" must be at least 1; got 0' },
  },
  {
    title: 'policy parameter out of range',
    info: 'run',
    body: 'name: bad-policy-param\nmachine: duo\nworkload: mixed\npolicy: { name: linux-cfs, imbalancePct: 50 }',
    expected: { where: [3, '50'], message: '"imbalancePct" must be at least 100; got 50' },
    // linux-cfs is a planned policy: a warning says runs using it fail (until it is implemented).
    only: false,
  },
  {
    title: 'missing required key',
    info: 'run',
    body: 'name: no-workload\nmachine: duo\npolicy: pinned',
    expected: {
      where: [0, 'name: no-workload'],
      message: 'Missing required key "workload" (with "machine"): The workload cell to run.',
    },
  },
  {
    title: 'duplicate name',
    info: 'workload',
    // The name comes last, so the first line (which finds the cell) differs from the original's.
    body: 'processes:\n  - { name: other, count: 1 }\nname: mixed',
    expected: {
      where: [2, 'mixed'],
      // Cells are numbered from 1 over the whole notebook, Markdown cells included.
      message: (notebook) =>
        `Duplicate workload name "mixed": cell ${cellStartingWith(notebook, 'name: mixed').index + 1} already defines it`,
    },
  },
  {
    title: 'YAML syntax error: a key written twice',
    info: 'run',
    body: 'name: twice\nmachine: duo\nworkload: mixed\npolicy: pinned\npolicy: random',
    expected: { where: [4, 'p'], message: 'YAML: Map keys must be unique' },
  },
  {
    title: 'YAML syntax error: an unclosed list',
    info: 'run',
    body: 'name: unclosed\nmachine: duo\nworkload: mixed\npolicy: [pinned',
    // At the end of the text, where the closing ] should have been.
    expected: {
      where: [3, 15],
      message: 'YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    },
    only: false,
  },
  {
    title: 'unknown machine reference, with "did you mean"',
    info: 'run',
    body: 'name: unknown-machine\nmachine: duoo\nworkload: mixed\npolicy: pinned',
    expected: { where: [1, 'duoo'], message: 'Unknown machine "duoo". Did you mean "duo"?' },
  },
  {
    title: 'unknown workload reference, with "did you mean"',
    info: 'run',
    body: 'name: unknown-workload\nmachine: duo\nworkload: mixd\npolicy: pinned',
    expected: { where: [2, 'mixd'], message: 'Unknown workload "mixd". Did you mean "mixed"?' },
  },
  {
    title: 'unknown run reference in a chart, with "did you mean"',
    info: 'chart',
    body: 'title: unknown run\nshow: load\nruns: [base, bsae]',
    expected: { where: [2, 'bsae'], message: 'Unknown run "bsae". Did you mean "base"?' },
  },
  {
    title: 'unknown policy, with "did you mean"',
    info: 'run',
    body: 'name: unknown-policy\nmachine: duo\nworkload: mixed\npolicy: least-loadd',
    expected: { where: [3, 'least-loadd'], message: 'Unknown policy "least-loadd". Did you mean "least-loaded"?' },
  },
  {
    title: 'unknown $parameter, with "did you mean"',
    info: 'run',
    body: 'name: unknown-param\nmachine: duo\nworkload: mixed\npolicy: pinned\nduration: $durr',
    expected: {
      where: [4, '$durr'],
      message: 'Unknown parameter $durr. Did you mean $dur? Declare it in a params cell.',
    },
  },
  {
    title: 'unknown distribution',
    info: 'workload',
    body: 'name: bad-distribution\nprocesses:\n  - { name: web, count: 8, demand: gaussian 4ms }',
    expected: {
      where: [2, 'gaussian'],
      message:
        'Unknown distribution "gaussian": use one of: 4ms, fixed 4ms, exp 4ms, uniform 1ms 3ms, lognormal 4ms 1.5, pareto 1ms 100ms 1.5',
    },
  },
  {
    title: 'distribution with the wrong number of arguments',
    info: 'workload',
    body: 'name: bad-arguments\nprocesses:\n  - { name: web, count: 8, demand: uniform 1ms }',
    expected: { where: [2, 'uniform 1ms'], message: '"uniform" takes 2 arguments: uniform 1ms 3ms' },
  },
  {
    title: 'unknown arrival',
    info: 'workload',
    body: 'name: bad-arrival\nprocesses:\n  - { name: web, count: 8, arrival: sometimes }',
    expected: {
      where: [2, 'sometimes'],
      message:
        'Unknown arrival "sometimes": use one of: 0s, poisson 400/s, poisson 400/s after 1s, every 10ms, 1s every 10ms, or a list of times',
    },
  },
  {
    title: 'arrival with a bad rate',
    info: 'workload',
    body: 'name: bad-rate\nprocesses:\n  - { name: web, count: 8, arrival: poisson fast }',
    expected: { where: [2, 'fast'], message: 'Expected a rate like 400/s, got "fast"' },
  },
  {
    title: 'unknown scheduler',
    info: 'run',
    body: 'name: bad-scheduler\nmachine: duo\nworkload: mixed\npolicy: pinned\nscheduler: lottery',
    expected: {
      where: [4, 'lottery'],
      message: 'Unknown scheduler "lottery": use one of: fair, fair 1ms, fcfs, rr, rr 4ms, edf, priority',
    },
  },
  {
    title: 'bad check attribute (on the fence line, so at the start of the body)',
    info: 'check points=lots',
    body: 'message: bad attribute\nexpect: runs.base.migrations >= 0',
    expected: { where: [0, 0], message: 'Attribute "points" must be a number of at least 0' },
  },
  {
    title: 'unknown check attribute is a warning, with "did you mean"',
    info: 'check hiddn',
    body: 'message: unknown attribute\nexpect: runs.base.migrations >= 0',
    expected: {
      where: [0, 0],
      message: 'Unknown attribute "hiddn" on a check cell. Did you mean "hidden"?',
      severity: Warning,
    },
  },
  {
    title: 'unknown metric in a check expression',
    info: 'check',
    body: 'message: unknown metric\nexpect: runs.base.migratons > 0',
    expected: { where: [1, 'migratons'], message: 'Unknown metric "migratons". Did you mean "migrations"?' },
  },
  {
    title: 'chart of an unknown kind',
    info: 'chart',
    body: 'title: unknown kind\nshow: pie\nruns: [base]',
    expected: {
      where: [1, 'pie'],
      message:
        '"pie" is not a valid show. Use one of: load, queues, cache-misses, migrations, timeline, migration-cost, energy, frequency, temperature, deadlines, response, sweep, live-migrations, downtime, host-energy, hosts-on, host-load, host-temperature, response-by-server',
    },
  },
];

/** The expected range in a cell document. */
function rangeOf(document: vscode.TextDocument, [line, at]: Where): vscode.Range {
  if (typeof at === 'number') return new vscode.Range(line, at, line, at);
  const character = document.lineAt(line).text.indexOf(at);
  assert.ok(character >= 0, `line ${line} of the cell has no ${JSON.stringify(at)}`);
  return new vscode.Range(line, character, line, character + at.length);
}

const show = (d: vscode.Diagnostic) =>
  `${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${vscode.DiagnosticSeverity[d.severity]} ${d.message}`;

/**
 * How a problem names its cell (the Problems panel lists cells by the notebook's name only):
 * `Cell 7 (run base)`, numbered from 1 over every cell as the notebook's status bar counts them.
 */
function cellPrefix(target: vscode.NotebookCell): string {
  const kind = target.document.languageId.replace('migration-lab-', '');
  const name = /^name:\s*([\w-]+)/m.exec(target.document.getText())?.[1];
  return `Cell ${target.index + 1} (${kind}${name ? ` ${name}` : ''})`;
}

suite('diagnostics in lab cells', () => {
  let notebook: vscode.NotebookDocument;

  /** From the lab's open until its diagnostics were there, with no edit made (ms). */
  let publishedAfterMs: number;

  suiteSetup(async () => {
    const text = [...BASE, ...CASES.map((c) => `\n${c.title}:\n\n${cell(c.info, c.body)}`)].join('\n');
    const opened = Date.now();
    notebook = await writeLab('diagnostics.lab.md', text);
    const first = cellStartingWith(notebook, CASES[0].body.split('\n')[0]);
    await until('diagnostics to be published', () => vscode.languages.getDiagnostics(first.document.uri).length > 0);
    publishedAfterMs = Date.now() - opened;
  });

  test('opening a lab publishes its diagnostics, with no edit; the valid cells have none', async () => {
    note(`diagnostics of a ${notebook.cellCount}-cell lab published ${publishedAfterMs} ms after opening it`);
    assert.ok(publishedAfterMs < 5_000, `diagnostics took ${publishedAfterMs} ms after the open`);
    for (const name of ['dur: 2s', 'name: duo', 'name: base']) {
      const found = vscode.languages.getDiagnostics(cellStartingWith(notebook, name).document.uri);
      assert.deepEqual(found.map(show), [], `the cell starting with ${name}`);
    }
  });

  for (const c of CASES) {
    test(`${c.title}: exact range and message`, async () => {
      const target = cellStartingWith(notebook, c.body.split('\n')[0]);
      const found = await until('the cell diagnostics', () => {
        const list = vscode.languages.getDiagnostics(target.document.uri);
        return list.length > 0 && list;
      });
      const { where, message, severity = vscode.DiagnosticSeverity.Error } = c.expected;
      const text = typeof message === 'string' ? message : message(notebook);
      const expected = new vscode.Diagnostic(
        rangeOf(target.document, where),
        `${cellPrefix(target)}: ${text}`,
        severity,
      );
      if (c.only ?? true) assert.deepEqual(found.map(show), [show(expected)]);
      else
        assert.ok(
          found.map(show).includes(show(expected)),
          `expected\n  ${show(expected)}\namong\n  ${found.map(show).join('\n  ')}`,
        );
      assert.ok(
        found.every((d) => d.source === 'migration-lab'),
        'every diagnostic names its source',
      );
    });
  }

  test('running the invalid cells refuses each with its errors, at the same lines and columns', async () => {
    const invalid = CASES.filter(
      (c) => (c.expected.severity ?? vscode.DiagnosticSeverity.Error) === vscode.DiagnosticSeverity.Error,
    );
    const targets = invalid.map((c) => cellStartingWith(notebook, c.body.split('\n')[0]));
    await execute(notebook, targets);
    for (const [i, target] of targets.entries()) {
      assert.equal(target.executionSummary?.success, false, `${invalid[i].title}: the run did not fail`);
      const error = outputJson(target, ERROR_MIME) as { name?: string; message?: string };
      const kind = target.document.languageId.replace('migration-lab-', '');
      assert.equal(error.name, `Invalid ${kind} cell`, invalid[i].title);
      // The editor's errors, as the run describes them: 1-based, one per line.
      const errors = vscode.languages
        .getDiagnostics(target.document.uri)
        .filter((d) => d.severity === vscode.DiagnosticSeverity.Error)
        .map(
          (d) =>
            `line ${d.range.start.line + 1}, column ${d.range.start.character + 1}: ${d.message.slice(cellPrefix(target).length + 2)}`,
        );
      assert.equal(error.message, errors.join('\n'), invalid[i].title);
    }
  });

  test('a chart of a broken run refuses, naming the run', async () => {
    const chart = cellsOfKind(notebook, 'chart').find((c) => c.document.getText().startsWith('title: unknown kind'));
    assert.ok(chart);
    await setCellText(chart, 'title: unknown kind\nshow: load\nruns: [unknown-machine]');
    // In the editor, nothing on the chart: the one mistake shows once, in the run's cell.
    await until(
      "the chart's text to be taken",
      () =>
        vscode.workspace.notebookDocuments.includes(notebook) && chart.document.getText().includes('unknown-machine'),
    );
    await sleep(500);
    assert.deepEqual(vscode.languages.getDiagnostics(chart.document.uri).map(show), []);
    await execute(notebook, [chart]);
    assert.equal(chart.executionSummary?.success, false, 'the chart of a broken run was drawn');
    const { name, message } = outputJson(chart, ERROR_MIME) as { name?: string; message?: string };
    assert.deepEqual(
      { name, message },
      {
        name: 'Run unknown-machine is invalid',
        message: 'line 2, column 10: Unknown machine "duoo". Did you mean "duo"?',
      },
    );
  });

  test("a check of a broken run refuses, with the run's errors", async () => {
    const check = cellStartingWith(notebook, 'message: unknown metric');
    await setCellText(check, 'message: unknown metric\nexpect: runs.twice.migrations >= 0');
    await until(
      "the check's old problem to go",
      () => vscode.languages.getDiagnostics(check.document.uri).length === 0,
    );
    await execute(notebook, [check]);
    assert.equal(check.executionSummary?.success, false, 'the check of a broken run was graded');
    const { name, message } = outputJson(check, ERROR_MIME) as { name?: string; message?: string };
    assert.notEqual(name, 'TypeError', `the check crashed: ${message}`);
    assert.match(String(message), /line 5, column 1: YAML: Map keys must be unique/);
  });

  test('diagnostics follow edits: a fix clears them, a new mistake shows up where it is', async () => {
    const target = cellStartingWith(notebook, 'name: wrong-type');
    await setCellText(target, 'name: wrong-type\nsockets: 2');
    const started = Date.now();
    await until(
      'the fixed cell to have no diagnostics',
      () => vscode.languages.getDiagnostics(target.document.uri).length === 0,
      5_000,
    );
    const clearedMs = Date.now() - started;
    // The debounce is ~150 ms: a cell that never updates within 2 s is broken, not slow.
    assert.ok(clearedMs < 2_000, `diagnostics took ${clearedMs} ms to clear`);

    await setCellText(target, 'name: wrong-type\nsockets: 2\nsmt: 9');
    const found = await until('the new problem', () => {
      const list = vscode.languages.getDiagnostics(target.document.uri);
      return list.length > 0 && list;
    });
    assert.deepEqual(found.map(show), [
      show(
        new vscode.Diagnostic(new vscode.Range(2, 5, 2, 6), `${cellPrefix(target)}: "smt" must be at most 8; got 9`),
      ),
    ]);
  });
});
