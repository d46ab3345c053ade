// Host load of request runs (docs/model.md, "Host load"): each server's busy cores over its
// cores in LOAD_BINS bins, against closed forms. A constant stream of requests each taking
// exactly k arrival gaps keeps exactly k requests on a server, so with n cores and k <= n the
// bins show k/n; a server that fails shows 0 (and is off) from then on; the series is kept out of
// the digest, so a run's digest is what it was. Then the `host-load` chart through the session
// and the built CLI: its spec compiles and draws one rect mark per cell; mixing run kinds in one
// chart is an error at the run's name.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { drawChartSvg } from '../../src/lab/charts/draw';
import { parseLab } from '../../src/lab/document/markdown';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { LabSession } from '../../src/lab/notebook/execute';
import { CHART_MIME, type ChartOutput } from '../../src/lab/outputs/contract';
import { LOAD_BINS, simulateCluster, type ClusterConfig } from '../../src/sim';
import { digestOf } from '../../src/sim/digest';
import { inProcessRunHost } from '../../src/worker/runSimulation';
import { cli, tempDir } from './cli-helpers';

const MS = 1e6;
const S = 1e9;

/** Requests every `gapNs` from `startNs`, each `k` gaps long, on one host of `cores` cores. */
function steady(opts: {
  cores: number;
  k: number;
  gapNs: number;
  durationNs: number;
  startNs?: number;
}): ClusterConfig {
  return {
    hosts: [{ name: 'web', count: 2, machine: { sockets: 1, coresPerSocket: opts.cores, contextSwitchNs: 0 } }],
    service: {
      name: 'shop',
      arrival: { kind: 'fixed', atNs: opts.startNs ?? 0, everyNs: opts.gapNs },
      demand: { kind: 'fixed', valueNs: opts.k * opts.gapNs * 2 },
      workingSetBytes: 0,
      memoryIntensity: 0,
      // Round-robin over two servers: each gets a request every 2 gaps, each 2k gaps long: k on it.
      balancer: { policy: 'round-robin' },
    },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fcfs' },
    durationNs: opts.durationNs,
    seed: 1,
  };
}

test('a constant stream keeping k of n cores busy shows k/n in every bin after the first requests', () => {
  for (const [cores, k] of [
    [4, 3],
    [8, 8],
    [2, 1],
  ] as const) {
    const gapNs = MS;
    const durationNs = 12 * S;
    const r = simulateCluster(steady({ cores, k, gapNs, durationNs }));
    for (const s of r.servers) {
      assert.equal(s.load.length, LOAD_BINS);
      const binNs = Math.ceil(durationNs / LOAD_BINS);
      s.load.forEach((bin, b) => {
        assert.ok(Math.abs(bin.atS - (b * binNs) / S) < 1e-12);
        assert.equal(bin.on, 1);
        // The first 2k gaps fill up (the k-th request arrives at 2k - 2 gaps): every bin after is full.
        if (b > 0) assert.ok(Math.abs(bin.load - k / cores) < 1e-12, `${cores} cores, k ${k}, bin ${b}: ${bin.load}`);
      });
      // The first bin: k/n less the ramp, sum over j < k of (2k - 2j) gaps... exactly the area a
      // staircase of k requests arriving every 2 gaps misses: 2 * (0 + 1 + ... + (k - 1)) gaps
      // core-ns, plus the server's offset (server 1 starts a gap later).
      const offset = r.servers.indexOf(s) * gapNs;
      const missing = 2 * gapNs * ((k * (k - 1)) / 2) + k * offset;
      const first = (k * binNs - missing) / binNs / cores;
      assert.ok(Math.abs(s.load[0]!.load - first) < 1e-12, `${s.load[0]!.load} vs ${first}`);
    }
  }
});

test('a server that fails shows load 0, off, from its failure on; the others carry on', () => {
  const durationNs = 12 * S;
  const config: ClusterConfig = {
    ...steady({ cores: 4, k: 2, gapNs: MS, durationNs }),
    events: [{ kind: 'fail', atNs: 6 * S, host: 'web-1' }],
  };
  const r = simulateCluster(config);
  const binNs = Math.ceil(durationNs / LOAD_BINS);
  const failBin = Math.floor((6 * S) / binNs);
  const [s0, s1] = r.servers;
  for (const [b, bin] of s1!.load.entries()) {
    if (b > failBin || (b === failBin && (6 * S) % binNs === 0)) assert.deepEqual([bin.load, bin.on], [0, 0]);
    else if (b < failBin && b > 0) assert.ok(Math.abs(bin.load - 2 / 4) < 1e-12 && bin.on === 1);
  }
  // The failure is known at once: every request goes to web-0, two of them at a time, each 4 gaps long.
  for (const bin of s0!.load.slice(failBin + 2)) assert.ok(Math.abs(bin.load - 4 / 4) < 1e-12, JSON.stringify(bin));
});

test('the load series is not in the digest: a request run keeps its digest', () => {
  const r = simulateCluster(steady({ cores: 4, k: 3, gapNs: MS, durationNs: S }));
  const { digest, ...rest } = r;
  const withoutLoad = { ...rest, servers: rest.servers.map(({ load: _load, ...s }) => (void _load, s)) };
  assert.equal(digestOf(withoutLoad), digest);
});

const LAB = (chart: string) => `\`\`\`machine
name: quad
sockets: 1
coresPerSocket: 4
contextSwitch: 0ns
\`\`\`

\`\`\`cluster
name: pair
hosts:
  - { machine: quad, count: 2, name: web }
policy: least-loaded
scheduler: fcfs
events:
  - { event: fail, at: 6s, host: web-1 }
\`\`\`

\`\`\`service
name: shop
arrival: every 1ms
demand: fixed 6ms
workingSet: 0B
memoryIntensity: 0
balancer: { policy: round-robin }
\`\`\`

\`\`\`run
name: r
cluster: pair
service: shop
duration: 12s
\`\`\`

\`\`\`chart
${chart}
\`\`\`
`;

type Cell = { run: string; host: string; startS: number; endS: number; load: number; on: number };

test('host-load draws a request run: one rect per bin a server was up, 3/4 busy, web-1 blank after its failure', async () => {
  const text = LAB('show: host-load\nruns: [r]');
  const cells = parseLab(text);
  const outcome = await new LabSession(inProcessRunHost).execute(cells, cells.length - 1, {
    signal: new AbortController().signal,
  });
  assert.ok(outcome.ok, JSON.stringify(outcome));
  const output = outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === CHART_MIME)!.data as ChartOutput;
  (await import('vega-lite')).compile(output.spec as never);
  const values = (output.spec as { data: { values: Cell[] } }).data.values;
  const svg = await drawChartSvg(output.spec as never);
  assert.equal(svg.match(/aria-roledescription="rect mark"/g)?.length, values.length);
  const binS = Math.ceil(12e9 / LOAD_BINS) / S;
  const of = (host: string) => values.filter((c) => c.host === host);
  assert.equal(of('web-0').length, LOAD_BINS);
  // Every 2 ms a request of 6 ms on each server: 3 on it, of 4 cores (web-0: 6 once web-1 is out, capped at 4).
  for (const c of of('web-0').slice(1)) {
    const expected = c.endS <= 6 ? 3 / 4 : c.startS >= 6 + binS ? 1 : undefined;
    if (expected !== undefined) assert.ok(Math.abs(c.load - expected) < 1e-12, JSON.stringify(c));
  }
  const w1 = of('web-1');
  assert.equal(w1.length, Math.ceil(6 / binS));
  assert.ok(w1.every((c) => c.startS < 6));
});

test('a host-load chart of a request run and a VM run together is an error at the second run', () => {
  const text = `${LAB('show: host-load\nruns: [r, v]')
    .replace('  - { machine: quad, count: 2, name: web }', '  - { machine: quad, count: 2, name: web, ram: 16GiB }')
    .replace('events:\n  - { event: fail, at: 6s, host: web-1 }\n', '')}
\`\`\`vms
name: pool
vms:
  - { name: db, vcpus: 1, ram: 1GiB, dirtyRate: 1MB/s }
\`\`\`

\`\`\`run
name: v
cluster: pair
vms: [pool]
duration: 1s
\`\`\`
`;
  const lab = resolveLab(parseLab(text));
  const chartCell = parseLab(text).findIndex((c) => c.kind === 'chart');
  const errors = (lab.diagnostics.get(chartCell) ?? []).filter((d) => d.severity === 'error');
  assert.equal(errors.length, 1, JSON.stringify([...lab.diagnostics.entries()]));
  assert.match(errors[0]!.message, /runs of one kind; "v" is a VM run/);
  const line = parseLab(text)[chartCell]!.value.split('\n')[errors[0]!.range.start.line]!;
  assert.equal(line.slice(errors[0]!.range.start.character, errors[0]!.range.start.character + 1), 'v');
});

test('the command line: export draws the host-load chart of a request run as an inline SVG of rect marks', () => {
  const dir = tempDir('request-load');
  const file = join(dir, 'load.lab.md');
  writeFileSync(file, LAB('show: host-load\nruns: [r]'));
  const html = join(dir, 'report.html');
  const r = cli(['export', file, '--out', html]);
  assert.equal(r.code, 0, r.stderr);
  const text = readFileSync(html, 'utf8');
  assert.equal(text.match(/<svg/g)?.length, 1);
  // web-0 up the whole run, web-1 until its failure at 6 s: one rect per bin each was up.
  const binS = Math.ceil(12e9 / LOAD_BINS) / S;
  assert.equal(text.match(/aria-roledescription="rect mark"/g)?.length, LOAD_BINS + Math.ceil(6 / binS));
});
