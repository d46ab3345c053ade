// Sweeps in the lab model: aggregation per combination against a hand computation, the
// `show: sweep` chart cell (its checks, its errors at the right place), and its numbers equal
// to the command line's `sweep --stats` of the same lab.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { LabSession, type CellOutcome } from '../../src/lab/notebook/execute';
import { parseLab } from '../../src/lab/document/markdown';
import { CHART_MIME, type ChartOutput } from '../../src/lab/outputs/contract';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { aggregateSweep, combinations } from '../../src/lab/run/sweep';
import type { SweepStatsFile } from '../../src/cli/sweepPlan';
import { inProcessRunHost } from '../../src/worker/runSimulation';
import { cli, tempDir } from './cli-helpers';

const LAB = `# Sweep chart

\`\`\`params
rate: 200/s
\`\`\`

\`\`\`machine
name: duo
sockets: 1
coresPerSocket: 2
\`\`\`

\`\`\`workload
name: w
processes:
  - { name: web, arrival: poisson $rate, demand: exp 4ms }
\`\`\`

\`\`\`run
name: a
machine: duo
workload: w
policy: pinned
duration: 500ms
\`\`\`

\`\`\`run
name: b
machine: duo
workload: w
policy: work-stealing
duration: 500ms
\`\`\`

\`\`\`chart
show: sweep
runs: [a, b]
param: rate
values: [100/s, 300/s, 450/s]
seeds: 3
metric: meanResponseS
\`\`\`
`;

/** Two-sided 97.5 % quantile of Student's t with 2 degrees of freedom (exact to 10 digits). */
const T_2DF = 4.302652729911275;

test('aggregation: mean and 95 % interval per combination, run and policy, against a hand computation', () => {
  const sample = (p: string, seed: number, x: number) => ({
    params: { p },
    run: 'r',
    policy: 'pinned',
    seed,
    metrics: { x, only1: seed === 1 ? 5 : Number.NaN },
  });
  const groups = aggregateSweep([
    sample('u', 1, 1),
    sample('v', 1, 10),
    sample('u', 2, 2),
    sample('v', 2, 10),
    sample('u', 3, 4),
    sample('v', 3, 10),
  ]);
  assert.deepEqual(
    groups.map((g) => [g.params.p, g.n]),
    [
      ['u', 3],
      ['v', 3],
    ],
  );
  const mean = 7 / 3;
  const sd = Math.sqrt(((1 - mean) ** 2 + (2 - mean) ** 2 + (4 - mean) ** 2) / 2);
  const half = (T_2DF * sd) / Math.sqrt(3);
  const x = groups[0].metrics.x;
  assert.ok(Math.abs(x.mean - mean) < 1e-12);
  assert.ok(Math.abs(x.halfWidth - half) / half < 1e-3, `${x.halfWidth} vs ${half}`);
  assert.ok(Math.abs(x.low - (mean - half)) < 1e-2 && Math.abs(x.high - (mean + half)) < 1e-2);
  assert.deepEqual(groups[1].metrics.x, { mean: 10, halfWidth: 0, low: 10, high: 10 });
  // A metric one seed reports: its mean, and no interval.
  assert.equal(groups[0].metrics.only1.mean, 5);
  assert.ok(Number.isNaN(groups[0].metrics.only1.halfWidth));
  assert.deepEqual(combinations({ a: ['1', '2'], b: ['x'] }), [
    { a: '1', b: 'x' },
    { a: '2', b: 'x' },
  ]);
});

test('a sweep chart cell with missing or wrong keys says so at the key', () => {
  const diagnose = (chart: string) => {
    const lab = resolveLab(parseLab(LAB.replace(/```chart[\s\S]*$/, `\`\`\`chart\n${chart}\n\`\`\`\n`)));
    const index = [...lab.diagnostics.keys()].at(-1)!;
    return (lab.diagnostics.get(index) ?? []).map(
      (d) => `${d.range.start.line}:${d.range.start.character} ${d.message}`,
    );
  };
  assert.deepEqual(diagnose('show: sweep\nruns: [a]\nparam: rate'), [
    '0:6 A sweep chart needs "values": the values to give it',
  ]);
  assert.deepEqual(diagnose('show: sweep\nruns: [a]\nparam: speed\nvalues: [1, 2]'), [
    '2:7 No params cell declares "speed" (declared: rate)',
  ]);
  assert.deepEqual(diagnose('show: load\nruns: [a]\nvalues: [1, 2]'), ['2:8 "values" belongs to show: sweep charts']);
  assert.deepEqual(diagnose('show: sweep\nruns: [a]\nparam: rate\nvalues: [1]'), [
    '3:8 "values" needs at least 2 items',
  ]);
  assert.deepEqual(diagnose('show: sweep\nruns: [a]\nparam: rate\nvalues: [1, { x: 2 }]'), [
    '3:8 Each value is one number or word, as in a params cell',
  ]);
});

async function chartOf(text: string): Promise<ChartOutput> {
  const cells = parseLab(text);
  const outcome: CellOutcome = await new LabSession(inProcessRunHost).execute(
    cells,
    cells.findIndex((c) => c.kind === 'chart'),
    { signal: new AbortController().signal },
  );
  assert.ok(outcome.ok, JSON.stringify(outcome));
  return outcome.outputs[0].items.find((i) => i.mime === CHART_MIME)!.data as ChartOutput;
}

test('the sweep chart plots the numbers `migration-lab sweep --stats` computes for the same lab', async () => {
  const chart = await chartOf(LAB);
  const points = (
    chart.spec as {
      data: { values: { value: string; line: string; mean: number; low: number; high: number; n: number }[] };
    }
  ).data.values;
  assert.deepEqual(
    points.map((p) => `${p.value} ${p.line} ${p.n}`),
    [
      '100/s pinned 3',
      '100/s work-stealing 3',
      '300/s pinned 3',
      '300/s work-stealing 3',
      '450/s pinned 3',
      '450/s work-stealing 3',
    ],
  );

  const dir = tempDir('sweep-chart');
  const lab = join(dir, 'chart.lab.md');
  writeFileSync(lab, LAB);
  const r = cli([
    'sweep',
    lab,
    '--param',
    'rate=100/s,300/s,450/s',
    '--seeds',
    '3',
    '--workers',
    '2',
    '--out',
    join(dir, 's.json'),
    '--stats',
    join(dir, 'stats.json'),
  ]);
  assert.equal(r.code, 0, r.stderr);
  const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8')) as SweepStatsFile;
  for (const p of points) {
    const group = stats.groups.find((g) => g.params.rate === p.value && g.policy === p.line)!;
    const m = group.metrics.meanResponseS;
    // The file rounds to 12 significant digits; the chart keeps every bit.
    for (const k of ['mean', 'low', 'high'] as const)
      assert.ok(Math.abs(m[k] - p[k]) <= Math.abs(m[k]) * 1e-11, `${p.value} ${p.line} ${k}: ${m[k]} vs ${p[k]}`);
  }
  // More load, longer responses: the sweep measures what it claims to vary.
  const pinned = points.filter((p) => p.line === 'pinned').map((p) => p.mean);
  assert.ok(pinned[0] < pinned[2], `pinned means ${pinned.join(', ')}`);
});

test('a value the lab cannot take fails the chart with the problem at the cell it is in', async () => {
  const cells = parseLab(LAB.replace('values: [100/s, 300/s, 450/s]', 'values: [100/s, fast]'));
  const outcome = await new LabSession(inProcessRunHost).execute(
    cells,
    cells.findIndex((c) => c.kind === 'chart'),
    { signal: new AbortController().signal },
  );
  assert.ok(!outcome.ok && !outcome.cancelled);
  assert.equal(outcome.title, 'The sweep fails at rate = fast');
  assert.match(
    outcome.message,
    /^With \$rate = fast, the workload cell \(cell \d+\) has line 3, column 27: Expected a rate like 400\/s, got "fast"$/,
  );
  assert.equal(cells[outcome.at!.cellIndex].kind, 'workload');
});

test('two runs of one policy are two lines, named by run', async () => {
  const text = LAB.replace('policy: work-stealing', 'policy: pinned\nseed: 9');
  const points = ((await chartOf(text)).spec as { data: { values: { line: string }[] } }).data.values;
  assert.deepEqual([...new Set(points.map((p) => p.line))], ['a (pinned)', 'b (pinned)']);
});

/** Two request runs on a cluster, one service, two balancers, swept over the arrival rate. */
const REQUEST_SWEEP_LAB = `# Balancers against load

\`\`\`params
rate: 300/s
\`\`\`

\`\`\`machine
name: small
sockets: 1
coresPerSocket: 1
\`\`\`

\`\`\`cluster
name: rack
hosts:
  - { machine: small, count: 4 }
policy: least-loaded
\`\`\`

\`\`\`service
name: shop
arrival: poisson $rate
demand: exp 5ms
balancer: { policy: random }
\`\`\`

\`\`\`run
name: rnd
cluster: rack
service: shop
duration: 2s
\`\`\`

\`\`\`run
name: lc
cluster: rack
service: shop
balancer: { policy: least-connections }
duration: 2s
\`\`\`

\`\`\`chart
show: sweep
runs: [rnd, lc]
param: rate
values: [200/s, 640/s]
seeds: 3
metric: meanResponseS
\`\`\`
`;

/** One VM moved off a host in maintenance by pre-copy, swept over its dirty rate. */
const VM_SWEEP_LAB = `# Downtime against the dirty rate

\`\`\`params
dirty: 100MB/s
\`\`\`

\`\`\`machine
name: server
sockets: 1
coresPerSocket: 8
\`\`\`

\`\`\`cluster
name: pair
hosts:
  - { machine: server, count: 2, ram: 64GiB }
policy: least-loaded
network: { bandwidth: 1.25GB/s, migrationShare: 100% }
events:
  - { event: maintenance, at: 1s, host: host-0 }
\`\`\`

\`\`\`vms
name: db
migration: { method: { kind: pre-copy } }
vms:
  - { name: db, vcpus: 4, ram: 4GiB, dirtyRate: $dirty, load: { utilization: 50% } }
\`\`\`

\`\`\`run
name: move
cluster: pair
vms: [db]
duration: 60s
\`\`\`

\`\`\`chart
show: sweep
runs: [move]
param: dirty
values: [20MB/s, 400MB/s]
seeds: 2
metric: migrationDowntimeS
\`\`\`
`;

/** A chart's points and the `sweep --stats` groups of the same lab, for one metric. */
async function chartAndStats(text: string, param: string, values: string[], seeds: number) {
  const points = (
    (await chartOf(text)).spec as {
      data: {
        values: { value: string; line: string; run: string; mean: number; low: number; high: number; n: number }[];
      };
    }
  ).data.values;
  const dir = tempDir('sweep-cluster-chart');
  const lab = join(dir, 'cluster.lab.md');
  writeFileSync(lab, text);
  const stats = join(dir, 'stats.json');
  const r = cli([
    'sweep',
    lab,
    '--param',
    `${param}=${values.join(',')}`,
    '--seeds',
    String(seeds),
    '--out',
    join(dir, 's.json'),
    '--stats',
    stats,
  ]);
  assert.equal(r.code, 0, r.stderr);
  return { points, groups: (JSON.parse(readFileSync(stats, 'utf8')) as SweepStatsFile).groups };
}

function assertSameNumbers(
  points: { value: string; run: string; mean: number; low: number; high: number }[],
  groups: SweepStatsFile['groups'],
  param: string,
  metric: string,
) {
  for (const p of points) {
    const group = groups.find((g) => g.params[param] === p.value && g.run === p.run)!;
    const m = group.metrics[metric];
    for (const k of ['mean', 'low', 'high'] as const)
      assert.ok(
        Math.abs(m[k] - p[k]) <= Math.abs(m[k]) * 1e-11 + 1e-15,
        `${p.value} ${p.run} ${k}: ${m[k]} vs ${p[k]}`,
      );
  }
}

test('a sweep chart over request runs on a cluster plots what `sweep --stats` computes, and least-connections beats random', async () => {
  const text = REQUEST_SWEEP_LAB;
  const { points, groups } = await chartAndStats(text, 'rate', ['200/s', '640/s'], 3);
  // A request run's line is its balancer (both runs share the cluster's host policy, which tells
  // nothing apart), as its run cell's summary and the sweep's rows name it.
  assert.deepEqual(
    points.map((p) => `${p.value} ${p.line} ${p.n}`),
    ['200/s random 3', '200/s least-connections 3', '640/s random 3', '640/s least-connections 3'],
  );
  assert.deepEqual([...new Set(groups.map((g) => g.policy))], ['random', 'least-connections']);
  assertSameNumbers(points, groups, 'rate', 'meanResponseS');
  const mean = (value: string, run: string) => points.find((p) => p.value === value && p.run === run)!.mean;
  // 4 servers at 5 ms: utilisation 0.25 and 0.8. Random splitting makes each server M/M/1 at that
  // utilisation (mean response 5 ms / (1 - rho): 6.7 ms, 25 ms); least-connections queues far less.
  assert.ok(mean('640/s', 'lc') < mean('640/s', 'rnd') * 0.6, `${mean('640/s', 'lc')} vs ${mean('640/s', 'rnd')}`);
  assert.ok(mean('200/s', 'rnd') < mean('640/s', 'rnd'));
});

test('a sweep chart over VM runs: pre-copy downtime against the dirty rate, as `sweep --stats` computes it', async () => {
  const text = VM_SWEEP_LAB;
  const { points, groups } = await chartAndStats(text, 'dirty', ['20MB/s', '400MB/s'], 2);
  assert.deepEqual(
    points.map((p) => `${p.value} ${p.line} ${p.n}`),
    // A VM run's line is its VM policies (the defaults here), as its run cell's summary names them.
    ['20MB/s first-fit, overload static, pre-copy 2', '400MB/s first-fit, overload static, pre-copy 2'],
  );
  assertSameNumbers(points, groups, 'dirty', 'migrationDowntimeS');
  // Pre-copy stops once what is left fits the 300 ms downtime target: more dirtying, a larger last round.
  const [calm, busy] = points.map((p) => p.mean);
  assert.ok(calm > 0 && calm < busy && busy <= 0.3 + 1e-3, `${calm} ${busy}`);
});

test('a sweep chart of a metric its cluster runs do not give is an error at metric: (at show: for the default)', () => {
  const errors = (text: string) => {
    const lab = resolveLab(parseLab(text));
    const chart = parseLab(text).findIndex((c) => c.kind === 'chart');
    assert.equal(lab.charts.length, 0);
    return (lab.diagnostics.get(chart) ?? []).map(
      (d) => `${d.range.start.line}:${d.range.start.character} ${d.message}`,
    );
  };
  assert.deepEqual(errors(REQUEST_SWEEP_LAB.replace('metric: meanResponseS', 'metric: deadlineMisses')), [
    '5:8 "rnd" is a request run, and request runs have no deadlineMisses; they have meanResponseS, p95ResponseS, p99ResponseS, completed, requestsDropped, slaViolations, slaViolationRatio, energyJ',
  ]);
  // Without metric: the sweep plots meanResponseS, which VM runs do not have.
  assert.deepEqual(errors(VM_SWEEP_LAB.replace('metric: migrationDowntimeS\n', '')), [
    '0:6 "move" is a VM run, and VM runs have no meanResponseS; they have energyJ, hostsOnMeanCount, overloadFraction, migrations, migrationDowntimeS, stealS',
  ]);
});

test('a sweep whose metric no run reports fails its cell with the chart error, not a raw exception', async () => {
  const cells = parseLab(LAB.replace('metric: meanResponseS', 'metric: energyJ'));
  const outcome = await new LabSession(inProcessRunHost).execute(
    cells,
    cells.findIndex((c) => c.kind === 'chart'),
    { signal: new AbortController().signal },
  );
  assert.ok(!outcome.ok && !outcome.cancelled);
  assert.equal(outcome.title, 'Cannot draw this chart');
  assert.match(outcome.message, /^No run reports energyJ/);
});
