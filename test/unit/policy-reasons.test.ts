/**
 * The four reasons no shipped lab showed (issue 15), each in a scenario small enough to work out
 * by hand, through simulate(): when the move must happen, from where to where, and why. The
 * expected times and CPUs are derived in the comments from the policies' documented rules
 * (docs/policies.md), not read off a run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  simulate,
  type MachineConfig,
  type MigrationRow,
  type PolicyConfig,
  type ProcessGroupConfig,
  type SchedulerKind,
} from '../../src/sim/index';

const KiB = 1024;
const MS = 1e6;
const fixed = (ms: number) => ({ kind: 'fixed', valueNs: ms * MS }) as const;

function moves(
  machine: MachineConfig,
  groups: ProcessGroupConfig[],
  policy: PolicyConfig,
  scheduler: SchedulerKind = 'fair',
): MigrationRow[] {
  return simulate({ machine, workload: { groups }, policy, scheduler: { kind: scheduler }, durationNs: 2e9, seed: 1 })
    .migrations;
}

const row = (m: MigrationRow) => ({ ms: m.timeNs / MS, group: m.group, from: m.from, to: m.to, reason: m.reason });

test('linux-cfs: with every waiting task pinned, the running one is pushed at the 4th failed balance of the idle CPU (cpu-contention)', () => {
  // One socket of four cores: a single MC domain of 4 CPUs, balanced every 4 ms (its CPU count in
  // ms; the interval does not grow while balancing fails). The batch task arrives first and goes
  // to CPU 0 (all idle, lowest number); the three pinned tasks may only run there. Under fcfs the
  // batch task runs and never waits, so every pull from CPU 0 finds only pinned tasks and fails.
  // CPU 1 balances first at 4, 8, 12, 16 ms; active balance needs more than cacheNiceTries (1 at
  // MC) + 2 failures: the 4th, at 16 ms, pushes the running task 0 -> 1.
  const machine: MachineConfig = { sockets: 1, coresPerSocket: 4 };
  const groups: ProcessGroupConfig[] = [
    { name: 'batch', count: 1, demand: fixed(400), workingSetBytes: 0 },
    { name: 'pinned', count: 3, demand: fixed(200), affinity: [0], workingSetBytes: 0 },
  ];
  assert.deepEqual(moves(machine, groups, { name: 'linux-cfs' }, 'fcfs').map(row), [
    { ms: 16, group: 'batch', from: 0, to: 1, reason: 'cpu-contention' },
  ]);
  // Without active balancing nothing can relieve CPU 0.
  assert.deepEqual(moves(machine, groups, { name: 'linux-cfs', params: { activeBalance: false } }, 'fcfs'), []);
});

test('heterogeneity-aware: a long task that had to start on the little core moves up at the first balance after the big core frees (heterogeneity)', () => {
  // CPU 0 is little (capacity 512), CPU 1 big (1024). Placement picks the lowest (load + 1) /
  // capacity, first CPU on ties: the short task gets the big core (1/1024 < 1/512); the long one
  // then ties (1/512 on the little core, 2/1024 on the big one) and takes CPU 0. From the balance
  // at 4 ms on it is heavy (ran >= minRun 2 ms, never slept); it moves up only where it would run
  // sooner: (load(big) + 1) / 1024 < load(little) / 512, false while the short task is there
  // (2/1024 = 1/512). The short task finishes at 10 ms, so the balance at 12 ms moves the long one.
  const machine: MachineConfig = {
    sockets: 1,
    coreTypes: [
      { name: 'little', count: 1, capacity: 512 },
      { name: 'big', count: 1, capacity: 1024 },
    ],
  };
  const groups: ProcessGroupConfig[] = [
    { name: 'short', count: 1, demand: fixed(10), workingSetBytes: 0 },
    { name: 'long', count: 1, demand: fixed(100), workingSetBytes: 0 },
  ];
  assert.deepEqual(moves(machine, groups, { name: 'heterogeneity-aware' }).map(row), [
    { ms: 12, group: 'long', from: 0, to: 1, reason: 'heterogeneity' },
  ]);
});

test('cache-affinity: two cache-heavy processes clogging one core are separated at the next balance, by a swap with a light one (cache-contention)', () => {
  // Three single-threaded cores with a 1 MiB L2; heavy = 640 KiB (>= 25 % of L2), light = 64 KiB.
  // Placement is least-loaded first, the emptier cache on ties: at 0 s heavy -> CPU 0, light1 ->
  // 1, light2 -> 2, light3 -> 1 (64 KiB < 640 KiB), light4 -> 2. At 1 ms the second heavy
  // process finds loads 1, 2, 2 and goes to CPU 0: 1280 KiB on a 1 MiB cache. At the balance at
  // 4 ms the heavy one waiting there must leave; no core is less loaded (2, 2, 2), so it swaps
  // with a light process waiting on the first core with room (CPU 1: 128 - 64 + 640 <= 1024).
  const machine: MachineConfig = { sockets: 1, coresPerSocket: 3, caches: { l2Bytes: 1024 * KiB } };
  const heavy = { workingSetBytes: 640 * KiB, memoryIntensity: 0.05 };
  const light = { workingSetBytes: 64 * KiB };
  const groups: ProcessGroupConfig[] = [
    { name: 'heavy', count: 1, demand: fixed(200), ...heavy },
    { name: 'light', count: 4, demand: fixed(200), ...light },
    { name: 'heavy2', count: 1, arrival: { kind: 'fixed', atNs: 1 * MS }, demand: fixed(200), ...heavy },
  ];
  const first = moves(machine, groups, { name: 'cache-affinity' })
    .filter((m) => m.timeNs <= 4 * MS)
    .map(row);
  assert.equal(first.length, 2, JSON.stringify(first));
  const [out, back] = first;
  assert.ok(out.group === 'heavy' || out.group === 'heavy2', out.group);
  assert.deepEqual({ ...out, group: 'heavy' }, { ms: 4, group: 'heavy', from: 0, to: 1, reason: 'cache-contention' });
  assert.deepEqual(back, { ms: 4, group: 'light', from: 1, to: 0, reason: 'cache-contention' });
});

test('energy-aware: a process that turns out light leaves the big core at its first wake-up for a little one (energy)', () => {
  // phone-4+4 (CPUs 0-3 little, capacity 446; 4-7 big, 1024) with its power model. A new process
  // counts as newUtil = 512 of 1024: it fits no little core (512 > 80 % of 446) and goes to the
  // first big one, CPU 4. It computes 1 ms, sleeps 9 ms: at its wake-up, at 10 ms, its
  // utilisation is 1/10 of 1024 = 102, which fits a little core. Both domains are idle; the
  // cheapest clock that covers 102 with 25 % headroom is the lowest P-state of either (little:
  // 446 x 408/1416 = 128.5 >= 128; big: 1024 x 408/1800 = 232), so the added power is
  //   little: (100 uW/MHz/V^2 x 408 MHz x 0.8^2 + 0.05 W) x 102/128.5 = 0.060 W,
  //   big:    (436 uW/MHz/V^2 x 408 MHz x 0.8^2 + 0.27 W) x 102/232   = 0.169 W,
  // and the little domain wins; its CPUs tie, the first (CPU 0) is taken.
  const littleW = ((100 * 408 * 0.8 ** 2) / 1e6 + 0.05) * (102.4 / 128.5);
  const bigW = ((436 * 408 * 0.8 ** 2) / 1e6 + 0.27) * (102.4 / 232);
  assert.ok(littleW < bigW / 2, `${littleW} W against ${bigW} W`);
  const machine: MachineConfig = { preset: 'phone-4+4', power: {} };
  const groups: ProcessGroupConfig[] = [
    { name: 'app', count: 1, demand: fixed(3), phases: { computeNs: fixed(1), sleepNs: fixed(9) }, workingSetBytes: 0 },
  ];
  const first = moves(machine, groups, { name: 'energy-aware' }).map(row)[0];
  assert.ok(first, 'the app never moved');
  assert.equal(first.reason, 'energy');
  assert.deepEqual([first.from, first.to], [4, 0]);
  // The wake-up: 1 ms of work at full speed on the big core, then 9 ms asleep (plus the few
  // microseconds of a context switch).
  assert.ok(first.ms >= 10 && first.ms < 10.1, `${first.ms} ms`);
});
