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
