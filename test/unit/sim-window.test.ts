// The observation window against references built here, from one run observed in full: its
// event trace (arrivals, dispatches, stops, completions, migrations) and its per-process table.
// Counts are those events within the window, busy time is the traced runs clipped to it, response
// times are those of the processes completing in it. Also: a window from 0 is the run itself,
// the result does not depend on how the run is sliced, the hottest moment of a window after a
// hot start is its start, and a window the method cannot observe is refused with a reason.
import assert from 'node:assert/strict';
import test from 'node:test';
import { Simulation, simulate, SimConfigError, type SimConfig, type TraceKind } from '../../src/sim';

const MS = 1e6;
const S = 1e9;

const base: SimConfig = {
  machine: { sockets: 1, coresPerSocket: 2 },
  workload: {
    groups: [
      {
        name: 'batch',
        count: 3,
        arrival: { kind: 'fixed', atNs: 0 },
        demand: { kind: 'fixed', valueNs: 300 * MS },
        workingSetBytes: 256 * 1024,
      },
      {
        name: 'web',
        arrival: { kind: 'poisson', ratePerS: 300 },
        demand: { kind: 'exp', meanNs: 4 * MS },
        workingSetBytes: 64 * 1024,
      },
    ],
  },
  policy: { name: 'work-stealing' },
  scheduler: { kind: 'fair' },
  durationNs: 2 * S,
  seed: 3,
  maxProcessRows: 1_000_000,
  maxMigrationRows: 1_000_000,
};

const window = { startNs: 0.5 * S, endNs: 1.5 * S };

interface Traced {
  kind: TraceKind;
  t: number;
  pid: number;
  cpu: number;
}

test('a window counts the events within it and the busy time within it, as the full trace of the run shows them', () => {
  // The run observed in full up to the window's end, every event traced.
  const events: Traced[] = [];
  const full = simulate(
    { ...base, durationNs: window.endNs },
    { trace: (kind, t, pid, cpu) => events.push({ kind, t, pid, cpu }) },
  );
  const windowed = simulate({ ...base, window });
  const inWindow = (e: Traced) => e.t >= window.startNs && e.t < window.endNs;
  const count = (kind: TraceKind) => events.filter((e) => e.kind === kind && inWindow(e)).length;

  const s = windowed.summary;
  assert.deepEqual(windowed.window, { startS: 0.5, endS: 1.5 });
  assert.equal(s.simulatedS, 1);
  assert.equal(s.arrived, count('arrive'));
  assert.equal(s.completed, count('complete'));
  assert.equal(s.migrations, count('migrate'));
  assert.ok(
    s.completed > 100 && s.migrations > 0,
    `a window worth testing (${s.completed} completions, ${s.migrations} migrations)`,
  );
  assert.equal(s.unfinished, full.summary.unfinished);

  // Busy time: each traced run (dispatch until stop or completion) clipped to the window.
  const busy = [0, 0];
  const since = new Map<number, number>();
  for (const e of events) {
    if (e.kind === 'dispatch') since.set(e.cpu, e.t);
    else if ((e.kind === 'stop' || e.kind === 'complete') && since.has(e.cpu)) {
      busy[e.cpu] += Math.max(0, Math.min(e.t, window.endNs) - Math.max(since.get(e.cpu)!, window.startNs));
      since.delete(e.cpu);
    }
  }
  for (const [cpu, from] of since) busy[cpu] += Math.max(0, window.endNs - Math.max(from, window.startNs));
  assert.ok(
    Math.abs(s.meanUtilization - (busy[0] + busy[1]) / (2 * S)) < 1e-12,
    `${s.meanUtilization} vs ${(busy[0] + busy[1]) / (2 * S)}`,
  );

  // Response times: of the processes that completed within the window, from their arrival.
  const done = full.processes.filter((p) => p.state === 'completed' && p.finishS! >= 0.5 && p.finishS! < 1.5);
  assert.equal(done.length, s.completed);
  const mean = done.reduce((a, p) => a + p.responseS, 0) / done.length;
  assert.ok(Math.abs(s.meanResponseS - mean) < 1e-12, `${s.meanResponseS} vs ${mean}`);
  const sorted = done.map((p) => p.responseS).sort((a, b) => a - b);
  const p95 = sorted[Math.ceil(0.95 * sorted.length) - 1];
  assert.ok(
    Math.abs(s.p95ResponseS - p95) / p95 < 0.01,
    `p95 ${s.p95ResponseS} vs ${p95} (histogram buckets are 1 % wide)`,
  );
  assert.ok(
    Math.abs(s.makespanS - (Math.max(...done.map((p) => p.finishS!)) - 0.5)) < 1e-12,
    'makespan counts from the window start',
  );

  // The tables: migrations and processes of the window only.
  assert.deepEqual(
    windowed.migrations,
    full.migrations.filter((m) => m.timeNs >= window.startNs),
  );
  assert.deepEqual(
    windowed.processes.filter((p) => p.state === 'completed').map((p) => p.pid),
    done.map((p) => p.pid),
  );
  // The series begin at the window's first bin.
  assert.ok(
    windowed.series.startNs! >= window.startNs && windowed.series.startNs! < window.startNs + windowed.series.binNs,
  );
  assert.equal(windowed.series.startNs! + windowed.series.bins * windowed.series.binNs >= window.endNs, true);
});

test("the window's result is the same however the run is sliced; a window from 0 is the run itself", () => {
  const digests = [1, 7, 100].map((slices) => {
    const sim = new Simulation({ ...base, window });
    const step = Math.ceil(sim.endNs / slices);
    while (!sim.done) sim.advance(Math.min(sim.endNs, sim.nowNs + step));
    return sim.result().digest;
  });
  assert.deepEqual(new Set(digests).size, 1, digests.join(' '));
  const fromZero = simulate({ ...base, window: { startNs: 0, endNs: window.endNs } });
  const run = simulate({ ...base, durationNs: window.endNs });
  assert.deepEqual(fromZero.summary, run.summary);
  assert.deepEqual(fromZero.window, { startS: 0, endS: 1.5 });
});

test('energy and heat over a window: joules within it; the hottest moment of a cooling window is its start', () => {
  // Four busy cores for 0.5 s, then a trickle of short requests: the cores heat, then cool.
  const hot: SimConfig = {
    ...base,
    machine: { sockets: 1, coresPerSocket: 4, power: {}, thermal: { capacitanceJPerK: 0.02 } },
    workload: {
      groups: [
        { name: 'burn', count: 4, arrival: { kind: 'fixed', atNs: 0 }, demand: { kind: 'fixed', valueNs: 500 * MS } },
        { name: 'trickle', arrival: { kind: 'poisson', ratePerS: 20 }, demand: { kind: 'fixed', valueNs: 1 * MS } },
      ],
    },
    policy: { name: 'least-loaded' },
    durationNs: 2 * S,
  };
  const whole = simulate(hot);
  const late = simulate({ ...hot, window: { startNs: 1 * S, endNs: 2 * S } });
  const early = simulate({ ...hot, window: { startNs: 1, endNs: 1 * S } });
  const first = simulate({ ...hot, durationNs: 1 * S });
  // Joules add up over adjacent windows (up to rounding in the last digits).
  assert.ok(
    Math.abs(first.summary.energyJ! + late.summary.energyJ! - whole.summary.energyJ!) < 1e-9 * whole.summary.energyJ!,
  );
  assert.ok(Math.abs(early.summary.energyJ! - first.summary.energyJ!) < 1e-3 * first.summary.energyJ!);
  // Cooling all through the late window: its peak is the temperature at its start, below the run's peak.
  const lateBins = late.series.cpus.flatMap((c) => c.temperatureC!);
  assert.ok(
    late.summary.peakTempC! < whole.summary.peakTempC!,
    `${late.summary.peakTempC} < ${whole.summary.peakTempC}`,
  );
  assert.ok(late.summary.peakTempC! >= Math.max(...lateBins), 'the peak is no lower than any bin of the window');
  assert.ok(late.summary.peakTempC! - Math.max(...lateBins) < 1, 'and the first bins are close to it');
});

test('a window the two runs cannot show is refused, saying why', () => {
  // Everything finishes early; more work arrives only after the window starts: the run goes quiet first.
  const quiet: SimConfig = {
    ...base,
    workload: {
      groups: [
        { name: 'early', count: 2, arrival: { kind: 'fixed', atNs: 0 }, demand: { kind: 'fixed', valueNs: 10 * MS } },
        {
          name: 'late',
          count: 2,
          arrival: { kind: 'fixed', atNs: 1.2 * S },
          demand: { kind: 'fixed', valueNs: 10 * MS },
        },
      ],
    },
  };
  assert.throws(
    () => simulate({ ...quiet, window: { startNs: 1 * S, endNs: 2 * S } }),
    (e: Error) =>
      e instanceof SimConfigError && /goes quiet at 0\.0\d+ s, before the window starts at 1 s/.test(e.message),
  );
  assert.throws(
    () => simulate({ ...base, window: { startNs: 1 * S, endNs: 3 * S } }),
    (e: Error) => e instanceof SimConfigError && /ends after the run/.test(e.message),
  );
  assert.throws(
    () => simulate({ ...base, window: { startNs: 1 * S, endNs: 1 * S } }),
    (e: Error) => e instanceof SimConfigError && /must end after it starts/.test(e.message),
  );
});
