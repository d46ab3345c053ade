// `window:` on run and compare cells, as a lab writes it: parsed with exact error positions,
// checked against the duration, and carried to every output: the summary (which says it is a
// window), charts drawn over the window only, checks graded on the window, comparisons of the
// window of every seed.
import assert from 'node:assert/strict';
import test from 'node:test';
import { LabSession, type CellOutcome } from '../../src/lab/notebook/execute';
import { parseLab } from '../../src/lab/document/markdown';
import {
  CHART_MIME,
  COMPARE_MIME,
  RUN_MIME,
  type ChartOutput,
  type CompareOutput,
  type RunOutput,
} from '../../src/lab/outputs/contract';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { summaryMarkdown } from '../../src/lab/outputs/summaryText';
import { simulate } from '../../src/sim';
import { inProcessRunHost } from '../../src/worker/runSimulation';

const lab = (run: string, extra = '') => `\`\`\`machine
name: duo
sockets: 1
coresPerSocket: 2
\`\`\`
\`\`\`workload
name: web
processes:
  - { name: batch, count: 2, arrival: 0s, demand: 400ms }
  - { name: req, arrival: poisson 200/s, demand: exp 3ms }
\`\`\`
\`\`\`run
name: r
machine: duo
workload: web
policy: least-loaded
duration: 2s
${run}
\`\`\`
${extra}`;

const problems = (text: string) =>
  [...resolveLab(parseLab(text)).diagnostics].flatMap(([, ds]) =>
    ds.map((d) => `${d.range.start.line}:${d.range.start.character}-${d.range.end.character} ${d.message}`),
  );

test('window: parsed as from..to, mistakes shown where they are', () => {
  const ok = resolveLab(parseLab(lab('window: 500ms..1.5s')));
  assert.deepEqual(ok.runs[0].config.window, { startNs: 500e6, endNs: 1.5e9 });
  assert.deepEqual(problems(lab('window: 500ms..1.5s')), []);
  assert.deepEqual(problems(lab('window: 1s-2s')), [
    '5:8-13 Expected a time range like 1s..5s (from, two dots, to), got "1s-2s"',
  ]);
  assert.deepEqual(problems(lab('window: 1s..2')), ['5:12-13 A time needs a unit: one of ns, us, µs, ms, s']);
  assert.deepEqual(problems(lab('window: 2s..1s')), ['5:8-14 The window must end after it starts (2s .. 1s)']);
  assert.deepEqual(problems(lab('window: 1s..3s')), [
    '5:8-14 The window ends after the run: it must end by the duration (2s)',
  ]);
});

const signal = () => new AbortController().signal;
const item = (outcome: CellOutcome, mime: string) => {
  assert.ok(outcome.ok, JSON.stringify(outcome));
  return outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === mime)!.data;
};

test("a run over a window: its summary is the window's and says so; its charts cover the window only", async () => {
  const cells = parseLab(
    lab(
      'window: 500ms..1.5s',
      '```chart\nshow: load\nruns: [r]\n```\n```check\nexpect: runs.r.simulatedS == 1s\n```\n',
    ),
  );
  const session = new LabSession(inProcessRunHost);
  const run = item(await session.execute(cells, 2, { signal: signal() }), RUN_MIME) as RunOutput;
  const config = resolveLab(cells).runs[0].config;
  assert.deepEqual(run.summary, simulate(config).summary as unknown as RunOutput['summary']);
  assert.deepEqual(run.window, { startS: 0.5, endS: 1.5 });
  assert.equal(run.summary.simulatedS, 1);
  assert.match(
    summaryMarkdown(run),
    /^\*\*r\*\*: least-loaded on duo, web, fair, observed from 0.5 s to 1.5 s of 2 s, seed 1/,
  );
  const chart = item(await session.execute(cells, 3, { signal: signal() }), CHART_MIME) as ChartOutput;
  const cellsOfChart = (chart.spec as { vconcat: { data: { values: { t0: number; t1: number }[] } }[] }).vconcat[0].data
    .values;
  const [from, to] = [Math.min(...cellsOfChart.map((c) => c.t0)), Math.max(...cellsOfChart.map((c) => c.t0))];
  assert.ok(
    from >= 0.5 && from < 0.51 && to < 1.5 && to > 1.45,
    `the heat map covers the window (columns from ${from} s to ${to} s)`,
  );
  const check = await session.execute(cells, 4, { signal: signal() });
  assert.equal(check.ok, true, JSON.stringify(check));
});

test("a comparison over a window: every seed's window, and the table says it", async () => {
  const compare =
    '```compare\nmachine: duo\nworkload: web\npolicies: [pinned, least-loaded]\nseeds: 2\nduration: 2s\nwindow: 1s..2s\nmetrics: [completed, meanResponseS]\n```\n';
  const cells = parseLab(lab('', compare));
  const output = item(
    await new LabSession(inProcessRunHost).execute(cells, 3, { signal: signal() }),
    COMPARE_MIME,
  ) as CompareOutput;
  assert.deepEqual(output.window, { startS: 1, endS: 2 });
  const base = resolveLab(cells).compares[0].base;
  const completed = [1, 2].map((seed) => simulate({ ...base, policy: { name: 'pinned' }, seed }).summary.completed);
  const cell = output.cells.find((c) => c.policy === 'pinned' && c.metric === 'completed')!;
  assert.equal(cell.interval.mean, (completed[0] + completed[1]) / 2);
});
