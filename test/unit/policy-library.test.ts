/**
 * Properties every built-in policy shares: it evacuates a CPU that fails or goes out for
 * maintenance, never places work on an offline CPU, validates its parameters, and records only
 * the reasons its registry entry declares.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulate, SimConfigError, REASONS } from '../../src/sim/index';
import { POLICY_INFO, POLICY_NAMES } from '../../src/sim';
import { FakeMachine } from './policy-fake-view';

/** Global-queue policies bind nothing to a CPU: an offline CPU simply takes no work. */
const BOUND = POLICY_NAMES.filter((n) => n !== 'global-queue' && n !== 'global-edf');

for (const name of BOUND) {
  for (const cause of ['fault', 'maintenance'] as const) {
    test(`${name} evacuates a CPU that goes offline (${cause})`, () => {
      const fake = new FakeMachine({ preset: 'server-2x8' });
      const policy = POLICY_INFO[name].factory(fake.context());
      const running = fake.add(2, 'running', { lastRanNs: 0 });
      const waiting = fake.add(2, 'ready');
      const sleeping = fake.add(2, 'sleeping');
      const elsewhere = fake.add(5, 'running');
      fake.offline.add(2);
      fake.nowNs = 1e6;
      assert.ok(policy.onCpuEvent, `${name} has onCpuEvent`);
      policy.onCpuEvent(fake, fake, { kind: 'offline', cpu: 2, cause });
      const moved = new Map(fake.moves.map((m) => [m.handle, m]));
      for (const h of [running, waiting, sleeping]) {
        const m = moved.get(h);
        assert.ok(m, `process ${h} left CPU 2`);
        assert.equal(m.reason, cause);
        assert.notEqual(m.to, 2);
      }
      assert.ok(!moved.has(elsewhere), 'processes on other CPUs stay');
      // And nothing new lands on the offline CPU.
      for (let i = 0; i < 40; i++) {
        const h = fake.add(0, 'sleeping');
        fake.procs[h]!.cpu = -1;
        const cpu = policy.place(fake, h);
        assert.notEqual(cpu, 2, `${name} placed a process on the offline CPU`);
        fake.procs[h]!.cpu = cpu;
        fake.procs[h]!.state = 'ready';
        fake.queues[cpu]!.push(h);
      }
      if (policy.balance) {
        fake.moves.length = 0;
        for (let t = 1; t <= 50; t++) {
          fake.nowNs = 1e6 + t * 1e6;
          policy.balance(fake, fake);
        }
        assert.ok(
          fake.moves.every((m) => m.to !== 2),
          `${name} balanced work onto the offline CPU`,
        );
      }
    });
  }
}

test("partitioned-edf evacuates a failed CPU's tasks to the least-utilised CPU and keeps them there", () => {
  const fake = new FakeMachine({ preset: 'laptop-4' });
  const ctx = fake.context();
  ctx.tasks = [0.5, 0.5, 0.4, 0.3].map((u, i) => ({
    group: 'rt',
    indexInGroup: i,
    periodNs: 10e6,
    wcetNs: u * 10e6,
    deadlineNs: 10e6,
    affinity: null,
  }));
  const policy = POLICY_INFO['partitioned-edf'].factory(ctx);
  const handles = [0, 1, 2, 3].map((i) =>
    fake.add(0, 'sleeping', { group: 'rt', indexInGroup: i, periodNs: 10e6, wcetNs: [0.5, 0.5, 0.4, 0.3][i]! * 10e6 }),
  );
  const cpus = handles.map((h) => policy.place(fake, h));
  // FFD: 0.5 -> CPU 0, 0.5 -> CPU 0 (sum 1.0), 0.4 -> CPU 1, 0.3 -> CPU 1.
  assert.deepEqual(cpus, [0, 0, 1, 1]);
  handles.forEach((h, i) => {
    fake.procs[h]!.cpu = cpus[i]!;
  });
  fake.offline.add(0);
  policy.onCpuEvent!(fake, fake, { kind: 'offline', cpu: 0, cause: 'fault' });
  const targets = fake.moves.map((m) => m.to).sort();
  assert.deepEqual(targets, [2, 3], "each of CPU 0's tasks goes to an empty CPU");
  // A later arrival of the same task (a new run of place) uses its new home.
  fake.procs[handles[0]!]!.cpu = -1;
  assert.equal(policy.place(fake, handles[0]!), fake.moves.find((m) => m.handle === handles[0])!.to);
});

test('parameters are validated: unknown names, wrong types and out-of-range values name the key', () => {
  const base = {
    machine: { preset: 'laptop-4' },
    workload: { groups: [{ name: 'a', count: 2 }] },
    scheduler: { kind: 'fair' as const },
    durationNs: 1e8,
    seed: 1,
  };
  const attempt = (name: string, params: Record<string, number | boolean | string>) => () =>
    simulate({ ...base, policy: { name, params } });
  assert.throws(
    attempt('work-stealing', { stealInterval: 5 }),
    (e: unknown) =>
      e instanceof SimConfigError && e.path === 'policy.params.stealInterval' && /out of range/.test(e.reason),
  );
  assert.throws(
    attempt('power-of-two', { d: 2.5 }),
    (e: unknown) => e instanceof SimConfigError && /whole number/.test(e.reason),
  );
  assert.throws(
    attempt('linux-cfs', { newidle: 1 }),
    (e: unknown) => e instanceof SimConfigError && /true or false/.test(e.reason),
  );
  assert.throws(
    attempt('cache-affinity', { heavyFraction: 1.5 }),
    (e: unknown) => e instanceof SimConfigError && e.path === 'policy.params.heavyFraction',
  );
  assert.throws(
    attempt('pinned', { anything: 1 }),
    (e: unknown) => e instanceof SimConfigError && /takes no parameters/.test(e.reason),
  );
  assert.throws(
    attempt('numa-aware', { slak: 1 }),
    (e: unknown) => e instanceof SimConfigError && /known: interval, slack/.test(e.reason),
  );
  // Valid values pass and change behaviour.
  assert.doesNotThrow(attempt('linux-cfs', { migrationCost: 0, imbalancePct: 125, newidle: false }));
});

test('every registry entry declares params with defaults inside their ranges, and real reason codes', () => {
  for (const [name, info] of Object.entries(POLICY_INFO)) {
    for (const [key, spec] of Object.entries(info.params)) {
      assert.ok(spec.doc.length > 10, `${name}.${key} has a doc`);
      if (spec.kind !== 'boolean') {
        assert.ok(spec.min === undefined || spec.default >= spec.min, `${name}.${key} default >= min`);
        assert.ok(spec.max === undefined || spec.default <= spec.max, `${name}.${key} default <= max`);
      }
    }
    for (const r of info.reasons) assert.ok((REASONS as readonly string[]).includes(r), `${name}: ${r}`);
  }
});

test('policies record only the reasons their registry entry declares (a mixed workload on a big/little NUMA-free machine and a server)', () => {
  const groups = [
    {
      name: 'cpu',
      count: 24,
      arrival: { kind: 'poisson' as const, ratePerS: 400 },
      demand: { kind: 'lognormal' as const, meanNs: 30e6, cv: 1.5 },
      workingSetBytes: 128 * 1024,
      memoryIntensity: 0.05,
    },
    {
      name: 'io',
      count: 24,
      arrival: { kind: 'poisson' as const, ratePerS: 400 },
      demand: { kind: 'exp' as const, meanNs: 10e6 },
      phases: { computeNs: { kind: 'exp' as const, meanNs: 1e6 }, sleepNs: { kind: 'exp' as const, meanNs: 2e6 } },
    },
  ];
  for (const preset of ['server-2x8-smt', 'phone-4+4', 'numa-4x4']) {
    for (const name of POLICY_NAMES) {
      const r = simulate({
        machine: { preset },
        workload: { groups },
        policy: { name },
        scheduler: { kind: name.endsWith('edf') ? 'edf' : 'fair' },
        durationNs: 5e8,
        seed: 3,
      });
      const declared: readonly string[] = POLICY_INFO[name].reasons;
      for (const [reason, count] of Object.entries(r.summary.migrationsByReason)) {
        if (count > 0)
          assert.ok(declared.includes(reason), `${name} on ${preset} recorded ${count} ${reason} migrations`);
      }
    }
  }
});

test('in a full run, every policy survives a CPU failure and a maintenance window, and nothing runs on the CPU while it is out', () => {
  const groups = [
    // 64 long processes from the start keep every CPU occupied when the events happen.
    { name: 'long', count: 64, demand: { kind: 'fixed' as const, valueNs: 150e6 } },
    {
      name: 'batch',
      count: 60,
      arrival: { kind: 'poisson' as const, ratePerS: 300 },
      demand: { kind: 'exp' as const, meanNs: 20e6 },
    },
    {
      name: 'io',
      count: 40,
      arrival: { kind: 'poisson' as const, ratePerS: 300 },
      demand: { kind: 'exp' as const, meanNs: 10e6 },
      phases: { computeNs: { kind: 'exp' as const, meanNs: 1e6 }, sleepNs: { kind: 'exp' as const, meanNs: 2e6 } },
    },
  ];
  const machine = {
    preset: 'server-2x8',
    events: [
      { kind: 'fail' as const, atNs: 50e6, cpu: 3 },
      { kind: 'maintenance' as const, atNs: 100e6, cpu: 5, durationNs: 200e6 },
    ],
  };
  for (const name of POLICY_NAMES) {
    const r = simulate({
      machine,
      workload: { groups },
      policy: { name },
      scheduler: { kind: name.endsWith('edf') ? 'edf' : 'fair' },
      durationNs: 2e9,
      seed: 5,
    });
    assert.equal(r.summary.completed, 164, `${name}: every process finishes`);
    const { binNs, cpus } = r.series;
    const busyAfter = (cpu: number, fromNs: number, toNs: number) =>
      cpus[cpu]!.utilization.slice(Math.ceil(fromNs / binNs) + 1, Math.floor(toNs / binNs)).reduce((a, b) => a + b, 0);
    assert.equal(busyAfter(3, 50e6, 2e9), 0, `${name}: CPU 3 idle after its failure`);
    assert.equal(busyAfter(5, 100e6, 300e6), 0, `${name}: CPU 5 idle during maintenance`);
    if ((BOUND as readonly string[]).includes(name))
      assert.ok(
        r.summary.migrationsByReason.fault + r.summary.migrationsByReason.maintenance > 0,
        `${name}: evacuations recorded`,
      );
  }
});
