// The timeline and migration-cost charts through the paths users take: the CLI's report draws
// the timeline with its inspector on the priciest move, every step checked against references
// built here (the engine's trace of the same run, the migration row, and the state copy from
// the model's closed form); the migration-cost chart's totals against the migration log and
// the CPU time the processes report; the lab's `span:` key, refused where it does not belong.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { resolveMachine, simulate, type SimConfig, type TracedMove } from '../../src/sim';
import { buildChart, chartRunOf } from '../../src/lab/charts';
import { COST_COMPONENTS } from '../../src/lab/charts/migrationCost';
import { parseLab } from '../../src/lab/document/markdown';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { cli, tempDir } from './cli-helpers';

const LAB = (chart: string) => `# Timeline

\`\`\`machine
name: duo
sockets: 2
coresPerSocket: 2
caches: { l2: 1MiB, llc: 8MiB }
memory: { local: 90ns, remote: 150ns }
\`\`\`

\`\`\`workload
name: mixed
processes:
  - { name: batch, count: 3, arrival: 0s, demand: 400ms, workingSet: 4MiB, dirty: 30% }
  - { name: web, count: 40, arrival: poisson 200/s, demand: exp 3ms, workingSet: 256KiB, dirty: 20% }
\`\`\`

\`\`\`run
name: cfs
machine: duo
workload: mixed
policy: linux-cfs
duration: 1s
seed: 4
\`\`\`

\`\`\`chart
${chart}
\`\`\`
`;

const TIMELINE = 'show: timeline\nruns: [cfs]\nspan: 0s..300ms';

/** The run as the lab resolves it, without the timeline log (the reference runs without it). */
function labConfig(text: string): SimConfig {
  const lab = resolveLab(parseLab(text));
  const { timelineSegments: _t, timelineFromNs: _f, ...config } = lab.runs[0]!.config;
  return config;
}

const us = (ns: number) => `${Number((ns / 1e3).toPrecision(3))} µs`;

/** Vega draws text as SVG <text>; & and the like are escaped there. */
const unescape = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"');

/** The CLI's report of a lab with this chart cell: its HTML and every SVG text in it. */
function report(chart: string): { html: string; texts: string[] } {
  const dir = tempDir('timeline');
  const labPath = join(dir, 'timeline.lab.md');
  writeFileSync(labPath, LAB(chart));
  const out = join(dir, 'report.html');
  const r = cli(['export', labPath, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  return { html, texts: [...html.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => unescape(t[1]!)) };
}

/**
 * What the inspector must show for the priciest move before `untilNs`, from references built
 * here: the engine's trace of the same run (the hook, the loads it saw, the resume), the
 * migration row, and the state copy from the model's closed form.
 */
function expectedInspector(chart: string, untilNs: number) {
  const config = labConfig(LAB(chart));
  const dispatches: { t: number; pid: number; cpu: number }[] = [];
  const moves = new Map<string, TracedMove>();
  const result = simulate(config, {
    trace: (kind, t, pid, cpu, move) => {
      if (kind === 'dispatch') dispatches.push({ t, pid, cpu });
      if (kind === 'migrate') moves.set(`${t} ${pid}`, move!);
    },
  });
  const inSpan = result.migrations.filter((m) => m.timeNs < untilNs);
  assert.ok(inSpan.length >= 3, `moves to draw (${inSpan.length})`);
  const priciest = inSpan.reduce((a, b) => (b.totalNs > a.totalNs ? b : a));
  const traced = moves.get(`${priciest.timeNs} ${priciest.pid}`)!;
  const resume = dispatches.find((d) => d.pid === priciest.pid && d.t >= priciest.timeNs)!;
  assert.equal(resume.cpu, priciest.to, 'it resumed where it went');

  // State copy, from the model's closed form: fixed cost + state / interconnect bandwidth, times
  // the socket distance over 10 across sockets (docs/model.md, Migration cost).
  const m = resolveMachine(config.machine);
  const [fs, ts] = [m.cpuSocket[priciest.from]!, m.cpuSocket[priciest.to]!];
  const copyNs =
    m.migrationFixedNs +
    Math.round((m.stateBytes / m.interconnectBytesPerS) * 1e9 * (fs === ts ? 1 : m.distances[fs]![ts]! / 10));
  assert.equal(priciest.stateCopyNs, copyNs);

  const link = fs === ts ? `within socket ${ts}` : `socket ${fs} to socket ${ts}`;
  const processes = (n: number) => `${n} process${n === 1 ? '' : 'es'}`;
  const lines = [
    `by ${traced.hook}, reason ${priciest.reason}: CPU ${priciest.from} had ${processes(traced.fromLoad)}, CPU ${priciest.to} had ${processes(traced.toLoad)}`,
    `${us(copyNs)}: ${Number((m.stateBytes / 1024).toPrecision(3))} KiB, link ${link}`,
    us(Math.max(0, resume.t - priciest.timeNs - copyNs)),
    `runs on CPU ${resume.cpu} at ${(resume.t / 1e9).toFixed(6)} s`,
    `${priciest.reloadMisses} lines fetched again, ${us(priciest.reloadNs - priciest.remotePenaltyNs)}`,
    `${us(priciest.remotePenaltyNs)} more for memory on another node`,
    `${priciest.coherenceLines} lines still dirty in the old cache (RAM not yet updated), ${us(priciest.coherenceNs)}`,
  ];
  return { lines, result };
}

test('the report draws the timeline and its inspector on the priciest move, each step as the run and the model give it', () => {
  const { html, texts } = report(TIMELINE);
  const { lines, result } = expectedInspector(TIMELINE, 300e6);
  for (const line of lines)
    assert.ok(
      texts.some((t) => t.includes(line)),
      `the inspector shows "${line}"`,
    );
  assert.ok(
    texts.some((t) => t.includes('cfs: the move you picked (click a ▼ above)')),
    'the inspector is titled',
  );
  // The run ends at its last completion, before its duration.
  const shown = `Shown: cfs: 0 s to 0.3 s of ${Number(result.summary.simulatedS.toPrecision(4))} s`;
  assert.ok(unescape(html).includes(shown), `the chart says what part of the run it shows (${shown})`);
});

test("the migrations chart carries the same inspector, on the run's priciest move", () => {
  const chart = 'show: migrations\nruns: [cfs]';
  const { texts } = report(chart);
  for (const line of expectedInspector(chart, Infinity).lines)
    assert.ok(
      texts.some((t) => t.includes(line)),
      `the inspector shows "${line}"`,
    );
  assert.ok(
    texts.some((t) => t.includes('The move you picked (click a dot above)')),
    'the inspector is titled',
  );
});

test("the migration-cost chart's totals are the migration log's, and its share of CPU time the processes' own", () => {
  const text = LAB('show: migration-cost\nruns: [cfs]');
  const config = { ...labConfig(text), maxProcessRows: 1_000_000 };
  const result = simulate(config);
  const output = buildChart({ cellIndex: 0, show: 'migration-cost', runs: ['cfs'] }, [
    chartRunOf('cfs', config, result),
  ]);
  const spec = output.spec as unknown as {
    title: { subtitle: string[] };
    vconcat: [
      { data: { values: { component: string; ms: number }[] } },
      { data: { values: { component: string; ms: number }[] } },
    ];
  };
  const totals = spec.vconcat[1].data.values;
  const over = spec.vconcat[0].data.values;
  for (const component of COST_COMPONENTS) {
    const expected = result.migrations.reduce((sum, row) => sum + component.of(row), 0) / 1e6;
    const total = totals.find((t) => t.component === component.name)!.ms;
    assert.ok(
      Math.abs(total - expected) <= 1e-9 * Math.max(1, expected),
      `${component.name}: ${total} ms, the log says ${expected} ms`,
    );
    const overTime = over.filter((o) => o.component === component.name).reduce((sum, o) => sum + o.ms, 0);
    assert.ok(
      Math.abs(overTime - expected) <= 1e-9 * Math.max(1, expected),
      `${component.name} over time adds up to its total`,
    );
  }
  // Components add up to each move's total, and the state copy, reload and dirty lines are not all 0.
  for (const row of result.migrations)
    assert.ok(Math.abs(COST_COMPONENTS.reduce((s, c) => s + c.of(row), 0) - row.totalNs) < 1e-6);
  assert.ok(
    totals.every((t) => t.ms > 0),
    `every component is paid in this run: ${JSON.stringify(totals)}`,
  );
  const busyNs = result.processes.reduce((sum, p) => sum + p.runS * 1e9, 0);
  const costNs = result.migrations.reduce((sum, row) => sum + row.totalNs, 0);
  const share = `${((100 * costNs) / busyNs).toPrecision(2)} % of CPU time`;
  assert.ok(
    spec.title.subtitle[0]!.includes(
      `cfs: ${result.summary.migrations} moves, ${(costNs / 1e6).toPrecision(3)} ms = ${share}`,
    ),
    spec.title.subtitle[0],
  );
});

test('span: belongs to timeline charts, is refused elsewhere at its place, and starts the log of the runs drawn', () => {
  const wrong = parseLab(LAB('show: load\nruns: [cfs]\nspan: 0s..1s'));
  const lab = resolveLab(wrong);
  const chartIndex = wrong.findIndex((c) => c.kind === 'chart');
  const [diagnostic] = lab.diagnostics.get(chartIndex) ?? [];
  assert.equal(diagnostic?.message, '"span" belongs to show: timeline charts');
  const line = wrong[chartIndex]!.value.split('\n').findIndex((l) => l.startsWith('span'));
  assert.deepEqual(diagnostic?.range.start, { line, character: 'span: '.length });

  const later = resolveLab(parseLab(LAB('show: timeline\nruns: [cfs]\nspan: 300ms..400ms')));
  assert.equal(later.runs[0]!.config.timelineFromNs, 300e6);
  const none = resolveLab(parseLab(LAB('show: load\nruns: [cfs]')));
  assert.equal(none.runs[0]!.config.timelineSegments, undefined);
  assert.notEqual(
    later.runs[0]!.inputsHash,
    none.runs[0]!.inputsHash,
    'a result without the log is not reused for a timeline',
  );
  // The log of a run that starts at 300 ms: nothing before, and the same spans after as a log from 0.
  const log = simulate(later.runs[0]!.config).timeline!;
  assert.equal(log.fromNs, 300e6);
  assert.ok(log.spans.startNs.every((t) => t >= 300e6));
});

test("the inspector says what the policy compared: each CPU's load, core type and capacity, and temperature then", () => {
  const config: SimConfig = {
    machine: { preset: 'phone-4+4', thermal: {} },
    workload: {
      groups: [
        { name: 'game', count: 2, arrival: { kind: 'fixed', atNs: 0 }, demand: { kind: 'fixed', valueNs: 300e6 } },
        {
          name: 'svc',
          count: 6,
          arrival: { kind: 'fixed', atNs: 0 },
          demand: { kind: 'fixed', valueNs: 100e6 },
          phases: { computeNs: { kind: 'exp', meanNs: 2e6 }, sleepNs: { kind: 'exp', meanNs: 8e6 } },
        },
      ],
    },
    policy: { name: 'heterogeneity-aware' },
    scheduler: { kind: 'fair' },
    durationNs: 0.5e9,
    seed: 2,
    timelineSegments: 6_000,
  };
  const result = simulate(config);
  const run = chartRunOf('het', config, result);
  const spec = buildChart({ cellIndex: 0, show: 'timeline', runs: ['het'] }, [run]).spec as unknown as {
    vconcat: { data?: { values: { id: number; t: number; steps: { step: string; detail: string }[] }[] } }[];
  };
  const moves = spec.vconcat.at(-1)!.data!.values;
  assert.ok(moves.length > 10 && result.summary.migrationsByReason.heterogeneity > 0, 'heterogeneity moves to inspect');
  const m = resolveMachine(config.machine);
  const log = result.timeline!.moves;
  for (const move of moves) {
    const i = move.id;
    const fact = (cpu: number, load: number) => {
      const type = m.coreTypes[m.cpuType[cpu]!]!;
      const bin = Math.min(result.series.bins - 1, Math.floor(log.timeNs[i]! / result.series.binNs));
      return `CPU ${cpu} (${type.name}, capacity ${type.capacity}, ${result.series.cpus[cpu]!.temperatureC![bin]!.toFixed(1)} °C) had ${load} process${load === 1 ? '' : 'es'}`;
    };
    const decided = move.steps.find((s) => s.step === 'decided')!.detail;
    assert.ok(
      decided.includes(`${fact(log.from[i]!, log.fromLoad[i]!)}, ${fact(log.to[i]!, log.toLoad[i]!)}`),
      decided,
    );
  }
});

test("the inspector gives a deadline-driven move's deadline as the policy compared it", () => {
  const config: SimConfig = {
    machine: { sockets: 1, coresPerSocket: 4 },
    workload: {
      groups: [{ name: 'rt', count: 10, taskSet: { utilization: 3.2, periodMinNs: 5e6, periodMaxNs: 50e6 } }],
    },
    policy: { name: 'global-edf' },
    scheduler: { kind: 'edf' },
    durationNs: 0.2e9,
    seed: 3,
    timelineSegments: 6_000,
  };
  const deadlines = new Map<string, number>();
  const result = simulate(config, {
    trace: (kind, t, pid, _cpu, move) => kind === 'migrate' && deadlines.set(`${t} ${pid}`, move!.deadlineNs),
  });
  const spec = buildChart({ cellIndex: 0, show: 'timeline', runs: ['rt'] }, [chartRunOf('rt', config, result)])
    .spec as unknown as {
    vconcat: { data?: { values: { t: number; pid: number; steps: { step: string; detail: string }[] }[] } }[];
  };
  const moves = spec.vconcat.at(-1)!.data!.values;
  assert.ok(moves.length > 10, `moves to inspect (${moves.length})`);
  for (const move of moves) {
    const timeNs = result.timeline!.moves.timeNs.find(
      (t, i) => result.timeline!.moves.pid[i] === move.pid && Math.abs(t / 1e9 - move.t) < 1e-12,
    )!;
    const deadline = deadlines.get(`${timeNs} ${move.pid}`)!;
    assert.ok(Number.isFinite(deadline));
    const left = deadline - timeNs;
    const expected = `its deadline at ${(deadline / 1e9).toFixed(6)} s (${left >= 0 ? `${us(left)} away` : `missed ${us(-left)} ago`})`;
    assert.ok(move.steps[0]!.detail.includes(expected), `${move.steps[0]!.detail} has ${expected}`);
  }
});

test('a span that starts after a run ends is an error at the span, and the run keeps its outputs', () => {
  const cells = parseLab(LAB('show: timeline\nruns: [cfs]\nspan: 5s..6s'));
  const lab = resolveLab(cells);
  const chartIndex = cells.findIndex((c) => c.kind === 'chart');
  const [diagnostic] = lab.diagnostics.get(chartIndex) ?? [];
  assert.equal(diagnostic?.message, 'The span starts at 5s, when run "cfs" has ended (its duration is 1s)');
  const line = cells[chartIndex]!.value.split('\n').findIndex((l) => l.startsWith('span'));
  assert.deepEqual(diagnostic?.range.start, { line, character: 'span: '.length });
  // The run is not given a log starting there: it still runs, as before.
  assert.equal(lab.runs[0]!.config.timelineFromNs, undefined);
  assert.equal(simulate(lab.runs[0]!.config).summary.completed > 0, true);
});
