// The run budget, enforced by the pool on both kinds of Node workers: worker threads (the
// editor) and worker processes (the command line). A run over its CPU time or its memory has
// its worker stopped and fails with the limit it hit; the pool goes on with the next run.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { RunLimitError } from '../../src/lab/run/runHost';
import type { SimConfig } from '../../src/sim/index';
import { nodeWorkerPool } from '../../src/worker/nodeWorker';
import type { WorkerPool } from '../../src/worker/pool';
import { processWorkerPool } from '../../src/worker/processWorker';
import { REPO } from './cli-helpers';

const SCRIPT = join(REPO, 'src', 'cli', 'simWorker.dev.cjs');

const config = (groups: SimConfig['workload']['groups'], durationNs: number): SimConfig => ({
  machine: { preset: 'laptop-4' },
  workload: { groups },
  policy: { name: 'least-loaded' },
  scheduler: { kind: 'fair' },
  durationNs,
  seed: 1,
});

/** Requests for ever, for eleven simulated days: far more work than any limit allows. */
const ENDLESS = config(
  [{ name: 'storm', arrival: { kind: 'poisson', ratePerS: 100_000 }, demand: { kind: 'exp', meanNs: 10_000 } }],
  1e15,
);
/** A million processes at once: more memory than a small heap holds. */
const HUGE = config([{ name: 'crowd', count: 1_000_000, demand: { kind: 'fixed', valueNs: 1e9 } }], 1e9);
const SMALL = config([{ name: 'few', count: 4, demand: { kind: 'fixed', valueNs: 1e6 } }], 1e8);

async function limits(pool: WorkerPool, kind: string): Promise<void> {
  const signal = new AbortController().signal;
  try {
    await assert.rejects(pool.run({ config: ENDLESS, signal }), (e: unknown) => {
      assert.ok(e instanceof RunLimitError, `${kind}: ${String(e)}`);
      assert.equal(e.limit, 'cpu');
      assert.match(e.message, /it ran past its CPU-time limit of 3 s per run, so its worker was stopped/);
      return true;
    });
    await assert.rejects(pool.run({ config: HUGE, signal }), (e: unknown) => {
      assert.ok(e instanceof RunLimitError, `${kind}: ${String(e)}`);
      assert.equal(e.limit, 'memory');
      assert.match(e.message, /it used more than its memory limit of 96 MB per run, so its worker was stopped/);
      return true;
    });
    // The next run gets a fresh worker and finishes.
    const result = await pool.run({ config: SMALL, signal });
    assert.equal(result.summary.completed, 4);
  } finally {
    pool.dispose();
  }
}

test('worker threads (the editor): CPU time and memory per run', async () => {
  await limits(nodeWorkerPool(SCRIPT, 1, { cpuMs: 3000, memoryMb: 96 }), 'thread');
});

test('worker processes (the command line): CPU time and memory per run', async () => {
  await limits(processWorkerPool(SCRIPT, 1, { cpuMs: 3000, memoryMb: 96 }), 'process');
});
