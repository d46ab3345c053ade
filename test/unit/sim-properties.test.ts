/**
 * Property tests over random valid configurations: whatever the machine, workload, discipline
 * and policy (including a policy that migrates at random, for every reason, from every state),
 * no process is lost or duplicated, time never goes backwards, a CPU never runs two processes
 * at once, a process never runs on two CPUs, and busy time never exceeds elapsed time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  POLICY_NAMES,
  REASONS,
  SCHEDULERS,
  simulate,
  type DistConfig,
  type PolicyFactory,
  type ProcessGroupConfig,
  type SimConfig,
  type TraceKind,
} from '../../src/sim/index';

const dist: fc.Arbitrary<DistConfig> = fc.oneof(
  fc.record({ kind: fc.constant('fixed' as const), valueNs: fc.integer({ min: 1, max: 5e6 }) }),
  fc.record({ kind: fc.constant('exp' as const), meanNs: fc.integer({ min: 1e3, max: 5e6 }) }),
  fc.integer({ min: 0, max: 2e6 }).chain((minNs) =>
    fc.record({ kind: fc.constant('uniform' as const), minNs: fc.constant(minNs), maxNs: fc.integer({ min: minNs, max: minNs + 4e6 }) }),
  ),
  fc.record({ kind: fc.constant('lognormal' as const), meanNs: fc.integer({ min: 1e3, max: 5e6 }), cv: fc.double({ min: 0, max: 3, noNaN: true }) }),
  fc.record({ kind: fc.constant('pareto' as const), alpha: fc.double({ min: 0.5, max: 3, noNaN: true }), minNs: fc.integer({ min: 1e3, max: 1e5 }), maxNs: fc.integer({ min: 2e5, max: 2e7 }) }),
);

function group(cpuCount: number, sockets: number, index: number): fc.Arbitrary<ProcessGroupConfig> {
  const common = {
    workingSetBytes: fc.integer({ min: 0, max: 4 << 20 }),
    dirtyFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    memoryIntensity: fc.double({ min: 0, max: 0.5, noNaN: true }),
    weight: fc.integer({ min: 1, max: 88761 }),
    priority: fc.integer({ min: 0, max: 10 }),
    affinity: fc.uniqueArray(fc.integer({ min: 0, max: cpuCount - 1 }), { minLength: 1, maxLength: cpuCount }),
    homeNode: fc.integer({ min: 0, max: sockets - 1 }),
  };
  const name = fc.constant(`g${index}`);
  const regular = fc.record(
    {
      name,
      count: fc.integer({ min: 0, max: 40 }),
      arrival: fc.oneof(
        fc.record({ kind: fc.constant('fixed' as const), atNs: fc.integer({ min: 0, max: 5e6 }), everyNs: fc.integer({ min: 0, max: 2e6 }) }),
        fc.record({ kind: fc.constant('poisson' as const), ratePerS: fc.integer({ min: 10, max: 20000 }) }),
      ),
      demand: dist,
      phases: fc.record({ computeNs: dist, sleepNs: dist }),
      deadlineNs: fc.integer({ min: 1e5, max: 5e7 }),
      ...common,
    },
    { requiredKeys: ['name', 'demand'] },
  );
  const open = fc.record(
    { name, arrival: fc.record({ kind: fc.constant('poisson' as const), ratePerS: fc.integer({ min: 10, max: 5000 }) }), demand: dist, ...common },
    { requiredKeys: ['name', 'arrival', 'demand'] },
  );
  const trace = fc.record(
    {
      name,
      arrival: fc.record({
        kind: fc.constant('trace' as const),
        records: fc.array(fc.record({ atNs: fc.integer({ min: 0, max: 5e7 }), demandNs: fc.integer({ min: 1, max: 5e6 }) }, { requiredKeys: ['atNs'] }), { minLength: 1, maxLength: 30 }),
      }),
      ...common,
    },
    { requiredKeys: ['name', 'arrival'] },
  );
  const periodic = fc.record(
    {
      name,
      count: fc.integer({ min: 1, max: 6 }),
      periodic: fc.integer({ min: 1e5, max: 2e7 }).chain((periodNs) =>
        fc.record({ periodNs: fc.constant(periodNs), wcetNs: fc.integer({ min: 1, max: periodNs }), deadlineNs: fc.integer({ min: 1, max: 2 * periodNs }), offsetNs: fc.integer({ min: 0, max: 1e7 }) }),
      ),
      ...common,
    },
    { requiredKeys: ['name', 'periodic'] },
  );
  const taskSet = fc.record(
    {
      name,
      count: fc.integer({ min: 1, max: 10 }),
      taskSet: fc.record({ utilization: fc.double({ min: 0.05, max: 2, noNaN: true }), periodMinNs: fc.constant(1e6), periodMaxNs: fc.constant(3e7) }),
      ...common,
    },
    { requiredKeys: ['name', 'count', 'taskSet'] },
  );
  return fc.oneof(regular, open, trace, periodic, taskSet) as fc.Arbitrary<ProcessGroupConfig>;
}

const configArb: fc.Arbitrary<SimConfig> = fc
  .record({ sockets: fc.integer({ min: 1, max: 2 }), cores: fc.integer({ min: 1, max: 4 }), smt: fc.integer({ min: 1, max: 2 }) })
  .chain(({ sockets, cores, smt }) => {
    const cpuCount = sockets * cores * smt;
    return fc.record({
      machine: fc.record(
        {
          sockets: fc.constant(sockets),
          coresPerSocket: fc.constant(cores),
          smt: fc.constant(smt),
          capacity: fc.integer({ min: 200, max: 1024 }),
          contextSwitchNs: fc.integer({ min: 0, max: 20000 }),
          caches: fc.record({ l2Bytes: fc.constantFrom(64 << 10, 256 << 10, 1 << 20), llcBytes: fc.constantFrom(1 << 20, 8 << 20) }),
        },
        { requiredKeys: ['sockets', 'coresPerSocket', 'smt'] },
      ),
      workload: fc.integer({ min: 1, max: 3 }).chain((n) =>
        fc.tuple(...Array.from({ length: n }, (_, i) => group(cpuCount, sockets, i))).map((groups) => ({ groups })),
      ),
      policy: fc.record({ name: fc.constantFrom(...POLICY_NAMES, 'chaos') }),
      scheduler: fc.oneof(
        fc.record({ kind: fc.constantFrom(...SCHEDULERS) }),
        fc.record({ kind: fc.constantFrom('rr' as const, 'fair' as const), quantumNs: fc.integer({ min: 1e4, max: 5e6 }) }),
      ),
      durationNs: fc.integer({ min: 1e6, max: 6e7 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 }),
      maxBins: fc.constantFrom(10, 100, 1000),
    });
  });

/** Moves things at random: from every state, with every reason, on balance, wake and idle. */
const chaos: PolicyFactory = ({ rng }) => ({
  name: 'chaos',
  balanceIntervalNs: 300_000,
  place(view, h) {
    const n = view.machine.cpuCount;
    const start = rng.int(n);
    for (let k = 0; k < n; k++) if (view.isAllowed(h, (start + k) % n)) return (start + k) % n;
    return -1;
  },
  placeOnWake(view, h) {
    return this.place(view, h);
  },
  wakeReason: () => REASONS[rng.int(REASONS.length)]!,
  balance(view, act) {
    const n = view.machine.cpuCount;
    for (let cpu = 0; cpu < n; cpu++) {
      const victims = [view.running(cpu), ...view.queued(cpu)].filter((h) => h >= 0);
      for (const h of victims) {
        if (rng.next() < 0.3) act.migrate(h, rng.int(n), REASONS[rng.int(REASONS.length)]!);
      }
    }
  },
  onIdle(view, act, cpu) {
    const n = view.machine.cpuCount;
    for (let other = 0; other < n; other++) {
      for (const h of view.queued(other)) {
        if (view.isAllowed(h, cpu) && act.migrate(h, cpu, 'load-balance')) return;
      }
    }
  },
});

test('random configurations keep every invariant', () => {
  let runsWithMigrations = 0;
  let runsWithCompletions = 0;
  fc.assert(
    fc.property(configArb, (config) => {
      let lastTime = 0;
      const runningOn = new Map<number, number>(); // cpu -> pid
      const cpuOfPid = new Map<number, number>();
      const arrived = new Set<number>();
      const completed = new Set<number>();
      const trace = (kind: TraceKind, timeNs: number, pid: number, cpu: number) => {
        assert.ok(timeNs >= lastTime, `time went back from ${lastTime} to ${timeNs}`);
        assert.ok(Number.isInteger(timeNs), 'integer time');
        lastTime = timeNs;
        switch (kind) {
          case 'arrive':
            assert.ok(!arrived.has(pid), `pid ${pid} arrived twice`);
            arrived.add(pid);
            break;
          case 'dispatch':
            assert.ok(arrived.has(pid) && !completed.has(pid));
            assert.equal(runningOn.get(cpu), undefined, `CPU ${cpu} already runs ${runningOn.get(cpu)} when ${pid} starts`);
            assert.equal(cpuOfPid.get(pid), undefined, `pid ${pid} already runs on CPU ${cpuOfPid.get(pid)}`);
            runningOn.set(cpu, pid);
            cpuOfPid.set(pid, cpu);
            break;
          case 'stop':
            assert.equal(runningOn.get(cpu), pid);
            runningOn.delete(cpu);
            cpuOfPid.delete(pid);
            break;
          case 'complete':
            assert.equal(cpuOfPid.get(pid), undefined, 'a process completes after it stopped');
            assert.ok(!completed.has(pid), `pid ${pid} completed twice`);
            completed.add(pid);
            break;
        }
      };
      const r = simulate(config, { trace, ...(config.policy.name === 'chaos' ? { policy: chaos } : {}) });
      const s = r.summary;
      const T = Math.round(s.simulatedS * 1e9);
      assert.ok(T <= config.durationNs);
      assert.ok(lastTime <= T);

      // Accounting: every arrival is in the table exactly once, completed or unfinished.
      assert.equal(s.arrived, arrived.size);
      assert.equal(s.completed, completed.size);
      assert.equal(s.completed + s.unfinished, s.arrived);
      assert.equal(r.processes.length, s.arrived);
      const pids = new Set(r.processes.map((p) => p.pid));
      assert.equal(pids.size, s.arrived, 'no duplicate rows');
      for (const pid of arrived) assert.ok(pids.has(pid), `pid ${pid} missing from results`);
      for (const p of r.processes) {
        assert.equal(p.state === 'completed', completed.has(p.pid));
        assert.ok(p.runS <= p.responseS + 1e-12, `pid ${p.pid} ran ${p.runS} s in ${p.responseS} s`);
        assert.ok(p.waitS >= -1e-12 && p.waitS <= p.responseS + 1e-12);
      }

      // Busy time never exceeds elapsed time.
      assert.ok(s.meanUtilization >= 0 && s.meanUtilization <= 1 + 1e-12);
      for (const c of r.series.cpus) for (const u of c.utilization) assert.ok(u >= 0 && u <= 1 + 1e-9);
      assert.ok(r.series.bins <= (config.maxBins ?? 1000));

      // Little's law holds exactly over the run for non-periodic processes (L = rate x time in system).
      if (T > 0) assert.ok(Math.abs(s.meanInSystem - s.arrivalRatePerS * s.meanSojournS) <= 1e-9 * Math.max(1, s.meanInSystem));

      // Migration bookkeeping adds up.
      const byReason = Object.values(s.migrationsByReason).reduce((a, b) => a + b, 0);
      assert.equal(byReason, s.migrations);
      assert.equal(r.migrations.length + s.migrationRowsOmitted, s.migrations);
      const byCause = Object.values(s.cacheMissesByCause).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(byCause - s.cacheMisses) <= 5);
      assert.ok(s.deadlineMisses <= s.jobsCompleted + s.unfinished * 1e6);
      assert.ok(s.deadlineMissRatio >= 0 && s.deadlineMissRatio <= 1);
      assert.match(r.digest, /^[0-9a-f]{64}$/);
      assert.doesNotThrow(() => JSON.stringify(r));
      if (s.migrations > 0) runsWithMigrations++;
      if (s.completed > 0) runsWithCompletions++;
    }),
    { numRuns: 150, seed: 20261123, includeErrorInReport: true },
  );
  // The generator must reach the interesting paths, or the invariants above prove little.
  assert.ok(runsWithMigrations >= 20, `only ${runsWithMigrations} runs migrated anything`);
  assert.ok(runsWithCompletions >= 50, `only ${runsWithCompletions} runs completed anything`);
});
