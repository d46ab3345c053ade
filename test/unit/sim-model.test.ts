/** The model's documented behaviour: calibration, topology effects, workload features, errors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseTrace,
  resolveMachine,
  simulate,
  SimConfigError,
  SimPolicyError,
  uunifast,
  type MachineConfig,
  type SimConfig,
} from '../../src/sim/index';
import { moveOnce } from './sim-policies';
import { Rng } from '../../src/sim';

function moveCostNs(machine: MachineConfig, workingSetBytes: number, to = 1): number {
  const r = simulate(
    {
      machine: { contextSwitchNs: 0, ...machine },
      workload: {
        groups: [
          { name: 'p', count: 1, demand: { kind: 'fixed', valueNs: 20e6 }, workingSetBytes, memoryIntensity: 1 },
        ],
      },
      policy: { name: 'move-once' },
      scheduler: { kind: 'fcfs' },
      durationNs: 1e9,
      seed: 1,
    },
    { policy: moveOnce(to, 5e6, 'cache-contention') },
  );
  assert.equal(r.migrations.length, 1);
  return r.migrations[0]!.reloadNs;
}

test('post-migration reload cost matches the measured figures (docs/model.md, "Caches, coherence and NUMA")', () => {
  const one = { sockets: 1, coresPerSocket: 2 };
  const us = (ns: number) => ns / 1000;
  assert.ok(Math.abs(us(moveCostNs(one, 16 << 10)) - 0.67) < 0.05);
  const kb256 = us(moveCostNs(one, 256 << 10));
  assert.ok(kb256 >= 9 && kb256 <= 12, `256 KiB: ${kb256} us (measured 9-12)`);
  const mb1 = us(moveCostNs({ ...one, caches: { l2Bytes: 2 << 20 } }, 1 << 20));
  assert.ok(mb1 >= 32 && mb1 <= 50, `1 MiB: ${mb1} us (measured 32-50)`);
  assert.equal(moveCostNs(one, 1 << 20), 0, 'beyond the private L2 the LLC holds it either way');
});

test('the per-migration cost row adds up', () => {
  const r = simulate(
    {
      machine: { sockets: 2, coresPerSocket: 1 },
      workload: {
        groups: [
          {
            name: 'p',
            count: 1,
            demand: { kind: 'fixed', valueNs: 20e6 },
            workingSetBytes: 128 << 10,
            dirtyFraction: 0.5,
            memoryIntensity: 1,
          },
        ],
      },
      policy: { name: 'm' },
      scheduler: { kind: 'fair' },
      durationNs: 1e9,
      seed: 1,
    },
    { policy: moveOnce(1, 5e6, 'cache-contention') },
  );
  const m = r.migrations[0]!;
  assert.equal(m.reason, 'cache-contention');
  assert.equal(r.summary.migrationsByReason['cache-contention'], 1);
  assert.equal(m.totalNs, m.stateCopyNs + m.reloadNs + m.coherenceNs);
  assert.equal(m.coherenceLines, 1024, 'half of 2048 lines were dirty');
  // Cross-socket: state copy slowed by distance 20/10, dirty lines come from the remote cache.
  assert.equal(m.stateCopyNs, 1000 + Math.round((16384 / 12.8e9) * 1e9 * 2));
  assert.equal(m.coherenceNs, Math.round((1024 * 67) / 5));
  assert.ok(m.remotePenaltyNs > 0);
  assert.equal(r.summary.migrations, 1);
  assert.equal(r.processes[0]!.migrations, 1);
});

test('several cache-heavy processes on one core clog it: eviction misses', () => {
  const run = (count: number) =>
    simulate({
      machine: { sockets: 1, coresPerSocket: 1, caches: { l2Bytes: 256 << 10 } },
      workload: {
        groups: [
          {
            name: 'p',
            count,
            demand: { kind: 'fixed', valueNs: 50e6 },
            workingSetBytes: 200 << 10,
            memoryIntensity: 0.5,
          },
        ],
      },
      policy: { name: 'pinned' },
      scheduler: { kind: 'rr', quantumNs: 1e6 },
      durationNs: 10e9,
      seed: 1,
    }).summary;
  assert.equal(run(1).cacheMissesByCause.eviction, 0, 'alone it keeps its footprint');
  const crowded = run(4);
  assert.ok(crowded.cacheMissesByCause.eviction > 10 * 3200, `eviction misses ${crowded.cacheMissesByCause.eviction}`);
  assert.ok(crowded.stallS > 0);
});

test('SMT siblings share throughput; little cores run slower', () => {
  const twoOnSmt = simulate({
    machine: { sockets: 1, coresPerSocket: 1, smt: 2, contextSwitchNs: 0 },
    workload: { groups: [{ name: 'p', count: 2, demand: { kind: 'fixed', valueNs: 10e6 }, workingSetBytes: 0 }] },
    policy: { name: 'pinned' },
    scheduler: { kind: 'fcfs' },
    durationNs: 1e9,
    seed: 1,
  }).summary;
  // Each thread runs at 0.625 while the other is busy: 10 ms of work takes 16 ms.
  assert.ok(Math.abs(twoOnSmt.makespanS - 0.016) < 1e-6, `makespan ${twoOnSmt.makespanS}`);

  const phone = simulate({
    machine: { preset: 'phone-4+4', contextSwitchNs: 0 },
    workload: { groups: [{ name: 'p', count: 8, demand: { kind: 'fixed', valueNs: 10e6 }, workingSetBytes: 0 }] },
    policy: { name: 'pinned' },
    scheduler: { kind: 'fcfs' },
    durationNs: 1e9,
    seed: 1,
  });
  const little = phone.processes.filter((p) => p.cpu < 4);
  const big = phone.processes.filter((p) => p.cpu >= 4);
  for (const p of little) assert.ok(Math.abs(p.runS - 0.01 * (1024 / 446)) < 1e-6);
  for (const p of big) assert.ok(Math.abs(p.runS - 0.01) < 1e-6);
});

test('remote home memory makes capacity misses dearer', () => {
  const run = (homeNode: number) =>
    simulate({
      machine: { preset: 'server-2x8', contextSwitchNs: 0 },
      workload: {
        groups: [
          {
            name: 'p',
            count: 1,
            demand: { kind: 'fixed', valueNs: 50e6 },
            workingSetBytes: 64 << 20,
            memoryIntensity: 0.05,
            homeNode,
            affinity: [0],
          },
        ],
      },
      policy: { name: 'pinned' },
      scheduler: { kind: 'fcfs' },
      durationNs: 1e9,
      seed: 1,
    }).summary;
  const local = run(0);
  const remote = run(1);
  assert.ok(local.cacheMissesByCause.capacity > 1e6);
  assert.equal(local.cacheMissesByCause.capacity, remote.cacheMissesByCause.capacity);
  assert.ok(remote.makespanS > local.makespanS * 1.1, `${remote.makespanS} vs ${local.makespanS}`);
});

test('affinity masks are respected by every baseline policy', () => {
  for (const name of ['pinned', 'random', 'least-loaded', 'global-queue']) {
    const r = simulate({
      machine: { sockets: 1, coresPerSocket: 4 },
      workload: {
        groups: [
          {
            name: 'a',
            count: 20,
            demand: { kind: 'exp', meanNs: 1e6 },
            affinity: [2, 3],
            phases: { computeNs: { kind: 'exp', meanNs: 2e5 }, sleepNs: { kind: 'exp', meanNs: 2e5 } },
          },
          { name: 'b', count: 20, demand: { kind: 'exp', meanNs: 1e6 } },
        ],
      },
      policy: { name },
      scheduler: { kind: 'rr', quantumNs: 1e5 },
      durationNs: 1e9,
      seed: 2,
    });
    for (const p of r.processes.filter((x) => x.group === 'a'))
      assert.ok(p.cpu === 2 || p.cpu === 3, `${name}: ran on ${p.cpu}`);
    for (const m of r.migrations.filter((x) => x.group === 'a')) assert.ok(m.to === 2 || m.to === 3);
  }
});

test('a policy breaking the rules gets a SimPolicyError naming it', () => {
  const config: SimConfig = {
    machine: { sockets: 1, coresPerSocket: 2 },
    workload: { groups: [{ name: 'p', count: 1, affinity: [1] }] },
    policy: { name: 'bad' },
    scheduler: { kind: 'fcfs' },
    durationNs: 1e9,
    seed: 1,
  };
  assert.throws(
    () => simulate(config, { policy: () => ({ name: 'bad', place: () => 0 }) }),
    (e: unknown) => e instanceof SimPolicyError && /affinity/.test(e.reason),
  );
  assert.throws(
    () =>
      simulate(config, {
        policy: () => ({
          name: 'bad',
          place: () => {
            throw new Error('boom');
          },
        }),
      }),
    (e: unknown) => e instanceof SimPolicyError && e.policy === 'bad' && /boom/.test(e.reason),
  );
});

test('an open stream leaves its in-flight processes listed as unfinished', () => {
  const r = simulate({
    machine: { sockets: 1, coresPerSocket: 1 },
    workload: {
      groups: [{ name: 'flood', arrival: { kind: 'poisson', ratePerS: 2000 }, demand: { kind: 'exp', meanNs: 1e6 } }],
    },
    policy: { name: 'pinned' },
    scheduler: { kind: 'fair' },
    durationNs: 1e9,
    seed: 4,
    maxProcessRows: 50,
  });
  const s = r.summary;
  assert.ok(s.unfinished > 100, 'twice the CPU capacity piles up');
  assert.equal(s.completed + s.unfinished, s.arrived);
  assert.equal(r.processes.filter((p) => p.state === 'completed').length, 50);
  assert.equal(s.processRowsOmitted, s.completed - 50);
  assert.equal(r.processes.filter((p) => p.state === 'unfinished').length, s.unfinished);
  assert.ok(r.processes.filter((p) => p.state === 'unfinished').every((p) => p.finishS === null));
});

test('traces: CSV and JSON give the same arrivals', () => {
  const csv = parseTrace('atS,demandNs\n# comment\n0.001,2000000\n0.0005,1000000\n0.002,\n', 'csv');
  assert.deepEqual(csv, [
    { atNs: 1_000_000, demandNs: 2_000_000 },
    { atNs: 500_000, demandNs: 1_000_000 },
    { atNs: 2_000_000 },
  ]);
  const json = parseTrace('[{"atNs":1000000,"demandNs":2000000},{"atS":0.0005,"demandS":0.001},2000000]', 'json');
  assert.deepEqual(json, csv);
  assert.throws(
    () => parseTrace('time\n1\n', 'csv'),
    (e: unknown) => e instanceof SimConfigError && e.path === 'trace:1',
  );
  assert.throws(
    () => parseTrace('[{"atNs":-1}]', 'json'),
    (e: unknown) => e instanceof SimConfigError && e.path === 'trace[0].atNs',
  );
  const r = simulate({
    machine: { sockets: 1, coresPerSocket: 1, contextSwitchNs: 0 },
    workload: {
      groups: [
        {
          name: 't',
          arrival: { kind: 'trace', records: csv },
          demand: { kind: 'fixed', valueNs: 3e6 },
          workingSetBytes: 0,
        },
      ],
    },
    policy: { name: 'pinned' },
    scheduler: { kind: 'fcfs' },
    durationNs: 1e9,
    seed: 1,
  });
  const rows = [...r.processes].sort((a, b) => a.arrivalS - b.arrivalS);
  assert.deepEqual(
    rows.map((p) => p.arrivalS),
    [0.0005, 0.001, 0.002],
  );
  assert.deepEqual(
    rows.map((p) => p.runS),
    [0.001, 0.002, 0.003],
  );
});

test('UUniFast utilisations sum to the target and are spread', () => {
  const u = uunifast(10, 3.2, new Rng(7, 'x'));
  assert.equal(u.length, 10);
  assert.ok(Math.abs(u.reduce((a, b) => a + b, 0) - 3.2) < 1e-12);
  assert.ok(u.every((x) => x >= 0));
  assert.ok(new Set(u).size === 10);
});

test('machine defaults and presets resolve; bad fields are named', () => {
  const m = resolveMachine({});
  assert.equal(m.cpuCount, 4);
  assert.equal(m.l2Lines, 4096);
  assert.equal(m.llcLines, 131072);
  const phone = resolveMachine({ preset: 'phone-4+4' });
  assert.equal(phone.cpuCount, 8);
  assert.deepEqual(
    Array.from(phone.cpuSpeed).map((s) => Math.round(s * 1024)),
    [446, 446, 446, 446, 1024, 1024, 1024, 1024],
  );
  const server = resolveMachine({ preset: 'server-2x8', smt: 2, caches: { l2Bytes: 1 << 20 } });
  assert.equal(server.cpuCount, 32);
  assert.equal(server.llcBytes, 8 << 20, 'preset value kept');
  assert.equal(server.l2Bytes, 1 << 20, 'override applied');
  const check = (machine: unknown, path: string) =>
    assert.throws(
      () => resolveMachine(machine),
      (e: unknown) => e instanceof SimConfigError && e.path === path,
      path,
    );
  check({ sockets: 0 }, 'machine.sockets');
  check({ preset: 'mainframe' }, 'machine.preset');
  check({ numa: { distances: [[10]] }, sockets: 2 }, 'machine.numa.distances');
  check({ coreTypes: [{ count: 2, pstates: [{ freqHz: 1e9 }] }] }, 'machine.coreTypes[0].pstates[0].voltV');
  check({ cachez: {} }, 'machine.cachez');
  check({ memory: { localNs: 100, remoteNs: 50 } }, 'machine.memory.remoteNs');
});

test('fair: CPU time follows weights; rr: equal shares; fcfs: one at a time', () => {
  const run = (kind: 'fair' | 'rr' | 'fcfs') =>
    simulate({
      machine: { sockets: 1, coresPerSocket: 1, contextSwitchNs: 0 },
      workload: {
        groups: [
          { name: 'heavy', count: 1, demand: { kind: 'fixed', valueNs: 10e9 }, weight: 2048 },
          { name: 'light', count: 1, demand: { kind: 'fixed', valueNs: 10e9 }, weight: 1024 },
        ],
      },
      policy: { name: 'pinned' },
      scheduler: { kind },
      durationNs: 3e9,
      seed: 1,
    }).processes;
  const share = (rows: ReturnType<typeof run>) =>
    rows.find((p) => p.group === 'heavy')!.runS / rows.find((p) => p.group === 'light')!.runS;
  assert.ok(Math.abs(share(run('fair')) - 2) < 0.01, `fair share ${share(run('fair'))}`);
  assert.ok(Math.abs(share(run('rr')) - 1) < 0.01);
  const fcfs = run('fcfs');
  assert.equal(fcfs.find((p) => p.group === 'heavy')!.runS, 3);
  assert.equal(fcfs.find((p) => p.group === 'light')!.runS, 0);
});

test('footprints stay exact over many squeezes (each switch evicts the whole cache)', () => {
  const r = simulate({
    machine: { sockets: 1, coresPerSocket: 1, caches: { l2Bytes: 64 << 10 } },
    workload: {
      groups: [
        { name: 'p', count: 3, demand: { kind: 'fixed', valueNs: 5e9 }, workingSetBytes: 64 << 10, memoryIntensity: 1 },
      ],
    },
    policy: { name: 'pinned' },
    scheduler: { kind: 'rr', quantumNs: 100_000 },
    durationNs: 2e9,
    seed: 1,
  }).summary;
  assert.ok(r.contextSwitches > 10_000);
  // Every switch after the first three reloads all 1024 lines the others evicted.
  const expected = (r.contextSwitches - 3) * 1024;
  assert.ok(Math.abs(r.cacheMissesByCause.eviction - expected) <= 1, `${r.cacheMissesByCause.eviction} vs ${expected}`);
  assert.equal(r.cacheMissesByCause.cold, 3 * 1024);
});
