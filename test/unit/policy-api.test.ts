/**
 * The policy API as students meet it: the documented types (migration-lab-policy.d.ts) accept
 * the code in the docs and examples under strict TypeScript, the sandbox's view has every member
 * the types promise, and the worked example in docs/writing-policies.md does what the page says.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { compilePolicy } from '../../src/sandbox/index';
import { simulate, type SimConfig } from '../../src/sim/index';
import { FakeMachine } from './policy-fake-view';

const root = join(import.meta.dirname, '../..');
const DTS_PATH = join(root, 'src/policy-api/migration-lab-policy.d.ts');
const dts = readFileSync(DTS_PATH, 'utf8');
const guide = readFileSync(join(root, 'docs/writing-policies.md'), 'utf8');
const workedExample = [...guide.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

/** Type errors of `code` as a policy cell sees it: strict, ES2022, the policy API as its only globals. */
function typeErrors(code: string): string[] {
  const files = new Map([
    ['/cell.ts', code],
    ['/migration-lab-policy.d.ts', dts],
  ]);
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    lib: ['lib.es2022.d.ts'],
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => files.get(f) ?? readFile(f);
  host.fileExists = (f) => files.has(f) || ts.sys.fileExists(f);
  host.getSourceFile = (f, lang) =>
    files.has(f) ? ts.createSourceFile(f, files.get(f)!, lang) : getSourceFile(f, lang);
  const program = ts.createProgram(['/cell.ts', '/migration-lab-policy.d.ts'], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

/** The member names of an interface in the .d.ts. */
function membersOf(name: string): string[] {
  const file = ts.createSourceFile('api.d.ts', dts, ts.ScriptTarget.ES2022);
  const decl = file.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name,
  );
  assert.ok(decl, name);
  return decl.members.map((m) => (m.name as ts.Identifier).text);
}

test('the worked example and the assignment example type-check against the shipped policy API', () => {
  assert.equal(workedExample.length, 1);
  assert.deepEqual(typeErrors(workedExample[0]!), []);
  const assignment = readFileSync(join(root, 'examples/assignment.lab.md'), 'utf8');
  const cell = /```policy name=mine lang=ts[^\n]*\n([\s\S]*?)^```$/m.exec(assignment);
  assert.ok(cell);
  assert.deepEqual(typeErrors(cell[1]!), []);
});

test('the types catch the mistakes they should', () => {
  const wrongReason = `definePolicy({ place: () => 0, balanceIntervalNs: 1e6, balance(view, act) { act.migrate(0, 1, 'because'); } });`;
  assert.ok(typeErrors(wrongReason).some((e) => /"because"/.test(e)));
  const missingPlace = `definePolicy({ onIdle() {} });`;
  assert.ok(typeErrors(missingPlace).some((e) => /place/.test(e)));
  const noNode = `definePolicy({ place: () => process.pid });`;
  assert.ok(typeErrors(noNode).some((e) => /process/.test(e)));
});

test('the sandbox view has every member the types document, and nothing undocumented', async () => {
  const documented = membersOf('PolicyView').sort();
  const compiled = await compilePolicy(
    `definePolicy({ place(view) { console.log(JSON.stringify(Object.keys(view).sort())); return 0; } });`,
    'js',
    { name: 'probe' },
  );
  const machine = new FakeMachine({ preset: 'laptop-4' });
  const instance = compiled.factory(machine.context()) as ReturnType<typeof compiled.factory> & {
    logs: readonly string[];
  };
  instance.place(machine, machine.add(0, 'ready'));
  instance.dispose?.();
  const runtime = (JSON.parse(instance.logs[0]!) as string[]).sort();
  assert.deepEqual(runtime, documented);
  assert.deepEqual(membersOf('PolicyDefinition').sort(), [
    'balance',
    'balanceIntervalNs',
    'name',
    'onCpuEvent',
    'onIdle',
    'params',
    'place',
    'placeOnWake',
  ]);
  assert.deepEqual(membersOf('PolicyActions'), ['migrate']);
});

test('the worked example balances like work-stealing and beats pinned (docs/writing-policies.md)', async () => {
  const compiled = await compilePolicy(workedExample[0]!, 'ts', { name: 'steal-cold' });
  assert.deepEqual(compiled.params, { hotNs: 500_000, tickNs: 2_000_000 });
  const config = (policy: string): SimConfig => ({
    machine: { preset: 'server-2x8' },
    workload: {
      groups: [
        {
          name: 'skewed',
          count: 64,
          demand: { kind: 'lognormal', meanNs: 50e6, cv: 2 },
          workingSetBytes: 192 * 1024,
          memoryIntensity: 0.05,
        },
      ],
    },
    policy: { name: policy },
    scheduler: { kind: 'fair' },
    durationNs: 2e9,
    seed: 1,
  });
  const pinned = simulate(config('pinned')).summary;
  const stealing = simulate(config('work-stealing')).summary;
  const mine = simulate(config('steal-cold'), { policy: compiled.factory }).summary;
  assert.ok(mine.imbalanceCv < 0.6 * pinned.imbalanceCv);
  assert.ok(mine.imbalanceCv < 1.1 * stealing.imbalanceCv);
  assert.ok(mine.meanResponseS < 0.85 * pinned.meanResponseS);
  assert.ok(mine.cacheMissesByCause.migration < stealing.cacheMissesByCause.migration);
  assert.equal(mine.migrations, mine.migrationsByReason['load-balance']);
});
