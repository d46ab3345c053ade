/**
 * The sandbox's snapshot and batched moves (src/sandbox/snapshot.ts): a hook reads the machine
 * from memory shared with the host and its moves are applied after it returns, or when it reads
 * the machine again. Each test holds a cell policy against a reference written as a plain
 * TypeScript policy (no sandbox), or against what the user must see: the same decisions, the
 * same errors at the same lines, nothing of the shared memory within reach, budgets that still
 * stop a flood.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePolicy, PolicyRuntimeError } from '../../src/sandbox/index';
import { simulate, type Policy, type PolicyFactory, type SimConfig, type SimView } from '../../src/sim/index';
import { LEAST_LOADED, WORK_STEALING } from '../../bench/policy-cells';

function config(policy: string, extra: Partial<SimConfig> = {}): SimConfig {
  return {
    machine: { preset: 'server-2x8' },
    workload: {
      groups: [
        {
          name: 'web',
          count: 400,
          arrival: { kind: 'poisson', ratePerS: 2000 },
          demand: { kind: 'exp', meanNs: 5e6 },
          phases: { computeNs: { kind: 'exp', meanNs: 1e6 }, sleepNs: { kind: 'exp', meanNs: 2e6 } },
        },
        // Processes with a mask: the prelude cannot vouch for their moves, the host decides at once.
        {
          name: 'pinned',
          count: 60,
          arrival: { kind: 'poisson', ratePerS: 300 },
          demand: { kind: 'exp', meanNs: 5e6 },
          affinity: [0, 1, 2, 3, 4, 5, 6, 7],
        },
      ],
    },
    policy: { name: policy },
    scheduler: { kind: 'fair' },
    durationNs: 0.4e9,
    seed: 3,
    ...extra,
  };
}

/** First online CPU allowed for p from p % n on (in cells: SPOT, the same in JS). */
const SPOT = `const spot = function (view, p) {
  for (let k = 0; k < view.cpuCount; k++) {
    const c = (p + k) % view.cpuCount;
    if (view.online(c) && view.isAllowed(p, c)) return c;
  }
  return 0;
};
`;
function spot(view: SimView, p: number): number {
  const n = view.machine.cpuCount;
  for (let k = 0; k < n; k++) {
    const c = (p + k) % n;
    if (view.online(c) && view.isAllowed(p, c)) return c;
  }
  return 0;
}

/** A cell policy's factory that also hands over the instance (for its logs). */
async function cell(code: string, name: string, opts: { hookSteps?: number } = {}) {
  const compiled = await compilePolicy(code, 'js', { name, ...opts });
  const seen: { logs: readonly string[] }[] = [];
  const factory: PolicyFactory = (ctx) => {
    const p = compiled.factory(ctx) as Policy & { logs: readonly string[] };
    seen.push(p);
    return p;
  };
  return { factory, logs: () => seen.flatMap((p) => p.logs) };
}

/**
 * Everything queued on CPU 0 (where place puts every process) is spread, in one balance call,
 * over the other CPUs; with `reread`, each target is the least-loaded allowed CPU as read after
 * the moves before it (each read hands the batch over), else round robin with no read in
 * between (one batch, larger than the prelude's, for the queues of 50 ms).
 */
const SPREAD = (reread: boolean) => `
let next = 1;
let most = 64;
definePolicy({
  balanceIntervalNs: 50e6,
  place(view, p) { return view.isAllowed(p, 0) ? 0 : 8; },
  balance(view, act) {
    const queued = view.queued(0);
    for (const p of queued) {
      let to = -1;
      ${
        reread
          ? `for (let c = 1; c < view.cpuCount; c++)
        if (view.isAllowed(p, c) && (to < 0 || view.load(c) < view.load(to))) to = c;`
          : `for (let k = 0; k < view.cpuCount - 1 && to < 0; k++) {
        const c = 1 + ((next + k) % (view.cpuCount - 1));
        if (view.isAllowed(p, c)) to = c;
      }
      next++;`
      }
      if (to >= 0) act.migrate(p, to, 'load-balance');
    }
    if (queued.length > most) console.log('moved up to ' + (most = queued.length) + ' in one call');
  },
});`;

/** The same, as a built-in would be written: every move made on the spot. */
function spreadReference(reread: boolean): PolicyFactory {
  return () => {
    let next = 1;
    return {
      name: 'spread',
      balanceIntervalNs: 50e6,
      place: (view: SimView, p: number) => (view.isAllowed(p, 0) ? 0 : 8),
      balance(view, act) {
        const n = view.machine.cpuCount;
        for (const p of [...view.queued(0)]) {
          let to = -1;
          if (reread) {
            for (let c = 1; c < n; c++) if (view.isAllowed(p, c) && (to < 0 || view.load(c) < view.load(to))) to = c;
          } else {
            for (let k = 0; k < n - 1 && to < 0; k++) {
              const c = 1 + ((next + k) % (n - 1));
              if (view.isAllowed(p, c)) to = c;
            }
            next++;
          }
          if (to >= 0) act.migrate(p, to, 'load-balance');
        }
      },
    };
  };
}

for (const reread of [true, false]) {
  test(`moves batched in a hook decide exactly as moves made on the spot (${reread ? 'reading the loads after each move' : 'one long batch'})`, async () => {
    const c = await cell(SPREAD(reread), 'spread');
    const mine = simulate(config('spread'), { policy: c.factory });
    const reference = simulate(config('spread'), { policy: spreadReference(reread) });
    assert.equal(mine.digest, reference.digest);
    assert.ok(mine.summary.migrations > 300, `${mine.summary.migrations} moves`);
    // A batch larger than the prelude's (64 moves), from a queue larger than the snapshot's first buffer holds.
    assert.ok(c.logs().length > 0, 'no call moved more than 64 processes');
  });
}

test('the default evacuation (no onCpuEvent) moves what a plain TypeScript copy of it moves', async () => {
  const machine = {
    preset: 'server-2x8',
    events: [
      { kind: 'fail' as const, atNs: 50e6, cpu: 3 },
      { kind: 'maintenance' as const, atNs: 120e6, cpu: 0, durationNs: 40e6 },
    ],
  };
  const c = await cell(`${SPOT}definePolicy({ place: spot });`, 'evac');
  // The prelude's evacuate(), written against SimView: each victim to the least-loaded allowed online CPU.
  const reference: PolicyFactory = () => ({
    name: 'evac',
    place: spot,
    onCpuEvent(view, act, e) {
      if (e.kind !== 'offline') return;
      const victims = [...(view.running(e.cpu) >= 0 ? [view.running(e.cpu)] : []), ...view.queued(e.cpu)];
      for (const p of victims) {
        let best = -1;
        for (let cpu = 0; cpu < view.machine.cpuCount; cpu++) {
          if (cpu === e.cpu || !view.online(cpu) || !view.isAllowed(p, cpu)) continue;
          if (best < 0 || view.load(cpu) < view.load(best)) best = cpu;
        }
        if (best >= 0) act.migrate(p, best, e.cause);
      }
    },
  });
  const mine = simulate(config('evac', { machine }), { policy: c.factory });
  const theirs = simulate(config('evac', { machine }), { policy: reference });
  assert.equal(mine.digest, theirs.digest);
  assert.ok(mine.summary.migrationsByReason.fault > 0 && mine.summary.migrationsByReason.maintenance > 0);
});

test('a hook that changes the arrays it is given changes nothing: not the next read, not the run', async () => {
  const plain = `${SPOT}definePolicy({
  place: spot,
  onIdle(view, act, cpu) {
    for (const c of view.cpus) {
      const q = view.queued(c);
      if (q.length > 0 && view.isAllowed(q[0], cpu)) return act.migrate(q[0], cpu, 'load-balance');
    }
  },
});`;
  const meddling = `${SPOT}definePolicy({
  place: spot,
  onIdle(view, act, cpu) {
    for (const c of view.cpus) {
      const q = view.queued(c);
      const before = q.join();
      q.push(12345); q[0] = -7; q.length = 0; q.push(1, 2, 3);
      try { view.cpus[0] = 5; } catch (e) {}
      try { view.cpus.push(99); } catch (e) {}
      const again = view.queued(c);
      if (again.join() !== before) console.log('queued changed: ' + before + ' / ' + again.join());
      if (again.length !== view.queueLength(c)) console.log('length changed');
      if (again.length > 0 && view.isAllowed(again[0], cpu)) return act.migrate(again[0], cpu, 'load-balance');
    }
  },
});`;
  const a = await cell(plain, 'idle');
  const b = await cell(meddling, 'idle');
  const first = simulate(config('idle'), { policy: a.factory });
  const second = simulate(config('idle'), { policy: b.factory });
  assert.deepEqual(b.logs(), []);
  assert.equal(second.digest, first.digest);
  assert.ok(first.summary.migrations > 100);
});

test('nothing user code can reach is a view of memory (no ArrayBuffer, no typed array), and all of it is frozen', async () => {
  // Everything reachable from the globals, the hooks' arguments and their prototypes, getters and setters.
  const c = await cell(
    `${SPOT}const found = { objects: 0, buffers: 0, open: 0 };
const walk = (roots) => {
  const seen = new Set();
  const stack = roots.slice();
  while (stack.length > 0) {
    const o = stack.pop();
    if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) continue;
    seen.add(o);
    found.objects++;
    if (o instanceof ArrayBuffer || ArrayBuffer.isView(o)) found.buffers++;
    // Only the global object (for the user's own declarations) and the module shim stay open.
    if (!Object.isFrozen(o) && o !== globalThis && o !== globalThis.exports) found.open++;
    stack.push(Object.getPrototypeOf(o));
    for (const k of Reflect.ownKeys(o)) {
      const d = Object.getOwnPropertyDescriptor(o, k);
      if (d === undefined) continue;
      if ('value' in d) stack.push(d.value); else stack.push(d.get, d.set);
    }
  }
};
let done = false;
definePolicy({
  balanceIntervalNs: 10e6,
  place(view, p) { if (!done) walk([globalThis, view, p]); return spot(view, p); },
  balance(view, act) {
    if (done) return;
    done = true;
    // (not view.queued(0): a fresh array of the caller's own, open by design)
    walk([globalThis, view, act, view.cpus, view.machine, REASONS, definePolicy, console]);
    console.log(found.objects + ' objects, ' + found.buffers + ' buffers, ' + found.open + ' not frozen');
  },
});`,
    'walker',
  );
  simulate(config('walker'), { policy: c.factory });
  const [line] = c.logs();
  const match = /^(\d+) objects, (\d+) buffers, (\d+) not frozen$/.exec(line ?? '');
  assert.ok(match, `logged ${String(line)}`);
  assert.ok(Number(match[1]) > 300, 'the walk reached the built-ins');
  assert.equal(Number(match[2]), 0);
  // This VM followed the lock-down plan of the module's first one (prelude.ts, lockDown): it froze everything all the same.
  assert.equal(Number(match[3]), 0);
});

test('a hook that floods act.migrate is stopped by the step budget at its line', async () => {
  const c = await cell(
    `definePolicy({
  balanceIntervalNs: 10e6,
  place(view, p) { return view.isAllowed(p, 0) ? 0 : 1; },
  balance(view, act) {
    for (;;) {
      for (const p of view.queued(0)) { try { act.migrate(p, 1, 'load-balance'); } catch (e) {} }
    }
  },
});`,
    'flood',
    { hookSteps: 50_000 },
  );
  let error: unknown = null;
  try {
    simulate(config('flood'), { policy: c.factory });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof PolicyRuntimeError, String(error));
  assert.match(error.message, /balance\(\).*ran past its budget of 50,000 steps/);
  assert.equal(error.location?.line, 6);
});

test('a second move of the same process in one hook is refused at its line, as one made on the spot', async () => {
  const c = await cell(
    `definePolicy({
  balanceIntervalNs: 10e6,
  place(view, p) { return view.isAllowed(p, 0) ? 0 : 1; },
  balance(view, act) {
    const [p] = view.queued(0);
    if (p === undefined) return;
    act.migrate(p, 1, 'load-balance');
    act.migrate(p, 2, 'load-balance');
  },
});`,
    'twice',
  );
  let error: unknown = null;
  try {
    simulate(config('twice'), { policy: c.factory });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof PolicyRuntimeError, String(error));
  assert.match(error.message, /act\.migrate: process \d+ \(pid \d+\) is already moving to CPU 1/);
  assert.equal(error.location?.line, 8);
});

test('isAllowed of a handle that names no process throws in every hook (no mask of an earlier call shows through)', async () => {
  const c = await cell(
    `${SPOT}definePolicy({
  balanceIntervalNs: 10e6,
  place: spot,
  balance(view, act) {
    view.isAllowed(-1, 0);
  },
});`,
    'minus',
  );
  let error: unknown = null;
  try {
    simulate(config('minus'), { policy: c.factory });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof PolicyRuntimeError, String(error));
  assert.match(error.message, /view\.isAllowed: -1 is not a live process/);
  assert.equal(error.location?.line, 12);
});

test("the bench's cell copies of least-loaded and work-stealing give the built-ins' digests", async () => {
  for (const [name, code] of [
    ['least-loaded', LEAST_LOADED],
    ['work-stealing', WORK_STEALING],
  ] as const) {
    const compiled = await compilePolicy(code, 'ts', { name });
    const builtIn = simulate(config(name));
    const mine = simulate(config(name), { policy: compiled.factory });
    assert.equal(mine.digest, builtIn.digest, name);
    if (name === 'work-stealing') assert.ok(mine.summary.migrations > 100, `${mine.summary.migrations} steals`);
  }
});

test('moves with a handle or CPU that is not a plain integer (a string, a fraction, an object whose value changes each time it is read) never take the batched path: each is refused at its line', async () => {
  const attempts = [
    `act.migrate(String(p), 1, 'load-balance');`,
    `act.migrate(p + 0.5, 1, 'load-balance');`,
    // Reads as the real handle the first time it is coerced, and as another process after.
    `let reads = 0; act.migrate({ valueOf: () => (reads++ === 0 ? p : p + 1) }, 1, 'load-balance');`,
    `let reads = 0; act.migrate(p, { valueOf: () => (reads++ === 0 ? 1 : 99) }, 'load-balance');`,
    `act.migrate(p, '1', 'load-balance');`,
  ];
  for (const [i, attempt] of attempts.entries()) {
    const c = await cell(
      `definePolicy({
  balanceIntervalNs: 10e6,
  place(view, p) { return 0; },
  balance(view, act) {
    const [p] = view.queued(0);
    if (p === undefined) return;
    ${attempt}
  },
});`,
      `hostile${i}`,
    );
    let error: unknown = null;
    try {
      simulate(config(`hostile${i}`), { policy: c.factory });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof PolicyRuntimeError, `${attempt}: ${String(error)}`);
    assert.match(error.message, /act\.migrate/, attempt);
    assert.equal(error.location?.line, 7, attempt);
  }
});
