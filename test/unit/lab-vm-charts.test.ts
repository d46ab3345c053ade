// Charts of VM runs through the path users take (chart cells executed by the session): each
// Vega-Lite spec compiles, and its data are the live-migration closed forms (pre-copy round i
// sends M r^i, back to back from the maintenance instant; downtime (M r^n + C) / B) and an idle
// host's energy P x t. Charts that cannot draw a run say so, for every mismatch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLab } from '../../src/lab/document/markdown';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { LabSession } from '../../src/lab/notebook/execute';
import { CHART_MIME, type ChartOutput } from '../../src/lab/outputs/contract';
import { HOST_POWER } from '../../src/sim';
import { inProcessRunHost } from '../../src/worker/runSimulation';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

const vms = (name: string, method: string) =>
  `\`\`\`vms\nname: ${name}\nmigration: { method: { kind: ${method} } }\nvms:\n  - { name: db, vcpus: 2, ram: 4GiB, dirtyRate: 200MB/s, cpuState: 1MiB, load: { utilization: 50% } }\n\`\`\`\n`;
const run = (name: string, cluster = 'pair') =>
  `\`\`\`run\nname: ${name}\ncluster: ${cluster}\nvms: [${name}]\nduration: 20s\nseed: 3\n\`\`\`\n`;
const chart = (body: string) => `\`\`\`chart\n${body}\n\`\`\`\n`;

const CLUSTER = (name: string, events: boolean) =>
  `\`\`\`cluster\nname: ${name}\nhosts:\n  - { machine: box, count: 2, ram: 32GiB }\npolicy: least-loaded\nnetwork: { bandwidth: 1.25GB/s, migrationShare: 100%, latency: 0s }\n${events ? 'events:\n  - { event: maintenance, at: 2s, host: host-0 }\n' : ''}\`\`\`\n`;

// Cells: 0 machine, 1 workload, 2 cluster, 3 quiet cluster, 4-6 vms, 7 quiet vms, 8-10 runs,
// 11 quiet run, 12 machine run, then the charts (13...).
const CELLS = [
  '```machine\nname: box\nsockets: 1\ncoresPerSocket: 4\n```\n',
  '```workload\nname: w\nprocesses:\n  - { name: a, count: 2, arrival: 0s, demand: 10ms }\n```\n',
  CLUSTER('pair', true),
  CLUSTER('still', false),
  vms('pre', 'pre-copy'),
  vms('post', 'post-copy'),
  vms('stop', 'stop-and-copy'),
  vms('quiet', 'pre-copy'),
  run('pre'),
  run('post'),
  run('stop'),
  run('quiet', 'still'),
  '```run\nname: plain\nmachine: box\nworkload: w\npolicy: pinned\nduration: 1s\n```\n',
  chart('show: live-migrations\nruns: [pre, post, stop]'),
  chart('show: downtime\nruns: [pre, post, stop]'),
  chart('show: host-energy\nruns: [pre, quiet]'),
  chart('show: load\nruns: [pre]'),
  chart('run: pre\nvegaLite: { mark: point }'),
  chart('show: live-migrations\nruns: [plain]'),
  chart('show: live-migrations\nruns: [quiet]'),
  chart('show: hosts-on\nruns: [pre, quiet]'),
];
const FIRST_CHART = 13;

async function outcomeOf(index: number) {
  const cells = parseLab(CELLS.join('\n'));
  assert.equal(cells.filter((c) => c.kind !== 'markdown').length, CELLS.length);
  // The code cells in order (blank text between them may parse as markdown cells).
  const codeIndex = cells.map((c, i) => (c.kind === 'markdown' ? -1 : i)).filter((i) => i >= 0)[index]!;
  return new LabSession(inProcessRunHost).execute(cells, codeIndex, { signal: new AbortController().signal });
}

async function chartOf(index: number): Promise<ChartOutput> {
  const outcome = await outcomeOf(index);
  assert.ok(outcome.ok, JSON.stringify(outcome));
  return outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === CHART_MIME)!.data as ChartOutput;
}

const compile = async () => (await import('vega-lite')).compile;

const M = 4 * GiB;
const C = MiB;
const B = 1.25e9;
const r = 200e6 / B;

test('live-migrations: each pre-copy round sends M r^i at B, back to back from the decision; the pause and downtime marked', async () => {
  const output = await chartOf(FIRST_CHART);
  (await compile())(output.spec);
  const [bars, marks] = (output.spec as { layer: { data: { values: Record<string, number | string>[] } }[] }).layer.map(
    (l) => l.data.values,
  );
  const pre = bars!.filter((b) => b.run === 'pre');
  assert.deepEqual(
    pre.map((b) => b.phase),
    ['live', 'live', 'paused'],
  );
  // Bytes: M r^i to the byte; each round lasts bytes / B (whole ns) and starts when the last ended.
  pre.forEach((b, i) => {
    assert.ok(Math.abs((b.bytes as number) - M * r ** i) <= 1, `round ${i}: ${b.bytes}`);
    assert.ok(Math.abs((b.endS as number) - (b.startS as number) - (b.bytes as number) / B) < 2e-9, `round ${i}`);
    if (i > 0) assert.equal(b.startS, pre[i - 1]!.endS);
  });
  assert.equal(pre[0]!.startS, 2, 'the move starts at the maintenance instant');
  const mark = marks!.find((m) => m.run === 'pre')!;
  assert.equal(mark.pauseS, pre[2]!.startS);
  assert.ok(Math.abs((mark.downtimeS as number) - (M * r ** 2 + C) / B) < 1e-9);
  // Stop-and-copy is one paused round of M; post-copy pauses for the CPU state, then pulls M on demand.
  const stop = bars!.filter((b) => b.run === 'stop');
  assert.deepEqual(
    stop.map((b) => [b.phase, b.bytes]),
    [['paused', M]],
  );
  assert.deepEqual(
    bars!.filter((b) => b.run === 'post').map((b) => [b.phase, b.bytes]),
    [['demand', M]],
  );
  assert.ok(Math.abs((marks!.find((m) => m.run === 'post')!.downtimeS as number) - C / B) < 1e-9);
});

test('downtime: one mark per move with the closed form of each method', async () => {
  const output = await chartOf(FIRST_CHART + 1);
  (await compile())(output.spec);
  const values = (output.spec as { data: { values: { run: string; downtimeS: number; reason: string }[] } }).data
    .values;
  const expected: Record<string, number> = { pre: (M * r ** 2 + C) / B, post: C / B, stop: (M + C) / B };
  assert.deepEqual(
    values.map((v) => [v.run, v.reason]),
    [
      ['pre', 'maintenance'],
      ['post', 'maintenance'],
      ['stop', 'maintenance'],
    ],
  );
  for (const v of values) assert.ok(Math.abs(v.downtimeS - expected[v.run]!) < 1e-9, v.run);
});

test('host-energy: idle, load and boot per host; a host on the whole run without load draws idle x t', async () => {
  const output = await chartOf(FIRST_CHART + 2);
  (await compile())(output.spec);
  const values = (output.spec as { data: { values: { run: string; host: string; part: string; energyJ: number }[] } })
    .data.values;
  const part = (run: string, host: string, p: string) =>
    values.find((v) => v.run === run && v.host === host && v.part === p)!.energyJ;
  // In the quiet run nothing moves: host-1 holds no VM (first fit), on for 20 s at idle power.
  assert.ok(Math.abs(part('quiet', 'host-1', 'idle') - HOST_POWER.idleW.default * 20) < 1e-9);
  assert.equal(part('quiet', 'host-1', 'load'), 0);
  assert.equal(part('quiet', 'host-1', 'boot'), 0);
  // In pre, host-0 is switched off once drained: its idle energy is for less than the run.
  assert.ok(part('pre', 'host-0', 'idle') < HOST_POWER.idleW.default * 20);
  assert.equal(values.length, 2 * 2 * 3, 'two runs, two hosts, three parts');
});

test("charts that cannot draw the runs named are bad input at the run named (and a stranger's raw spec gets no VM data)", async () => {
  const cells = parseLab(CELLS.join('\n'));
  const lab = resolveLab(cells);
  const codeIndex = cells.map((c, i) => (c.kind === 'markdown' ? -1 : i)).filter((i) => i >= 0);
  // Each as [line, column] in its cell (0-based), code and message.
  const errors = (index: number) =>
    (lab.diagnostics.get(codeIndex[index]!) ?? []).map((d) => [
      d.range.start.line,
      d.range.start.character,
      d.code,
      d.message,
    ]);
  assert.deepEqual(errors(FIRST_CHART + 3), [
    [
      1,
      7,
      'bad-value',
      'A load chart draws one-machine runs (run: { machine, workload, policy }) only; "pre" is a VM run.',
    ],
  ]);
  assert.deepEqual(errors(FIRST_CHART + 4), [
    [
      0,
      5,
      'bad-value',
      'A raw Vega-Lite chart draws one-machine runs (run: { machine, workload, policy }) only; "pre" is a VM run.',
    ],
  ]);
  assert.deepEqual(errors(FIRST_CHART + 5), [
    [
      1,
      7,
      'bad-value',
      'A live-migrations chart draws runs of VMs on a cluster (run: { cluster, vms }) only; "plain" is a one-machine run.',
    ],
  ]);
  for (const index of [FIRST_CHART + 3, FIRST_CHART + 4, FIRST_CHART + 5]) {
    const outcome = await outcomeOf(index);
    assert.ok(!outcome.ok && !outcome.cancelled, `cell ${index}`);
  }
  // A chart of VM runs that moved none draws, then says so.
  const outcome = await outcomeOf(FIRST_CHART + 6);
  assert.ok(!outcome.ok && !outcome.cancelled);
  assert.match(outcome.message, /moved no VM/);
});

test('hosts-on: two hosts until the drained one is switched off at the end of its move, (M (1 + r + r^2) + C) / B after 2 s', async () => {
  const output = await chartOf(FIRST_CHART + 7);
  (await compile())(output.spec);
  const values = (output.spec as { data: { values: { run: string; atS: number; on: number; booting: number }[] } }).data
    .values;
  const offAt = 2 + (M * (1 + r + r ** 2) + C) / B;
  const pre = values.filter((v) => v.run === 'pre');
  assert.deepEqual(
    pre.map((v) => [v.on, v.booting]),
    [
      [2, 0],
      [1, 0],
      [1, 0],
    ],
  );
  assert.equal(pre[0]!.atS, 0);
  assert.ok(Math.abs(pre[1]!.atS - offAt) < 2e-9, `${pre[1]!.atS} vs ${offAt}`);
  assert.equal(pre[2]!.atS, 20, 'to the end of the run');
  // Nothing happens to the quiet run's hosts: two on from start to end.
  assert.deepEqual(
    values.filter((v) => v.run === 'quiet').map((v) => [v.atS, v.on]),
    [
      [0, 2],
      [20, 2],
    ],
  );
});

test('a move still running at the end: its table row says so, and the charts draw it up to the end, its downtime within the run', async () => {
  // Stop-and-copy of 4 GiB at 100 MB/s from maintenance at 2 s takes ~43 s: the 20 s run ends
  // with the VM paused since 2 s, so 18 s of downtime fall in the run and one round is cut at 20 s.
  const slow = [
    '```machine\nname: box\nsockets: 1\ncoresPerSocket: 4\n```\n',
    CLUSTER('pair', true).replace('bandwidth: 1.25GB/s', 'bandwidth: 100MB/s'),
    vms('stop', 'stop-and-copy'),
    run('stop'),
    chart('show: live-migrations\nruns: [stop]'),
    chart('show: downtime\nruns: [stop]'),
  ];
  const cells = parseLab(slow.join('\n'));
  const code = cells.map((c, i) => (c.kind === 'markdown' ? -1 : i)).filter((i) => i >= 0);
  const session = new LabSession(inProcessRunHost);
  const signal = new AbortController().signal;
  const ran = await session.execute(cells, code[3]!, { signal });
  assert.ok(ran.ok, JSON.stringify(ran));
  const markdown = ran.outputs.flatMap((o) => o.items).find((i) => i.mime === 'text/markdown')!.data as string;
  const row = markdown.split('\n').find((l) => l.startsWith('| db |') && l.includes('→'))!;
  assert.match(row, /unfinished at the end/);
  const cellsOf = row.split('|').map((c) => c.trim());
  assert.equal(cellsOf[9], '18 s', row);
  // Sent: the one round's share of the run, 18 s at 100 MB/s, the CPU state not (it never went).
  assert.equal(cellsOf[7], `${((18 * 100e6) / GiB).toFixed(2)} GiB`, row);
  const migrations = (await chartAt(session, cells, code[4]!)).spec as {
    layer: { data: { values: Record<string, number>[] } }[];
  };
  const [bars, marks] = migrations.layer.map((l) => l.data.values);
  assert.deepEqual(
    bars!.map((b) => [b.startS, b.endS]),
    [[2, 20]],
  );
  assert.deepEqual(
    marks!.map((m) => [m.pauseS, m.resumeS, m.downtimeS]),
    [[2, 20, 18]],
  );
  const downtime = (await chartAt(session, cells, code[5]!)).spec as { data: { values: { downtimeS: number }[] } };
  assert.deepEqual(
    downtime.data.values.map((v) => v.downtimeS),
    [18],
  );
});

async function chartAt(session: LabSession, cells: ReturnType<typeof parseLab>, index: number): Promise<ChartOutput> {
  const outcome = await session.execute(cells, index, { signal: new AbortController().signal });
  assert.ok(outcome.ok, JSON.stringify(outcome));
  return outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === CHART_MIME)!.data as ChartOutput;
}
