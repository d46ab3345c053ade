/**
 * The sandbox for user policy code: runaway code, memory hogs, throws, bad decisions and
 * attempts to reach the host all end the run with a clear message at the user's line, and the
 * thread stays usable. A policy written in a cell decides exactly like the built-in it copies.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePolicy, PolicyCodeError, PolicyRuntimeError } from '../../src/sandbox/index';
import { simulate, type SimConfig } from '../../src/sim/index';

function config(policy = 'cell', extra: Partial<SimConfig> = {}): SimConfig {
  return {
    machine: { preset: 'server-2x8' },
    workload: {
      groups: [
        {
          name: 'web',
          count: 300,
          arrival: { kind: 'poisson', ratePerS: 2000 },
          demand: { kind: 'exp', meanNs: 5e6 },
          phases: { computeNs: { kind: 'exp', meanNs: 1e6 }, sleepNs: { kind: 'exp', meanNs: 2e6 } },
        },
      ],
    },
    policy: { name: policy },
    scheduler: { kind: 'fair' },
    durationNs: 1e9,
    seed: 7,
    ...extra,
  };
}

const LEAST_LOADED_TS = `
// The built-in least-loaded policy, written as a student would.
export default definePolicy({
  place(view: PolicyView, p: Proc): number {
    let best = -1;
    for (const cpu of view.cpus) {
      if (!view.isAllowed(p, cpu)) continue;
      if (best < 0 || view.load(cpu) < view.load(best)) best = cpu;
    }
    return best;
  },
});
`;

async function runCell(
  code: string,
  lang: 'ts' | 'js' = 'js',
  opts: { hookSteps?: number; memoryBytes?: number } = {},
): Promise<unknown> {
  const compiled = await compilePolicy(code, lang, { name: 'cell', ...opts });
  try {
    simulate(config(), { policy: compiled.factory });
  } catch (e) {
    return e;
  }
  return null;
}

function assertRuntimeError(e: unknown, line: number, pattern: RegExp): PolicyRuntimeError {
  assert.ok(e instanceof PolicyRuntimeError, `expected a PolicyRuntimeError, got ${String(e)}`);
  assert.match(e.message, pattern);
  assert.equal(e.location?.line, line, `line of ${e.message}`);
  return e;
}

test('a cell copy of least-loaded gives the same result as the built-in (same digest)', async () => {
  const compiled = await compilePolicy(LEAST_LOADED_TS, 'ts', { name: 'least-loaded' });
  const builtIn = simulate(config('least-loaded'));
  const cell = simulate(config('least-loaded'), { policy: compiled.factory });
  assert.equal(cell.digest, builtIn.digest);
  assert.ok(builtIn.summary.completed > 100);
});

// QuickJS reports an interrupt at the line of the function that was running (the hook), not the loop's own line.
test('an endless loop is stopped by the step budget, in the hook, and the thread goes on', async () => {
  const started = performance.now();
  const e = await runCell(
    `definePolicy({
  place(view, p) {
    while (true) {}
  },
});`,
    'js',
  );
  const elapsed = performance.now() - started;
  assertRuntimeError(
    e,
    2,
    /place\(\) at \d+ ns, line 2: ran past its budget of 1,000,000 steps \(loop iterations and function calls\) in one call/,
  );
  assert.ok(elapsed < 3000, `took ${elapsed} ms`);
  // The same thread can compile and run another policy afterwards.
  const ok = await compilePolicy(LEAST_LOADED_TS, 'ts', { name: 'again' });
  assert.ok(simulate(config(), { policy: ok.factory }).summary.completed > 0);
});

test('allocating 1 GB ends with out of memory at the allocating line', async () => {
  const e = await runCell(`definePolicy({
  place(view, p) {
    const huge = new ArrayBuffer(1024 * 1024 * 1024);
    return huge.byteLength % 16;
  },
});`);
  assertRuntimeError(e, 3, /ran out of memory/);
});

test('growing memory step by step also hits the limit', async () => {
  const e = await runCell(
    `const hoard = [];
definePolicy({
  place(view, p) {
    for (;;) hoard.push(new Array(100000).fill(p));
  },
});`,
    'js',
    { memoryBytes: 16 * 1024 * 1024 },
  );
  assertRuntimeError(e, 4, /ran out of memory/);
});

test('a thrown error names the hook, the simulated time and the line', async () => {
  const e = await runCell(`definePolicy({
  place(view, p) {
    if (view.nowNs > 0) throw new Error('no room for ' + p);
    return 0;
  },
});`);
  const err = assertRuntimeError(e, 3, /place\(\) at \d+ ns, line 3: Error: no room for/);
  assert.ok(err.atNs > 0);
});

test('TypeScript lines are kept through type stripping', async () => {
  const e = await runCell(
    `interface Note {
  text: string;
}
type Cpu = number;
definePolicy({
  place(view: PolicyView, p: Proc): Cpu {
    const n: Note = { text: 'x' };
    return (n as any).missing.field;
  },
});`,
    'ts',
  );
  assertRuntimeError(e, 8, /TypeError/);
});

test('a bad decision: a CPU that does not exist', async () => {
  const e = await runCell(`definePolicy({
  place(view, p) {
    return view.cpuCount;
  },
});`);
  assertRuntimeError(e, 2, /place\(\) returned 16 for process \d+; return a CPU number 0\.\.15/);
});

test('a bad decision: moving a process to the CPU it is already on', async () => {
  const e = await runCell(`definePolicy({
  balanceIntervalNs: 1e6,
  place(view, p) { return p % view.cpuCount; },
  balance(view, act) {
    for (const cpu of view.cpus) {
      for (const p of view.queued(cpu)) act.migrate(p, cpu, 'load-balance');
    }
  },
});`);
  assertRuntimeError(e, 6, /act\.migrate: process \d+ \(pid \d+\) is already on CPU \d+/);
});

test('a bad decision: an unknown process and an unknown reason', async () => {
  const unknown = await runCell(`definePolicy({
  balanceIntervalNs: 1e6,
  place(view, p) { return 0; },
  balance(view, act) { act.migrate(99999, 1, 'load-balance'); },
});`);
  assertRuntimeError(unknown, 4, /99999 is not a live process/);
  const reason = await runCell(`definePolicy({
  balanceIntervalNs: 1e6,
  place(view, p) { return 0; },
  balance(view, act) {
    const p = view.queued(0)[0];
    if (p !== undefined) act.migrate(p, 1, 'because');
  },
});`);
  assertRuntimeError(reason, 6, /reason "because" is not one of load-balance/);
});

for (const [what, expr] of [
  ['process', 'process.exit(1)'],
  ['require', "require('fs').readFileSync('/etc/passwd')"],
  ['fetch', "fetch('http://example.com')"],
] as const) {
  test(`reaching for ${what} fails with a sandbox explanation`, async () => {
    const e = await runCell(`definePolicy({
  place(view, p) {
    ${expr};
    return 0;
  },
});`);
    assertRuntimeError(e, 3, new RegExp(`ReferenceError: '?${what}'? is not defined \\(policy code runs in a sandbox`));
  });
}

test('an import of a Node module fails at compile time, at its line', async () => {
  await assert.rejects(
    compilePolicy(
      `\nimport { readFileSync } from 'node:fs';\ndefinePolicy({ place() { return readFileSync ? 0 : 1; } });`,
      'js',
      { name: 'cell' },
    ),
    (e: unknown) =>
      e instanceof PolicyCodeError && e.location?.line === 2 && /'?require'? is not defined/.test(e.message),
  );
});

test('syntax errors point at the line and column, in TS and JS', async () => {
  await assert.rejects(
    compilePolicy('definePolicy({\n  place(view, p) {\n    return ) 0;\n  },\n});', 'js', { name: 'cell' }),
    (e: unknown) => {
      assert.ok(e instanceof PolicyCodeError);
      assert.deepEqual(e.location, { line: 3, column: 12 });
      return true;
    },
  );
  await assert.rejects(
    compilePolicy('const x: = 1;', 'ts', { name: 'cell' }),
    (e: unknown) => e instanceof PolicyCodeError && e.location?.line === 1,
  );
});

test('an endless loop outside the hooks is stopped at compile time', async () => {
  await assert.rejects(
    compilePolicy('let i = 0;\nwhile (true) i++;\ndefinePolicy({ place: () => 0 });', 'js', { name: 'cell' }),
    (e: unknown) => {
      assert.ok(e instanceof PolicyCodeError);
      assert.match(e.message, /the code outside the hooks ran past its budget of 1,000,000 steps/);
      return true;
    },
  );
});

test('code that never calls definePolicy, or defines it wrongly, is rejected with a hint', async () => {
  await assert.rejects(compilePolicy('const x = 1;', 'js', { name: 'cell' }), /never calls definePolicy/);
  await assert.rejects(
    compilePolicy('definePolicy({ balance() {} });', 'js', { name: 'cell' }),
    /place\(view, p\) is required/,
  );
  await assert.rejects(
    compilePolicy('definePolicy({ place() { return 0; }, balance() {} });', 'js', { name: 'cell' }),
    /needs balanceIntervalNs/,
  );
  await assert.rejects(
    compilePolicy('definePolicy({ place() { return 0; }, plcae() {} });', 'js', { name: 'cell' }),
    /unknown key "plcae"/,
  );
});

test('params: declared defaults, overridden by the run, unknown ones rejected', async () => {
  const compiled = await compilePolicy(
    `definePolicy({
  params: { target: 3 },
  place(view, p) { return view.params.target; },
});`,
    'js',
    { name: 'cell' },
  );
  assert.deepEqual(compiled.params, { target: 3 });
  const onDefault = simulate(config(), { policy: compiled.factory });
  assert.ok(onDefault.processes.every((r) => r.cpu === 3 || r.cpu === -1));
  const overridden = simulate(
    { ...config(), policy: { name: 'cell', params: { target: 5 } } },
    { policy: compiled.factory },
  );
  assert.ok(overridden.processes.some((r) => r.cpu === 5));
  assert.throws(
    () => simulate({ ...config(), policy: { name: 'cell', params: { tagret: 5 } } }, { policy: compiled.factory }),
    /policy\.params\.tagret/,
  );
});

test('no wall clock, and Math.random is seeded: two runs give the same digest', async () => {
  const compiled = await compilePolicy(
    `definePolicy({
  place(view, p) {
    if (typeof Date !== 'undefined') throw new Error('Date should be gone');
    return Math.floor(Math.random() * view.cpuCount);
  },
});`,
    'js',
    { name: 'cell' },
  );
  const a = simulate(config(), { policy: compiled.factory });
  const b = simulate(config(), { policy: compiled.factory });
  assert.equal(a.digest, b.digest);
  const cpus = new Set(a.processes.map((r) => r.cpu));
  assert.ok(cpus.size > 8, `random placement used ${cpus.size} CPUs`);
});

test('balance and onIdle can migrate; moves are recorded with the reason given', async () => {
  const compiled = await compilePolicy(
    `definePolicy({
  place(view, p) { return p % 2; },
  onIdle(view, act, cpu) {
    const p = view.queued(0)[0];
    if (p !== undefined && view.isAllowed(p, cpu)) act.migrate(p, cpu, 'cpu-contention');
  },
});`,
    'js',
    { name: 'cell' },
  );
  const r = simulate(config(), { policy: compiled.factory });
  assert.ok(r.summary.migrationsByReason['cpu-contention'] > 0);
  assert.equal(r.summary.migrations, r.summary.migrationsByReason['cpu-contention']);
});

test('a cell policy without onCpuEvent still evacuates a failing CPU (the default hook), and one with it is called', async () => {
  const machine = { preset: 'laptop-4', events: [{ kind: 'fail' as const, atNs: 20e6, cpu: 1 }] };
  const groups = [{ name: 'long', count: 8, demand: { kind: 'fixed' as const, valueNs: 100e6 } }];
  const plain = await compilePolicy(`definePolicy({ place(view, p) { return p % view.cpuCount; } });`, 'js', {
    name: 'plain',
  });
  const r = simulate(
    { machine, workload: { groups }, policy: { name: 'plain' }, scheduler: { kind: 'fair' }, durationNs: 1e9, seed: 1 },
    { policy: plain.factory },
  );
  assert.equal(r.summary.completed, 8);
  assert.ok(r.summary.migrationsByReason.fault >= 2, 'the processes on CPU 1 moved with reason fault');
  const custom = await compilePolicy(
    `let seen = [];
definePolicy({
  place(view, p) { return p % view.cpuCount; },
  onCpuEvent(view, act, event) {
    seen.push(event.kind + ':' + event.cpu + ':' + event.cause);
    for (const p of view.queued(event.cpu)) act.migrate(p, 0, event.cause);
    console.log(seen.join(','));
  },
});`,
    'js',
    { name: 'custom' },
  );
  const instance = { logs: [] as readonly string[] };
  const factory: typeof custom.factory = (ctx) => {
    const p = custom.factory(ctx) as ReturnType<typeof custom.factory> & { logs: readonly string[] };
    Object.defineProperty(instance, 'logs', { get: () => p.logs });
    return p;
  };
  const c = simulate(
    {
      machine,
      workload: { groups },
      policy: { name: 'custom' },
      scheduler: { kind: 'fair' },
      durationNs: 1e9,
      seed: 1,
    },
    { policy: factory },
  );
  assert.equal(c.summary.completed, 8);
  assert.deepEqual(instance.logs, ['offline:1:fault']);
});
