/**
 * A hostile student against the sandbox: code that tries to run outside the armed budget
 * (getters, Proxies, toJSON, valueOf, the prelude's own functions), to change what built-ins
 * do, or to slip an invalid decision past the checks. Each attack is refused, with the user's
 * line where there is one, and the thread stays usable.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compilePolicy,
  DEFAULT_MEMORY_BYTES,
  loadQuickJs,
  PolicyCodeError,
  PolicyRuntimeError,
} from '../../src/sandbox/index';
import { simulate, type SimConfig } from '../../src/sim/index';

function config(extra: Partial<SimConfig> = {}): SimConfig {
  return {
    machine: { preset: 'laptop-4' },
    workload: {
      groups: [
        { name: 'a', count: 40, arrival: { kind: 'poisson', ratePerS: 400 }, demand: { kind: 'exp', meanNs: 5e6 } },
      ],
    },
    policy: { name: 'cell' },
    scheduler: { kind: 'fair' },
    durationNs: 2e8,
    seed: 3,
    ...extra,
  };
}

type Options = { wallCeilingMs?: number };

/** Compiles and runs `code`; returns what stopped it (a compile or run error), or the result. */
async function attempt(code: string, options: Options = {}) {
  const started = performance.now();
  let compiled;
  try {
    compiled = await compilePolicy(code, 'js', { name: 'cell', ...options });
  } catch (e) {
    return { error: e, ms: performance.now() - started };
  }
  try {
    return { result: simulate(config(), { policy: compiled.factory }), ms: performance.now() - started };
  } catch (e) {
    return { error: e, ms: performance.now() - started };
  }
}

function refused(
  outcome: { error?: unknown; ms: number },
  kind: typeof PolicyCodeError | typeof PolicyRuntimeError,
  line: number | null | readonly number[],
  pattern: RegExp,
) {
  const e = outcome.error;
  assert.ok(
    e instanceof kind,
    `expected a ${kind.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
  );
  assert.match(e.message, pattern);
  // A list: any of those lines. Where QuickJS stops a hook that calls a built-in in its loop
  // depends on when its interrupt counter (shared with the prelude's own work) comes round: at
  // the loop, or at the call into the built-in, where the frame still reports the hook's first
  // line. Either is a line of the hook that ran too long.
  if (Array.isArray(line))
    assert.ok(line.includes(e.location?.line), `line of: ${e.message}; expected one of ${line.join(', ')}`);
  else assert.equal(e.location?.line ?? null, line, `line of: ${e.message}`);
  // The budget stopped it, not a test timeout: a few seconds at most on a loaded machine.
  assert.ok(outcome.ms < 20_000, `took ${outcome.ms} ms`);
}

const BUDGET = /ran past its budget of 1,000,000 steps/;

test('a params getter that never returns is stopped at the user line, inside the top-level budget', async () => {
  refused(
    await attempt(`const def = { place() { return 0; } };
Object.defineProperty(def, 'params', { enumerable: true, get() {
  for (;;) {}
} });
definePolicy(def);`),
    PolicyCodeError,
    2,
    BUDGET,
  );
});

test('a Proxy as the definition: its traps run under the budget, once', async () => {
  refused(
    await attempt(`definePolicy(new Proxy({ place() { return 0; } }, {
  ownKeys(target) { for (;;) {} },
}));`),
    PolicyCodeError,
    2,
    BUDGET,
  );
  // A definition that answers differently each time it is read gets no second read.
  const flip = await attempt(`let reads = 0;
const def = {};
Object.defineProperty(def, 'place', { enumerable: true, get() {
  reads++;
  return reads === 1 ? function place(view, p) { return p % view.cpuCount; } : 'not a function';
} });
definePolicy(def);`);
  assert.equal(flip.error, undefined, String(flip.error));
  assert.ok(flip.result!.summary.completed > 0);
});

test("the prelude's functions are on no global: replacing them changes nothing, and no interval below 1000 ns gets through", async () => {
  const r =
    await attempt(`globalThis.__ml_describe = () => JSON.stringify({ name: null, params: {}, balanceIntervalNs: 0, hooks: ['place', 'balance'] });
globalThis.__ml_call = () => 7;
globalThis.__ml_logs = { toJSON() { for (;;) {} } };
definePolicy({ place(view, p) { return 1; } });`);
  assert.equal(r.error, undefined, String(r.error));
  // Every process went where place() said, not where the fake __ml_call would have sent it.
  assert.ok(r.result!.processes.every((p) => p.cpu === 1 || p.cpu === -1));
  refused(
    await attempt(`definePolicy({
  balanceIntervalNs: 0,
  place() { return 0; },
  balance() {},
});`),
    PolicyCodeError,
    1,
    /balanceIntervalNs must be a number of nanoseconds >= 1000/,
  );
});

test('built-ins are frozen: replacing Array.prototype.indexOf (to fake a reason) is refused at its line', async () => {
  refused(
    await attempt(`'use strict';
Array.prototype.indexOf = function () { return 99; };
definePolicy({ place() { return 0; } });`),
    PolicyCodeError,
    2,
    /TypeError: .*read-only.*the sandbox's built-in objects are frozen/,
  );
  for (const [what, code] of [
    ['Object.prototype.toJSON', 'Object.prototype.toJSON = function () { for (;;) {} };'],
    ['JSON.stringify', 'JSON.stringify = () => "{}";'],
    ['Math.random', 'Math.random = () => 0;'],
    ['Set.prototype.has', 'Set.prototype.has = () => true;'],
    ['Reflect.apply', 'Reflect.apply = () => 0;'],
    ['the array iterator', 'Object.getPrototypeOf([][Symbol.iterator]()).next = () => ({ done: true });'],
    ['definePolicy', 'definePolicy = (d) => d;'],
  ] as const) {
    const outcome = await attempt(`${code}\ndefinePolicy({ place() { return 0; } });`);
    refused(outcome, PolicyCodeError, 1, /TypeError/);
    assert.ok(outcome.error instanceof Error && !/ran past/.test(outcome.error.message), what);
  }
});

test('globals the prelude uses (Float64Array, RangeError) can be replaced for user code only: the prelude took its own', async () => {
  refused(
    await attempt(`globalThis.RangeError = function () { for (;;) {} };
globalThis.Float64Array = function () { return [0, 0, 0, 0, 1, 1, 1, 1]; };
definePolicy({
  place(view, p) {
    return 99;
  },
});`),
    PolicyRuntimeError,
    4,
    /place\(\) returned 99 for process \d+; return a CPU number 0\.\.3/,
  );
});

test('a reason that is not a reason is refused, in the prelude and again in the host', async () => {
  refused(
    await attempt(`definePolicy({
  balanceIntervalNs: 1e6,
  place(view, p) { return 0; },
  balance(view, act) {
    const p = view.queued(0)[0];
    if (p !== undefined) act.migrate(p, 1, { toString() { return 'load-balance'; } });
  },
});`),
    PolicyRuntimeError,
    6,
    /reason \{\} is not one of load-balance/,
  );
});

test('a toJSON in a logged value runs under the hook budget and is stopped at its line', async () => {
  refused(
    await attempt(`definePolicy({
  place(view, p) {
    console.log({ toJSON() {
      for (;;) {}
    } });
    return 0;
  },
});`),
    PolicyRuntimeError,
    3,
    BUDGET,
  );
});

test('a valueOf on a returned value never runs: the value is not a number, and the run says so', async () => {
  refused(
    await attempt(`definePolicy({
  place(view, p) {
    return { valueOf() { for (;;) {} } };
  },
});`),
    PolicyRuntimeError,
    2,
    /place\(\) returned \{\} for process \d+; return a CPU number 0\.\.3/,
  );
  // Passed to the view, a valueOf runs inside the hook's budget.
  refused(
    await attempt(`definePolicy({
  place(view, p) {
    return view.load({ valueOf() { for (;;) {} } });
  },
});`),
    PolicyRuntimeError,
    3,
    BUDGET,
  );
});

test('a thrown Proxy or getter is read under a budget of its own, and the run still fails cleanly', async () => {
  const outcome = await attempt(`definePolicy({
  place(view, p) {
    throw new Proxy({}, { get() { for (;;) {} } });
  },
});`);
  assert.ok(outcome.error instanceof PolicyRuntimeError, String(outcome.error));
  assert.match(outcome.error.message, /place\(\) at \d+ ns, line 2: (Error: |ran past)/);
  // Pretending to be the budget's own interrupt fools nobody.
  refused(
    await attempt(`definePolicy({
  place(view, p) {
    throw { name: 'InternalError', message: 'interrupted' };
  },
});`),
    PolicyRuntimeError,
    2,
    /InternalError: interrupted$/,
  );
});

test('catch and finally do not outlast the budget', async () => {
  refused(
    await attempt(`definePolicy({
  place(view, p) {
    try { for (;;) {} } catch (e) { for (;;) {} } finally { for (;;) {} }
  },
});`),
    PolicyRuntimeError,
    2,
    BUDGET,
  );
});

test('memory: arrays of a million elements stop at the sandbox cap (QuickJS alone counts allocations, not their sizes)', async () => {
  refused(
    await attempt(`const hoard = [];
definePolicy({
  place(view, p) {
    for (;;) hoard.push(new Array(1000000).fill(p));
  },
});`),
    PolicyRuntimeError,
    4,
    /ran out of memory/,
  );
  const memory = (await loadQuickJs()).getWasmMemory();
  assert.ok(
    memory.buffer.byteLength <= 16 * 1024 * 1024 + DEFAULT_MEMORY_BYTES,
    `the module grew to ${memory.buffer.byteLength} bytes`,
  );
});

test('work hidden inside built-in calls is stopped by the wall-clock ceiling, which says it depends on the machine', async () => {
  refused(
    await attempt(
      `const big = new Array(200000).fill(1);
definePolicy({
  place(view, p) {
    for (;;) big.indexOf(2);
  },
});`,
      { wallCeilingMs: 300 },
    ),
    PolicyRuntimeError,
    [3, 4],
    /wall-clock safety limit of 0\.3 s .*this limit depends on the machine/,
  );
});

test('a sloppy hook cannot climb to the prelude through arguments.callee.caller', async () => {
  const r =
    await attempt(`const place = Function('view', 'p', 'var c = arguments.callee.caller; if (c !== null && c !== undefined) throw new Error("reached " + String(c)); return 0;');
definePolicy({ place });`);
  assert.equal(r.error, undefined, String(r.error));
  assert.ok(r.result!.summary.completed > 0);
});

test('after all of that, the same thread still compiles and runs a policy', async () => {
  const ok = await attempt('definePolicy({ place(view, p) { return p % view.cpuCount; } });');
  assert.equal(ok.error, undefined);
  assert.ok(ok.result!.summary.completed > 0);
});
