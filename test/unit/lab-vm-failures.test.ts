// Host failures in VM runs through the path users take: a cluster cell's `events:` take `fail`
// (with a repair `duration`) and a vms cell's `migration:` takes `restartDelay`; the session's
// live-migrations chart draws a move a failure cut short up to the cut (bandwidth x time sent,
// the closed form); misused events are errors at the exact line and column of the value; and
// the committed example runs from the command line with its restarts table.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseLab } from '../../src/lab/document/markdown';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { LabSession } from '../../src/lab/notebook/execute';
import { CHART_MIME, RUN_MIME, type ChartOutput, type RunOutput } from '../../src/lab/outputs/contract';
import { inProcessRunHost } from '../../src/worker/runSimulation';
import { cli, REPO, tempDir } from './cli-helpers';

const GiB = 2 ** 30;

const cluster = (events: string) =>
  `\`\`\`cluster\nname: pair\nhosts:\n  - { machine: box, count: 2, ram: 32GiB }\npolicy: least-loaded\nnetwork: { bandwidth: 1GB/s, migrationShare: 50%, latency: 0s }\nevents:\n${events}\n\`\`\`\n`;
const MACHINE = '```machine\nname: box\nsockets: 1\ncoresPerSocket: 4\n```\n';
const VMS =
  '```vms\nname: t\nmigration: { overload: none, restartDelay: 1s }\nvms:\n  - { name: db, vcpus: 2, ram: 1GiB, dirtyRate: 0B/s, load: { utilization: 50% } }\n```\n';
const RUN = '```run\nname: r\ncluster: pair\nvms: [t]\nduration: 10s\nseed: 1\n```\n';
const CHART = '```chart\nshow: live-migrations\nruns: [r]\n```\n';
// Maintenance on host-0 at 2 s starts a move to host-1; host-0 fails at 2.5 s, repaired after 3 s.
const CUT = [
  '  - { event: maintenance, at: 2s, host: host-0 }',
  '  - { event: fail, at: 2.5s, host: host-0, duration: 3s }',
].join('\n');
const text = (events: string) => [MACHINE, cluster(events), VMS, RUN, CHART].join('\n');

async function outputsOf(lab: string, index: number) {
  const cells = parseLab(lab);
  const codeIndex = cells.map((c, i) => (c.kind === 'markdown' ? -1 : i)).filter((i) => i >= 0)[index]!;
  const outcome = await new LabSession(inProcessRunHost).execute(cells, codeIndex, {
    signal: new AbortController().signal,
  });
  assert.ok(outcome.ok, JSON.stringify(outcome));
  return outcome.outputs.flatMap((o) => o.items);
}

test('a move cut short by its source failing: the chart draws it to the cut, bandwidth x (cut - start) sent', async () => {
  const items = await outputsOf(text(CUT), 4);
  const chart = items.find((i) => i.mime === CHART_MIME)!.data as ChartOutput;
  (await import('vega-lite')).compile(chart.spec);
  const [bars] = (chart.spec as { layer: { data: { values: Record<string, number | string>[] } }[] }).layer.map(
    (l) => l.data.values,
  );
  assert.deepEqual(
    bars!.map((b) => [b.phase, b.startS, b.endS]),
    [['live', 2, 2.5]],
  );
  const run = (await outputsOf(text(CUT), 3)).find((i) => i.mime === RUN_MIME)!.data as RunOutput;
  assert.equal(run.summary.vmsFailed, 1);
  assert.equal(run.summary.vmRestarts, 1);
  // Down from the failure at 2.5 s to the restart delay's end, 1 s later, on host-1.
  assert.equal(run.summary.vmDownS, 1);
  const md = (await outputsOf(text(CUT), 3)).map((i) => (typeof i.data === 'string' ? i.data : '')).join('\n');
  assert.match(md, /cut short at 2\.5 s: source failed/);
  assert.match(md, /\| db \| host-0 → host-1 \| fault \| 2\.5 s \| 3\.5 s \|/);
  // 1 GiB over 0.5 GB/s, cut after 0.5 s: 0.25 GB = 0.23 GiB sent.
  assert.match(md, new RegExp(`${(0.25e9 / GiB).toFixed(2)} GiB`));
});

/** Errors of cell `index` as [line, column, code], 0-based. */
function errorsAt(lab: string, index: number): [number, number, string][] {
  return (resolveLab(parseLab(lab)).diagnostics.get(index) ?? [])
    .filter((d) => d.severity === 'error')
    .map((d): [number, number, string] => [d.range.start.line, d.range.start.character, d.code ?? '']);
}

test('misused fail events: an error at the value, with no run resolved', () => {
  const bad = (events: string, token: string, nth = 0) => {
    const lab = text(events);
    const body = (parseLab(lab)[1] as { value: string }).value.split('\n');
    let line = -1;
    for (let k = 0; k <= nth; k++) line = body.findIndex((l, i) => i > line && l.includes(token));
    const errors = errorsAt(lab, 1);
    assert.equal(errors.length, 1, `${events}: ${JSON.stringify(errors)}`);
    assert.deepEqual(errors[0]!.slice(0, 2), [line, body[line]!.indexOf(token)], events);
    assert.equal(resolveLab(parseLab(lab)).vmRuns.length, 0);
  };
  // Failing again while down (repaired at 3 s, booting until 63 s with the default minute's boot).
  bad('  - { event: fail, at: 1s, host: host-0, duration: 2s }\n  - { event: fail, at: 5s, host: host-0 }', '5s');
  // Never repaired, then failing again.
  bad('  - { event: fail, at: 1s, host: host-0 }\n  - { event: fail, at: 5s, host: host-0 }', '5s');
  bad('  - { event: fail, at: 1s, host: host-7 }', 'host-7');
  bad('  - { event: power-off, at: 1s, host: host-0 }', 'power-off');
  bad('  - { event: fail, at: 1s, host: host-0, duration: -1s }', '-1s');
  bad('  - { event: fail, at: 11s, host: host-0 }', '11s');
});

test('the example runs from the command line: restarts table, faults in the summary', () => {
  const lab = join(tempDir('vm-failures'), 'vm-failures.lab.md');
  copyFileSync(join(REPO, 'examples', 'vm-failures.lab.md'), lab);
  const r = cli(['run', lab]);
  assert.ok(r.code === 0, r.stderr + r.stdout);
  assert.match(r.stdout, /\| vm-0 \| host-0 → host-2 \| fault \| 60 s \| 78 s \|/);
  assert.match(r.stdout, /\| vm-0 \| host-0 → host-0 \| fault \| 60 s \| 240 s \|/);
  assert.match(r.stdout, /vmDownS \| 720 s/);
});

test('every chart of the example draws: the session executes each chart cell and Vega-Lite compiles it', async () => {
  const text = readFileSync(join(REPO, 'examples', 'vm-failures.lab.md'), 'utf8');
  const cells = parseLab(text);
  const charts = cells.map((c, i) => (c.kind === 'chart' ? i : -1)).filter((i) => i >= 0);
  assert.equal(charts.length, 5);
  const { compile } = await import('vega-lite');
  const session = new LabSession(inProcessRunHost);
  for (const index of charts) {
    const outcome = await session.execute(cells, index, { signal: new AbortController().signal });
    assert.ok(outcome.ok, JSON.stringify(outcome));
    const chart = outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === CHART_MIME)!.data as ChartOutput;
    compile(chart.spec);
  }
});

test('hot spots in a lab: the summary gives the peak and time hot; bad hotspot values are errors at the value', async () => {
  const HOT_VMS = (hotspot: string) =>
    `\`\`\`vms\nname: t\nmigration: { overload: none, hotspot: ${hotspot} }\nvms:\n  - { name: db, vcpus: 2, ram: 1GiB, dirtyRate: 0B/s, load: { utilization: 50% } }\n\`\`\`\n`;
  const lab = (hotspot: string) =>
    [MACHINE, cluster('  - { event: maintenance, at: 9s, host: host-1 }'), HOT_VMS(hotspot), RUN].join('\n');
  const run = (await outputsOf(lab('{ threshold: 60C, migrate: off }'), 3)).find((i) => i.mime === RUN_MIME)!
    .data as RunOutput;
  // The default host power (93.7 W idle, 135 W peak) with 1 of 4 cores busy, R 0.34 K/W, C 340 J/K,
  // from 25 C inlet air: after 10 s host-0 is at 25 + P R (1 - e^{-10 / RC}).
  const P = 93.7 + (135 - 93.7) / 4;
  const expected = 25 + P * 0.34 * (1 - Math.exp(-10 / (0.34 * 340)));
  assert.ok(Math.abs((run.summary.hostPeakC as number) - expected) < 1e-9, String(run.summary.hostPeakC));
  assert.equal(run.summary.hotHostS, 0);
  const bad = (hotspot: string, token: string) => {
    const text = lab(hotspot);
    const body = (parseLab(text)[2] as { value: string }).value.split('\n');
    const line = body.findIndex((l) => l.includes(token));
    const errors = errorsAt(text, 2);
    assert.equal(errors.length, 1, `${hotspot}: ${JSON.stringify(errors)}`);
    assert.deepEqual(errors[0]!.slice(0, 2), [line, body[line]!.indexOf(token)], hotspot);
  };
  bad('{ threshold: 60GHz }', 'GHz');
  bad('{ threshold: 60C, resistance: -1K/W }', '-1K/W');
  bad('{ threshold: 60C, migrate: maybe }', 'maybe');
  bad('{ threshold: 60C, colour: red }', 'colour');
  // The simulator's own check: a threshold at or below the inlet, at the threshold's value.
  bad('{ threshold: 20C }', '20C');
});
