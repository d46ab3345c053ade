/**
 * Validation against closed forms (docs/model.md, "Checked against closed forms") and the cache
 * model's defining cases.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulate, type MachineConfig, type SimConfig } from '../../src/sim/index';
import { moveOnce } from './sim-policies';

/** One CPU with no overheads, so queueing theory applies exactly (workloads set workingSetBytes: 0: no cache effects either). */
const bareCpu: MachineConfig = { sockets: 1, coresPerSocket: 1, contextSwitchNs: 0 };

function mm1(kind: 'fcfs' | 'rr', quantumNs?: number): SimConfig {
  return {
    machine: bareCpu,
    workload: {
      groups: [
        {
          name: 'jobs',
          arrival: { kind: 'poisson', ratePerS: 500 },
          demand: { kind: 'exp', meanNs: 1e6 },
          workingSetBytes: 0,
        },
      ],
    },
    policy: { name: 'pinned' },
    scheduler: quantumNs === undefined ? { kind } : { kind, quantumNs },
    durationNs: 200e9,
    seed: 11,
  };
}

function relErr(actual: number, expected: number): number {
  return Math.abs(actual - expected) / expected;
}

test('M/M/1 FCFS: mean response 1/(mu - lambda), utilisation = lambda x demand, Little', () => {
  const r = simulate(mm1('fcfs')).summary;
  // lambda = 500/s, mu = 1000/s: mean response 2 ms, utilisation 0.5.
  assert.ok(r.completed > 90_000, `completed ${r.completed}`);
  assert.ok(relErr(r.meanResponseS, 0.002) < 0.05, `mean response ${r.meanResponseS}`);
  assert.ok(relErr(r.meanUtilization, 0.5) < 0.02, `utilisation ${r.meanUtilization}`);
  // Response time in M/M/1 FCFS is exponential with rate mu - lambda: p95 = ln(20) / 500.
  assert.ok(relErr(r.p95ResponseS, Math.log(20) / 500) < 0.07, `p95 ${r.p95ResponseS}`);
  assert.ok(relErr(r.meanInSystem, r.throughputPerS * r.meanResponseS) < 0.02, 'L = lambda W');
  assert.ok(relErr(r.meanInSystem, 1) < 0.06, `L = rho/(1-rho) = 1, got ${r.meanInSystem}`);
});

test('M/M/1 round robin with a small quantum (processor sharing): same mean response', () => {
  const r = simulate(mm1('rr', 50_000)).summary;
  assert.ok(relErr(r.meanResponseS, 0.002) < 0.05, `mean response ${r.meanResponseS}`);
  assert.ok(r.preemptions > 10_000, 'a 50 us quantum preempts long jobs');
});

test('utilisation = rate x demand on several CPUs below saturation', () => {
  const r = simulate({
    machine: { sockets: 1, coresPerSocket: 4, contextSwitchNs: 0 },
    workload: {
      groups: [
        {
          name: 'jobs',
          arrival: { kind: 'poisson', ratePerS: 2000 },
          demand: { kind: 'uniform', minNs: 0.5e6, maxNs: 1.5e6 },
          workingSetBytes: 0,
        },
      ],
    },
    policy: { name: 'global-queue' },
    scheduler: { kind: 'fcfs' },
    durationNs: 50e9,
    seed: 3,
  }).summary;
  // 2000/s x 1 ms = 2 CPUs busy out of 4.
  assert.ok(relErr(r.meanUtilization, 0.5) < 0.02, `utilisation ${r.meanUtilization}`);
});

test('EDF on one CPU meets every implicit deadline iff utilisation <= 1', () => {
  const run = (utilization: number) =>
    simulate({
      machine: bareCpu,
      workload: {
        groups: [
          { name: 'rt', count: 8, taskSet: { utilization, periodMinNs: 5e6, periodMaxNs: 50e6 }, workingSetBytes: 0 },
        ],
      },
      policy: { name: 'pinned' },
      scheduler: { kind: 'edf' },
      durationNs: 2e9,
      seed: 5,
    }).summary;
  const ok = run(0.98);
  assert.ok(ok.jobsCompleted > 100);
  assert.equal(ok.deadlineMisses, 0);
  const over = run(1.15);
  assert.ok(over.deadlineMisses > 0, 'overload misses deadlines');
});

test('rate-monotonic priorities meet deadlines below the Liu & Layland bound', () => {
  const n = 5;
  const bound = n * (2 ** (1 / n) - 1); // 0.743
  const r = simulate({
    machine: bareCpu,
    workload: {
      groups: [
        {
          name: 'rt',
          count: n,
          taskSet: { utilization: bound - 0.01, periodMinNs: 10e6, periodMaxNs: 100e6 },
          workingSetBytes: 0,
        },
      ],
    },
    policy: { name: 'pinned' },
    scheduler: { kind: 'priority' },
    durationNs: 5e9,
    seed: 9,
  }).summary;
  assert.ok(r.jobsCompleted > 100);
  assert.equal(r.deadlineMisses, 0);
});

function migrationRun(machine: MachineConfig, to: number, workingSetBytes: number, dirtyFraction = 0) {
  return simulate(
    {
      machine: { contextSwitchNs: 0, ...machine },
      // High memory intensity: the run after the move touches the whole working set.
      workload: {
        groups: [
          {
            name: 'p',
            count: 1,
            demand: { kind: 'fixed', valueNs: 20e6 },
            workingSetBytes,
            dirtyFraction,
            memoryIntensity: 1,
          },
        ],
      },
      policy: { name: 'move-once' },
      scheduler: { kind: 'fcfs' },
      durationNs: 1e9,
      seed: 1,
    },
    { policy: moveOnce(to, 5e6, 'load-balance') },
  );
}

test('a migration to a cold core reloads exactly the working set in lines', () => {
  const r = migrationRun({ sockets: 1, coresPerSocket: 2 }, 1, 64 * 1024);
  assert.equal(r.migrations.length, 1);
  const mig = r.migrations[0]!;
  assert.equal(mig.reason, 'load-balance');
  assert.equal(mig.from, 0);
  assert.equal(mig.to, 1);
  assert.equal(mig.reloadMisses, 1024, '64 KiB / 64 B lines');
  assert.equal(mig.coherenceLines, 0);
  assert.ok(mig.stateCopyNs > 0);
  assert.equal(r.summary.cacheMissesByCause.migration, 1024);
  assert.equal(r.summary.cacheMissesByCause.cold, 1024, 'the first run fetched it cold');
  // Same socket: the lines come from the shared LLC, never from DRAM.
  assert.equal(mig.remotePenaltyNs, 0);
  assert.ok(mig.reloadNs > 0 && mig.reloadNs < 1024 * 60);
});

test('dirty lines left in the old core move by coherence', () => {
  const r = migrationRun({ sockets: 1, coresPerSocket: 2 }, 1, 64 * 1024, 0.25);
  const mig = r.migrations[0]!;
  assert.equal(mig.coherenceLines, 256);
  assert.equal(mig.reloadMisses, 768);
  assert.equal(r.summary.cacheMissesByCause.coherence, 256);
});

test('no reload misses when the working set sits in a cache the target shares', () => {
  // SMT siblings share L1/L2.
  const smt = migrationRun({ sockets: 1, coresPerSocket: 1, smt: 2 }, 1, 64 * 1024);
  assert.equal(smt.migrations.length, 1);
  assert.equal(smt.migrations[0]!.reloadMisses, 0);
  assert.equal(smt.summary.cacheMissesByCause.migration, 0);
  // A working set beyond the private L2 lives in the socket's LLC: moving within the socket is free.
  const big = migrationRun(
    { sockets: 2, coresPerSocket: 2, caches: { l2Bytes: 256 * 1024, llcBytes: 8 << 20 } },
    1,
    2 << 20,
  );
  assert.equal(big.migrations[0]!.reloadMisses, 0);
});

test('across sockets the LLC footprint does not follow: reload from (remote) DRAM', () => {
  const machine: MachineConfig = { sockets: 2, coresPerSocket: 2, caches: { l2Bytes: 256 * 1024, llcBytes: 8 << 20 } };
  const r = migrationRun(machine, 2, 2 << 20);
  const mig = r.migrations[0]!;
  assert.equal(mig.from, 0);
  assert.equal(mig.to, 2);
  assert.equal(mig.reloadMisses, (2 << 20) / 64);
  // Its memory stayed on node 0 (first touch): every reloaded line pays the remote penalty.
  assert.ok(mig.remotePenaltyNs > 0);
  const local = migrationRun(machine, 1, 2 << 20).migrations[0]!;
  assert.ok(mig.totalNs > local.totalNs, 'cross-socket migration costs more than within a socket');
});

test('M/M/1 over independent seeds: 1/(mu - lambda) lies within three standard errors', () => {
  for (const [kind, quantumNs] of [
    ['fcfs', undefined],
    ['rr', 100_000],
  ] as const) {
    const means: number[] = [];
    for (let seed = 100; seed < 110; seed++) {
      means.push(simulate({ ...mm1(kind, quantumNs), durationNs: 20e9, seed }).summary.meanResponseS);
    }
    const mean = means.reduce((a, b) => a + b, 0) / means.length;
    const sd = Math.sqrt(means.reduce((a, b) => a + (b - mean) ** 2, 0) / (means.length - 1));
    const se = sd / Math.sqrt(means.length);
    assert.ok(se / 0.002 < 0.03, `${kind}: standard error ${se} is small enough to mean something`);
    assert.ok(Math.abs(mean - 0.002) < 3 * se, `${kind}: ${mean} vs 0.002 (se ${se})`);
  }
});
