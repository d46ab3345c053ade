// The host-temperature chart of VM runs with a hotspot policy (src/lab/charts/hostLoad.ts) and
// the series it draws (VmHostResult.thermal.series, src/sim/cluster/vm-hotspot.ts):
// - a host at constant power P from the inlet temperature has theta(t) = P R (1 - e^{-t/tau}),
//   tau = R C, so its mean over a bin [a, b] is Ta + P R - P R tau (e^{-a/tau} - e^{-b/tau}) / (b - a),
//   exactly, whatever the instants the cluster stops at inside the bin;
// - through the session the chart compiles and draws one rect per host and bin, the same
//   numbers; a run without a hotspot policy is a chart error that says what to add.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drawChartSvg } from '../../src/lab/charts/draw';
import { parseLab } from '../../src/lab/document/markdown';
import { LabSession } from '../../src/lab/notebook/execute';
import { CHART_MIME, type ChartOutput } from '../../src/lab/outputs/contract';
import { LOAD_BINS, simulateVmCluster } from '../../src/sim';
import { inProcessRunHost } from '../../src/worker/runSimulation';

const S = 1e9;
const GiB = 2 ** 30;
const [IDLE, PEAK, R, C, TA] = [100, 200, 0.34, 340, 25];

test('a host at constant power: each bin is the mean of the RC step response over it, exactly', () => {
  const durationNs = 600 * S;
  const r = simulateVmCluster({
    hosts: [
      {
        count: 2,
        machine: { sockets: 1, coresPerSocket: 4, contextSwitchNs: 0 },
        ramBytes: 64 * GiB,
        power: { idleW: IDLE, peakW: PEAK },
      },
    ],
    // One VM of 2 vCPUs at 50 % on host-0 (first fit): 1 core of 4 busy, P = 125 W; host-1 idle at 100 W.
    vms: [{ name: 'a', vcpus: 2, ramBytes: GiB, dirtyBytesPerS: 0, load: { utilization: 0.5 } }],
    migration: { overload: 'none', checkIntervalNs: 10 * S, hotspot: { thresholdC: 90, migrate: 'off' } },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'rr', quantumNs: 1e6 },
    durationNs,
    seed: 1,
  });
  const tau = R * C;
  const binS = Math.ceil(durationNs / LOAD_BINS) / S;
  for (const [h, P] of [
    [0, IDLE + (PEAK - IDLE) / 4],
    [1, IDLE],
  ] as const) {
    const series = r.hosts[h]!.thermal!.series;
    assert.equal(series.length, LOAD_BINS);
    series.forEach((bin, k) => {
      const [a, b] = [k * binS, Math.min((k + 1) * binS, 600)];
      assert.ok(Math.abs(bin.atS - a) < 1e-9);
      const expected = TA + P * R - (P * R * tau * (Math.exp(-a / tau) - Math.exp(-b / tau))) / (b - a);
      assert.ok(Math.abs(bin.temperatureC - expected) < 1e-9, `host-${h} bin ${k}: ${bin.temperatureC} vs ${expected}`);
    });
  }
});

const LAB = (migration: string) => `\`\`\`machine
name: box
sockets: 1
coresPerSocket: 4
\`\`\`

\`\`\`cluster
name: trio
hosts:
  - { machine: box, count: 3, ram: 32GiB }
policy: least-loaded
\`\`\`

\`\`\`vms
name: busy
migration: { overload: none${migration} }
vms:
  - { name: a, count: 3, vcpus: 1, ram: 2GiB, dirtyRate: 10MB/s, load: { utilization: 100% } }
\`\`\`

\`\`\`run
name: r
cluster: trio
vms: [busy]
duration: 300s
\`\`\`

\`\`\`chart
show: host-temperature
runs: [r]
\`\`\`
`;

async function chartOutcome(text: string) {
  return new LabSession(inProcessRunHost).execute(parseLab(text), 4, { signal: new AbortController().signal });
}

test('host-temperature through the session: one rect per host and bin, the series of the run', async () => {
  const text = LAB(', hotspot: { threshold: 70C }');
  const outcome = await chartOutcome(text);
  assert.ok(outcome.ok, JSON.stringify(outcome));
  const output = outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === CHART_MIME)!.data as ChartOutput;
  (await import('vega-lite')).compile(output.spec as never);
  const cells = (output.spec as { data: { values: { host: string; temperatureC: number }[] } }).data.values;
  assert.equal(cells.length, 3 * LOAD_BINS);
  const svg = await drawChartSvg(output.spec as never);
  assert.equal(svg.match(/aria-roledescription="rect mark"/g)?.length, cells.length);
  // The same numbers as the simulator's series, host by host; the hot host-0 is the warmest at first.
  const { resolveLab } = await import('../../src/lab/language/resolveLab');
  const direct = simulateVmCluster(resolveLab(parseLab(text)).vmRuns[0]!.config);
  direct.hosts.forEach((h) =>
    assert.deepEqual(
      cells.filter((c) => c.host === h.host).map((c) => c.temperatureC),
      h.thermal!.series.map((b) => b.temperatureC),
    ),
  );
  assert.ok(cells[10]!.temperatureC > cells[LOAD_BINS + 10]!.temperatureC);
});

test('host-temperature of a run without a hotspot policy says what to add', async () => {
  const outcome = await chartOutcome(LAB(''));
  assert.ok(!outcome.ok && !outcome.cancelled);
  assert.match(outcome.message, /Run r has no host temperatures: give its vms cell a hotspot policy/);
});
