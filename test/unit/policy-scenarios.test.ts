/**
 * One scenario per built-in policy showing what it is for, against a baseline that lacks it.
 * Each test prints its figures (node --test shows them as diagnostics) so docs/policies.md and
 * the closing notes can quote measured numbers rather than claims.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import {
  simulate,
  type MachineConfig,
  type ProcessGroupConfig,
  type SchedulerKind,
  type SimResult,
} from '../../src/sim/index';

const KiB = 1024;
const MS = 1e6;

function run(
  policy: string,
  machine: MachineConfig,
  groups: ProcessGroupConfig[],
  opts: {
    scheduler?: SchedulerKind;
    quantumNs?: number;
    durationNs?: number;
    params?: Record<string, number | boolean>;
  } = {},
): SimResult {
  return simulate({
    machine,
    workload: { groups },
    policy: { name: policy, params: opts.params ?? {} },
    scheduler: {
      kind: opts.scheduler ?? 'fair',
      ...(opts.quantumNs !== undefined ? { quantumNs: opts.quantumNs } : {}),
    },
    durationNs: opts.durationNs ?? 2e9,
    seed: 1,
  });
}

function note(t: TestContext, label: string, figures: Record<string, number>): void {
  t.diagnostic(
    `${label}: ${Object.entries(figures)
      .map(([k, v]) => `${k}=${Number(v.toPrecision(4))}`)
      .join(' ')}`,
  );
}

const SERVER: MachineConfig = { preset: 'server-2x8' };
/** 64 processes at once with very unequal demands (lognormal, cv 2): placement alone leaves some CPUs with far more work. */
const SKEWED: ProcessGroupConfig[] = [
  { name: 'skewed', count: 64, demand: { kind: 'lognormal', meanNs: 50 * MS, cv: 2 } },
];

for (const policy of ['work-stealing', 'periodic-push', 'linux-cfs'] as const) {
  test(`${policy} lowers imbalanceCv versus pinned on a skewed workload`, (t) => {
    const base = run('pinned', SERVER, SKEWED).summary;
    const r = run(policy, SERVER, SKEWED).summary;
    note(t, `pinned vs ${policy}`, {
      pinnedCv: base.imbalanceCv,
      cv: r.imbalanceCv,
      pinnedMeanResponseMs: base.meanResponseS * 1e3,
      meanResponseMs: r.meanResponseS * 1e3,
      migrations: r.migrations,
    });
    assert.ok(r.imbalanceCv < 0.7 * base.imbalanceCv);
    assert.ok(r.meanResponseS < base.meanResponseS);
    assert.equal(r.migrations, r.migrationsByReason['load-balance']);
  });
}

test('global-queue lowers imbalanceCv versus pinned on the skewed workload (any idle CPU takes the next process)', (t) => {
  const base = run('pinned', SERVER, SKEWED).summary;
  const r = run('global-queue', SERVER, SKEWED).summary;
  note(t, 'pinned vs global-queue', { pinnedCv: base.imbalanceCv, cv: r.imbalanceCv });
  assert.ok(r.imbalanceCv < 0.7 * base.imbalanceCv);
});

test('power-of-two cuts response times versus random placement under an open Poisson load', (t) => {
  const open: ProcessGroupConfig[] = [
    { name: 'open', arrival: { kind: 'poisson', ratePerS: 2800 }, demand: { kind: 'exp', meanNs: 5 * MS } },
  ];
  const base = run('random', SERVER, open).summary;
  const r = run('power-of-two', SERVER, open).summary;
  const one = run('power-of-two', SERVER, open, { params: { d: 1, onWake: false } }).summary;
  note(t, 'random vs power-of-two (d=2)', {
    randomP95Ms: base.p95ResponseS * 1e3,
    p95Ms: r.p95ResponseS * 1e3,
    randomMeanMs: base.meanResponseS * 1e3,
    meanMs: r.meanResponseS * 1e3,
    d1MeanMs: one.meanResponseS * 1e3,
  });
  assert.ok(r.p95ResponseS < 0.5 * base.p95ResponseS);
  assert.ok(r.meanResponseS < 0.5 * base.meanResponseS);
  // d = 1 is random placement again: no better than random.
  assert.ok(one.meanResponseS > 0.8 * base.meanResponseS);
});

test('round-robin spreads interactive work over all CPUs, where least-loaded piles it on the lowest-numbered ones', (t) => {
  const interactive: ProcessGroupConfig[] = [
    {
      name: 'ui',
      count: 400,
      arrival: { kind: 'poisson', ratePerS: 800 },
      demand: { kind: 'exp', meanNs: 4 * MS },
      phases: { computeNs: { kind: 'exp', meanNs: 0.5 * MS }, sleepNs: { kind: 'exp', meanNs: 3 * MS } },
    },
  ];
  const base = run('least-loaded', SERVER, interactive).summary;
  const r = run('round-robin', SERVER, interactive).summary;
  note(t, 'least-loaded vs round-robin', {
    leastLoadedCv: base.imbalanceCv,
    cv: r.imbalanceCv,
    wakeMigrations: r.migrationsByReason['load-balance'],
  });
  assert.ok(r.imbalanceCv < 0.5 * base.imbalanceCv);
  assert.ok(r.migrationsByReason['load-balance'] > 0, 'wake-ups on another CPU are load-balance migrations');
});

test('cache-affinity has fewer reload misses than periodic-push on cache-heavy work', (t) => {
  // Cache-heavy processes (176 KiB of a 256 KiB L2) mixed with light ones: two heavy ones on a core evict each other.
  const mixed: ProcessGroupConfig[] = [
    {
      name: 'heavy',
      count: 20,
      arrival: { kind: 'poisson', ratePerS: 20000 },
      demand: { kind: 'exp', meanNs: 100 * MS },
      workingSetBytes: 176 * KiB,
      memoryIntensity: 0.05,
      dirtyFraction: 0.2,
    },
    {
      name: 'light',
      count: 20,
      arrival: { kind: 'poisson', ratePerS: 20000 },
      demand: { kind: 'exp', meanNs: 100 * MS },
      workingSetBytes: 16 * KiB,
      memoryIntensity: 0.05,
    },
  ];
  const base = run('periodic-push', SERVER, mixed).summary;
  const r = run('cache-affinity', SERVER, mixed).summary;
  const reload = (s: typeof r) => s.cacheMissesByCause.migration + s.cacheMissesByCause.eviction;
  note(t, 'periodic-push vs cache-affinity', {
    pushReloadMisses: reload(base),
    reloadMisses: reload(r),
    pushStallMs: base.stallS * 1e3,
    stallMs: r.stallS * 1e3,
    cacheContentionMoves: r.migrationsByReason['cache-contention'],
  });
  assert.ok(reload(r) < 0.6 * reload(base));
  assert.ok(r.stallS < base.stallS);
  assert.ok(r.migrationsByReason['cache-contention'] > 0);
});

test('numa-aware lowers the remote-memory penalty versus least-loaded on a 4-node machine', (t) => {
  // Memory of most processes lives on node 0: least-loaded spreads them over remote nodes.
  const numa: ProcessGroupConfig[] = [
    {
      name: 'node0',
      count: 48,
      demand: { kind: 'exp', meanNs: 30 * MS },
      homeNode: 0,
      workingSetBytes: 4096 * KiB,
      memoryIntensity: 0.2,
    },
    {
      name: 'node2',
      count: 16,
      demand: { kind: 'exp', meanNs: 30 * MS },
      homeNode: 2,
      workingSetBytes: 4096 * KiB,
      memoryIntensity: 0.2,
    },
  ];
  const machine: MachineConfig = { preset: 'numa-4x4' };
  const base = run('least-loaded', machine, numa).summary;
  const r = run('numa-aware', machine, numa).summary;
  note(t, 'least-loaded vs numa-aware', {
    leastLoadedStallS: base.stallS,
    stallS: r.stallS,
    leastLoadedMeanMs: base.meanResponseS * 1e3,
    meanMs: r.meanResponseS * 1e3,
    numaMoves: r.migrationsByReason.numa,
  });
  assert.ok(r.stallS < 0.8 * base.stallS);
  assert.ok(r.meanResponseS < base.meanResponseS);
  assert.ok(r.migrationsByReason.numa > 0);
});

test('heterogeneity-aware runs heavy work on big cores: heavy processes finish far sooner than with least-loaded', (t) => {
  const mix: ProcessGroupConfig[] = [
    { name: 'heavy', count: 4, demand: { kind: 'fixed', valueNs: 200 * MS } },
    {
      name: 'light',
      count: 8,
      demand: { kind: 'fixed', valueNs: 50 * MS },
      phases: { computeNs: { kind: 'fixed', valueNs: 0.5 * MS }, sleepNs: { kind: 'fixed', valueNs: 4 * MS } },
    },
  ];
  const machine: MachineConfig = { preset: 'phone-4+4' };
  const heavyMean = (r: SimResult) => {
    const rows = r.processes.filter((p) => p.group === 'heavy');
    return rows.reduce((a, p) => a + p.responseS, 0) / rows.length;
  };
  const base = run('least-loaded', machine, mix);
  const r = run('heterogeneity-aware', machine, mix);
  note(t, 'least-loaded vs heterogeneity-aware', {
    leastLoadedHeavyMs: heavyMean(base) * 1e3,
    heavyMs: heavyMean(r) * 1e3,
    heterogeneityMoves: r.summary.migrationsByReason.heterogeneity,
  });
  assert.ok(heavyMean(r) < 0.7 * heavyMean(base));
  // A heavy process alone on a big core needs 200 ms: within 5 % of that.
  assert.ok(heavyMean(r) < 0.21);
  assert.ok(r.summary.migrationsByReason.heterogeneity > 0);
});

/** Periodic tasks with the given utilisations (periods 10 ms unless given), without cache effects. */
function tasks(utils: number[], periodsMs: number[] = []): ProcessGroupConfig[] {
  return utils.map((u, i) => {
    const periodNs = (periodsMs[i] ?? 10) * MS;
    return { name: `t${i}`, count: 1, workingSetBytes: 0, periodic: { periodNs, wcetNs: Math.round(u * periodNs) } };
  });
}

test('global-edf misses no deadline on a task set below its utilisation bound; random partitioning does', (t) => {
  // 8 tasks of u = 0.3 on 4 CPUs: U = 2.4 <= m - (m - 1) u_max = 4 - 3 x 0.3 = 3.1 (Goossens, Funk & Baruah).
  const set = tasks(Array(8).fill(0.3), [10, 12, 15, 20, 10, 12, 15, 20]);
  const machine: MachineConfig = { preset: 'laptop-4' };
  const r = run('global-edf', machine, set, { scheduler: 'edf', durationNs: 1e9 }).summary;
  const base = run('random', machine, set, { scheduler: 'edf', durationNs: 1e9 }).summary;
  note(t, 'random vs global-edf', {
    randomMisses: base.deadlineMisses,
    misses: r.deadlineMisses,
    jobs: r.jobsCompleted,
    deadlineMoves: r.migrationsByReason.deadline,
  });
  assert.equal(r.deadlineMisses, 0);
  assert.ok(r.jobsCompleted > 500);
  assert.ok(r.migrationsByReason.deadline > 0, 'preempted jobs resume on other CPUs');
  assert.ok(base.deadlineMisses > 0);
  assert.equal(r.migrations, r.migrationsByReason.deadline);
});

test('partitioned-edf packs a task set first-fit decreasing and misses nothing; least-loaded placement misses', (t) => {
  // Utilisations that fit 4 CPUs at 0.95 each only when packed largest first.
  const set = tasks([0.3, 0.2, 0.55, 0.4, 0.55, 0.4, 0.5, 0.45, 0.3, 0.15].map((u) => u * 0.95));
  const machine: MachineConfig = { preset: 'laptop-4' };
  const r = run('partitioned-edf', machine, set, { scheduler: 'edf', durationNs: 1e9 }).summary;
  const base = run('least-loaded', machine, set, { scheduler: 'edf', durationNs: 1e9 }).summary;
  note(t, 'least-loaded vs partitioned-edf', {
    leastLoadedMisses: base.deadlineMisses,
    misses: r.deadlineMisses,
    jobs: r.jobsCompleted,
  });
  assert.equal(r.deadlineMisses, 0);
  assert.equal(r.migrations, 0);
  assert.ok(base.deadlineMisses > 0);
});

// With a 200 us round-robin quantum the waiting tasks ran moments ago, so most are cache-hot.
test('linux-cfs keeps cache-hot tasks in place: fewer migrations than with sched_migration_cost 0', (t) => {
  const busy: ProcessGroupConfig[] = [
    {
      name: 'busy',
      count: 64,
      arrival: { kind: 'poisson', ratePerS: 3000 },
      demand: { kind: 'exp', meanNs: 20 * MS },
      workingSetBytes: 192 * KiB,
      memoryIntensity: 0.05,
      phases: { computeNs: { kind: 'exp', meanNs: 2 * MS }, sleepNs: { kind: 'exp', meanNs: 1 * MS } },
    },
  ];
  const rr = { scheduler: 'rr', quantumNs: 200_000 } as const;
  const hotAware = run('linux-cfs', SERVER, busy, rr).summary;
  const careless = run('linux-cfs', SERVER, busy, { ...rr, params: { migrationCost: 0 } }).summary;
  note(t, 'linux-cfs default vs migrationCost 0', {
    migrations: hotAware.migrations,
    carelessMigrations: careless.migrations,
    migrationMisses: hotAware.cacheMissesByCause.migration,
    carelessMigrationMisses: careless.cacheMissesByCause.migration,
  });
  assert.ok(hotAware.migrations < 0.7 * careless.migrations);
  assert.ok(hotAware.cacheMissesByCause.migration < 0.7 * careless.cacheMissesByCause.migration);
});

test('energy-aware spends less energy than least-loaded at low load on a big/little machine', (t) => {
  // Six light interactive processes (1 ms bursts, 9 ms sleeps) on phone-4+4 with its power model.
  const light: ProcessGroupConfig[] = [
    {
      name: 'light',
      count: 6,
      demand: { kind: 'fixed', valueNs: 100 * MS },
      phases: { computeNs: { kind: 'exp', meanNs: 1 * MS }, sleepNs: { kind: 'exp', meanNs: 9 * MS } },
    },
  ];
  for (const governor of ['performance', 'schedutil'] as const) {
    const machine: MachineConfig = { preset: 'phone-4+4', power: {}, governor };
    const base = run('least-loaded', machine, light).summary;
    const r = run('energy-aware', machine, light).summary;
    note(t, `${governor}: least-loaded vs energy-aware`, {
      leastLoadedJ: base.energyJ!,
      energyJ: r.energyJ!,
      leastLoadedMeanMs: base.meanResponseS * 1e3,
      meanMs: r.meanResponseS * 1e3,
      energyMoves: r.migrationsByReason.energy,
    });
    assert.ok(r.energyJ! < 0.8 * base.energyJ!);
    assert.ok(r.completed === base.completed && r.completed === 6);
    assert.ok(r.migrationsByReason.energy > 0);
  }
});

test('thermal-aware lowers peakTempC and avoids throttling where least-loaded throttles', (t) => {
  // Two CPU-bound processes on laptop-4 with a poorly cooled package (20 K/W): a busy core reaches the 85 C trip point.
  const machine: MachineConfig = { preset: 'laptop-4', power: {}, thermal: { resistanceKPerW: 20 } };
  const hot: ProcessGroupConfig[] = [{ name: 'hot', count: 2, demand: { kind: 'fixed', valueNs: 1500 * MS } }];
  const base = run('least-loaded', machine, hot, { durationNs: 3e9 }).summary;
  const r = run('thermal-aware', machine, hot, { durationNs: 3e9 }).summary;
  note(t, 'least-loaded vs thermal-aware', {
    leastLoadedPeakC: base.peakTempC!,
    peakC: r.peakTempC!,
    leastLoadedThrottledS: base.throttledS!,
    throttledS: r.throttledS!,
    leastLoadedMakespanS: base.makespanS,
    makespanS: r.makespanS,
    thermalMoves: r.migrationsByReason.thermal,
  });
  assert.ok(base.throttledS! > 0.5, 'the baseline does throttle');
  assert.ok(r.peakTempC! < base.peakTempC! - 3);
  assert.equal(r.throttledS, 0);
  assert.ok(r.makespanS < base.makespanS);
  assert.ok(r.migrationsByReason.thermal > 0);
});
