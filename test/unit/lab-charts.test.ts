// Chart specs: bounded marks for long runs, each run in its policy's colour in every chart (two
// runs of one policy: test/unit/chart-colors.test.ts), clear errors when a run lacks what a chart
// draws, and specs that Vega-Lite compiles.
import assert from 'node:assert/strict';
import test from 'node:test';
import { simulate, type SimConfig } from '../../src/sim';
import { buildChart, ChartError, chartRunOf, type ChartRun } from '../../src/lab/charts';
import { MAX_COLUMNS, MAX_POINTS, coarsen, sampleEvenly } from '../../src/lab/charts/common';
import { policyColor } from '../../src/lab/charts/colors';
import type { ResolvedChart } from '../../src/lab/language/resolveLab';

function config(policy: string, durationNs: number, extra: Partial<SimConfig['machine']> = {}): SimConfig {
  return {
    machine: { sockets: 1, coresPerSocket: 4, ...extra },
    workload: {
      groups: [
        {
          name: 'job',
          arrival: { kind: 'poisson', ratePerS: 600 },
          demand: { kind: 'exp', meanNs: 5e6 },
          workingSetBytes: 256 * 1024,
        },
      ],
    },
    policy: { name: policy },
    scheduler: { kind: 'fair' },
    durationNs,
    seed: 1,
  };
}

const run = (name: string, policy: string, durationNs = 2e9, extra = {}): ChartRun => ({
  name,
  policy,
  result: simulate(config(policy, durationNs, extra)),
});
const chart = (show: string, runs: string[]): ResolvedChart => ({ cellIndex: 0, show, runs });

test('coarsen keeps at most MAX_COLUMNS columns and preserves the mean or the sum', () => {
  const values = Array.from({ length: 1000 }, (_, i) => i % 7);
  const mean = coarsen(values, 1000);
  assert.ok(mean.values.length <= MAX_COLUMNS);
  assert.equal(mean.binNs, 5000);
  const sum = coarsen(values, 1000, MAX_COLUMNS, 'sum');
  assert.equal(
    sum.values.reduce((a, b) => a + b, 0),
    values.reduce((a, b) => a + b, 0),
  );
  assert.equal(sampleEvenly(Array.from({ length: 10_000 }, (_, i) => i)).length, MAX_POINTS);
});

test('charts of a long run stay small: the load heat map has at most MAX_COLUMNS columns per CPU', () => {
  const long = run('long', 'work-stealing', 60e9);
  const output = buildChart(chart('load', ['long']), [long]);
  const cells = (output.spec as { vconcat: { data: { values: { cpu: number }[] } }[] }).vconcat[0].data.values;
  assert.ok(cells.length <= 4 * MAX_COLUMNS, `${cells.length} marks`);
  const migrations = buildChart(chart('migrations', ['long']), [long]);
  assert.ok((migrations.spec as { data: { values: unknown[] } }).data.values.length <= MAX_POINTS);
});

test('runs of different policies are drawn in the colours of their policies, the same in every chart', () => {
  const runs = [run('a', 'pinned'), run('b', 'work-stealing')];
  for (const show of ['load', 'queues', 'cache-misses', 'response']) {
    const text = JSON.stringify(buildChart(chart(show, ['a', 'b']), runs).spec);
    const scale = /"domain":\["a","b"\],"range":\["([^"]+)","([^"]+)"\]/.exec(text);
    assert.ok(scale, show);
    assert.deepEqual([scale[1], scale[2]], [policyColor('pinned'), policyColor('work-stealing')], show);
  }
  assert.notEqual(policyColor('pinned'), policyColor('work-stealing'));
});

// vega-lite's Node build is an ES module with top-level await: load it as one.
const compileVegaLite = async () => (await import('vega-lite')).compile;

test('every named chart compiles with Vega-Lite', async () => {
  const compile = await compileVegaLite();
  const runs = [
    run('a', 'pinned', 1e9, { power: {}, thermal: {} }),
    run('b', 'least-loaded', 1e9, { power: {}, thermal: {} }),
  ];
  for (const show of [
    'load',
    'queues',
    'cache-misses',
    'migrations',
    'response',
    'energy',
    'frequency',
    'temperature',
  ]) {
    const output = buildChart(chart(show, ['a', 'b']), runs);
    assert.doesNotThrow(() => compile(output.spec), show);
  }
});

test('a chart the runs cannot feed says what is missing', () => {
  const runs = [run('plain', 'pinned', 1e9)];
  assert.throws(
    () => buildChart(chart('energy', ['plain']), runs),
    (e: Error) => e instanceof ChartError && /give its machine a power: section/.test(e.message),
  );
  assert.throws(
    () => buildChart(chart('temperature', ['plain']), runs),
    (e: Error) => e instanceof ChartError && /thermal:/.test(e.message),
  );
  assert.throws(
    () => buildChart(chart('deadlines', ['plain']), runs),
    (e: Error) => e instanceof ChartError && /deadlines/.test(e.message),
  );
});

test('a raw Vega-Lite spec gets the rows of the table it names, tagged with the run', async () => {
  const compile = await compileVegaLite();
  const runs = [run('a', 'work-stealing')];
  const raw: ResolvedChart = {
    cellIndex: 0,
    runs: ['a'],
    table: 'migrations',
    vegaLite: { mark: 'bar', encoding: { x: { field: 'reason' }, y: { aggregate: 'count' } } },
  };
  const output = buildChart(raw, runs);
  const values = (output.spec as { data: { values: { run: string; reason: string }[] } }).data.values;
  assert.equal(values.length, runs[0].result.migrations.length);
  assert.ok(values.every((v) => v.run === 'a' && typeof v.reason === 'string'));
  assert.doesNotThrow(() => compile(output.spec));
});

test('a CPU out of service is drawn as such over every per-CPU chart, for exactly its time out', async () => {
  const compile = await compileVegaLite();
  const events = [
    { kind: 'fail' as const, atNs: 300e6, cpu: 2 },
    { kind: 'maintenance' as const, atNs: 500e6, cpu: 1, durationNs: 200e6 },
  ];
  const config_ = config('least-loaded', 1e9, { power: {}, thermal: {}, events });
  const result = simulate(config_);
  const faulty: ChartRun = chartRunOf('faulty', config_, result);
  assert.deepEqual(faulty.offline, [
    { cpu: 2, state: 'failed', fromS: 0.3, toS: result.summary.simulatedS },
    { cpu: 1, state: 'maintenance', fromS: 0.5, toS: 0.7 },
  ]);
  for (const show of ['load', 'queues', 'energy', 'frequency', 'temperature']) {
    const output = buildChart(chart(show, ['faulty']), [faulty]);
    const heat = (
      output.spec as {
        vconcat: { data: { values: { layer: string; cpu: number; t0: number; t1: number; state?: string }[] } }[];
      }
    ).vconcat[0].data.values;
    const out = heat
      .filter((row) => row.layer === 'offline')
      .map(({ cpu, t0, t1, state }) => ({ cpu, state, fromS: t0, toS: t1 }));
    assert.deepEqual(out, faulty.offline, show);
    assert.doesNotThrow(() => compile(output.spec), show);
  }
});

/** Every `data: { values }` table of a spec, wherever in the composition it sits. */
function tablesOf(spec: unknown): Record<string, unknown>[][] {
  const tables: Record<string, unknown>[][] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const values = (record.data as { values?: unknown } | undefined)?.values;
    if (Array.isArray(values)) tables.push(values as Record<string, unknown>[]);
    for (const [key, value] of Object.entries(record)) if (key !== 'data') visit(value);
  };
  visit(spec);
  return tables;
}

test('the timeline draws a CPU out of service dark and labelled, from the machine event to its end, and runs nothing there', async () => {
  const compile = await compileVegaLite();
  const fail = { kind: 'fail' as const, atNs: 300e6, cpu: 2 };
  const maintenance = { kind: 'maintenance' as const, atNs: 500e6, cpu: 1, durationNs: 200e6 };
  const config_ = { ...config('least-loaded', 1e9, { events: [fail, maintenance] }), timelineSegments: 20_000 };
  const result = simulate(config_);
  assert.ok(result.timeline && !result.timeline.cut, 'the log covers the whole run');
  const faulty = chartRunOf('faulty', config_, result);
  const output = buildChart(chart('timeline', ['faulty']), [faulty]);
  const offline = tablesOf(output.spec)
    .flat()
    .filter((row) => row.state === 'failed' || row.state === 'maintenance');
  assert.deepEqual(offline, [
    { run: 'faulty', cpu: 2, state: 'failed', t0: fail.atNs / 1e9, t1: result.summary.simulatedS },
    {
      run: 'faulty',
      cpu: 1,
      state: 'maintenance',
      t0: maintenance.atNs / 1e9,
      t1: (maintenance.atNs + maintenance.durationNs) / 1e9,
    },
  ]);
  // Drawn with the heat maps' layers: the same dark grey, labelled with the state.
  const text = JSON.stringify(output.spec);
  assert.match(text, /"mark":\{"type":"rect","color":"#4d4d4d"/);
  assert.match(text, /"text":\{"field":"state"\}/);
  // And nothing ran on those CPUs while they were out.
  const log = result.timeline;
  const ranThere = log.spans.pid.filter(
    (_, i) =>
      log.spans.state[i] === 'run' &&
      offline.some(
        (o) =>
          o.cpu === log.spans.cpu[i] &&
          log.spans.startNs[i]! / 1e9 < (o.t1 as number) &&
          log.spans.endNs[i]! / 1e9 > (o.t0 as number),
      ),
  );
  assert.deepEqual(ranThere, []);
  assert.doesNotThrow(() => compile(output.spec));
  // A span that ends before the maintenance shows the failure only, clipped to the span.
  const early = buildChart({ ...chart('timeline', ['faulty']), span: { startNs: 0, endNs: 400e6 } }, [faulty]);
  assert.deepEqual(
    tablesOf(early.spec)
      .flat()
      .filter((row) => row.state === 'failed' || row.state === 'maintenance'),
    [{ run: 'faulty', cpu: 2, state: 'failed', t0: 0.3, t1: 0.4 }],
  );
});

/** Titles of every quantitative x or y axis of a spec, wherever in the composition it sits. */
function quantitativeAxisTitles(spec: unknown): string[] {
  const titles: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const encoding = record.encoding as Record<string, { type?: string; title?: unknown }> | undefined;
    for (const channel of ['x', 'y'] as const) {
      const e = encoding?.[channel];
      if (e?.type === 'quantitative' && typeof e.title === 'string') titles.push(e.title);
    }
    for (const [key, value] of Object.entries(record)) if (key !== 'data') visit(value);
  };
  visit(spec);
  return titles;
}

test('every axis of every chart says its unit', async () => {
  // With a timeline log (the timeline, and the migrations chart's inspector) and periodic tasks (deadlines).
  const logged = (policy: string): SimConfig => {
    const c = config(policy, 1e9, { power: {}, thermal: {} });
    const periodic = { name: 'task', count: 2, periodic: { periodNs: 10e6, wcetNs: 6e6, deadlineNs: 10e6 } };
    return { ...c, workload: { groups: [...c.workload.groups, periodic] }, timelineSegments: 5_000 };
  };
  const runs = [
    { name: 'a', policy: 'pinned', result: simulate(logged('pinned')) },
    { name: 'b', policy: 'work-stealing', result: simulate(logged('work-stealing')) },
  ];
  assert.ok(runs.every((r) => r.result.timeline && r.result.summary.jobsReleased > 0));
  assert.ok(
    runs.some((r) => r.result.migrations.length > 0),
    'a move for the inspector',
  );
  const titles: string[] = [];
  for (const show of [
    'load',
    'queues',
    'cache-misses',
    'migrations',
    'timeline',
    'migration-cost',
    'response',
    'deadlines',
    'energy',
    'frequency',
    'temperature',
  ]) {
    titles.push(...quantitativeAxisTitles(buildChart(chart(show, ['a', 'b']), runs).spec).map((t) => `${show}: ${t}`));
  }
  assert.ok(titles.some((t) => t.startsWith('deadlines: ')) && titles.some((t) => t.startsWith('timeline: ')));
  // A sweep of a count, a pure number, a time and a fraction: each axis names its unit.
  const { sweepChart } = await import('../../src/lab/charts');
  const sweepTitles = ['migrations', 'imbalanceCv', 'meanResponseS', 'meanUtilization'].map((metric) => {
    const groups = ['1', '2'].map((rate) => ({
      params: { rate },
      run: 'a',
      policy: 'pinned',
      n: 2,
      metrics: { [metric]: { mean: 0.5, halfWidth: 0.1, low: 0.4, high: 0.6 } },
    }));
    const spec = sweepChart({ param: 'rate', values: ['1', '2'], seeds: 2, metric }, groups).spec;
    return [...new Set(quantitativeAxisTitles(spec))];
  });
  assert.deepEqual(sweepTitles, [
    ['migrations (count)'],
    ['imbalanceCv (no unit)'],
    ['meanResponseS (s)'],
    ['meanUtilization (0..1)'],
  ]);
  titles.push(...sweepTitles.flat().map((t) => `sweep: ${t}`));
  const { compareChart } = await import('../../src/lab/charts/compare');
  const interval = (mean: number) => ({ mean, halfWidth: mean / 10, n: 3 });
  const comparison = compareChart({
    machine: 'm',
    workload: 'w',
    policies: ['pinned', 'least-loaded'],
    seeds: 3,
    metrics: ['meanResponseS', 'migrations', 'imbalanceCv'],
    cells: ['pinned', 'least-loaded'].flatMap((policy, i) => [
      { policy, metric: 'meanResponseS', interval: interval(0.0042 + i / 1000), best: false },
      { policy, metric: 'migrations', interval: interval(10 + i), best: false },
      { policy, metric: 'imbalanceCv', interval: interval(0.4 + i / 10), best: false },
    ]),
  });
  const compareTitles = quantitativeAxisTitles(comparison.spec);
  assert.deepEqual(compareTitles, ['meanResponseS (ms)', 'migrations (count)', 'imbalanceCv (no unit)']);
  titles.push(...compareTitles.map((t) => `compare: ${t}`));
  assert.ok(titles.length > 10);
  assert.deepEqual(
    titles.filter((t) => !/\(.+\)/.test(t)),
    [],
    'axes without a unit',
  );
});
