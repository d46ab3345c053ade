/** Completions and hovers for policy cells come from the shipped .d.ts and cover all of it. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { parsePolicyApi, policyCompletions, policyHover } from '../../src/policy-api/editorHelp';
import { REASONS } from '../../src/sim/index';

const dts = readFileSync(join(import.meta.dirname, '../../src/policy-api/migration-lab-policy.d.ts'), 'utf8');
const api = parsePolicyApi(dts);

test('the reader finds every interface member the TypeScript compiler finds, each with a doc', () => {
  const file = ts.createSourceFile('api.d.ts', dts, ts.ScriptTarget.ES2022);
  for (const s of file.statements) {
    if (!ts.isInterfaceDeclaration(s)) continue;
    const expected = s.members.map((m) => (m.name as ts.Identifier).text);
    const got = api.interfaces.get(s.name.text)?.map((m) => m.name);
    assert.deepEqual(got, expected, s.name.text);
  }
  for (const [name, members] of api.interfaces) {
    for (const m of members) assert.ok(m.doc.length > 5, `${name}.${m.name} has a doc`);
  }
  assert.deepEqual(
    api.globals.map((g) => g.name),
    ['definePolicy', 'REASONS'],
  );
  assert.deepEqual(api.reasons, [...REASONS]);
});

test('completions: view., act., view.machine., reasons in migrate, hooks at the start of a line', () => {
  const labels = (prefix: string) => policyCompletions(api, prefix).map((c) => c.label);
  assert.ok(labels('    if (view.lo').includes('load'));
  assert.ok(labels('    for (const p of view.').includes('queued'));
  assert.deepEqual(labels('      act.'), ['migrate']);
  assert.ok(labels('  const s = view.machine.').includes('l2Bytes'));
  assert.ok(labels('  const s = view.machine.cpus[cpu]!.').includes('socket'));
  assert.deepEqual(labels("      act.migrate(p, best, '"), [...REASONS]);
  assert.deepEqual(labels("    return { cpu: 2, reason: 'he"), [...REASONS]);
  const top = labels('  pla');
  assert.ok(top.includes('place') && top.includes('balanceIntervalNs') && top.includes('definePolicy'));
  assert.deepEqual(labels('  const x = foo.'), []);
  const load = policyCompletions(api, 'view.').find((c) => c.label === 'load')!;
  assert.equal(load.detail, 'load(cpu: number): number');
  assert.match(load.documentation, /waiting \+ running/);
});

test('hovers: members after view. and act., hooks, globals', () => {
  const line = '      if (view.queueLength(cpu) > 0) act.migrate(p, cpu, "load-balance");';
  assert.match(policyHover(api, line, line.indexOf('queueLength') + 3)!.doc, /waiting in `cpu`'s run queue/);
  assert.match(policyHover(api, line, line.indexOf('migrate') + 1)!.doc, /Moves process `p` to `cpu`/);
  assert.equal(policyHover(api, line, line.indexOf('cpu)') + 1), null);
  assert.match(policyHover(api, '  onIdle(view, act, cpu) {', 3)!.doc, /run out of work/);
  assert.match(policyHover(api, 'export default definePolicy({', 20)!.signature, /^function definePolicy/);
});
