// Charts of request runs on a cluster, through the session as a notebook runs them: the
// `response-by-server` spec compiles with Vega-Lite, its figures are simulateCluster's on a
// config written out here, and with requests that never queue they are the closed form (each
// request's response time is its demand, so mean D on every server, p95 = p99 the histogram bucket holding D); bad charts
// are refused with a message naming the runs that do not fit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drawChartSvg } from '../../src/lab/charts/draw';
import { parseLab } from '../../src/lab/document/markdown';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { LabSession } from '../../src/lab/notebook/execute';
import { CHART_MIME, type ChartOutput } from '../../src/lab/outputs/contract';
import { simulateCluster, type ClusterConfig } from '../../src/sim';
import { inProcessRunHost } from '../../src/worker/runSimulation';

// Cells: 0 machine, 1 cluster, 2 service, 3 workload, 4 and 5 runs, 6 one-machine run, then the charts.
const LAB = (charts: string) => `\`\`\`machine
name: one
sockets: 1
coresPerSocket: 1
contextSwitch: 0s
\`\`\`

\`\`\`cluster
name: rack
hosts:
  - { machine: one, count: 3 }
policy: least-loaded
\`\`\`

\`\`\`service
name: web
arrival: every 10ms
demand: 2ms
workingSet: 0B
balancer: { policy: round-robin }
\`\`\`

\`\`\`workload
name: w
processes:
  - { name: a, count: 1, arrival: 0s, demand: 1ms }
\`\`\`

\`\`\`run
name: steady
cluster: rack
service: web
duration: 2s
\`\`\`

\`\`\`run
name: busy
cluster: rack
service: web
balancer: { policy: random }
duration: 2s
seed: 5
\`\`\`

\`\`\`run
name: solo
machine: one
workload: w
policy: least-loaded
\`\`\`
${charts}`;
const FIRST_CHART = 7;
const chart = (body: string) => `\n\`\`\`chart\n${body}\n\`\`\`\n`;

const config = (policy: 'round-robin' | 'random', seed: number): ClusterConfig => ({
  hosts: [{ machine: { name: 'one', sockets: 1, coresPerSocket: 1, contextSwitchNs: 0 }, count: 3 }],
  service: {
    name: 'web',
    arrival: { kind: 'fixed', atNs: 0, everyNs: 10e6 },
    demand: { kind: 'fixed', valueNs: 2e6 },
    workingSetBytes: 0,
    balancer: { policy },
  },
  policy: { name: 'least-loaded' },
  scheduler: { kind: 'fair' },
  durationNs: 2e9,
  seed,
});

async function outcomeOf(text: string, index: number) {
  return new LabSession(inProcessRunHost).execute(parseLab(text), index, { signal: new AbortController().signal });
}

async function chartOf(text: string, index: number): Promise<ChartOutput> {
  const outcome = await outcomeOf(text, index);
  assert.ok(outcome.ok, JSON.stringify(outcome));
  return outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === CHART_MIME)!.data as ChartOutput;
}

type Row = { run: string; server: string; stat: string; responseS: number; completed: number };
const rowsOf = (output: ChartOutput) => (output.spec as { data: { values: Row[] } }).data.values;

test('response-by-server: round-robin requests that never queue take their demand: mean 2 ms, p95 = p99 its histogram bucket, every server and overall', async () => {
  const output = await chartOf(LAB(chart('show: response-by-server\nruns: [steady]')), FIRST_CHART);
  (await import('vega-lite')).compile(output.spec as never);
  const rows = rowsOf(output);
  // Drawn, not only compiled: one bar per row.
  const svg = await drawChartSvg(output.spec as never);
  assert.equal(svg.match(/aria-roledescription="bar"/g)?.length, rows.length);
  // A request every 10 ms over three servers: each gets one every 30 ms and is idle when it comes.
  assert.deepEqual([...new Set(rows.map((r) => r.server))], ['host-0', 'host-1', 'host-2', 'overall']);
  assert.deepEqual([...new Set(rows.map((r) => r.stat))], ['mean', 'p95', 'p99']);
  // The mean is kept exactly; p95 and p99 are the geometric middle of the simulator's histogram
  // bucket holding 2 ms (buckets grow by 1 %, src/sim/metrics.ts): 1.01^(b - 1/2), b = 1 + floor(ln D / ln 1.01).
  const D = 2e6;
  const bucketMiddleS = 1.01 ** (1 + Math.floor(Math.log(D) / Math.log(1.01)) - 0.5) / 1e9;
  for (const row of rows) {
    const expected = row.stat === 'mean' ? D / 1e9 : bucketMiddleS;
    assert.ok(Math.abs(row.responseS - expected) < 1e-12, `${row.server} ${row.stat}: ${row.responseS} vs ${expected}`);
  }
  // 2 s / 10 ms = 200 requests, round-robin: 67, 67, 66 (the last ones may be unanswered at the end).
  const answered = (server: string) => rows.find((r) => r.server === server && r.stat === 'mean')!.completed;
  assert.equal(answered('overall'), answered('host-0') + answered('host-1') + answered('host-2'));
  assert.ok(answered('overall') >= 199 && answered('overall') <= 200, String(answered('overall')));
});

test('response-by-server over two runs: every figure is simulateCluster on the hand-written config, one panel per run', async () => {
  const output = await chartOf(LAB(chart('show: response-by-server\nruns: [steady, busy]')), FIRST_CHART);
  (await import('vega-lite')).compile(output.spec as never);
  const rows = rowsOf(output);
  const expected = (
    [
      ['steady', config('round-robin', 1)],
      ['busy', config('random', 5)],
    ] as const
  ).flatMap(([run, c]) => {
    const r = simulateCluster(c);
    const stats = [...r.servers.map((s) => [s.host, s] as const), ['overall', r.overall] as const].filter(
      ([, s]) => s.completed > 0,
    );
    return stats.flatMap(([server, s]) =>
      (
        [
          ['mean', s.meanResponseS],
          ['p95', s.p95ResponseS],
          ['p99', s.p99ResponseS],
        ] as const
      ).map(([stat, responseS]) => ({ run, server, stat, responseS, completed: s.completed })),
    );
  });
  assert.deepEqual(
    rows.map(({ run, server, stat, responseS, completed }) => ({ run, server, stat, responseS, completed })),
    expected,
  );
  // Random routing queues requests behind each other: its p99 overall is above the demand.
  const p99 = rows.find((r) => r.run === 'busy' && r.server === 'overall' && r.stat === 'p99')!.responseS;
  assert.ok(p99 > 2e-3 + 1e-6, String(p99));
});

test('response-by-server refuses runs that are not request runs on a cluster, at the run named; a request run refuses one-machine charts', async () => {
  for (const [body, line, column, message] of [
    [
      'show: response-by-server\nruns: [steady, solo]',
      1,
      15,
      'A response-by-server chart draws request runs on a cluster (run: { cluster, service }) only; "solo" is a one-machine run.',
    ],
    [
      'show: load\nruns: [steady]',
      1,
      7,
      'A load chart draws one-machine runs (run: { machine, workload, policy }) only; "steady" is a request run.',
    ],
    [
      'show: hosts-on\nruns: [steady]',
      1,
      7,
      'A hosts-on chart draws runs of VMs on a cluster (run: { cluster, vms }) only; "steady" is a request run.',
    ],
    [
      'run: steady\nvegaLite: { mark: point }',
      0,
      5,
      'A raw Vega-Lite chart draws one-machine runs (run: { machine, workload, policy }) only; "steady" is a request run.',
    ],
  ] as const) {
    const text = LAB(chart(body));
    const diagnostics = resolveLab(parseLab(text)).diagnostics.get(FIRST_CHART) ?? [];
    assert.deepEqual(
      diagnostics.map((d) => [d.range.start.line, d.range.start.character, d.code, d.message]),
      [[line, column, 'bad-value', message]],
      body,
    );
    const outcome = await outcomeOf(text, FIRST_CHART);
    assert.ok(!outcome.ok && !outcome.cancelled, body);
  }
});
