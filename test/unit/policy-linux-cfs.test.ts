/**
 * linux-cfs decisions on a hand-driven machine (docs/policies.md, "`linux-cfs`"): scheduling
 * domains, the cache-hot rule with cache_nice_tries, active balance, and SMT siblings never
 * counting as hot.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildDomains, linuxCfs } from '../../src/sim/policies/linuxCfs';
import { resolveMachine } from '../../src/sim';
import { FakeMachine } from './policy-fake-view';

const MS = 1e6;
const US = 1e3;

test('domains: SMT, MC and NUMA levels with kernel defaults; degenerate levels dropped', () => {
  const smt = buildDomains(resolveMachine({ preset: 'server-2x8-smt' }), 117, -1);
  assert.deepEqual(
    smt[0]!.map((d) => d.level),
    ['SMT', 'MC', 'NUMA'],
  );
  assert.deepEqual(
    smt[0]!.map((d) => d.imbalancePct),
    [110, 117, 117],
  );
  assert.deepEqual(
    smt[0]!.map((d) => d.cacheNiceTries),
    [0, 1, 2],
  );
  assert.deepEqual(smt[0]![0]!.span, [0, 1]);
  assert.equal(smt[0]![1]!.groups.length, 8, 'MC groups are the 8 cores of the socket');
  assert.equal(smt[0]![2]!.groups.length, 2, 'NUMA groups are the 2 sockets');
  assert.deepEqual(
    smt[0]!.map((d) => d.minIntervalMs),
    [2, 16, 32],
  );
  const laptop = buildDomains(resolveMachine({ preset: 'laptop-4' }), 117, -1);
  assert.deepEqual(
    laptop[2]!.map((d) => d.level),
    ['MC'],
    'no SMT, one socket: only the MC level',
  );
});

/** CPU 0 runs one task and has `waiting` queued, which ran `agoNs` ago; CPUs 1-3 are idle. */
function busyCpu0(waitingAgoNs: number, extra: { pinned?: boolean } = {}) {
  const fake = new FakeMachine({ preset: 'laptop-4' });
  fake.add(0, 'running', { lastRanNs: 0 });
  const affinity = extra.pinned ? Uint8Array.from([1, 0, 0, 0]) : null;
  const waiting = fake.add(0, 'ready', { affinity });
  const touch = () => {
    fake.procs[waiting]!.lastRanNs = fake.nowNs - waitingAgoNs;
  };
  return { fake, waiting, touch };
}

test('a cache-hot task stays put until balancing has failed more than cache_nice_tries times', () => {
  const { fake, waiting, touch } = busyCpu0(100 * US);
  const policy = linuxCfs(fake.context());
  // The MC domain of 4 CPUs is first due after 4 ms and then every 4 ms on an idle CPU.
  const attempts: number[] = [];
  for (let round = 1; round <= 3; round++) {
    fake.nowNs = round * 4 * MS;
    touch();
    policy.balance!(fake, fake);
    attempts.push(fake.moves.length);
  }
  // Attempts 1 and 2 fail (nr_balance_failed 0 and 1 are not > cache_nice_tries = 1); attempt 3 moves it.
  assert.deepEqual(attempts, [0, 0, 1]);
  assert.deepEqual(fake.moves[0], { handle: waiting, from: 0, to: 1, reason: 'load-balance' });
});

test('a task that last ran longer ago than sched_migration_cost is pulled at once', () => {
  const { fake, waiting, touch } = busyCpu0(600 * US);
  const policy = linuxCfs(fake.context());
  fake.nowNs = 4 * MS;
  touch();
  policy.balance!(fake, fake);
  assert.deepEqual(fake.moves, [{ handle: waiting, from: 0, to: 1, reason: 'load-balance' }]);
});

test('migrationCost 0 turns the cache-hot rule off; a larger cacheNiceTries waits longer', () => {
  const off = busyCpu0(100 * US);
  const p0 = linuxCfs(off.fake.context({ migrationCost: 0 }));
  off.fake.nowNs = 4 * MS;
  off.touch();
  p0.balance!(off.fake, off.fake);
  assert.equal(off.fake.moves.length, 1);

  const patient = busyCpu0(100 * US);
  const p3 = linuxCfs(patient.fake.context({ cacheNiceTries: 3 }));
  const attempts: number[] = [];
  for (let round = 1; round <= 5; round++) {
    patient.fake.nowNs = round * 4 * MS;
    patient.touch();
    p3.balance!(patient.fake, patient.fake);
    attempts.push(patient.fake.moves.length);
  }
  assert.deepEqual(attempts, [0, 0, 0, 0, 1]);
});

test('active balance pushes the running task after more than cache_nice_tries + 2 failures', () => {
  // The waiting task may only run on CPU 0, so pulling it always fails.
  const { fake, touch } = busyCpu0(10 * MS, { pinned: true });
  const policy = linuxCfs(fake.context());
  const attempts: number[] = [];
  for (let round = 1; round <= 4; round++) {
    fake.nowNs = round * 4 * MS;
    touch();
    policy.balance!(fake, fake);
    attempts.push(fake.moves.length);
  }
  assert.deepEqual(attempts, [0, 0, 0, 1], 'failures 1..3 are not > 1 + 2; the 4th attempt pushes');
  assert.equal(fake.moves[0]!.reason, 'cpu-contention');
  assert.equal(fake.moves[0]!.handle, 0, 'the running task moves');
});

test('SMT siblings share the cache: a hot task is pulled by the sibling at once', () => {
  const fake = new FakeMachine({ preset: 'server-2x8-smt' });
  fake.add(0, 'running', { lastRanNs: 0 });
  const waiting = fake.add(0, 'ready');
  // Every other CPU is busy, so only the idle sibling (CPU 1) has a reason to pull.
  for (let cpu = 2; cpu < fake.machine.cpuCount; cpu++) fake.add(cpu, 'running', { lastRanNs: 0 });
  const policy = linuxCfs(fake.context());
  fake.nowNs = 2 * MS; // the SMT domain (2 CPUs) is due every 2 ms
  fake.procs[waiting]!.lastRanNs = fake.nowNs - 50 * US;
  policy.balance!(fake, fake);
  assert.deepEqual(fake.moves, [{ handle: waiting, from: 0, to: 1, reason: 'load-balance' }]);
});

test('imbalance_pct: a small imbalance between sockets is left alone', () => {
  const fake = new FakeMachine({ preset: 'server-2x8' });
  // Socket 0: 9 tasks on 8 CPUs; socket 1: 8 tasks on 8 CPUs. 9 / 8 = 112.5 % < 117 %.
  for (let cpu = 0; cpu < 16; cpu++) fake.add(cpu, 'running', { lastRanNs: 0 });
  fake.add(0, 'ready', { lastRanNs: -1 });
  const policy = linuxCfs(fake.context());
  for (let t = 1; t <= 40; t++) {
    fake.nowNs = t * MS;
    policy.balance!(fake, fake);
  }
  assert.ok(
    fake.moves.every((m) => fake.machine.cpuSocket[m.to] === 0),
    `moves across sockets: ${JSON.stringify(fake.moves)}`,
  );
});

test('wake-up placement: previous CPU if idle, else an idle CPU sharing its LLC', () => {
  const fake = new FakeMachine({ preset: 'server-2x8' });
  const sleeper = fake.add(3, 'sleeping');
  const policy = linuxCfs(fake.context());
  assert.equal(policy.placeOnWake!(fake, sleeper), 3);
  fake.add(3, 'running');
  fake.add(4, 'running');
  assert.equal(policy.placeOnWake!(fake, sleeper), 5, 'next idle CPU on socket 0');
  for (let cpu = 0; cpu < 8; cpu++) if (fake.running(cpu) < 0) fake.add(cpu, 'running');
  assert.equal(policy.placeOnWake!(fake, sleeper), 3, 'socket 0 full: stays (no cross-socket wake)');
});
