import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MACHINE_PRESETS,
  POLICY_NAMES,
  SCHEDULERS,
  SimConfigError,
  Simulation,
  simulate,
  type SimConfig,
} from '../../src/sim/index';

function config(overrides: Partial<SimConfig> = {}): SimConfig {
  return {
    machine: { sockets: 2, coresPerSocket: 4 },
    workload: {
      groups: [
        {
          name: 'web',
          count: 64,
          arrival: { kind: 'poisson', ratePerS: 400 },
          demand: { kind: 'exp', meanNs: 4e6 },
          workingSetBytes: 256 * 1024,
        },
        {
          name: 'batch',
          count: 6,
          demand: { kind: 'fixed', valueNs: 3e8 },
          workingSetBytes: 8 << 20,
          dirtyFraction: 0.3,
        },
      ],
    },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fair' },
    durationNs: 10e9,
    seed: 7,
    ...overrides,
  };
}

test('a closed workload runs to completion and accounts for every process', () => {
  const r = simulate(config());
  assert.equal(r.summary.arrived, 70);
  assert.equal(r.summary.completed, 70);
  assert.equal(r.summary.unfinished, 0);
  assert.equal(r.processes.length, 70);
  assert.ok(r.summary.makespanS > 0.3, 'the 0.3 s batch jobs bound the makespan from below');
  assert.ok(r.summary.meanUtilization > 0 && r.summary.meanUtilization <= 1);
  assert.match(r.digest, /^[0-9a-f]{64}$/);
});

test('every scheduler and baseline policy runs the same workload', () => {
  for (const kind of SCHEDULERS) {
    for (const name of POLICY_NAMES) {
      const r = simulate(config({ scheduler: { kind }, policy: { name } }));
      assert.equal(r.summary.completed + r.summary.unfinished, r.summary.arrived, `${kind}/${name}`);
      assert.equal(r.summary.completed, 70, `${kind}/${name} finishes everything within 10 s`);
    }
  }
});

test('series stay within maxBins and utilisation within [0, 1]', () => {
  const r = simulate(config({ maxBins: 100 }));
  assert.ok(r.series.bins <= 100);
  assert.equal(r.series.cpus.length, 8);
  for (const c of r.series.cpus) {
    assert.equal(c.utilization.length, r.series.bins);
    assert.equal(c.queueLength.length, r.series.bins);
    for (const u of c.utilization) assert.ok(u >= 0 && u <= 1 + 1e-9, `utilisation ${u}`);
    assert.equal(c.missesByCause.capacity.length, r.series.bins);
  }
  assert.ok(r.series.binNs * r.series.bins >= r.summary.simulatedS * 1e9);
});

test('incremental advance gives the same result as a single run', () => {
  const whole = simulate(config());
  const sim = new Simulation(config());
  for (let t = 0; !sim.done; t += 50e6) sim.advance(t);
  assert.equal(sim.result().digest, whole.digest);
});

test('invalid configuration names the field', () => {
  const bad = config();
  (bad.workload.groups[0]!.demand as { meanNs: number }).meanNs = -1;
  assert.throws(
    () => simulate(bad),
    (e: unknown) => e instanceof SimConfigError && e.path === 'workload.groups[0].demand.meanNs',
  );
  assert.throws(
    () => simulate(config({ machine: { caches: { l2Bytes: 'big' as unknown as number } } })),
    (e: unknown) => e instanceof SimConfigError && e.path === 'machine.caches.l2Bytes',
  );
  assert.throws(
    () => simulate(config({ policy: { name: 'nope' } })),
    (e: unknown) => e instanceof SimConfigError && e.path === 'policy.name',
  );
  assert.throws(
    () => simulate(config({ durationNs: 0 })),
    (e: unknown) => e instanceof SimConfigError && e.path === 'durationNs',
  );
  // Integer times past 2^53 ns are refused as too large, not as "not an integer".
  for (const durationNs of [2 ** 53, 1e20]) {
    assert.throws(
      () => simulate(config({ durationNs })),
      (e: unknown) =>
        e instanceof SimConfigError &&
        e.path === 'durationNs' &&
        /at most 9007199254740991 \(2\^53 - 1\)/.test(e.message),
    );
  }
  assert.throws(
    () => simulate(config({ durationNs: 1.5 })),
    (e: unknown) => e instanceof SimConfigError && e.path === 'durationNs' && /must be an integer/.test(e.message),
  );
  // Series memory is bounded: a 4096-CPU machine cannot ask for 2000 bins per series.
  assert.throws(
    () => simulate(config({ machine: { sockets: 64, coresPerSocket: 64 }, maxBins: 2000 })),
    (e: unknown) => e instanceof SimConfigError && e.path === 'maxBins',
  );
  const countPath = 'workload.groups[1].count';
  const huge = config();
  huge.workload.groups[1]!.count = 2e9;
  assert.throws(
    () => simulate(huge),
    (e: unknown) => e instanceof SimConfigError && e.path === countPath,
  );
});

test('presets resolve', () => {
  for (const name of Object.keys(MACHINE_PRESETS)) {
    const r = simulate(config({ machine: { preset: name } }));
    assert.equal(r.summary.completed, 70, name);
  }
});

test('a run stopped early (cancel) still accounts for everything, and then stays stopped', () => {
  const sim = new Simulation(config());
  sim.advance(100e6);
  assert.equal(sim.nowNs, 100e6);
  assert.equal(sim.done, false);
  const r = sim.result();
  assert.equal(sim.done, true);
  assert.equal(r.summary.simulatedS, 0.1);
  assert.ok(r.summary.unfinished > 0);
  assert.equal(r.summary.completed + r.summary.unfinished, r.summary.arrived);
  sim.advance(sim.endNs);
  assert.equal(sim.nowNs, 100e6, 'advance after result() does nothing');
  assert.equal(sim.result(), r);
  // advance() clamps to the end of the run.
  const whole = new Simulation({
    ...config(),
    workload: { groups: [{ name: 'open', arrival: { kind: 'poisson', ratePerS: 100 } }] },
    durationNs: 1e9,
  });
  whole.advance(5e9);
  assert.equal(whole.nowNs, 1e9);
  assert.equal(whole.done, true);
});
