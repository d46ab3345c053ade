// The host-load chart of VM runs, through the session: its Vega-Lite spec compiles, and its
// cells are closed forms: a host whose VMs ask a constant utilisation shows their demand over
// its cores, vcpus x u / cores, in every bin; an empty host that is on shows 0; a spare that
// stays off shows no cell at all. The series is the simulator's, bounded to LOAD_BINS per host.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { drawChartSvg } from '../../src/lab/charts/draw';
import { parseLab } from '../../src/lab/document/markdown';
import { LabSession } from '../../src/lab/notebook/execute';
import { CHART_MIME, type ChartOutput } from '../../src/lab/outputs/contract';
import { simulateVmCluster, type VmClusterConfig } from '../../src/sim';
import { LOAD_BINS } from '../../src/sim';
import { inProcessRunHost } from '../../src/worker/runSimulation';

const GiB = 2 ** 30;

const LAB = (duration: string, chart: string) => `\`\`\`machine
name: box
sockets: 1
coresPerSocket: 4
\`\`\`

\`\`\`cluster
name: trio
hosts:
  - { machine: box, count: 2, ram: 32GiB }
  - { machine: box, count: 1, ram: 32GiB, name: spare, off: true }
policy: least-loaded
\`\`\`

\`\`\`vms
name: steady
placement: first-fit
migration: { consolidate: off }
vms:
  - { name: db, count: 1, vcpus: 2, ram: 4GiB, dirtyRate: 10MB/s, load: { utilization: 50% } }
  - { name: web, count: 1, vcpus: 1, ram: 2GiB, dirtyRate: 10MB/s, load: { utilization: 30% } }
\`\`\`

\`\`\`run
name: r
cluster: trio
vms: [steady]
duration: ${duration}
\`\`\`

\`\`\`chart
${chart}
\`\`\`
`;

type Cell = { run: string; host: string; startS: number; endS: number; load: number; on: number };

async function chartOf(text: string): Promise<ChartOutput> {
  const outcome = await new LabSession(inProcessRunHost).execute(parseLab(text), 4, {
    signal: new AbortController().signal,
  });
  assert.ok(outcome.ok, JSON.stringify(outcome));
  return outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === CHART_MIME)!.data as ChartOutput;
}

test('host-load: constant utilisation shows vcpus x u / cores in every bin; an empty host 0; a spare that stays off nothing', async () => {
  const output = await chartOf(LAB('60s', 'show: host-load\nruns: [r]'));
  (await import('vega-lite')).compile(output.spec as never);
  const cells = (output.spec as { data: { values: Cell[] } }).data.values;
  // Drawn, not only compiled: one rect mark per cell (an independent y per facet row drew none).
  const svg = await drawChartSvg(output.spec as never);
  assert.equal(svg.match(/aria-roledescription="rect mark"/g)?.length, cells.length);
  // 60 s in LOAD_BINS bins of ceil(60 s / LOAD_BINS).
  const binS = Math.ceil(60e9 / LOAD_BINS) / 1e9;
  const bins = Math.ceil(60 / binS);
  const of = (host: string) => cells.filter((c) => c.host === host);
  // First fit puts both VMs on host-0: (2 x 0.5 + 1 x 0.3) / 4 cores.
  assert.equal(of('host-0').length, bins);
  for (const c of of('host-0')) assert.ok(Math.abs(c.load - (2 * 0.5 + 0.3) / 4) < 1e-12, JSON.stringify(c));
  assert.equal(of('host-1').length, bins);
  for (const c of of('host-1')) assert.equal(c.load, 0);
  assert.deepEqual(of('spare-0'), []);
  for (const c of cells) assert.equal(c.on, 1);
  // The bins tile the run: each starts where the previous one ended, the last ends at 60 s.
  const row = of('host-0');
  row.forEach((c, k) => assert.ok(Math.abs(c.startS - k * binS) < 1e-9 && c.endS > c.startS));
  assert.equal(row.at(-1)!.endS, 60);
});

test("host-load's series stays LOAD_BINS long however long the run (memory flat in simulated time)", () => {
  const config = (durationNs: number): VmClusterConfig => ({
    hosts: [{ machine: { name: 'box', sockets: 1, coresPerSocket: 4 }, count: 1, ramBytes: 32 * GiB }],
    vms: [{ name: 'db', vcpus: 2, ramBytes: 4 * GiB, dirtyBytesPerS: 1e7, load: { utilization: 0.5 } }],
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fair' },
    durationNs,
    seed: 1,
  });
  for (const durationNs of [10e9, 600e9]) {
    const [host] = simulateVmCluster(config(durationNs)).hosts;
    assert.equal(host!.load.length, LOAD_BINS);
    for (const bin of host!.load) assert.ok(Math.abs(bin.load - 0.25) < 1e-12 && bin.on === 1, JSON.stringify(bin));
  }
});

test('the consolidation example: the spread run shows the trace closed form on every host, the packed run blanks the hosts it switches off', async () => {
  const text = readFileSync(join(import.meta.dirname, '../../examples/consolidation.lab.md'), 'utf8');
  const cells = parseLab(text);
  const index = cells.findIndex((c) => c.kind === 'chart' && /show: host-load/.test(c.value));
  const outcome = await new LabSession(inProcessRunHost).execute(cells, index, {
    signal: new AbortController().signal,
  });
  assert.ok(outcome.ok, JSON.stringify(outcome));
  const output = outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === CHART_MIME)!.data as ChartOutput;
  (await import('vega-lite')).compile(output.spec as never);
  const binsOf = (output.spec as { data: { values: Cell[] } }).data.values;
  // Spread: worst fit puts 3 of the 12 VMs (2 vCPUs each) on every 8-core host and nothing moves,
  // so a bin within a 120 s step of the trace [15 %, 15 %, 80 %, 15 %] shows 3 x 2 x u / 8.
  const spread = binsOf.filter((c) => c.run === 'spread');
  assert.deepEqual([...new Set(spread.map((c) => c.host))], ['host-0', 'host-1', 'host-2', 'host-3']);
  for (const c of spread) {
    const step = Math.floor(c.startS / 120);
    if (Math.floor((c.endS - 1e-9) / 120) !== step) continue; // a bin across a step boundary
    const u = [0.15, 0.15, 0.8, 0.15][step]!;
    assert.ok(Math.abs(c.load - (3 * 2 * u) / 8) < 1e-9, JSON.stringify(c));
  }
  // Packed: some host is off for a whole bin (no cell), and the hosts left carry more load.
  const packed = binsOf.filter((c) => c.run === 'packed');
  const perHost = (host: string) => packed.filter((c) => c.host === host).length;
  assert.ok(
    ['host-0', 'host-1', 'host-2', 'host-3'].some((h) => perHost(h) < LOAD_BINS),
    'a host switched off',
  );
  assert.ok(Math.max(...packed.map((c) => c.load)) > Math.max(...spread.map((c) => c.load)));
  // Consolidation packs all twelve VMs onto one host before the busy spell: its bins at its
  // start show 12 x 2 x 0.8 / 8 = 2.4 (overcommitted), until the overload policy moves VMs off.
  const atSpellStart = packed.filter((c) => c.startS === 240);
  assert.equal(atSpellStart.length, 1);
  assert.ok(Math.abs(atSpellStart[0]!.load - (12 * 2 * 0.8) / 8) < 1e-12, JSON.stringify(atSpellStart));
});
