// Compare cells over cluster runs (`compare` with `runs:`), through the path users take: the
// lab text parsed and resolved, the cell executed by a session. The reference is independent:
// each run simulated here with simulateCluster / simulateVmCluster on a config written out by
// hand at seeds 1..n, and the 95 % interval computed from the closed-form quantile of Student's
// t with two degrees of freedom (its CDF is 1/2 + t / (2 sqrt(2 + t^2))), not the project's table.
// Bad cells, hostile ones included, are refused at the exact line and column.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Diagnostic } from '../../src/lab/document/diagnostic';
import { parseLab } from '../../src/lab/document/markdown';
import { COMPARED_RUN_METRICS, resolveLab } from '../../src/lab/language/resolveLab';
import { LabSession } from '../../src/lab/notebook/execute';
import {
  CHART_MIME,
  COMPARE_MIME,
  RUN_MIME,
  type ChartOutput,
  type CompareOutput,
  type RunOutput,
} from '../../src/lab/outputs/contract';
import { simulateCluster, simulateVmCluster, type ClusterConfig, type VmClusterConfig } from '../../src/sim';
import { recordCompare, recordedCompareOutput } from '../../src/lab/run/resultsRecord';
import { inProcessRunHost } from '../../src/worker/runSimulation';

const GiB = 2 ** 30;
const S = 1e9;
const SEEDS = 3;
/** t with 2 degrees of freedom at 97.5 %: solving 1/2 + t / (2 sqrt(2 + t^2)) = 0.975 gives t^2 = 2 q^2 / (1 - q^2), q = 0.95. */
const T2 = Math.sqrt((2 * 0.95 ** 2) / (1 - 0.95 ** 2));

/** Mean and 95 % half-width of three samples, written out. */
function interval(xs: number[]): { mean: number; halfWidth: number } {
  const mean = (xs[0] + xs[1] + xs[2]) / 3;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / 2);
  return { mean, halfWidth: (T2 * sd) / Math.sqrt(3) };
}

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 1e-4 * Math.abs(expected) + 1e-15, `${what}: ${actual} vs ${expected}`);

// Cells: 0 machine, 1 cluster, 2 service, 3 workload, then the runs and the compare given.
const REQUESTS = (tail: string) => `\`\`\`machine
name: one
sockets: 1
coresPerSocket: 1
\`\`\`

\`\`\`cluster
name: rack
hosts:
  - { machine: one, count: 3 }
policy: least-loaded
\`\`\`

\`\`\`service
name: web
arrival: poisson 400/s
demand: exp 5ms
balancer: { policy: random }
\`\`\`

\`\`\`workload
name: w
processes:
  - { name: a, count: 2, arrival: 0s, demand: 1ms }
\`\`\`

\`\`\`run
name: rnd
cluster: rack
service: web
duration: 2s
\`\`\`

\`\`\`run
name: lc
cluster: rack
service: web
balancer: { policy: least-connections }
duration: 2s
seed: 9
\`\`\`

\`\`\`run
name: solo
machine: one
workload: w
policy: least-loaded
\`\`\`
${tail}`;
const COMPARE_AT = 7;

/** The request runs' config, written out by hand. */
const requestConfig = (policy: 'random' | 'least-connections', seed: number): ClusterConfig => ({
  hosts: [{ machine: { name: 'one', sockets: 1, coresPerSocket: 1 }, count: 3 }],
  service: {
    name: 'web',
    arrival: { kind: 'poisson', ratePerS: 400 },
    demand: { kind: 'exp', meanNs: 5e6 },
    balancer: { policy },
  },
  policy: { name: 'least-loaded' },
  scheduler: { kind: 'fair' },
  durationNs: 2 * S,
  seed,
});

const signal = () => new AbortController().signal;

async function compareOf(text: string, index: number): Promise<CompareOutput> {
  const outcome = await new LabSession(inProcessRunHost).execute(parseLab(text), index, { signal: signal() });
  assert.ok(outcome.ok, JSON.stringify(outcome));
  return outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === COMPARE_MIME)!.data as CompareOutput;
}

test('a compare over request runs: each run at seeds 1..n is simulateCluster on its hand-written config; means, t intervals and paired differences in closed form', async () => {
  const metrics = ['meanResponseS', 'p95ResponseS', 'p99ResponseS', 'completed'] as const;
  const text = REQUESTS(
    `\n\`\`\`compare\nname: balancers\nruns: [rnd, lc]\nseeds: ${SEEDS}\nmetrics: [${metrics.join(', ')}]\n\`\`\`\n`,
  );
  const output = await compareOf(text, COMPARE_AT);
  assert.equal(output.over, 'runs');
  assert.deepEqual(output.policies, ['rnd', 'lc']);
  assert.equal(output.machine, 'rack');
  assert.equal(output.workload, 'web');
  assert.equal(output.seeds, SEEDS);
  // The runs' own seeds (1 and 9) are replaced by 1..n: seed k gives both the same requests.
  const samples = (['random', 'least-connections'] as const).map((policy) =>
    [1, 2, 3].map((seed) => simulateCluster(requestConfig(policy, seed)).overall),
  );
  for (const metric of metrics) {
    const [rnd, lc] = samples.map((runs) => runs.map((o) => o[metric]));
    const cell = (run: string) => output.cells.find((c) => c.policy === run && c.metric === metric)!;
    for (const [run, xs] of [
      ['rnd', rnd],
      ['lc', lc],
    ] as const) {
      const expected = interval(xs);
      assert.equal(cell(run).interval.mean, expected.mean, `${run} ${metric} mean`);
      close(cell(run).interval.halfWidth, expected.halfWidth, `${run} ${metric} half-width`);
      assert.equal(cell(run).interval.n, SEEDS);
    }
    const difference = interval(lc.map((x, k) => x - rnd[k]));
    close(cell('lc').difference!.mean, difference.mean, `${metric} paired difference`);
    close(cell('lc').difference!.halfWidth, difference.halfWidth, `${metric} paired half-width`);
    assert.equal(cell('rnd').difference, undefined);
  }
  // Queueing theory: least-connections beats random on the mean, and the table marks it best.
  const mean = output.cells.find((c) => c.policy === 'lc' && c.metric === 'meanResponseS')!;
  assert.ok(mean.best && mean.difference!.mean < 0);
  // The Markdown table names runs, not policies.
  const outcome = await new LabSession(inProcessRunHost).execute(parseLab(text), COMPARE_AT, { signal: signal() });
  assert.ok(outcome.ok);
  const markdown = String(outcome.outputs[0]!.items.find((i) => i.mime === 'text/markdown')!.data);
  assert.match(markdown, /\*\*compare\*\*: 2 runs on rack, web, 3 seeds/);
  assert.match(markdown, /\| run \| meanResponseS/);
  // Its chart is the comparison chart, titled for runs; Vega-Lite compiles it.
  const chart = outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === CHART_MIME)!.data as ChartOutput;
  (await import('vega-lite')).compile(chart.spec as never);
  assert.match(JSON.stringify(chart.spec), /"Runs compared over 3 seeds"/);
  assert.match(JSON.stringify(chart.spec), /"title":"run"/);
});

test('a check reads a compare over runs as compares.<key>, like any comparison', async () => {
  const text = REQUESTS(
    `\n\`\`\`compare\nname: balancers\nruns: [rnd, lc]\nseeds: 2\nmetrics: [meanResponseS]\n\`\`\`\n\n\`\`\`check\nexpect: compares.balancers.lc.meanResponseS.mean < compares.balancers.rnd.meanResponseS.mean\n\`\`\`\n`,
  );
  const outcome = await new LabSession(inProcessRunHost).execute(parseLab(text), COMPARE_AT + 1, { signal: signal() });
  assert.ok(outcome.ok, JSON.stringify(outcome));
  assert.match(JSON.stringify(outcome.outputs), /Check passed/);
});

// Cells: 0 machine, 1 cluster, 2 and 3 vms cells, 4 and 5 runs, then the tail.
const VMS = (tail: string) => `\`\`\`machine
name: box
sockets: 1
coresPerSocket: 4
\`\`\`

\`\`\`cluster
name: pair
hosts:
  - { machine: box, count: 2, ram: 32GiB }
policy: least-loaded
network: { bandwidth: 1.25GB/s, migrationShare: 100%, latency: 0s }
events:
  - { event: maintenance, at: 2s, host: host-0 }
\`\`\`

\`\`\`vms
name: pre
migration: { method: { kind: pre-copy } }
vms:
  - { name: db, count: 2, vcpus: 2, ram: 4GiB, dirtyRate: 200MB/s, load: { utilization: 50%, noise: 20% } }
\`\`\`

\`\`\`vms
name: stop
migration: { method: { kind: stop-and-copy } }
vms:
  - { name: db, count: 2, vcpus: 2, ram: 4GiB, dirtyRate: 200MB/s, load: { utilization: 50%, noise: 20% } }
\`\`\`

\`\`\`run
name: p
cluster: pair
vms: [pre]
duration: 10s
\`\`\`

\`\`\`run
name: s
cluster: pair
vms: [stop]
duration: 10s
\`\`\`
${tail}`;

const vmConfig = (kind: 'pre-copy' | 'stop-and-copy', seed: number): VmClusterConfig => ({
  hosts: [{ machine: { name: 'box', sockets: 1, coresPerSocket: 4 }, count: 2, ramBytes: 32 * GiB }],
  vms: [
    {
      name: 'db',
      count: 2,
      vcpus: 2,
      ramBytes: 4 * GiB,
      dirtyBytesPerS: 200e6,
      load: { utilization: 0.5, noise: 0.2 },
    },
  ],
  migration: { method: { kind } },
  link: { bandwidthBytesPerS: 1.25e9, migrationShare: 1, latencyNs: 0 },
  events: [{ kind: 'maintenance', atNs: 2 * S, host: 'host-0' }],
  policy: { name: 'least-loaded' },
  scheduler: { kind: 'fair' },
  durationNs: 10 * S,
  seed,
});

test('a compare over VM runs: the default metrics, each simulateVmCluster at seeds 1..n on the hand-written config', async () => {
  const output = await compareOf(VMS(`\n\`\`\`compare\nruns: [p, s]\nseeds: ${SEEDS}\n\`\`\`\n`), 6);
  assert.deepEqual(output.metrics, ['energyJ', 'hostsOnMeanCount', 'migrations', 'migrationDowntimeS']);
  const results = (['pre-copy', 'stop-and-copy'] as const).map((kind) =>
    [1, 2, 3].map((seed) => simulateVmCluster(vmConfig(kind, seed))),
  );
  const values = {
    energyJ: (r: (typeof results)[0][0]) => r.energyJ,
    hostsOnMeanCount: (r: (typeof results)[0][0]) => r.hostsOnMean,
    migrations: (r: (typeof results)[0][0]) => r.migrations.length,
    migrationDowntimeS: (r: (typeof results)[0][0]) => r.migrationDowntimeS,
  };
  for (const [metric, of] of Object.entries(values))
    ['p', 's'].forEach((run, k) => {
      const expected = interval(results[k].map(of));
      const cell = output.cells.find((c) => c.policy === run && c.metric === metric)!;
      assert.equal(cell.interval.mean, expected.mean, `${run} ${metric}`);
      if (expected.halfWidth === 0) assert.equal(cell.interval.halfWidth, 0);
      else close(cell.interval.halfWidth, expected.halfWidth, `${run} ${metric} half-width`);
    });
  // The evacuation moves both VMs at every seed; stop-and-copy's downtime is the larger.
  const downtime = (run: string) =>
    output.cells.find((c) => c.policy === run && c.metric === 'migrationDowntimeS')!.interval.mean;
  assert.ok(downtime('s') > 10 * downtime('p'), `${downtime('s')} vs ${downtime('p')}`);
});

/** The errors of the compare cell (last) as [line, column, code], lines 0-based within the cell. */
function compareErrors(text: string, index: number): [number, number, string, string][] {
  const lab = resolveLab(parseLab(text));
  return (lab.diagnostics.get(index) ?? [])
    .filter((d: Diagnostic) => d.severity === 'error')
    .map((d): [number, number, string, string] => [
      d.range.start.line,
      d.range.start.character,
      d.code ?? '',
      d.message,
    ]);
}

const requestCompare = (body: string) => REQUESTS(`\n\`\`\`compare\n${body}\n\`\`\`\n`);

test('hostile compares over runs: refused at the exact line and column with a message that says why', () => {
  const only = (body: string) => compareErrors(requestCompare(body), COMPARE_AT);
  // A one-machine run among cluster runs: at its item.
  const solo = only('runs: [rnd, solo]');
  assert.deepEqual(
    solo.map(([l, c]) => [l, c]),
    [[0, 12]],
  );
  assert.match(solo[0][3], /runs\[1\]: run "solo" is a one-machine run/);
  // An unknown run: the validator's reference error, at the name.
  const unknown = only('runs:\n  - rnd\n  - nope');
  assert.deepEqual(
    unknown.map(([l, c]) => [l, c]),
    [[2, 4]],
  );
  assert.match(unknown[0][3], /nope/);
  // The same run twice.
  const twice = only('runs: [lc, lc]');
  assert.deepEqual(
    twice.map(([l, c, , m]) => [l, c, /listed twice/.test(m)]),
    [[0, 11, true]],
  );
  // A metric request runs do not have, at its item.
  const metric = only('runs: [rnd, lc]\nmetrics: [meanResponseS, hostsOnMeanCount]');
  assert.deepEqual(
    metric.map(([l, c]) => [l, c]),
    [[1, 25]],
  );
  assert.match(metric[0][3], /request runs have no hostsOnMeanCount/);
  // With runs:, what the runs say is not given again; and runs: with machine: is refused.
  for (const body of ['runs: [rnd, lc]\npolicies: [random]', 'runs: [rnd, lc]\nduration: 5s'])
    assert.deepEqual(
      only(body).map(([l, c]) => [l, c]),
      [[1, 0]],
      `${body}: ${JSON.stringify(only(body))}`,
    );
  assert.ok(only('runs: [rnd]\nmachine: one').some(([, , code]) => code === 'conflicting-keys'));
  // Neither machine: nor runs:.
  assert.equal(only('seeds: 2').length, 1);
  // Huge, fractional, NaN and non-numeric replication counts; YAML tricks.
  for (const [body, line, column] of [
    ['runs: [rnd, lc]\nseeds: 1000000', 1, 7],
    ['runs: [rnd, lc]\nseeds: 2.5', 1, 7],
    ['runs: [rnd, lc]\nseeds: .nan', 1, 7],
    ['runs: [rnd, lc]\nseeds: NaN', 1, 7],
    ['runs: [rnd, lc]\nseeds: 1e400', 1, 7],
    ['runs: rnd', 0, 6],
    ['runs: []', 0, 6],
    ['runs: [rnd, { name: lc }]', 0, 12],
  ] as const) {
    const errors = only(body);
    assert.ok(errors.length >= 1, body);
    assert.deepEqual([errors[0][0], errors[0][1]], [line, column], `${body}: ${JSON.stringify(errors)}`);
  }
});

test('a compare mixing a request run and a VM run is refused at the run that differs', () => {
  const text = VMS(`
\`\`\`service
name: web
arrival: poisson 100/s
demand: exp 5ms
\`\`\`

\`\`\`run
name: req
cluster: pair
service: web
duration: 1s
\`\`\`

\`\`\`compare
runs: [p, s, req]
\`\`\`
`);
  const errors = compareErrors(text, 8);
  assert.deepEqual(
    errors.map(([l, c]) => [l, c]),
    [[0, 13]],
  );
  assert.match(errors[0][3], /"req" is a request run and "p" a VM run/);
});

test('a metric a run does not have (energyJ without power models) fails the cell naming the run, not with NaN', async () => {
  const text = requestCompare('runs: [rnd, lc]\nseeds: 1\nmetrics: [energyJ]');
  const outcome = await new LabSession(inProcessRunHost).execute(parseLab(text), COMPARE_AT, { signal: signal() });
  assert.equal(outcome.ok, false);
  assert.match(JSON.stringify(outcome), /Run rnd has no energyJ: not every host of its cluster has a power model/);
});

test('requestsDropped without host events is 0 in every run compared, not a missing metric', async () => {
  const text = requestCompare('runs: [rnd, lc]\nseeds: 2\nmetrics: [requestsDropped]');
  const outcome = await new LabSession(inProcessRunHost).execute(parseLab(text), COMPARE_AT, { signal: signal() });
  assert.ok(outcome.ok, JSON.stringify(outcome));
  const out = outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === COMPARE_MIME)!.data as CompareOutput;
  assert.deepEqual(
    out.cells.map((c) => [c.policy, c.metric, c.interval.mean, c.interval.n]),
    [
      ['rnd', 'requestsDropped', 0, 2],
      ['lc', 'requestsDropped', 0, 2],
    ],
  );
});

test("editing a compared run's cell changes the compare's inputs hash; editing another cell does not", () => {
  const body = '\n```compare\nruns: [rnd, lc]\n```\n';
  const hash = (text: string) => resolveLab(parseLab(text)).runsCompares[0]!.inputsHash;
  const before = hash(REQUESTS(body));
  assert.notEqual(hash(REQUESTS(body).replace('duration: 2s\nseed: 9', 'duration: 3s\nseed: 9')), before);
  assert.notEqual(hash(REQUESTS(body).replace('arrival: poisson 400/s', 'arrival: poisson 300/s')), before);
  assert.equal(hash(REQUESTS(body).replace('demand: 1ms }', 'demand: 2ms }')), before);
});

test('every metric a compare over runs offers is in the summary its run cell shows (energyJ when the run has power models)', async () => {
  const session = new LabSession(inProcessRunHost);
  const summaryOf = async (text: string, index: number) => {
    const outcome = await session.execute(parseLab(text), index, { signal: signal() });
    assert.ok(outcome.ok);
    return (outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === RUN_MIME)!.data as RunOutput).summary;
  };
  const vm = await summaryOf(VMS(''), 4);
  assert.deepEqual(
    COMPARED_RUN_METRICS.vms.filter((m) => vm[m] === undefined),
    [],
  );
  const request = await summaryOf(REQUESTS(''), 4);
  assert.deepEqual(
    COMPARED_RUN_METRICS.requests.filter((m) => request[m] === undefined),
    ['slaViolations', 'slaViolationRatio', 'energyJ'],
  );
  // Without host events nothing is dropped: 0, not missing.
  assert.equal(request.requestsDropped, 0);
  // With host power, a host event and an SLA target, energyJ and the violations are there as well.
  const powered = REQUESTS('')
    .replace(
      'policy: least-loaded\n```',
      'policy: least-loaded\npower: { idle: 90W, peak: 130W }\nevents:\n  - { event: fail, at: 1s, host: host-0 }\n```',
    )
    .replace('demand: exp 5ms\n', 'demand: exp 5ms\nsla: 20ms\n');
  const full = await summaryOf(powered, 4);
  assert.deepEqual(
    COMPARED_RUN_METRICS.requests.filter((m) => full[m] === undefined),
    [],
  );
});

test('names of Object.prototype are not metrics or charts: __proto__, toString and constructor are refused at their place', () => {
  for (const [body, line, column] of [
    ['runs: [rnd, lc]\nmetrics: [__proto__]', 1, 10],
    ['runs: [rnd, lc]\nmetrics: [meanResponseS, toString]', 1, 25],
    ['machine: one\nworkload: w\npolicies: [pinned]\nmetrics: [constructor]', 3, 10],
  ] as const) {
    const errors = compareErrors(requestCompare(body), COMPARE_AT);
    assert.deepEqual(
      errors.map(([l, c, code]) => [l, c, code]),
      [[line, column, 'bad-value']],
      body,
    );
  }
  const chart = compareErrors(REQUESTS('\n```chart\nshow: constructor\nruns: [rnd]\n```\n'), COMPARE_AT);
  assert.deepEqual(
    chart.map(([l, c, code]) => [l, c, code]),
    [[0, 6, 'bad-value']],
  );
});

test('a compare over runs survives its results record: reopened, it is the same table, still over runs', async () => {
  const text = requestCompare('name: balancers\nruns: [rnd, lc]\nseeds: 2\nmetrics: [meanResponseS]');
  const output = await compareOf(text, COMPARE_AT);
  const recorded = JSON.parse(JSON.stringify(recordCompare(output, 'hash', 'v'))) as ReturnType<typeof recordCompare>;
  assert.deepEqual(recordedCompareOutput('balancers', recorded), JSON.parse(JSON.stringify(output)));
  assert.equal(recordedCompareOutput('balancers', recorded)!.over, 'runs');
});

test('a compare over a run with errors does not run: it says which cell to fix, and the error stays at that cell', async () => {
  const text = requestCompare('runs: [rnd, lc]').replace(
    'balancer: { policy: least-connections }',
    'balancer: { policy: least-busy }',
  );
  const lab = resolveLab(parseLab(text));
  assert.equal(lab.runsCompares.length, 0);
  assert.deepEqual(compareErrors(text, COMPARE_AT), []);
  // The run cell lc (cell 5) has the error, at the policy's value.
  const [error] = compareErrors(text, 5);
  assert.deepEqual([error![0], error![1]], [3, 20]);
  const outcome = await new LabSession(inProcessRunHost).execute(parseLab(text), COMPARE_AT, { signal: signal() });
  assert.ok(!outcome.ok && !outcome.cancelled);
  assert.match(outcome.message, /cell 6 \(run lc\) has errors; fix it first/);
});
