// Every migration reason is demonstrated by a shipped example: some example lab has a visible
// check cell that requires `runs.<run>.migrationsByReason.<reason> > 0` (or a larger bound), and
// the lab draws that run's `show: migrations` or `show: timeline` chart, where the student sees
// the moves coloured by reason. This test
// reads the labs only; that the checks pass is asserted where every example runs through the
// command line (cli-verify.test.ts: `run` exits 0 only when every check passes), and in the
// editor by the integration and e2e suites (a failed check is a failed cell).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REASONS } from '../../src/sim';
import { parseLab } from '../../src/lab/document/markdown';
import { parseCheckExpression, type CheckNode } from '../../src/lab/language/checkExpression';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { REPO } from './cli-helpers';

const EXAMPLES = execFileSync('git', ['ls-files', 'examples'], { cwd: REPO, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f.endsWith('.lab.md'));

/**
 * `runs.<run>.migrationsByReason.<reason> > k` for k >= 0, or `>= k` for k > 0 (also mirrored,
 * `0 < ...`), among the conjuncts of `node`: [run, reason] pairs. Each needs at least one move.
 */
function reasonPins(node: CheckNode): [string, string][] {
  if (node.kind === 'logic' && node.op === '&&') return [...reasonPins(node.left), ...reasonPins(node.right)];
  if (node.kind !== 'compare') return [];
  const read = (n: CheckNode): [string, string] | undefined => {
    if (n.kind !== 'member' || n.object.kind !== 'member' || n.object.property !== 'migrationsByReason')
      return undefined;
    const run = n.object.object;
    return run.kind === 'member' && run.object.kind === 'name' && run.object.name === 'runs'
      ? [run.property, n.property]
      : undefined;
  };
  // A bound that zero moves cannot meet: > k with k >= 0, >= k with k > 0.
  const bound = (n: CheckNode, strict: boolean) => n.kind === 'number' && (strict ? n.value >= 0 : n.value > 0);
  const pin =
    (node.op === '>' && bound(node.right, true)) || (node.op === '>=' && bound(node.right, false))
      ? read(node.left)
      : (node.op === '<' && bound(node.left, true)) || (node.op === '<=' && bound(node.left, false))
        ? read(node.right)
        : undefined;
  return pin ? [pin] : [];
}

interface Pin {
  lab: string;
  run: string;
  check: string;
}

function pinsOfExamples(): Map<string, Pin[]> {
  const pins = new Map<string, Pin[]>();
  for (const file of EXAMPLES) {
    const lab = resolveLab(parseLab(readFileSync(join(REPO, file), 'utf8')));
    const charted = new Set(
      lab.charts.filter((c) => c.show === 'migrations' || c.show === 'timeline').flatMap((c) => c.runs),
    );
    for (const check of lab.checks) {
      if (check.hidden) continue;
      const parsed = parseCheckExpression(check.expect);
      assert.ok(parsed.ok, `${file}: ${check.expect}`);
      for (const [run, reason] of reasonPins(parsed.ast)) {
        if (!charted.has(run)) continue;
        (pins.get(reason) ?? pins.set(reason, []).get(reason)!).push({
          lab: file,
          run,
          check: check.id ?? check.expect,
        });
      }
    }
  }
  return pins;
}

test('reasonPins finds the pins of a conjunction and nothing weaker', () => {
  const pins = (text: string) => {
    const parsed = parseCheckExpression(text);
    assert.ok(parsed.ok);
    return reasonPins(parsed.ast);
  };
  assert.deepEqual(pins('runs.a.migrationsByReason.numa > 0'), [['a', 'numa']]);
  assert.deepEqual(pins('runs.a.imbalanceCv < 1 && 0 < runs.b.migrationsByReason["cpu-contention"]'), [
    ['b', 'cpu-contention'],
  ]);
  assert.deepEqual(pins('runs.a.migrationsByReason.load-balance > 0 && runs.a.migrationsByReason.fault > 0'), [
    ['a', 'load-balance'],
    ['a', 'fault'],
  ]);
  // Not pins: a disjunction, a bound that zero moves also meets, another metric.
  assert.deepEqual(pins('runs.a.migrationsByReason.numa > 0 || runs.a.migrations > 0'), []);
  assert.deepEqual(pins('runs.a.migrationsByReason.numa >= 0'), []);
  assert.deepEqual(pins('runs.a.migrationsByReason.numa >= 3'), [['a', 'numa']]);
  assert.deepEqual(pins('2 < runs.a.migrationsByReason.numa'), [['a', 'numa']]);
  assert.deepEqual(pins('runs.a.migrationsByReason.numa > -1'), []);
  assert.deepEqual(pins('runs.a.migrations > 0'), []);
});

test('every migration reason is pinned by a visible check of an example whose migrations chart shows that run', (t) => {
  const pins = pinsOfExamples();
  for (const reason of REASONS)
    t.diagnostic(
      `${reason}: ${(pins.get(reason) ?? []).map((p) => `${p.lab} run ${p.run} (check ${p.check})`).join('; ') || 'none'}`,
    );
  assert.deepEqual(
    REASONS.filter((r) => !pins.has(r)),
    [],
    'reasons no example demonstrates',
  );
  // The examples pin no reason that does not exist.
  assert.deepEqual(
    [...pins.keys()].filter((r) => !(REASONS as readonly string[]).includes(r)),
    [],
  );
});

test('at least one example shows the run queues and uses an affinity mask', () => {
  const texts = EXAMPLES.map((f) => readFileSync(join(REPO, f), 'utf8'));
  assert.ok(
    texts.some((t) => /^show: queues$/m.test(t)),
    'no example has a show: queues chart',
  );
  assert.ok(
    texts.some((text) =>
      resolveLab(parseLab(text)).runs.some((r) =>
        r.config.workload.groups.some((g) => g.affinity !== undefined && g.affinity.length > 0),
      ),
    ),
    'no example runs a workload with an affinity mask',
  );
});
