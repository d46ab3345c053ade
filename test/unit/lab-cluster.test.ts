// Cluster runs in a lab: `cluster` and `service` cells and `run: cluster:` resolve into the
// ClusterConfig the simulator runs, bad ones are rejected at the exact line and column, and the
// command line's per-server table is simulateCluster's on a config written out here by hand.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseLab } from '../../src/lab/document/markdown';
import type { Diagnostic } from '../../src/lab/document/diagnostic';
import { completions, hover, labNames } from '../../src/lab/language/editorHelp';
import { resolveLab, type ResolvedLab } from '../../src/lab/language/resolveLab';
import { LabSession } from '../../src/lab/notebook/execute';
import { RUN_MIME, type CompareOutput, type RunOutput } from '../../src/lab/outputs/contract';
import { simulateCluster, type ClusterConfig, type RequestStats } from '../../src/sim';
import { inProcessRunHost } from '../../src/worker/runSimulation';
import { cli, tempDir } from './cli-helpers';

const REPO = join(import.meta.dirname, '../..');
const EXAMPLE = join(REPO, 'examples', 'web-balancer.lab.md');

/** The example's cluster with the balancer `balancer`, written out by hand (not through the lab). */
const exampleConfig = (balancer: NonNullable<ClusterConfig['service']['balancer']>): ClusterConfig => ({
  hosts: [{ machine: { name: 'small', sockets: 1, coresPerSocket: 1 }, count: 8 }],
  service: {
    name: 'shop',
    arrival: { kind: 'poisson', ratePerS: 1400 },
    demand: { kind: 'exp', meanNs: 5e6 },
    workingSetBytes: 256 * 1024,
    balancer,
    slaNs: 25e6,
  },
  policy: { name: 'least-loaded' },
  scheduler: { kind: 'fair' },
  durationNs: 4e9,
  seed: 1,
});

test('the example lab resolves into one cluster config per run, the run balancer in place of the service one', () => {
  const lab = resolveLab(parseLab(readFileSync(EXAMPLE, 'utf8')));
  assert.deepEqual([...lab.diagnostics], []);
  assert.deepEqual(
    lab.clusterRuns.map((r) => r.name),
    ['random', 'rr', 'lc', 'p2', 'rr_down', 'lc_down', 'rr_far', 'jsq_far', 'lc_far', 'all_on', 'scaled'],
  );
  assert.equal(lab.runs.length, 0);
  assert.deepEqual(lab.clusterRuns[3]!.config, exampleConfig({ policy: 'power-of-d', d: 2 }));
  assert.deepEqual(lab.clusterRuns[1]!.config.service.balancer, { policy: 'round-robin' });
  // A run depends on its cluster, service and machine cells: editing one makes its output stale.
  const cells = parseLab(readFileSync(EXAMPLE, 'utf8'));
  const kinds = lab.clusterRuns[0]!.dependsOn.map((i) => cells[i]!.kind);
  assert.deepEqual(kinds, ['machine', 'cluster', 'service', 'run']);
});

const BASE = `\`\`\`cluster
name: rack
hosts:
  - { machine: laptop-4, count: 2 }
policy: least-loaded
\`\`\`

\`\`\`service
name: web
arrival: poisson 100/s
demand: exp 5ms
\`\`\`

\`\`\`workload
name: w
processes:
  - { name: a, count: 2, arrival: 0s, demand: 1ms }
\`\`\`
`;

/** The errors of the cell at `index` of BASE plus `extra`, as [line, column, code] (0-based, as editors keep them). */
function errorsAt(extra: string, index: number): [number, number, string][] {
  const lab: ResolvedLab = resolveLab(parseLab(`${BASE}\n${extra}`));
  return (lab.diagnostics.get(index) ?? [])
    .filter((d: Diagnostic) => d.severity === 'error')
    .map((d): [number, number, string] => [d.range.start.line, d.range.start.character, d.code ?? ''])
    .sort();
}

// Cell indices: 0 cluster, 1 service, 2 workload, then the extra cell.
const RUN = 3;

test('a run is on a machine or on a cluster, with the keys each needs, errors where they are', () => {
  const run = (body: string) => errorsAt(`\`\`\`run\n${body}\n\`\`\`\n`, RUN);
  assert.deepEqual(run('name: a\ncluster: rack\nservice: web\nduration: 1s'), []);
  assert.deepEqual(run('name: a\nmachine: laptop-4\ncluster: rack\nservice: web'), [
    [0, 0, 'conflicting-keys'],
    [0, 0, 'missing-key'],
    [0, 0, 'missing-key'],
    [3, 0, 'conflicting-keys'],
  ]);
  assert.deepEqual(run('name: a\nworkload: w'), [[0, 0, 'missing-key']]);
  // Keys of a machine run do not go with a cluster: each one marked at its own line.
  assert.deepEqual(run('name: a\ncluster: rack\nservice: web\nworkload: w\npolicy: pinned'), [
    [3, 0, 'conflicting-keys'],
    [4, 0, 'conflicting-keys'],
  ]);
  assert.deepEqual(run('name: a\ncluster: rack'), [[0, 0, 'missing-key']]);
  assert.deepEqual(run('name: a\ncluster: rak\nservice: web'), [[1, 9, 'unknown-reference']]);
  // d above the number of hosts: the simulator's check, at the run's own d.
  assert.deepEqual(run('name: a\ncluster: rack\nservice: web\nbalancer: { policy: power-of-d, d: 3 }'), [
    [3, 35, 'simulator-check'],
  ]);
});

test('cluster and service cells are checked against the simulator spec, at the offending value', () => {
  const lab = (cluster: string, service: string) =>
    resolveLab(
      parseLab(
        `\`\`\`cluster\n${cluster}\n\`\`\`\n\n\`\`\`service\n${service}\n\`\`\`\n\n\`\`\`run\nname: a\ncluster: rack\nservice: web\n\`\`\`\n`,
      ),
    );
  const at = (l: ResolvedLab, i: number) =>
    (l.diagnostics.get(i) ?? []).map((d) => [d.range.start.line, d.range.start.character, d.code, d.message]);
  const good = 'name: rack\nhosts:\n  - { machine: laptop-4, count: 2 }\npolicy: least-loaded';
  const web = 'name: web\narrival: poisson 100/s\ndemand: exp 5ms';
  assert.deepEqual(at(lab(good, web), 0), []);
  const [[line, column, code, message]] = at(lab(good, `${web}\nbalancer: { policy: rnd }`), 1) as [
    [number, number, string, string],
  ];
  assert.deepEqual([line, column, code], [3, 20, 'bad-value']);
  assert.match(message, /least-connections/);
  assert.deepEqual(
    at(lab(good.replace('count: 2', 'count: 0'), web), 0).map((d) => d.slice(0, 3)),
    [[2, 32, 'out-of-range']],
  );
  assert.deepEqual(
    at(lab(good.replace('laptop-4', 'laptop-5'), web), 0).map((d) => d.slice(0, 3)),
    [[2, 15, 'unknown-reference']],
  );
  // A service's requests arrive as a stream (Poisson or periodic), not all at once: the simulator's check, on the arrival.
  assert.deepEqual(at(lab(good, web.replace('poisson 100/s', 'every 10ms')), 1), []);
  const every = lab(good, web.replace('poisson 100/s', '0s'));
  assert.deepEqual(
    at(every, 1).map((d) => d.slice(0, 3)),
    [[1, 9, 'simulator-check']],
  );
  assert.equal(every.clusterRuns.length, 0);
  // A policy cell's code runs sandboxed on one machine: a cluster's hosts take built-ins only.
  const coded = resolveLab(
    parseLab(
      `\`\`\`policy name=mine\nexport default {};\n\`\`\`\n\n\`\`\`cluster\n${good.replace('least-loaded', 'mine')}\n\`\`\`\n\n\`\`\`service\n${web}\n\`\`\`\n\n\`\`\`run\nname: a\ncluster: rack\nservice: web\n\`\`\`\n`,
    ),
  );
  assert.deepEqual(
    at(coded, 1).map((d) => d.slice(0, 3)),
    [[3, 8, 'unsupported']],
  );
});

test('a cluster run cell: the per-server table and the overall row are simulateCluster on the same config', async () => {
  const text = `${BASE}\n\`\`\`run\nname: a\ncluster: rack\nservice: web\nbalancer: { policy: least-connections }\nduration: 1s\nseed: 4\n\`\`\`\n`;
  const cells = parseLab(text);
  const outcome = await new LabSession(inProcessRunHost).execute(cells, RUN, {
    signal: new AbortController().signal,
  });
  assert.ok(outcome.ok);
  const output = outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === RUN_MIME)!.data as RunOutput;
  const reference = simulateCluster({
    hosts: [{ machine: { preset: 'laptop-4' }, count: 2 }],
    service: {
      name: 'web',
      arrival: { kind: 'poisson', ratePerS: 100 },
      demand: { kind: 'exp', meanNs: 5e6 },
      balancer: { policy: 'least-connections' },
    },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fair' },
    durationNs: 1e9,
    seed: 4,
  });
  assert.equal(output.digest, reference.digest);
  assert.deepEqual(output.servers, [
    ...reference.servers.map(({ host, routed, completed, meanResponseS, p95ResponseS, p99ResponseS }) => ({
      server: host,
      routed,
      completed,
      meanResponseS,
      p95ResponseS,
      p99ResponseS,
    })),
    { server: 'overall', ...pick(reference.overall) },
  ]);
  assert.ok(reference.overall.routed > 50);
  // The Markdown table the notebook shows: a row per server and the overall row.
  const markdown = String(outcome.outputs[0]!.items[0]!.data);
  assert.match(markdown, /\| host-0 \|[\s\S]*\| host-1 \|[\s\S]*\| \*\*overall\*\* \|/);
});

/** The columns of a row of the table, from the simulator's request statistics. */
const pick = ({ routed, completed, meanResponseS, p95ResponseS, p99ResponseS, slaViolations }: RequestStats) => ({
  routed,
  completed,
  meanResponseS,
  p95ResponseS,
  p99ResponseS,
  ...(slaViolations === undefined ? {} : { slaViolations }),
});

test('migration-lab run --json on the example: each run is simulateCluster on the config written here; verify finds it identical', () => {
  const dir = tempDir('cluster');
  const lab = join(dir, 'web-balancer.lab.md');
  copyFileSync(EXAMPLE, lab);
  const run = cli(['run', lab, '--json']);
  assert.equal(run.code, 0, run.stderr);
  const json = JSON.parse(run.stdout) as {
    runs: { name: string; digest: string; summary: Record<string, number>; servers: Record<string, unknown>[] }[];
    checks: { passed: boolean }[];
  };
  const health = { intervalNs: 0.5e9, detectionNs: 1e9 };
  const policies = {
    random: { policy: 'random' },
    rr: { policy: 'round-robin' },
    lc: { policy: 'least-connections' },
    p2: { policy: 'power-of-d', d: 2 },
    rr_down: { policy: 'round-robin', health },
    lc_down: { policy: 'least-connections', health },
    rr_far: { policy: 'round-robin' },
    jsq_far: { policy: 'join-shortest-queue' },
    lc_far: { policy: 'least-connections' },
  } as const;
  const farMeans: Record<string, number> = {};
  const means: Record<string, number> = {};
  const dropped: Record<string, number> = {};
  // The autoscaling section: 300 requests/s on the eight servers with the default host power,
  // all on, or an autoscaler keeping 2..8 of them; the same simulation as written out here.
  const night = (autoscale?: NonNullable<ClusterConfig['service']['autoscale']>): ClusterConfig => {
    const c = exampleConfig({ policy: 'least-connections' });
    c.durationNs = 8e9;
    c.power = {};
    // The night services promise nothing (no sla:).
    const { slaNs: _sla, ...shop } = c.service;
    void _sla;
    c.service = { ...shop, name: autoscale ? 'night_scaled' : 'night', arrival: { kind: 'poisson', ratePerS: 300 } };
    if (autoscale) c.service.autoscale = autoscale;
    return c;
  };
  const scaledConfig = night({ up: 0.8, down: 0.3, startupNs: 2e9, intervalNs: 1e9, min: 2, max: 8, initial: 2 });
  const energy: Record<string, number> = {};
  for (const r of json.runs) {
    if (r.name === 'all_on' || r.name === 'scaled') {
      const reference = simulateCluster(r.name === 'scaled' ? scaledConfig : night());
      assert.equal(r.digest, reference.digest, r.name);
      assert.equal(r.summary.energyJ, reference.energyJ, r.name);
      energy[r.name] = reference.energyJ!;
      continue;
    }
    const config = exampleConfig(policies[r.name as keyof typeof policies]);
    // The runs named _down are on the cluster whose host-3 fails at 2 s.
    if (r.name.endsWith('_down')) config.events = [{ kind: 'fail', atNs: 2e9, host: 'host-3' }];
    // The runs named _far are on seven servers 1 ms from the balancer and one 20 ms away.
    if (r.name.endsWith('_far')) {
      const small = config.hosts[0]!.machine;
      config.hosts = [
        { machine: small, count: 7 },
        { machine: small, name: 'far', link: { latencyNs: 20e6 } },
      ];
      config.link = { latencyNs: 1e6 };
    }
    const reference = simulateCluster(config);
    if (reference.requestsDropped !== undefined) {
      assert.equal(r.summary.requestsDropped, reference.requestsDropped, r.name);
      dropped[r.name] = reference.requestsDropped;
      continue;
    }
    assert.equal(r.digest, reference.digest, r.name);
    assert.deepEqual(r.servers.at(-1), { server: 'overall', ...pick(reference.overall) }, r.name);
    assert.deepEqual(
      r.servers.slice(0, -1).map((s) => [s.server, s.routed, s.completed, s.meanResponseS, s.p99ResponseS]),
      reference.servers.map((s) => [s.host, s.routed, s.completed, s.meanResponseS, s.p99ResponseS]),
      r.name,
    );
    assert.equal(r.summary.meanResponseS, reference.overall.meanResponseS);
    (r.name.endsWith('_far') ? farMeans : means)[r.name] = r.summary.meanResponseS!;
  }
  assert.deepEqual(Object.keys(means), ['random', 'rr', 'lc', 'p2']);
  assert.ok(json.checks.length === 11 && json.checks.every((c) => c.passed));
  // Round-robin routes the same requests with or without the network, each one latency later:
  // every response gains twice its server's latency, (7 x 2 ms + 40 ms) / 8 on the mean (less
  // the few requests the end of the run cuts off).
  assert.deepEqual(Object.keys(farMeans), ['rr_far', 'jsq_far', 'lc_far']);
  const gain = farMeans.rr_far! - means.rr!;
  assert.ok(Math.abs(gain - (7 * 2e-3 + 40e-3) / 8) < 0.2e-3, String(gain));
  // The comparison of the four balancers: each cell's mean is simulateCluster's on the config
  // written here, at seeds 1..5 in place of the run's seed 1.
  const compare = (JSON.parse(run.stdout) as { compares: CompareOutput[] }).compares[0]!;
  assert.deepEqual([compare.name, compare.over, compare.policies], ['balancers', 'runs', ['random', 'rr', 'lc', 'p2']]);
  for (const name of ['random', 'rr', 'lc', 'p2'] as const) {
    const overall = [1, 2, 3, 4, 5].map((seed) => simulateCluster({ ...exampleConfig(policies[name]), seed }).overall);
    for (const metric of ['meanResponseS', 'p95ResponseS', 'p99ResponseS', 'slaViolationRatio'] as const) {
      const cell = compare.cells.find((c) => c.policy === name && c.metric === metric)!;
      const mean = overall.reduce((a, o) => a + o[metric]!, 0) / 5;
      assert.ok(Math.abs(cell.interval.mean - mean) <= 1e-12 * mean, `${name} ${metric}`);
    }
  }
  // Eight hosts at 93.7 W idle for 8 s draw at least 8 x 93.7 x 8 J; the autoscaled pool, mostly
  // two or three hosts, well under that.
  assert.ok(energy.all_on! >= 8 * 93.7 * 8, String(energy.all_on));
  assert.ok(energy.scaled! < 0.6 * energy.all_on!, JSON.stringify(energy));
  // Round-robin sends the dead server one request in eight for the second before the checks find it.
  assert.ok(Math.abs(dropped.rr_down! - 1400 / 8) < 3 * Math.sqrt(1400 / 8), String(dropped.rr_down));
  assert.ok(dropped.lc_down! > 3 * dropped.rr_down!);
  // Queueing theory's order at high load: least-connections < power-of-two < random.
  assert.ok(means.lc! < means.p2! && means.p2! < means.random!, JSON.stringify(means));
  const verify = cli(['verify', lab]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /run p2: identical/);
  assert.match(verify.stdout, /compare balancers: identical/);
});

test('editor help: a run on a cluster is offered the keys that go with it, each documented from the schema', () => {
  const names = labNames(parseLab(BASE));
  assert.deepEqual(names.cluster, ['rack']);
  assert.deepEqual(names.service, ['web']);
  const text = 'name: r\ncluster: rack\n';
  const labels = completions('run', text, { line: 2, character: 0 }, names).map((c) => c.label);
  assert.deepEqual(labels, ['service', 'balancer', 'vms', 'duration', 'seed']);
  const refs = completions('run', 'service: ', { line: 0, character: 9 }, names).map((c) => c.label);
  assert.deepEqual(refs, ['web']);
  const policies = completions('service', 'balancer: { policy: ', { line: 0, character: 20 }, names).map(
    (c) => c.label,
  );
  assert.ok(policies.includes('power-of-d') && policies.includes('consistent-hash'), policies.join());
  const hovered = hover('run', 'cluster: rack\nservice: web', { line: 1, character: 2 }, names);
  assert.match(hovered?.contents ?? '', /With `cluster`, one of `service` or `vms` is required\./);
});

test('cluster power and events, health checks and consistent hashing: parsed into the simulator config, bad values at their exact positions', () => {
  const cluster = [
    'name: rack',
    'hosts:',
    '  - { machine: laptop-4, count: 3 }',
    '  - { machine: laptop-4, name: cool, power: { idle: 10W, peak: 20W } }',
    'policy: least-loaded',
    'power: { idle: 100W, peak: 250W, boot: 30s }',
    'events:',
    '  - { event: fail, at: 2s, host: host-1, duration: 10s }',
    '  - { event: maintenance, at: 3s, host: host-2, duration: 1s }',
    '  - { event: power-off, at: 5s, host: cool-0 }',
  ].join('\n');
  const service = [
    'name: web',
    'arrival: every 2ms',
    'demand: exp 5ms',
    'balancer: { policy: consistent-hash, sessions: 200, replicas: 40, health: { interval: 1s, detection: 3s } }',
  ].join('\n');
  const text = (c: string, s: string) =>
    `\`\`\`cluster\n${c}\n\`\`\`\n\n\`\`\`service\n${s}\n\`\`\`\n\n\`\`\`run\nname: a\ncluster: rack\nservice: web\nduration: 20s\n\`\`\`\n`;
  const ok = resolveLab(parseLab(text(cluster, service)));
  assert.deepEqual([...ok.diagnostics.values()].flat(), []);
  const config = ok.clusterRuns[0]!.config;
  assert.deepEqual(config.power, { idleW: 100, peakW: 250, bootNs: 30e9 });
  assert.deepEqual(config.hosts[1]!.power, { idleW: 10, peakW: 20 });
  assert.deepEqual(config.events, [
    { kind: 'fail', atNs: 2e9, host: 'host-1', durationNs: 10e9 },
    { kind: 'maintenance', atNs: 3e9, host: 'host-2', durationNs: 1e9 },
    { kind: 'power-off', atNs: 5e9, host: 'cool-0' },
  ]);
  assert.deepEqual(config.service.arrival, { kind: 'fixed', atNs: 0, everyNs: 2e6 });
  assert.deepEqual(config.service.balancer, {
    policy: 'consistent-hash',
    sessions: 200,
    replicas: 40,
    health: { intervalNs: 1e9, detectionNs: 3e9 },
  });
  const errors = (c: string, s: string, cell: number) =>
    (resolveLab(parseLab(text(c, s))).diagnostics.get(cell) ?? [])
      .filter((d) => d.severity === 'error')
      .map((d) => [d.range.start.line, d.range.start.character, d.code]);
  // The schema's own checks: a bad event kind, a negative power, a zero health interval.
  assert.deepEqual(errors(cluster.replace('event: maintenance', 'event: melt'), service, 0), [[8, 13, 'bad-value']]);
  assert.deepEqual(errors(cluster.replace('idle: 10W', 'idle: -1W'), service, 0), [[3, 52, 'out-of-range']]);
  assert.deepEqual(errors(cluster, service.replace('interval: 1s', 'interval: 0s'), 1), [[3, 86, 'out-of-range']]);
  // The simulator's checks, on the value they are about: an unknown host, power-on of a host that is up,
  // peak below idle, sessions without consistent hashing.
  assert.deepEqual(errors(cluster.replace('host: cool-0', 'host: cool-7'), service, 0), [[9, 38, 'simulator-check']]);
  assert.deepEqual(errors(cluster.replace('event: power-off', 'event: power-on'), service, 0), [
    [9, 13, 'simulator-check'],
  ]);
  assert.deepEqual(errors(cluster.replace('peak: 250W', 'peak: 50W'), service, 0), [[5, 27, 'simulator-check']]);
  assert.deepEqual(errors(cluster, service.replace('consistent-hash', 'random'), 1), [[3, 38, 'simulator-check']]);
});

test("a service's autoscale: parsed into the simulator config, bad values at their exact positions", () => {
  const service = (autoscale: string) =>
    `\`\`\`cluster\nname: rack\nhosts:\n  - { machine: laptop-4, count: 4 }\npolicy: least-loaded\n\`\`\`\n\n\`\`\`service\nname: web\narrival: poisson 100/s\ndemand: exp 5ms\nautoscale: ${autoscale}\n\`\`\`\n\n\`\`\`run\nname: a\ncluster: rack\nservice: web\n\`\`\`\n`;
  const good = '{ up: 80%, down: 30%, startup: 20s, min: 2, max: 4, interval: 5s }';
  const lab = resolveLab(parseLab(service(good)));
  assert.deepEqual([...lab.diagnostics.values()].flat(), []);
  assert.deepEqual(lab.clusterRuns[0]!.config.service.autoscale, {
    up: 0.8,
    down: 0.3,
    startupNs: 20e9,
    min: 2,
    max: 4,
    intervalNs: 5e9,
  });
  const errors = (autoscale: string) =>
    (resolveLab(parseLab(service(autoscale))).diagnostics.get(1) ?? [])
      .filter((d) => d.severity === 'error')
      .map((d) => [d.range.start.line, d.range.start.character, d.code]);
  // The schema's bound on a fraction; the simulator's: down below up, max at most the hosts.
  assert.deepEqual(errors(good.replace('up: 80%', 'up: 120%')), [[3, 17, 'out-of-range']]);
  assert.deepEqual(errors(good.replace('down: 30%', 'down: 90%')), [[3, 28, 'simulator-check']]);
  assert.deepEqual(errors(good.replace('max: 4', 'max: 5')), [[3, 60, 'simulator-check']]);
});
