/**
 * The hosts of a cluster (docs/model.md, "Requests behind a load balancer"): their power and
 * energy against the closed form P x t, and the digests of runs that use none of the newer keys
 * against the figures of the version before them (bit-identical results).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  SimConfigError,
  simulate,
  simulateCluster,
  type ClusterConfig,
  type MachineConfig,
  type SimConfig,
} from '../../src/sim/index';

const S = 1e9;
const ONE_CPU: MachineConfig = { sockets: 1, coresPerSocket: 1, contextSwitchNs: 0 };

/** `count` hosts of `machine`, each busy with `busy` processes that never finish, and a service that never arrives. */
function loaded(machine: MachineConfig, busy: number, extra: Partial<ClusterConfig> = {}): ClusterConfig {
  return {
    hosts: [
      {
        machine,
        count: 2,
        workload:
          busy === 0
            ? undefined
            : { groups: [{ name: 'spin', count: busy, demand: { kind: 'fixed', valueNs: 100 * S } }] },
      },
    ],
    service: {
      name: 'web',
      // Starts after the end: the hosts' load is their own processes only.
      arrival: { kind: 'poisson', ratePerS: 1, startNs: 10 * S },
      demand: { kind: 'fixed', valueNs: 1e6 },
    },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fcfs' },
    durationNs: 3 * S + 7,
    seed: 2,
    ...extra,
  };
}

const POWER = { idleW: 100, peakW: 250 };

test('a host at constant load draws P(u) = idle + (peak - idle) u: energy is P x t exactly', () => {
  const t = (3 * S + 7) / S;
  // One CPU, busy all the time (u = 1); two CPUs, one busy (u = 1/2); idle (u = 0).
  const cases: [MachineConfig, number, number][] = [
    [ONE_CPU, 1, 1],
    [{ ...ONE_CPU, coresPerSocket: 2 }, 1, 0.5],
    [{ ...ONE_CPU, coresPerSocket: 4 }, 3, 0.75],
    [ONE_CPU, 0, 0],
  ];
  for (const [machine, busy, u] of cases) {
    const r = simulateCluster(loaded(machine, busy, { power: POWER }));
    const p = POWER.idleW + (POWER.peakW - POWER.idleW) * u;
    for (const s of r.servers) {
      assert.equal(s.summary.meanUtilization, u, `u = ${u}`);
      // Times are whole ns and P x t is computed once: equal to the last bit but for the one division.
      assert.ok(Math.abs(s.energyJ! - p * t) <= 1e-12 * p * t, `${s.energyJ} vs ${p * t}`);
      assert.equal(s.upS, undefined, 'up the whole run');
    }
    assert.ok(Math.abs(r.energyJ! - 2 * p * t) <= 2e-12 * p * t);
  }
});

test("a hosts entry's power overrides the cluster's; a machine's own power model gives its host's energy", () => {
  const c = loaded(ONE_CPU, 1, { power: POWER });
  c.hosts.push({ ...c.hosts[0]!, name: 'cool', count: 1, power: { idleW: 10, peakW: 20 } });
  const r = simulateCluster(c);
  assert.ok(Math.abs(r.servers[2]!.energyJ! - 20 * 3.000000007) < 1e-9);
  // With a power model of its own the machine's engine meters the host: the same run as alone.
  const own: MachineConfig = { ...ONE_CPU, power: { staticW: 2 } };
  const withOwn = simulateCluster(loaded(own, 1, { power: POWER }));
  const alone: SimConfig = {
    machine: own,
    workload: {
      groups: [
        { name: 'spin', count: 1, demand: { kind: 'fixed', valueNs: 100 * S } },
        { name: 'web', count: 0 },
      ],
    },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fcfs' },
    durationNs: 3 * S + 7,
    seed: 1,
  };
  const reference = simulate(alone).summary.energyJ!;
  assert.ok(reference > 6);
  for (const s of withOwn.servers) assert.equal(s.energyJ, s.summary.energyJ);
  assert.ok(Math.abs(withOwn.servers[0]!.energyJ! - reference) < 1e-9 * reference);
  // No power figures and no power model: no energy, for a host and for the cluster.
  const none = simulateCluster(loaded(ONE_CPU, 1));
  assert.equal(none.energyJ, undefined);
  assert.equal(none.servers[0]!.energyJ, undefined);
  const mixed = loaded(ONE_CPU, 1);
  mixed.hosts.push({ ...mixed.hosts[0]!, machine: own, name: 'metered', count: 1 });
  const m = simulateCluster(mixed);
  assert.equal(m.energyJ, undefined, 'one host without a power model: no cluster total');
  assert.ok(m.servers[2]!.energyJ! > 0);
});

test('power figures are checked at their paths', () => {
  const bad = (edit: (c: ClusterConfig) => void, path: string) => {
    const c = loaded(ONE_CPU, 1, { power: { ...POWER } });
    edit(c);
    assert.throws(
      () => simulateCluster(c),
      (e: unknown) => e instanceof SimConfigError && e.path === path,
      path,
    );
  };
  bad((c) => (c.power = { idleW: 100, peakW: 50 }), 'power.peakW');
  bad((c) => (c.power = { idleW: -1, peakW: 50 }), 'power.idleW');
  bad((c) => (c.power = { peakW: 50 } as never), 'power.idleW');
  bad((c) => (c.power = { ...POWER, bootNs: 0.5 }), 'power.bootNs');
  bad((c) => (c.hosts[0]!.power = { ...POWER, watts: 1 } as never), 'hosts[0].power.watts');
});

/** The balancer test's cluster (test/unit/sim-cluster-balancer.test.ts, richCluster) under `policy`. */
function rich(policy: string): ClusterConfig {
  return {
    hosts: [
      { name: 'big', count: 2, machine: { preset: 'server-2x8' } },
      {
        name: 'small',
        count: 3,
        machine: { sockets: 1, coresPerSocket: 2 },
        workload: {
          groups: [
            { name: 'batch', count: 3, demand: { kind: 'exp', meanNs: 50e6 }, workingSetBytes: 1 << 20 },
            {
              name: 'io',
              arrival: { kind: 'poisson', ratePerS: 50 },
              demand: { kind: 'exp', meanNs: 2e6 },
              phases: { computeNs: { kind: 'exp', meanNs: 2e5 }, sleepNs: { kind: 'exp', meanNs: 1e6 } },
            },
          ],
        },
      },
    ],
    service: {
      name: 'shop',
      arrival: { kind: 'poisson', ratePerS: 6000 },
      demand: { kind: 'lognormal', meanNs: 2e6, cv: 1.5 },
      workingSetBytes: 256 * 1024,
      balancer: (policy === 'power-of-d' ? { policy, d: 2 } : { policy }) as never,
    },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fair' },
    durationNs: 0.3 * S,
    seed: 5,
  };
}

test('runs without power, events, health checks or sessions give the digests they gave before those keys', () => {
  // Measured on the version before host power, events, health checks and consistent hashing.
  const before: Record<string, string> = {
    'round-robin': '65b75569b4a8be17667d6636681798221c253cb4c0fb4f31a5e5dbc495cd735f',
    'weighted-round-robin': 'd196deda44e23cab91a40b95007d1f595c4814a7fcb3780cdc4b2a3abbd1ec6e',
    random: 'fd80f0d29c1cb076840635abbcf647610fe70d28bc67e4b08e579a6c0253cbb4',
    'least-connections': '040cfc356c8bf2d7fa33fcbb4a4fac9f2dfe3bd77d60cac3cd58620134e5c895',
    'join-shortest-queue': '25516084b71077600687e4a7e061da7eaf8043641bbcfb6b5f8695b0c3803fa5',
    'power-of-d': '4453ac5989dd8c4a42bfc63040bd85a044487bd2f27ae8f459a13dd6d88ef7dd',
  };
  for (const [policy, digest] of Object.entries(before))
    assert.equal(simulateCluster(rich(policy)).digest, digest, policy);
});
