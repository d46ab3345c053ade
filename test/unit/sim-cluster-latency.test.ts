/**
 * Network latency in request runs (docs/model.md, "Network latency") against independent
 * references. A request routed at t to a server whose link has one-way latency L reaches it at
 * t + L; its response, done at c, reaches the balancer at c + L. Servers with one CPU, no
 * context-switch cost and no cache effects under FCFS are exact single-server queues, so:
 * - with no queueing every response is its service time + 2L exactly;
 * - an M/M/1 server behind a link of latency L has mean response 1/(mu - lambda) + 2L;
 * - join-shortest-queue counts a request from when it is sent (the processes on the server and
 *   the requests on the wire to it), least-connections until its response is back: a tiny exact
 *   simulator of fixed arrivals and demands, written here, gives every routing and response;
 * - a failed host loses what is on it and on the wire to it; responses it sent before arrive.
 * Then: latency 0 (or a network without one) changes no digest, slicing changes nothing, and
 * bad values are errors at their path.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLab } from '../../src/lab/document/markdown';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { LabSession } from '../../src/lab/notebook/execute';
import { RUN_MIME, type RunOutput } from '../../src/lab/outputs/contract';
import { Wire } from '../../src/sim/cluster/wire';
import { inProcessRunHost, runClusterInSlices } from '../../src/worker/runSimulation';
import {
  ClusterSimulation,
  SimConfigError,
  simulateCluster,
  type BalancerPolicyName,
  type ClusterConfig,
  type MachineConfig,
} from '../../src/sim/index';

const S = 1e9;
const MS = 1e6;
/** One CPU, no direct cost of a context switch: a server is exactly a single-server FCFS queue. */
const ONE_CPU: MachineConfig = { sockets: 1, coresPerSocket: 1, contextSwitchNs: 0 };

/** Fixed arrivals every `gapNs` from 0 with a fixed demand, one host entry per latency. */
function fixedCluster(opts: {
  latenciesNs: number[];
  gapNs: number;
  demandNs: number;
  durationNs: number;
  policy: BalancerPolicyName;
  machine?: MachineConfig;
}): ClusterConfig {
  return {
    hosts: opts.latenciesNs.map((latencyNs, k) => ({
      name: `s${k}`,
      machine: opts.machine ?? ONE_CPU,
      link: { latencyNs },
    })),
    service: {
      name: 'web',
      arrival: { kind: 'fixed', atNs: 0, everyNs: opts.gapNs },
      demand: { kind: 'fixed', valueNs: opts.demandNs },
      workingSetBytes: 0,
      memoryIntensity: 0,
      balancer: { policy: opts.policy },
    },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fcfs' },
    durationNs: opts.durationNs,
    seed: 1,
  };
}

/**
 * The reference: fixed arrivals and demands on one-CPU FCFS servers behind links of latency
 * L_i. The balancer's view of server i at t counts its requests not yet over by t: done on the
 * server (join-shortest-queue: the processes there and the requests on the wire to it) or back
 * at the balancer (least-connections). Round-robin takes each server in turn.
 */
function reference(opts: {
  latenciesNs: number[];
  gapNs: number;
  demandNs: number;
  durationNs: number;
  policy: 'round-robin' | 'join-shortest-queue' | 'least-connections';
  /** A balancer blind to the wire: it counts a request only once it has reached its server (not ours). */
  blind?: boolean;
}) {
  const n = opts.latenciesNs.length;
  const lastDone = new Array<number>(n).fill(0);
  const over: number[][] = opts.latenciesNs.map(() => []);
  const reached: number[][] = opts.latenciesNs.map(() => []);
  const routed = new Array<number>(n).fill(0);
  const completed = new Array<number>(n).fill(0);
  const sum = new Array<number>(n).fill(0);
  let k = 0;
  for (let t = 0; t < opts.durationNs; t += opts.gapNs, k++) {
    let i = k % n;
    if (opts.policy !== 'round-robin') {
      i = 0;
      let least = Infinity;
      for (let j = 0; j < n; j++) {
        const view = over[j]!.filter((end, m) => end >= t && (!opts.blind || reached[j]![m]! < t)).length;
        if (view < least) {
          least = view;
          i = j;
        }
      }
    }
    const L = opts.latenciesNs[i]!;
    const done = Math.max(t + L, lastDone[i]!) + opts.demandNs;
    lastDone[i] = done;
    over[i]!.push(opts.policy === 'least-connections' ? done + L : done);
    reached[i]!.push(t + L);
    routed[i]!++;
    if (done + L < opts.durationNs) {
      completed[i]!++;
      sum[i]! += done + L - t;
    }
  }
  return { routed, completed, meanS: sum.map((s, i) => s / completed[i]! / S) };
}

test('with no queueing every response is its service time + 2L exactly, on one CPU and on many', () => {
  // One CPU, a request every 10 ms taking 1 ms: never two at once.
  const L = 1_234_567;
  const one = simulateCluster(
    fixedCluster({ latenciesNs: [L], gapNs: 10 * MS, demandNs: MS, durationNs: S, policy: 'round-robin' }),
  );
  const s = one.servers[0]!;
  assert.equal(s.meanResponseS, (MS + 2 * L) / S);
  assert.equal(s.latencyS, L / S);
  // Every response is the same, so the percentiles are that value (within the histogram's bucket).
  assert.ok(Math.abs(s.p99ResponseS / s.meanResponseS - 1) < 0.05);
  // The run ends at 1 s: a request counts when its response is back by then (t + 2L + 1 ms < 1 s).
  const within = Array.from({ length: 100 }, (_, k) => k * 10 * MS).filter((t) => t + 2 * L + MS < S).length;
  assert.equal(s.routed, 100);
  assert.equal(s.completed, within);
  assert.equal(s.unfinished, 100 - within);
  // Eight CPUs, a request every 100 us taking 500 us: at most five at once, each on a CPU of its own.
  const many = simulateCluster(
    fixedCluster({
      latenciesNs: [L],
      gapNs: 100_000,
      demandNs: 500_000,
      durationNs: 200 * MS,
      policy: 'round-robin',
      machine: { sockets: 1, coresPerSocket: 8, contextSwitchNs: 0 },
    }),
  );
  assert.equal(many.overall.meanResponseS, (500_000 + 2 * L) / S);
});

test('heterogeneous links: each server shows its own 2L, the overall mean is their mix', () => {
  const latenciesNs = [0, MS, 10 * MS];
  const r = simulateCluster(
    fixedCluster({ latenciesNs, gapNs: 5 * MS, demandNs: 2 * MS, durationNs: 3 * S, policy: 'round-robin' }),
  );
  const ref = reference({ latenciesNs, gapNs: 5 * MS, demandNs: 2 * MS, durationNs: 3 * S, policy: 'round-robin' });
  r.servers.forEach((s, i) => {
    assert.equal(s.meanResponseS, (2 * MS + 2 * latenciesNs[i]!) / S, s.host);
    assert.equal(s.completed, ref.completed[i]);
    assert.equal(s.latencyS, latenciesNs[i]! > 0 ? latenciesNs[i]! / S : undefined);
  });
  const total = ref.completed.reduce((a, b) => a + b, 0);
  const mixed = ref.completed.reduce((a, c, i) => a + c * (2 * MS + 2 * latenciesNs[i]!), 0) / total / S;
  assert.ok(Math.abs(r.overall.meanResponseS - mixed) < 1e-15);
});

test('an M/M/1 server behind a link of latency L: mean response 1/(mu - lambda) + 2L within statistical error', () => {
  const L = 2 * MS;
  const lambda = 500;
  const mu = 1000;
  const means = [1, 2, 3, 4, 5].map((seed) => {
    const r = simulateCluster({
      hosts: [{ machine: ONE_CPU, link: { latencyNs: L } }],
      service: {
        name: 'web',
        arrival: { kind: 'poisson', ratePerS: lambda },
        demand: { kind: 'exp', meanNs: S / mu },
        workingSetBytes: 0,
        memoryIntensity: 0,
        balancer: { policy: 'join-shortest-queue' },
      },
      policy: { name: 'least-loaded' },
      scheduler: { kind: 'fcfs' },
      durationNs: 40 * S,
      seed,
    });
    return r.overall.meanResponseS;
  });
  const mean = means.reduce((a, b) => a + b, 0) / means.length;
  const sd = Math.sqrt(means.reduce((a, b) => a + (b - mean) ** 2, 0) / (means.length - 1));
  const half = (2.776 * sd) / Math.sqrt(means.length);
  const expected = 1 / (mu - lambda) + (2 * L) / S;
  assert.ok(Math.abs(mean - expected) < Math.max(half, 0.02 * expected), `${mean} vs ${expected} ± ${half}`);
});

for (const policy of ['join-shortest-queue', 'least-connections'] as const)
  test(`${policy} behind links with latency: every routing, count and response as the exact reference`, () => {
    // Requests every 1 ms taking 2.345678 ms on three one-CPU servers (rho 0.78): the balancer
    // routes several requests before the first reaches its server.
    const opts = { latenciesNs: [456_789, 1_234_567, 3_101_234], gapNs: MS, demandNs: 2_345_678, durationNs: 400 * MS };
    const r = simulateCluster(fixedCluster({ ...opts, policy }));
    const ref = reference({ ...opts, policy });
    r.servers.forEach((s, i) => {
      assert.equal(s.routed, ref.routed[i], `${s.host} routed`);
      assert.equal(s.completed, ref.completed[i], `${s.host} completed`);
      assert.equal(s.unfinished, s.routed - s.completed);
      assert.ok(Math.abs(s.meanResponseS - ref.meanS[i]!) < 1e-12, `${s.host}: ${s.meanResponseS} vs ${ref.meanS[i]}`);
    });
    assert.equal(r.overall.routed, 400);
    // The test tells the views apart: a balancer blind to the requests on the wire routes otherwise.
    assert.notDeepEqual(reference({ ...opts, policy, blind: true }).routed, ref.routed);
    // Every server serves, the far one least: its requests stay in the balancer's view longer.
    assert.ok(Math.min(...ref.routed) > 0);
    assert.equal(r.servers[2]!.routed, Math.min(...ref.routed));
  });

test('a host that fails loses the requests on it and on the wire to it; the responses it sent before arrive', () => {
  const L = 3 * MS;
  const failNs = 100 * MS + 500_000;
  const config: ClusterConfig = {
    ...fixedCluster({
      latenciesNs: [L, L],
      gapNs: MS,
      demandNs: 1_500_000,
      durationNs: 300 * MS,
      policy: 'round-robin',
    }),
    events: [{ kind: 'fail', atNs: failNs, host: 's1-0' }],
  };
  const r = simulateCluster(config);
  const s1 = r.servers[1]!;
  // Round-robin sends s1 the odd requests (t = 1, 3, 5... ms) until it fails; each is alone on it.
  const sent = Array.from({ length: 100 }, (_, k) => (2 * k + 1) * MS).filter((t) => t < failNs);
  const doneBefore = sent.filter((t) => t + L + 1_500_000 < failNs);
  assert.equal(s1.routed, sent.length);
  assert.equal(s1.completed, doneBefore.length, 'answered before the failure: their responses arrive');
  assert.equal(s1.dropped, sent.length - doneBefore.length);
  assert.equal(s1.meanResponseS, (1_500_000 + 2 * L) / S);
  assert.equal(r.drops!.inFlight, sent.length - doneBefore.length);
});

test('latency 0, or a network with bandwidth and no latency, leaves every digest as it was', () => {
  const base = fixedCluster({
    latenciesNs: [0, 0],
    gapNs: 700_000,
    demandNs: MS,
    durationNs: 200 * MS,
    policy: 'least-connections',
  });
  const { link: _link, ...noLink } = base.hosts[0]!;
  void _link;
  const without: ClusterConfig = { ...base, hosts: base.hosts.map(({ link: _l, ...h }) => (void _l, h)) };
  const reference = simulateCluster(without).digest;
  assert.equal(simulateCluster(base).digest, reference);
  assert.equal(simulateCluster({ ...without, link: { bandwidthBytesPerS: 1e8, migrationShare: 1 } }).digest, reference);
  assert.equal(simulateCluster({ ...without, link: { latencyNs: 0 } }).digest, reference);
  assert.ok(noLink.machine !== undefined);
  // The cluster's latency is every host's unless a host entry gives its own.
  const cl = simulateCluster({ ...without, link: { latencyNs: MS } });
  assert.deepEqual(
    cl.servers.map((s) => s.latencyS),
    [MS / S, MS / S],
  );
  const own = simulateCluster({ ...without, link: { latencyNs: MS }, hosts: [without.hosts[0]!, base.hosts[1]!] });
  assert.deepEqual(
    own.servers.map((s) => s.latencyS),
    [MS / S, undefined],
  );
});

test('a run with latency is the same however it is sliced (every policy, a failure, an autoscaler)', async () => {
  const configs: ClusterConfig[] = [];
  for (const policy of ['round-robin', 'join-shortest-queue', 'least-connections', 'power-of-d', 'random'] as const)
    configs.push({
      hosts: [
        { name: 'near', count: 3, machine: { sockets: 1, coresPerSocket: 2 }, link: { latencyNs: 200_000 } },
        { name: 'far', count: 2, machine: { sockets: 1, coresPerSocket: 2 }, link: { latencyNs: 7 * MS } },
      ],
      service: {
        name: 'web',
        arrival: { kind: 'poisson', ratePerS: 2500 },
        demand: { kind: 'exp', meanNs: 1.5 * MS },
        balancer: { policy },
      },
      policy: { name: 'least-loaded' },
      scheduler: { kind: 'fair' },
      durationNs: 2 * S,
      seed: 7,
      events: [{ kind: 'fail', atNs: 700 * MS, host: 'far-1', durationNs: 500 * MS }],
    });
  configs.push({
    ...configs[1]!,
    events: undefined,
    service: { ...configs[1]!.service, autoscale: { up: 0.6, down: 0.2, intervalNs: 100 * MS, initial: 2 } },
  });
  for (const config of configs) {
    const whole = simulateCluster(config);
    for (const slices of [1, 7, 100]) {
      const sim = new ClusterSimulation(config);
      const step = Math.ceil(sim.endNs / slices);
      while (!sim.done) sim.advance(Math.min(sim.endNs, sim.nowNs + step));
      const sliced = sim.result();
      assert.equal(sliced.digest, whole.digest, `${config.service.balancer!.policy} in ${slices} slices`);
      // The load bins are not in the digest: compared on their own.
      assert.deepEqual(
        sliced.servers.map((x) => x.load),
        whole.servers.map((x) => x.load),
      );
    }
    // The workers' loop (the notebook and the command line run a cluster so).
    assert.equal((await runClusterInSlices({ config }, 1000, () => {})).digest, whole.digest);
    const s = whole.overall;
    assert.equal(s.routed, s.completed + s.unfinished + (s.dropped ?? 0));
  }
});

test('a bad latency is an error at its path: negative, NaN, fractional, absurd, not a number, unknown keys', () => {
  const base = fixedCluster({ latenciesNs: [0], gapNs: MS, demandNs: MS, durationNs: 10 * MS, policy: 'round-robin' });
  const bad: [unknown, string][] = [
    [-1, 'must be'],
    [NaN, ''],
    [1.5, ''],
    [1e30, ''],
    [20e9, ''],
    ['1ms', ''],
  ];
  const throwsAt = (config: unknown, path: string) =>
    assert.throws(
      () => simulateCluster(config as ClusterConfig),
      (e: unknown) => e instanceof SimConfigError && e.path === path,
      path,
    );
  for (const [value] of bad) {
    throwsAt({ ...base, link: { latencyNs: value } }, 'link.latencyNs');
    throwsAt({ ...base, hosts: [{ ...base.hosts[0]!, link: { latencyNs: value } }] }, 'hosts[0].link.latencyNs');
  }
  throwsAt({ ...base, link: { bandwidthBytesPerS: -5 } }, 'link.bandwidthBytesPerS');
  throwsAt({ ...base, link: { latency: 5 } }, 'link.latency');
  // A host's link is its latency only: the bandwidth is the cluster's (VM runs').
  throwsAt(
    { ...base, hosts: [{ ...base.hosts[0]!, link: { bandwidthBytesPerS: 1e9 } }] },
    'hosts[0].link.bandwidthBytesPerS',
  );
  throwsAt({ ...base, link: 5 }, 'link');
});

/** A lab with a cluster whose network has a latency and one host entry of its own. */
function latencyLab(network: string, hostNetwork: string, runs = 'service: web'): string {
  return [
    '```cluster',
    'name: rack',
    'hosts:',
    '  - { machine: laptop-4, count: 2 }',
    `  - { machine: laptop-4, name: far, network: ${hostNetwork} }`,
    'policy: least-loaded',
    `network: ${network}`,
    '```',
    '',
    '```service',
    'name: web',
    'arrival: every 2ms',
    'demand: fixed 1ms',
    '```',
    '',
    '```run',
    'name: a',
    'cluster: rack',
    runs,
    'duration: 200ms',
    '```',
    '',
  ].join('\n');
}

test('a lab: the cluster network latency and a host entry network reach the simulator; bad values at line and column', () => {
  const ok = resolveLab(parseLab(latencyLab('{ latency: 1ms, bandwidth: 1GB/s }', '{ latency: 20ms }')));
  assert.deepEqual([...ok.diagnostics.values()].flat(), []);
  const config = ok.clusterRuns[0]!.config;
  assert.equal(config.link?.latencyNs, 1e6);
  assert.deepEqual(config.hosts[1]!.link, { latencyNs: 20e6 });
  const r = simulateCluster(config);
  assert.deepEqual(
    r.servers.map((s) => s.latencyS),
    [0.001, 0.001, 0.02],
  );
  const errors = (network: string, hostNetwork: string) =>
    [...resolveLab(parseLab(latencyLab(network, hostNetwork))).diagnostics.entries()].flatMap(([cell, ds]) =>
      ds.filter((d) => d.severity === 'error').map((d) => [cell, d.range.start.line, d.range.start.character]),
    );
  // Each error at its value: the position of `needle` in the cluster cell's text (lines from its first).
  const at = (network: string, hostNetwork: string, needle: string) => {
    const lines = latencyLab(network, hostNetwork).split('\n').slice(1);
    const line = lines.findIndex((l) => l.includes(needle));
    return [[0, line, lines[line]!.indexOf(needle)]];
  };
  for (const [network, hostNetwork, needle] of [
    ['{ latency: -1ms }', '{ latency: 1ms }', '-1ms'],
    ['{ latency: 1ms }', '{ latency: -1ms }', '-1ms'],
    ['{ latency: 1ms }', '{ latency: 20s }', '20s'],
    ['{ latency: 9999999s }', '{ latency: 1ms }', '9999999s'],
    ['{ latency: 1ms }', '{ latency: nonsense }', 'nonsense'],
    ['{ latency: 1ms }', '{ bandwidth: 1GB/s }', 'bandwidth'],
  ] as const)
    assert.deepEqual(errors(network, hostNetwork), at(network, hostNetwork, needle), `${network} ${hostNetwork}`);
});

test('a VM run refuses a host entry network of its own (its hosts share the cluster link)', () => {
  const text = latencyLab('{ latency: 1ms }', '{ latency: 20ms }', 'vms: [pool]').replace(
    'laptop-4, count: 2 }',
    'laptop-4, count: 2, ram: 16GiB }',
  );
  const lab = resolveLab(
    parseLab(
      `${text.replace('name: far,', 'name: far, ram: 16GiB,')}\n\`\`\`vms\nname: pool\nvms:\n  - { name: v, vcpus: 1, ram: 1GiB, dirtyRate: 1MB/s }\n\`\`\`\n`,
    ),
  );
  const cluster = (lab.diagnostics.get(0) ?? []).filter((d) => d.severity === 'error');
  assert.equal(cluster.length, 1, JSON.stringify([...lab.diagnostics.entries()]));
  assert.match(cluster[0]!.message, /share the cluster's network/);
  assert.equal(cluster[0]!.range.start.line, 3);
});

test("the notebook's per-server table shows each server's own 2L: service + 2 x its latency on every row", async () => {
  const text = latencyLab('{ latency: 1ms }', '{ latency: 20ms }')
    .replace('machine: laptop-4, count: 2 }', 'machine: bare, count: 2 }')
    .replace('machine: laptop-4, name: far', 'machine: bare, name: far')
    .replace('demand: fixed 1ms', 'demand: fixed 1ms\nworkingSet: 0B\nmemoryIntensity: 0');
  const cells = parseLab(
    `\`\`\`machine\nname: bare\nsockets: 1\ncoresPerSocket: 1\ncontextSwitch: 0ns\n\`\`\`\n\n${text}`,
  );
  const at = cells.findIndex((c) => c.kind === 'run');
  const outcome = await new LabSession(inProcessRunHost).execute(cells, at, { signal: new AbortController().signal });
  assert.ok(outcome.ok, JSON.stringify(outcome));
  const output = outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === RUN_MIME)!.data as RunOutput;
  // Round-robin, a request every 2 ms on three servers: each alone on its server, 1 ms of work.
  const rows = output.servers!.slice(0, -1);
  assert.deepEqual(
    rows.map((r) => [r.server, r.meanResponseS]),
    [
      ['host-0', (MS + 2 * MS) / S],
      ['host-1', (MS + 2 * MS) / S],
      ['far-0', (MS + 2 * 20 * MS) / S],
    ],
  );
});

test('a wire keeps only what is on it: messages in order, arrived ones dropped, however many went by', () => {
  const wire = new Wire();
  assert.equal(wire.nextNs, Infinity);
  for (let k = 0; k < 100_000; k++) {
    wire.send(k * 10, k, -k);
    if (k >= 3) {
      assert.deepEqual([wire.nextNs, wire.firstA, wire.firstB], [(k - 3) * 10, k - 3, -(k - 3)]);
      wire.shift();
    }
  }
  assert.equal(wire.length, 3);
  // The arrays behind it are compacted: at most about twice what is on the wire, plus 1024.
  const internal = (wire as unknown as { at: number[] }).at.length;
  assert.ok(internal <= 2 * 3 + 2048, String(internal));
  wire.clear();
  assert.deepEqual([wire.length, wire.nextNs], [0, Infinity]);
});
