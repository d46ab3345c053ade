/**
 * The hosts of a cluster (docs/model.md, "Requests behind a load balancer"): their power and
 * energy against the closed form P x t, and the digests of runs that use none of the newer keys
 * against the figures of the version before them (bit-identical results).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ClusterSimulation,
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

/** `n` one-CPU hosts behind round-robin, a request every 1 ms from 0 needing exactly 0.5 ms (no cache effects). */
function steady(n: number, extra: Partial<ClusterConfig> = {}, balancer: object = {}): ClusterConfig {
  return {
    hosts: [{ machine: ONE_CPU, count: n }],
    service: {
      name: 'web',
      arrival: { kind: 'fixed', atNs: 0, everyNs: 1e6 },
      demand: { kind: 'fixed', valueNs: 5e5 },
      workingSetBytes: 0,
      memoryIntensity: 0,
      balancer: { policy: 'round-robin', ...balancer },
    },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fcfs' },
    durationNs: 2 * S,
    seed: 1,
    ...extra,
  };
}

test('a host that fails drops what it was serving; health checks find it at the first check after fail + detection', () => {
  // Request k arrives at k ms and goes to host k mod 4. host-2 fails at 1.0022 s, serving
  // request 1002 (1.002..1.0025 s): that one is lost in flight. Checks every 100 ms with 250 ms
  // detection find it at ceil(1.2522 / 0.1) x 0.1 = 1.3 s; until then requests 1006, 1010 ...
  // 1298 go to it and are lost: 74 of them, rate x (1.3 - 1.0022 s) / 4 = 74.45 on average.
  const events = [{ kind: 'fail' as const, atNs: 1.0022 * S, host: 'host-2' }];
  const r = simulateCluster(steady(4, { events }, { health: { intervalNs: 0.1 * S, detectionNs: 0.25 * S } }));
  assert.deepEqual(r.drops, { inFlight: 1, unnoticed: 74, noServer: 0 });
  assert.equal(r.requestsDropped, 75);
  assert.equal(r.overall.routed, 2000);
  assert.equal(r.overall.completed, 2000 - 75);
  assert.equal(r.overall.unfinished, 0);
  const failed = r.servers[2]!;
  // Requests 2, 6 ... 1002 before the failure (251), then the 74 it never answered.
  assert.deepEqual([failed.routed, failed.completed, failed.dropped, failed.unfinished], [251 + 74, 250, 75, 0]);
  assert.equal(failed.upS, 1.0022);
  assert.equal(failed.summary.simulatedS, 1.0022);
  // The other three share every request: those before 1.3 s in turn of four, then in turn of three.
  assert.equal(
    r.servers.reduce((a, s) => a + s.routed, 0),
    2000,
  );
  for (const s of [r.servers[0]!, r.servers[1]!, r.servers[3]!]) assert.equal(s.dropped, 0);
  // Response times are the 0.5 ms service exactly: nothing queues (one request per ms).
  assert.equal(r.overall.meanResponseS, 5e-4);
  // Without health checks the balancer knows at once: only the request in flight is lost.
  const instant = simulateCluster(steady(4, { events }));
  assert.deepEqual(instant.drops, { inFlight: 1, unnoticed: 0, noServer: 0 });
  // And without events no drop is counted at all (the result keeps its earlier form).
  const plain = simulateCluster(steady(4));
  assert.equal(plain.requestsDropped, undefined);
  assert.equal(plain.overall.dropped, undefined);
});

test('with Poisson arrivals and round-robin over n servers, rate x (detection time) / n requests are lost unnoticed', () => {
  const n = 10;
  const rate = 2000;
  // Fails at 1 s; checks every 200 ms, 500 ms to detect: found at 1.6 s, 0.6 s unnoticed.
  const expected = (rate * 0.6) / n;
  const counts: number[] = [];
  for (let seed = 1; seed <= 8; seed++) {
    const c: ClusterConfig = {
      ...steady(n, { seed, durationNs: 2 * S, events: [{ kind: 'fail', atNs: S, host: 'host-3' }] }),
    };
    c.service.arrival = { kind: 'poisson', ratePerS: rate };
    c.service.demand = { kind: 'exp', meanNs: 2e6 };
    c.service.balancer = { policy: 'round-robin', health: { intervalNs: 0.2 * S, detectionNs: 0.5 * S } };
    const r = simulateCluster(c);
    counts.push(r.drops!.unnoticed);
    assert.ok(r.drops!.inFlight <= 1 + 3, `${r.drops!.inFlight} in flight`);
  }
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
  // Each count is a tenth of a Poisson count of mean 1200 (sd 3.5 after the tenth): over 8 seeds
  // the mean's sd is 1.2; 4 sd is 4.9.
  assert.ok(Math.abs(mean - expected) < 4.9, `${mean} vs ${expected} (${counts.join()})`);
});

test('maintenance drains a host: no request lost, none sent to it during the window, it serves again after', () => {
  // host-1 out from 0.5 s to 1 s: before, 125 requests (1, 5 ... 497); during, none; after, a
  // quarter of the 1000 requests of the last second.
  const events = [{ kind: 'maintenance' as const, atNs: 0.5 * S, host: 'host-1', durationNs: 0.5 * S }];
  const r = simulateCluster(steady(4, { events }));
  assert.deepEqual(r.drops, { inFlight: 0, unnoticed: 0, noServer: 0 });
  assert.equal(r.overall.completed, 2000);
  const h = r.servers[1]!;
  assert.ok(h.routed >= 374 && h.routed <= 376, String(h.routed));
  assert.equal(h.completed, h.routed);
  assert.equal(h.upS, undefined, 'a host in maintenance stays up');
  // Its last request before the window (at 0.497 s, 0.5 ms) finished inside it: drained, not dropped.
  const late = simulateCluster(steady(4, { events: [{ ...events[0]!, atNs: 0.4972 * S }] }));
  assert.equal(late.requestsDropped, 0);
});

test('power-off, power-on and boot: a host is down, boots, then runs afresh; energy P x t up plus its boot energy', () => {
  const c = loaded(ONE_CPU, 0, {
    power: { ...POWER, bootNs: 0.5 * S },
    durationNs: 3 * S,
    events: [
      { kind: 'power-off', atNs: 1 * S, host: 'host-0' },
      { kind: 'power-on', atNs: 2 * S, host: 'host-0' },
    ],
  });
  const r = simulateCluster(c);
  const off = r.servers[0]!;
  // Up 0..1 s and 2.5..3 s at idle power (no requests), booting 2..2.5 s: boot x peak by default; off 1..2 s.
  assert.equal(off.upS, 1.5);
  assert.ok(Math.abs(off.energyJ! - (POWER.idleW * 1.5 + POWER.peakW * 0.5)) < 1e-9, String(off.energyJ));
  assert.deepEqual(
    off.incarnations!.map((k) => [k.startS, k.endS]),
    [
      [0, 1],
      [2.5, 3],
    ],
  );
  assert.equal(off.summary.simulatedS, 0.5, "the last run's own summary");
  assert.ok(Math.abs(r.servers[1]!.energyJ! - POWER.idleW * 3) < 1e-9);
  // A failure with a repair time boots the host the same way.
  const repaired = simulateCluster({ ...c, events: [{ kind: 'fail', atNs: 1 * S, host: 'host-1', durationNs: S }] });
  assert.equal(repaired.servers[1]!.upS, 1.5);
  // A boot energy given is drawn evenly over the boot: one the run's end cuts at 0.2 of 0.5 s is charged 40 % of it.
  const cut = simulateCluster({
    ...c,
    power: { ...POWER, bootNs: 0.5 * S, bootEnergyJ: 300 },
    events: [
      { kind: 'power-off', atNs: 1 * S, host: 'host-0' },
      { kind: 'power-on', atNs: 2.8 * S, host: 'host-0' },
    ],
  }).servers[0]!;
  assert.equal(cut.upS, 1);
  assert.ok(Math.abs(cut.energyJ! - (POWER.idleW * 1 + 300 * 0.4)) < 1e-9, String(cut.energyJ));
});

test('a run with host events gives the same digest however it is sliced; events are checked at their paths', () => {
  const c = steady(4, {
    events: [
      { kind: 'fail', atNs: 0.3 * S, host: 'host-2', durationNs: 0.4 * S },
      { kind: 'maintenance', atNs: 0.5 * S, host: 'host-0', durationNs: 0.2 * S },
      { kind: 'power-off', atNs: 1.1 * S, host: 'host-3' },
    ],
    power: { ...POWER, bootNs: 0.1 * S },
  });
  c.service.arrival = { kind: 'poisson', ratePerS: 3000 };
  c.service.demand = { kind: 'exp', meanNs: 1e6 };
  for (const policy of ['round-robin', 'least-connections', 'power-of-d', 'random', 'weighted-round-robin'] as const) {
    c.service.balancer = { policy, health: { intervalNs: 0.05 * S, detectionNs: 0.1 * S } };
    const whole = simulateCluster(c);
    assert.ok(whole.requestsDropped! > 0, policy);
    const sim = new ClusterSimulation(c);
    while (!sim.done) sim.advance(sim.nowNs + 0.0137 * S);
    assert.equal(sim.result().digest, whole.digest, policy);
  }
  const bad = (events: unknown[], path: string) =>
    assert.throws(
      () => simulateCluster({ ...steady(4), events: events as never }),
      (e: unknown) => e instanceof SimConfigError && e.path === path,
      path,
    );
  bad([{ kind: 'power-on', atNs: S, host: 'host-0' }], 'events[0].kind');
  bad([{ kind: 'melt', atNs: S, host: 'host-0' }], 'events[0].kind');
  bad([{ kind: 'fail', atNs: S, host: 'host-9' }], 'events[0].host');
  bad([{ kind: 'power-off', atNs: S, host: 'host-0', durationNs: S }], 'events[0].durationNs');
  bad([{ kind: 'fail', atNs: -1, host: 'host-0' }], 'events[0].atNs');
  bad(
    [
      { kind: 'fail', atNs: S, host: 'host-0' },
      { kind: 'maintenance', atNs: S, host: 'host-0' },
    ],
    'events[1].kind',
  );
  bad([{ kind: 'fail', atNs: S, host: 'host-0', when: 1 }], 'events[0].when');
  assert.throws(
    () => simulateCluster(steady(4, {}, { health: { intervalNs: 0 } })),
    (e: unknown) => e instanceof SimConfigError && e.path === 'service.balancer.health.intervalNs',
  );
});

test('the autoscaler powers a host on above up (it joins after startup) and drains one below down, exactly', () => {
  // One server, a request every 1 ms needing 0.9 ms: busy 90 % over the first second, so at 1 s
  // host-1 boots and joins at 1.5 s. Over 1..2 s the pool's CPUs were in it 1.5 CPU-s and busy
  // 0.45 + 0.225 + 0.225 s: 60 %, inside 30..80 %, and 45 % over 2..3 s: nothing more.
  const up = steady(4, { durationNs: 3 * S, power: POWER });
  up.service.demand = { kind: 'fixed', valueNs: 9e5 };
  up.service.autoscale = { min: 1, intervalNs: S, startupNs: 0.5 * S };
  const r = simulateCluster(up);
  assert.deepEqual(r.scaling, [{ atS: 1, kind: 'up', host: 'host-1', utilization: 0.9 }]);
  assert.equal(r.requestsDropped, 0);
  assert.equal(r.servers[1]!.upS, 1.5);
  assert.deepEqual([r.servers[2]!.routed, r.servers[2]!.upS], [0, 0]);
  // host-1: 0.5 s booting at peak (the default boot energy), 1.5 s up at idle, plus (peak - idle) x its 750 requests x 0.9 ms.
  assert.ok(
    Math.abs(r.servers[1]!.energyJ! - (250 * 0.5 + 100 * 1.5 + 150 * 0.675)) < 1e-9,
    String(r.servers[1]!.energyJ),
  );
  assert.equal(r.servers[2]!.energyJ, 0, 'off all the run');
  assert.equal(r.servers[1]!.routed, 750);

  // Two servers, 0.2 ms every 1 ms: 10 % busy, below 30 %: host-1 leaves the pool at 1 s with
  // nothing left to answer, and is switched off at the next decision, 2 s. One server at 20 % is min.
  const down = steady(4, { durationNs: 3 * S });
  down.service.demand = { kind: 'fixed', valueNs: 2e5 };
  down.service.autoscale = { min: 1, initial: 2 };
  const d = simulateCluster(down);
  assert.deepEqual(d.scaling, [{ atS: 1, kind: 'down', host: 'host-1', utilization: 0.1 }]);
  assert.deepEqual(
    d.servers.map((s) => [s.routed, s.completed, s.upS]),
    [
      [2500, 2500, undefined],
      [500, 500, 2],
      [0, 0, 0],
      [0, 0, 0],
    ],
  );
  assert.equal(d.requestsDropped, 0);
});

test('an autoscaled run gives the same digest however it is sliced; its keys are checked at their paths', () => {
  const c = steady(6, { durationNs: 4 * S });
  c.service.arrival = { kind: 'poisson', ratePerS: 2500 };
  c.service.demand = { kind: 'exp', meanNs: 1e6 };
  c.service.balancer = { policy: 'least-connections' };
  c.service.autoscale = { min: 1, max: 5, intervalNs: 0.25 * S, startupNs: 0.1 * S, up: 0.7, down: 0.4 };
  const whole = simulateCluster(c);
  assert.ok(whole.scaling!.length >= 2, JSON.stringify(whole.scaling));
  assert.ok(whole.scaling!.some((e) => e.kind === 'up'));
  assert.equal(whole.servers[5]!.routed, 0, 'max 5');
  const sim = new ClusterSimulation(c);
  while (!sim.done) sim.advance(sim.nowNs + 0.0371 * S);
  assert.equal(sim.result().digest, whole.digest);
  const bad = (autoscale: object, path: string, events?: ClusterConfig['events']) =>
    assert.throws(
      () => {
        const b = steady(4, events ? { events } : {});
        b.service.autoscale = autoscale;
        simulateCluster(b);
      },
      (e: unknown) => e instanceof SimConfigError && e.path === path,
      path,
    );
  bad({ up: 0.3, down: 0.5 }, 'service.autoscale.down');
  bad({ min: 5 }, 'service.autoscale.min');
  bad({ min: 2, max: 1 }, 'service.autoscale.max');
  bad({ initial: 9 }, 'service.autoscale.initial');
  bad({ every: 1 }, 'service.autoscale.every');
  bad({}, 'events', [{ kind: 'fail', atNs: S, host: 'host-0' }]);
});
