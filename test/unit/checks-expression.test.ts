import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseCheckExpression } from '../../src/lab/language/checkExpression';
import { evaluateCheck, type CheckScope } from '../../src/lab/grading/checks';
import type { CompareOutput } from '../../src/lab/outputs/contract';
import type { ResolvedCheck } from '../../src/lab/language/resolveLab';

const compare: CompareOutput = {
  name: 'policies',
  machine: 'duo',
  workload: 'mixed',
  policies: ['pinned', 'least-loaded'],
  metrics: ['meanResponseS'],
  seeds: 5,
  cells: [
    { policy: 'pinned', metric: 'meanResponseS', interval: { mean: 0.02, halfWidth: 0.004, n: 5 }, best: false },
    {
      policy: 'least-loaded',
      metric: 'meanResponseS',
      interval: { mean: 0.008, halfWidth: 0.001, n: 5 },
      difference: { mean: -0.012, halfWidth: 0.003, n: 5 },
      best: true,
    },
  ],
};

const scope: CheckScope = {
  runs: {
    pinned: {
      ok: true,
      value: { imbalanceCv: 0.4, migrations: 0, meanResponseS: 0.0031, migrationsByReason: { steal: 0, balance: 0 } },
    },
    cfs: {
      ok: true,
      value: {
        imbalanceCv: 0.05,
        migrations: 120,
        meanResponseS: 0.0019,
        migrationsByReason: { steal: 100, balance: 20 },
      },
    },
    mine: { ok: false, error: 'policy "mine" threw: TypeError: x is undefined' },
  },
  compares: { policies: { ok: true, value: compare } },
};

const check = (expect: string, extra: Partial<ResolvedCheck> = {}): ResolvedCheck => ({
  cellIndex: 0,
  points: 2,
  hidden: false,
  solution: false,
  expect,
  runs: [],
  ...extra,
});
const run = (expect: string, extra: Partial<ResolvedCheck> = {}) => evaluateCheck(check(expect, extra), scope);

test('comparisons between runs pass and score their points', () => {
  assert.deepEqual(run('runs.cfs.imbalanceCv < runs.pinned.imbalanceCv'), {
    passed: true,
    score: 2,
    message: 'passed',
  });
  const failed = run('runs.pinned.imbalanceCv < runs.cfs.imbalanceCv');
  assert.equal(failed.passed, false);
  assert.equal(failed.score, 0);
  assert.match(failed.message, /runs\.pinned\.imbalanceCv = 0\.4, runs\.cfs\.imbalanceCv = 0\.05/);
});

test('arithmetic, precedence, logic and functions', () => {
  assert.equal(run('runs.cfs.migrations > 100 && runs.pinned.migrations == 0').passed, true);
  assert.equal(run('runs.cfs.migrations > 1000 || runs.pinned.migrations == 0').passed, true);
  assert.equal(run('!(runs.cfs.migrations > 1000)').passed, true);
  assert.equal(run('1 + 2 * 3 == 7').passed, true);
  assert.equal(run('(1 + 2) * 3 == 9').passed, true);
  assert.equal(run('-runs.cfs.migrations == -120').passed, true);
  assert.equal(run('abs(runs.cfs.imbalanceCv - runs.pinned.imbalanceCv) > 0.3').passed, true);
  assert.equal(run('max(runs.cfs.migrations, 5, 300) == 300 && min(1, 2) == 1').passed, true);
  assert.equal(run('runs.cfs.imbalanceCv * 2 <= runs.pinned.imbalanceCv / 4').passed, true);
});

test('numbers with units are converted to the units metrics are reported in', () => {
  assert.equal(run('runs.cfs.meanResponseS < 2ms').passed, true);
  assert.equal(run('runs.pinned.meanResponseS < 2ms').passed, false);
  assert.equal(run('runs.pinned.meanResponseS < 3100us + 1us').passed, true);
  assert.equal(run('30% == 0.3').passed, true);
  assert.equal(run('1KiB == 1024 && 2GHz == 2000000000 && 1s == 1000ms').passed, true);
  assert.equal(parseCheckExpression('2parsecs > 1').ok, false);
});

test('compares, breakdowns and bracketed names', () => {
  assert.equal(
    run('compares.policies.least-loaded.meanResponseS.mean < compares.policies.pinned.meanResponseS.mean').passed,
    true,
  );
  assert.equal(
    run('compares.policies.least-loaded.meanResponseS.high < compares.policies.pinned.meanResponseS.low').passed,
    true,
  );
  assert.equal(run('compares.policies["least-loaded"].meanResponseS.difference < 0').passed, true);
  assert.equal(run('compares.policies.least-loaded.meanResponseS.best == true').passed, true);
  assert.equal(run('runs.cfs.migrationsByReason.steal == 100').passed, true);
  const group = run('runs.cfs.migrationsByReason > 3');
  assert.match(group.message, /group of values \(steal, balance\)/);
});

test('unknown names and failed runs fail with a reason', () => {
  assert.match(run('runs.nope.migrations > 0').message, /runs has no "nope" \(known: pinned, cfs\)/);
  assert.match(run('runs.cfs.nope > 0').message, /runs\.cfs has no "nope"/);
  assert.match(run('foo > 0').message, /Unknown name "foo"/);
  assert.match(run('runs.mine.migrations > 0').message, /run "mine" has no result: policy "mine" threw/);
  assert.match(run('runs.cfs.migrations').message, /gives 120, not true or false/);
  assert.match(run('runs.cfs.migrations && true').message, /not true or false/);
});

test('hidden checks never quote the expression or its values', () => {
  const hidden = run('runs.pinned.imbalanceCv < runs.cfs.imbalanceCv', { hidden: true });
  assert.deepEqual(hidden, { passed: false, score: 0, message: 'A hidden check failed' });
  const withMessage = run('runs.pinned.imbalanceCv < 0.01', {
    hidden: true,
    message: 'Look at how evenly pinned spreads work',
  });
  assert.equal(withMessage.message, 'Look at how evenly pinned spreads work');
  // A failed run is not a secret: it says which run and why.
  const failedRun = run('runs.mine.migrations > 0', { hidden: true });
  assert.match(failedRun.message, /^A hidden check failed \(run "mine" has no result: policy "mine" threw/);
  assert.doesNotMatch(failedRun.message, /migrations > 0/);
});

test('syntax errors name the column', () => {
  const r = parseCheckExpression('runs.a.b < < 3');
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.start, 11);
  assert.equal(parseCheckExpression('a < b < c').ok, false);
  assert.equal(parseCheckExpression('(1 < 2').ok, false);
  assert.equal(parseCheckExpression('runs.a.b = 3').ok, false);
  assert.match(run('runs.cfs.migrations >').message, /does not parse at column \d+/);
});

test('no code runs: property access cannot escape the scope', () => {
  for (const expr of [
    'runs.constructor.name == "Object"',
    'runs.__proto__ == 1',
    'runs.cfs.toString == 1',
    'compares.policies.pinned.meanResponseS.constructor == 1',
  ]) {
    const r = run(expr);
    assert.equal(r.passed, false, expr);
    assert.match(r.message, /has no/, expr);
  }
});

test('property: any text either parses or fails with a span inside it, and evaluation never throws', () => {
  const alphabet = fc.constantFrom(
    ...'runs.cfs.imbalanceCv compares ()!<>=&|+-*/ 0123456789 ms % " [ ] , abs min'.split(''),
  );
  fc.assert(
    fc.property(
      fc.array(alphabet, { maxLength: 60 }).map((a) => a.join('')),
      (text) => {
        const parsed = parseCheckExpression(text);
        if (!parsed.ok) assert.ok(parsed.start >= 0 && parsed.end <= text.length + 1 && parsed.start <= parsed.end);
        const result = run(text);
        assert.equal(typeof result.passed, 'boolean');
        assert.equal(result.score, result.passed ? 2 : 0);
      },
    ),
    { numRuns: 2000 },
  );
  assert.equal(parseCheckExpression('('.repeat(20000) + '1' + ')'.repeat(20000)).ok, false);
});
