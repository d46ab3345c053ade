/**
 * Simulation.summary(), which builds no tables, series or digest, is the summary of the result,
 * for any configuration, with and without an observation window (and refuses the windows the
 * result refuses); the run ends there, and its result can still be asked for. A worker asked
 * for the summary alone sends exactly that, and no digest.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Simulation, simulate, SimConfigError, type SimConfig, type SimOptions } from '../../src/sim/index';
import { handleRun } from '../../src/worker/handleRun';
import type { WorkerReply } from '../../src/worker/protocol';
import { chaos, configArb } from './sim-arbitraries';

const optionsOf = (config: SimConfig): SimOptions => (config.policy.name === 'chaos' ? { policy: chaos } : {});

/** The config itself, or with a window inside its run (from 0, or from a third of it). */
const withWindow = fc.tuple(configArb, fc.constantFrom('none', 'from 0', 'late')).map(([config, window]): SimConfig => {
  if (window === 'none') return config;
  const startNs = window === 'from 0' ? 0 : Math.floor(config.durationNs / 3);
  return { ...config, window: { startNs, endNs: config.durationNs } };
});

/** The run to its end, read by `read`; a refused window as its error. */
function finished<T>(config: SimConfig, read: (s: Simulation) => T): T | SimConfigError {
  try {
    const simulation = new Simulation(config, optionsOf(config));
    simulation.advance(simulation.endNs);
    return read(simulation);
  } catch (error) {
    if (error instanceof SimConfigError) return error;
    throw error;
  }
}

test("summary() is the result's summary, windows and refused windows included", () => {
  let windows = 0;
  fc.assert(
    fc.property(withWindow, (config) => {
      const summary = finished(config, (s) => s.summary());
      const reference = finished(config, (s) => s.result().summary);
      if (reference instanceof SimConfigError) {
        assert.ok(summary instanceof SimConfigError, 'summary() refuses the window the result refuses');
        assert.equal(summary.message, reference.message);
        return;
      }
      if (config.window) windows++;
      assert.deepEqual(summary, reference);
    }),
    { numRuns: 150 },
  );
  assert.ok(windows > 30, `windows were tried (${windows})`);
});

test('after summary() the run is over: advance() does nothing, and the result is the whole run', () => {
  fc.assert(
    fc.property(withWindow, (config) => {
      let reference;
      try {
        reference = simulate(config, optionsOf(config));
      } catch (error) {
        if (error instanceof SimConfigError) return;
        throw error;
      }
      const simulation = new Simulation(config, optionsOf(config));
      simulation.advance(simulation.endNs);
      const summary = simulation.summary();
      simulation.advance(simulation.endNs + 1e9);
      const result = simulation.result();
      assert.deepEqual(result.summary, summary);
      assert.equal(result.digest, reference.digest);
      assert.deepEqual(simulation.summary(), summary);
    }),
    { numRuns: 60 },
  );
});

test('a worker asked for the summary alone sends it without a digest; asked for the summary, with it', async () => {
  const config: SimConfig = {
    machine: { sockets: 1, coresPerSocket: 4, power: {}, thermal: {} },
    workload: {
      groups: [{ name: 'web', arrival: { kind: 'poisson', ratePerS: 500 }, demand: { kind: 'exp', meanNs: 4e6 } }],
    },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fair' },
    durationNs: 5e8,
    seed: 4,
  };
  const reference = simulate(config);
  const replies: WorkerReply[] = [];
  for (const reply of ['summaryOnly', 'summary'] as const)
    await handleRun({ kind: 'simulate', config, reply, progress: false }, (r) => replies.push(r));
  assert.deepEqual(replies, [
    { type: 'summaryOnly', summary: reference.summary },
    { type: 'summary', summary: reference.summary, digest: reference.digest },
  ]);
});
