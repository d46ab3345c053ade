// The timeline log (src/sim/timeline.ts) against references built here: a two-process schedule
// worked by hand, the engine's own accounting of every process (run, stall, wait and sleep time
// in the per-process table) and of every CPU (busy time in the series), and the full log of the
// same run for a log that was cut or observes a window. Also: recording it changes nothing else
// in the result (not the digest), and it does not depend on how the run is sliced.
import assert from 'node:assert/strict';
import test from 'node:test';
import { Simulation, simulate, type SimConfig, type SimResult, type TimelineLog } from '../../src/sim';

const MS = 1e6;
const S = 1e9;

const mixed: SimConfig = {
  machine: { sockets: 1, coresPerSocket: 4 },
  workload: {
    groups: [
      {
        name: 'batch',
        count: 6,
        arrival: { kind: 'fixed', atNs: 0 },
        demand: { kind: 'fixed', valueNs: 200 * MS },
        workingSetBytes: 256 * 1024,
      },
      {
        name: 'io',
        count: 4,
        arrival: { kind: 'fixed', atNs: 0 },
        demand: { kind: 'fixed', valueNs: 150 * MS },
        phases: { computeNs: { kind: 'exp', meanNs: 3 * MS }, sleepNs: { kind: 'exp', meanNs: 5 * MS } },
      },
      { name: 'web', arrival: { kind: 'poisson', ratePerS: 200 }, demand: { kind: 'exp', meanNs: 3 * MS } },
    ],
  },
  policy: { name: 'work-stealing' },
  scheduler: { kind: 'fair' },
  durationNs: 1 * S,
  seed: 5,
  maxProcessRows: 1_000_000,
  maxMigrationRows: 1_000_000,
};

interface Span {
  state: string;
  pid: number;
  cpu: number;
  startNs: number;
  endNs: number;
}

function spansOf(log: TimelineLog): Span[] {
  const s = log.spans;
  return s.pid.map((pid, i) => ({
    state: s.state[i]!,
    pid,
    cpu: s.cpu[i]!,
    startNs: s.startNs[i]!,
    endNs: s.endNs[i]!,
  }));
}

const key = (s: Span) => `${s.state} ${s.pid} ${s.cpu} ${s.startNs} ${s.endNs}`;
const sorted = (spans: Span[]) => spans.map(key).sort();

function total(spans: Span[], state: string, pid: number): number {
  return spans.filter((s) => s.state === state && s.pid === pid).reduce((sum, s) => sum + (s.endNs - s.startNs), 0);
}

test('two processes on one CPU: the log is the schedule worked by hand', () => {
  // FCFS, one CPU: A (10 ms) runs first, B (5 ms) waits until A completes, then runs. Every
  // dispatch costs the context switch; A's completion and B's are in the per-process table.
  const r = simulate({
    machine: { sockets: 1, coresPerSocket: 1 },
    workload: {
      groups: [
        { name: 'a', arrival: { kind: 'fixed', atNs: 0 }, demand: { kind: 'fixed', valueNs: 10 * MS } },
        { name: 'b', arrival: { kind: 'fixed', atNs: 1 * MS }, demand: { kind: 'fixed', valueNs: 5 * MS } },
      ],
    },
    policy: { name: 'pinned' },
    scheduler: { kind: 'fcfs' },
    durationNs: 1 * S,
    seed: 1,
    timelineSegments: 100,
  });
  const [a, b] = r.processes;
  const aEnd = a!.finishS! * S;
  const bEnd = b!.finishS! * S;
  assert.deepEqual(
    spansOf(r.timeline!).map(key).sort(),
    [
      key({ state: 'run', pid: 0, cpu: 0, startNs: 0, endNs: aEnd }),
      key({ state: 'wait', pid: 1, cpu: 0, startNs: 1 * MS, endNs: aEnd }),
      key({ state: 'run', pid: 1, cpu: 0, startNs: aEnd, endNs: bEnd }),
    ].sort(),
  );
  assert.ok(aEnd >= 10 * MS && bEnd >= aEnd + 5 * MS);
  assert.deepEqual(
    { fromNs: r.timeline!.fromNs, toNs: r.timeline!.toNs, cut: r.timeline!.cut },
    { fromNs: 0, toNs: bEnd, cut: false },
  );
});

test("every process's run, wait and sleep spans add up to the engine's own accounting of it", () => {
  const r = simulate({ ...mixed, timelineSegments: 1_000_000 });
  const spans = spansOf(r.timeline!);
  assert.equal(r.timeline!.cut, false);
  assert.ok(spans.length > 1_000, `a log worth testing (${spans.length} spans)`);
  assert.ok(r.summary.migrations > 10 && spans.some((s) => s.state === 'sleep'), 'moves and sleeps happen');
  const close = (actual: number, expected: number, what: string) =>
    assert.ok(
      Math.abs(actual - expected) <= 1e-6 * Math.max(1, expected) + 2,
      `${what}: ${actual} ns, the table says ${expected} ns`,
    );
  for (const p of r.processes) {
    // Time on a CPU, the stalls on misses included (they are part of runS).
    close(total(spans, 'run', p.pid), p.runS * S, `process ${p.pid} ran`);
    close(total(spans, 'wait', p.pid), p.waitS * S, `process ${p.pid} waited`);
    close(total(spans, 'sleep', p.pid), p.sleepS * S, `process ${p.pid} slept`);
  }
  // A CPU runs one process at a time: its run spans never overlap, and add up to its busy time.
  for (const cpu of r.series.cpus) {
    const runs = spans.filter((s) => s.state === 'run' && s.cpu === cpu.cpu).sort((x, y) => x.startNs - y.startNs);
    for (let i = 1; i < runs.length; i++)
      assert.ok(runs[i]!.startNs >= runs[i - 1]!.endNs, `CPU ${cpu.cpu} runs two processes at ${runs[i]!.startNs} ns`);
    // Utilisation is busy time over the bin's width; the last bin ends with the run.
    const endNs = r.summary.simulatedS * S;
    const busy = cpu.utilization.reduce(
      (sum, u, b) => sum + u * Math.min(r.series.binNs, endNs - b * r.series.binNs),
      0,
    );
    close(
      runs.reduce((sum, s) => sum + s.endNs - s.startNs, 0),
      busy,
      `CPU ${cpu.cpu} busy`,
    );
  }
});

test("the log's moves are the run's migrations, each with the hook that decided it and the loads it saw", () => {
  const r = simulate({ ...mixed, timelineSegments: 1_000_000 });
  const m = r.timeline!.moves;
  assert.deepEqual(
    m.pid.map((pid, i) => [m.timeNs[i], pid, m.from[i], m.to[i], m.reason[i]]),
    r.migrations.map((row) => [row.timeNs, row.pid, row.from, row.to, row.reason]),
  );
  // Work stealing (src/sim/policies/balancing.ts): a CPU with nothing to run (load 0), when it
  // runs dry (onIdle) or at its periodic retry (balance), takes a waiting process from a CPU
  // whose queue has one (load >= 1).
  assert.ok(m.pid.length > 10);
  m.hook.forEach((hook, i) => {
    assert.ok(hook === 'onIdle' || hook === 'balance', `move ${i}: decided by ${hook}`);
    assert.equal(m.toLoad[i], 0, `move ${i}: the thief was idle`);
    assert.ok(m.fromLoad[i]! >= 1, `move ${i}: the victim had ${m.fromLoad[i]} processes`);
  });
  assert.ok(m.hook.includes('onIdle'), 'a CPU that ran dry stole');
  const counts = new Map<string, number>();
  for (const h of m.hook) counts.set(h, (counts.get(h) ?? 0) + 1);
  console.log(
    `      hooks: ${[...counts].map(([h, n]) => `${h} ${n}`).join(', ')}; victim loads ${Math.min(...m.fromLoad)}-${Math.max(...m.fromLoad)}`,
  );
});

test('recording the log changes nothing else in the result, not its digest', () => {
  const without = simulate(mixed);
  const { timeline, ...rest } = simulate({ ...mixed, timelineSegments: 5_000 });
  assert.equal(without.timeline, undefined);
  assert.ok(timeline && timeline.spans.pid.length > 0);
  assert.deepEqual(rest, without);
});

test('a full log stops at a cut: it lists the full log up to the cut, clipped, and nothing after', () => {
  const full = simulate({ ...mixed, timelineSegments: 1_000_000 }).timeline!;
  const log = simulate({ ...mixed, timelineSegments: 300 }).timeline!;
  assert.equal(log.cut, true);
  assert.ok(log.toNs > 0 && log.toNs < full.toNs);
  const expected = spansOf(full)
    .filter((s) => s.startNs < log.toNs)
    .map((s) => ({ ...s, endNs: Math.min(s.endNs, log.toNs) }));
  assert.deepEqual(sorted(spansOf(log)), sorted(expected));
  // At most the cap plus the processes alive at the cut (those still open there).
  const aliveAtCut = new Set(expected.filter((s) => s.endNs === log.toNs).map((s) => s.pid)).size;
  assert.ok(log.spans.pid.length <= 300 + aliveAtCut, `${log.spans.pid.length} spans kept`);
});

test("a window's log is the run's log clipped to the window", () => {
  const window = { startNs: 300 * MS, endNs: 700 * MS };
  const full = simulate({ ...mixed, durationNs: window.endNs, timelineSegments: 1_000_000 }).timeline!;
  const log = simulate({ ...mixed, window, timelineSegments: 1_000_000 }).timeline!;
  assert.deepEqual(
    { fromNs: log.fromNs, toNs: log.toNs, cut: log.cut },
    { fromNs: window.startNs, toNs: window.endNs, cut: false },
  );
  const expected = spansOf(full)
    .filter((s) => s.endNs > window.startNs)
    .map((s) => ({ ...s, startNs: Math.max(s.startNs, window.startNs) }));
  assert.deepEqual(sorted(spansOf(log)), sorted(expected));
});

test('the log does not depend on how the run is sliced', () => {
  const whole = simulate({ ...mixed, timelineSegments: 2_000 });
  const sim = new Simulation({ ...mixed, timelineSegments: 2_000 });
  for (let t = 7_777_777; t < sim.endNs; t += 13_131_313) sim.advance(t);
  sim.advance(sim.endNs);
  const sliced: SimResult = sim.result();
  assert.deepEqual(sliced.timeline, whole.timeline);
});
