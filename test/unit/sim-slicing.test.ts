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
import { Simulation, simulate, type SimConfig, type SimOptions, type SimResult } from '../../src/sim/index';
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

test('property: any configuration gives the same digest in 1, 7, 50, 100 or 1000 slices', () => {
  fc.assert(
    fc.property(configArb, (config) => {
      const options: SimOptions = config.policy.name === 'chaos' ? { policy: chaos } : {};
      const digests = SLICES.map((n) => sliced(config, n, options).digest);
      assert.deepEqual(
        digests,
        SLICES.map(() => digests[0]),
        'one digest for every slicing',
      );
      assert.equal(simulate(config, options).digest, digests[0]);
    }),
    { numRuns: 60, seed: 20261124, includeErrorInReport: true },
  );
});

/** The same machine, policy and scheduler with a closed workload (every group counted, no periodic tasks) and room to finish. */
const closedArb = configArb.map((config): SimConfig => {
  const groups = config.workload.groups
    .filter((g) => g.periodic === undefined && g.taskSet === undefined)
    .map((g) => (isClosed({ ...config, workload: { groups: [g] } }) ? g : { ...g, count: 5 }));
  return { ...config, workload: { groups: groups.length > 0 ? groups : [{ name: 'one', count: 3 }] }, durationNs: 5e9 };
});

test('property: a closed run ends at its last completion whatever the duration and the slicing', () => {
  let finished = 0;
  fc.assert(
    fc.property(closedArb, fc.constantFrom(...SLICES), (config, slices) => {
      const options: SimOptions = config.policy.name === 'chaos' ? { policy: chaos } : {};
      const r = sliced(config, slices, options);
      const s = r.summary;
      // Long sleep phases may not fit even 5 s: such a run ends at its time limit, as it should.
      if (s.unfinished > 0) return assert.equal(s.simulatedS, config.durationNs / 1e9);
      finished++;
      assert.equal(s.simulatedS, s.makespanS);
      // A longer time limit changes nothing but the width of the series' bins, which start from it.
      const longer = sliced({ ...config, durationNs: config.durationNs * 20 }, slices, options);
      assert.deepEqual(longer.summary, s);
    }),
    { numRuns: 60, seed: 20261125, includeErrorInReport: true },
  );
  assert.ok(finished >= 30, `only ${finished} runs finished their work`);
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
