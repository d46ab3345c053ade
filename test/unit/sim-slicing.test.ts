/**
 * A run's result is a function of the lab and the seed alone: the same digest however it is
 * sliced for progress, cancellation or workers, in simulate(), the workers' loop and the command
 * line; a closed run ends at its last completion whatever `duration` says.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseLab } from '../../src/lab/document/markdown';
import { resolveLab } from '../../src/lab/language/resolveLab';
import {
  POLICY_INFO,
  POLICY_NAMES,
  resolveMachine,
  Rng,
  Simulation,
  simulate,
  type SimConfig,
  type SimOptions,
  type SimResult,
} from '../../src/sim/index';
import { runInSlices } from '../../src/worker/runSimulation';
import { cli, REPO, tempDir } from './cli-helpers';
import { chaos, configArb, isClosed } from './sim-arbitraries';

const SLICES = [1, 7, 50, 100, 1000];

/** Advances in `slices` equal steps of simulated time, as the workers and the CLI do. */
function sliced(config: SimConfig, slices: number, options: SimOptions = {}): SimResult {
  const sim = new Simulation(config, options);
  const step = Math.max(1, Math.ceil(sim.endNs / slices));
  while (!sim.done) sim.advance(Math.min(sim.endNs, sim.nowNs + step));
  return sim.result();
}

/** The policies with a periodic balance tick. */
const BALANCING = new Set([
  'chaos',
  ...POLICY_NAMES.filter(
    (name) =>
      POLICY_INFO[name].factory({ machine: resolveMachine({}), params: {}, rng: new Rng(1, 'policy'), path: 'policy' })
        .balanceIntervalNs !== undefined,
  ),
]);

/** What a configuration exercises beyond processes: counted, so the properties are seen to reach it. */
function features(config: SimConfig, s: SimResult['summary']) {
  const m = config.machine;
  return {
    throttled: (s.throttledS ?? 0) > 0,
    energy: s.energyJ !== undefined,
    governorTicks: m.governor === 'ondemand' || m.governor === 'schedutil',
    balanceTicks: BALANCING.has(config.policy.name),
    events: (m.events?.length ?? 0) > 0 && (s.failures! > 0 || s.evacuations! > 0),
  };
}

type Counts = Record<keyof ReturnType<typeof features>, number>;
const count = (counts: Counts, seen: ReturnType<typeof features>) => {
  for (const key of Object.keys(counts) as (keyof Counts)[]) if (seen[key]) counts[key]++;
};

test('property: any configuration, power, heat, DVFS governor and machine events included, gives the same digest in 1, 7, 50, 100 or 1000 slices', (t) => {
  const counts: Counts = { throttled: 0, energy: 0, governorTicks: 0, balanceTicks: 0, events: 0 };
  fc.assert(
    fc.property(configArb, (config) => {
      const options: SimOptions = config.policy.name === 'chaos' ? { policy: chaos } : {};
      const results = SLICES.map((n) => sliced(config, n, options));
      assert.deepEqual(
        results.map((r) => r.digest),
        SLICES.map(() => results[0]!.digest),
        'one digest for every slicing',
      );
      assert.equal(simulate(config, options).digest, results[0]!.digest);
      count(counts, features(config, results[0]!.summary));
    }),
    { numRuns: 150, seed: 20261124, includeErrorInReport: true },
  );
  // The generator reaches throttling, energy, governor and balance ticks, and machine events.
  t.diagnostic(`runs with: ${JSON.stringify(counts)}`);
  for (const [feature, n] of Object.entries(counts)) assert.ok(n >= 20, `only ${n} runs with ${feature}`);
});

/** The same machine, policy and scheduler with a closed workload (every group counted, no periodic tasks) and room to finish. */
const closedArb = configArb.map((config): SimConfig => {
  const groups = config.workload.groups
    .filter((g) => g.periodic === undefined && g.taskSet === undefined)
    .map((g) => (isClosed({ ...config, workload: { groups: [g] } }) ? g : { ...g, count: 5 }));
  return { ...config, workload: { groups: groups.length > 0 ? groups : [{ name: 'one', count: 3 }] }, durationNs: 5e9 };
});

/**
 * Energy and temperature are integrated bin by bin (each bin gets its exact share), and the bins
 * are as wide as the time limit makes them: a longer limit adds the same energy in other pieces,
 * equal to rounding (the thermal test below allows 1e-9 too; 1e-300 absorbs subnormal figures
 * such as a static power of 4e-323 W). Everything else is exactly equal.
 */
const INTEGRATED = new Set(['energyJ', 'energyByCpuJ', 'dramEnergyJ', 'edpJs', 'peakTempC', 'meanTempC']);

function assertSameSummary(actual: SimResult['summary'], expected: SimResult['summary']): void {
  const close = (a: unknown, b: unknown): boolean =>
    Array.isArray(a) && Array.isArray(b)
      ? a.length === b.length && a.every((x, i) => close(x, b[i]))
      : typeof a === 'number' &&
        typeof b === 'number' &&
        Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-300;
  const exact = (s: SimResult['summary']) =>
    Object.fromEntries(Object.entries(s).filter(([key]) => !INTEGRATED.has(key)));
  assert.deepEqual(exact(actual), exact(expected));
  for (const key of INTEGRATED) {
    const [a, b] = [actual, expected].map((x) => (x as unknown as Record<string, unknown>)[key]);
    assert.ok(a === b || close(a, b), `${key}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
}

test('property: a closed run ends at its last completion whatever the duration and the slicing, with thermal crossings, governor ticks, balance ticks and machine events pending', (t) => {
  let finished = 0;
  const counts: Counts = { throttled: 0, energy: 0, governorTicks: 0, balanceTicks: 0, events: 0 };
  fc.assert(
    fc.property(closedArb, fc.constantFrom(...SLICES), (config, slices) => {
      const options: SimOptions = config.policy.name === 'chaos' ? { policy: chaos } : {};
      const r = sliced(config, slices, options);
      const s = r.summary;
      // Long sleep phases, or CPUs that failed, may keep work from finishing even in 5 s: such a run ends at its time limit, as it should.
      if (s.unfinished > 0) return assert.equal(s.simulatedS, config.durationNs / 1e9);
      finished++;
      assert.equal(s.simulatedS, s.makespanS);
      // A longer time limit changes nothing but the width of the series' bins, which start from it.
      const longer = sliced({ ...config, durationNs: config.durationNs * 20 }, slices, options);
      assert.equal(longer.summary.simulatedS, s.simulatedS);
      assertSameSummary(longer.summary, s);
      count(counts, features(config, s));
    }),
    { numRuns: 150, seed: 20261125, includeErrorInReport: true },
  );
  t.diagnostic(`${finished} finished runs, with: ${JSON.stringify(counts)}`);
  assert.ok(finished >= 100, `only ${finished} runs finished their work`);
  for (const [feature, n] of Object.entries(counts)) assert.ok(n >= 20, `only ${n} finished runs with ${feature}`);
});

test('a closed run with a thermal crossing pending ends at its last completion with duration 7 s, 10 s or 100 s, however sliced', () => {
  // Two 3 s burners on two cores that throttle: when they finish, a cooling crossing is pending.
  const config = (durationNs: number): SimConfig => ({
    machine: {
      sockets: 1,
      coresPerSocket: 2,
      power: { idleStates: [] },
      thermal: { resistanceKPerW: 20, throttleC: 80 },
    },
    workload: { groups: [{ name: 'burn', count: 2, demand: { kind: 'fixed', valueNs: 3e9 }, workingSetBytes: 0 }] },
    policy: { name: 'pinned' },
    scheduler: { kind: 'fair' },
    durationNs,
    seed: 1,
  });
  const reference = simulate(config(7e9)).summary;
  assert.ok(reference.throttledS! > 1, 'the cores throttle');
  assert.equal(reference.simulatedS, reference.makespanS);
  for (const durationNs of [7e9, 10e9, 100e9]) {
    for (const slices of [1, 100]) {
      const s = sliced(config(durationNs), slices).summary;
      assert.equal(s.simulatedS, reference.simulatedS, `${durationNs / 1e9} s in ${slices} slices`);
      assert.equal(s.throttledS, reference.throttledS);
      assert.ok(Math.abs(s.energyJ! - reference.energyJ!) <= 1e-9 * reference.energyJ!);
    }
  }
});

test('balance ticks do not stretch a closed run: periodic-push on a machine busy throughout reports full utilisation', () => {
  const s = simulate({
    machine: { sockets: 1, coresPerSocket: 4 },
    workload: { groups: [{ name: 'w', count: 8, demand: { kind: 'fixed', valueNs: 50e6 } }] },
    policy: { name: 'periodic-push', params: { interval: 40e6 } },
    scheduler: { kind: 'fair' },
    durationNs: 10e9,
    seed: 1,
  }).summary;
  assert.equal(s.simulatedS, s.makespanS);
  assert.ok(s.meanUtilization > 0.999, `utilisation ${s.meanUtilization}`);
});

const HEAT = join(REPO, 'examples', 'heat.lab.md');

test('examples/heat.lab.md: the same digests through simulate(), the workers in 1 to 1000 slices, and the command line', async () => {
  const lab = resolveLab(parseLab(readFileSync(HEAT, 'utf8')));
  assert.ok(lab.runs.length >= 2);
  const expected = new Map(lab.runs.map((run) => [run.name, simulate(run.config).digest]));
  for (const run of lab.runs) {
    for (const slices of SLICES) {
      const r = await runInSlices({ config: run.config }, slices, () => {});
      assert.equal(r.digest, expected.get(run.name), `${run.name} in ${slices} slices`);
    }
  }
  // The command line runs the lab in worker threads (the built one when there is one, as users run it).
  const dir = tempDir('slicing');
  const copy = join(dir, 'heat.lab.md');
  cpSync(HEAT, copy);
  const built = join(REPO, 'dist', 'cli.js');
  const out = cli(['run', copy, '--json'], existsSync(built) ? { entry: built } : {});
  assert.equal(out.code, 0, out.stderr);
  const runs = (JSON.parse(out.stdout) as { runs: { name: string; digest: string }[] }).runs;
  assert.deepEqual(new Map(runs.map((r) => [r.name, r.digest])), expected);
});
