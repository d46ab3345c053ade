// The worker pool's bookkeeping of a cancelled run. A worker thread told to stop may still
// deliver messages it posted before: those must not reach the cancelled run (the notebook would
// show a late "Simulating …: 13 %" in place of "Cancelled."). The worker here is driven by hand,
// so a reply can arrive exactly when a real one might: after the cancel. And its warm-up
// (prepare): which workers it starts, what they run first, and that a warmed worker's results
// are those of a fresh one (real worker threads on the built dist/simWorker.node.js).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SimConfig } from '../../src/sim';
import { CancelledError } from '../../src/lab/run/runHost';
import * as path from 'node:path';
import { nodeWorkerPool } from '../../src/worker/nodeWorker';
import { WorkerPool, type SimWorker } from '../../src/worker/pool';
import { WARM_UP_JOB } from '../../src/worker/warmUp';
import type { WorkerReply } from '../../src/worker/protocol';

function handDrivenWorker() {
  let reply: (message: WorkerReply) => void = () => {};
  const worker: SimWorker & { terminated: boolean } = {
    terminated: false,
    post: () => {},
    onReply: (handler) => (reply = handler),
    onCrash: () => {},
    terminate: () => {
      worker.terminated = true;
    },
  };
  return { worker, send: (message: WorkerReply) => reply(message) };
}

test('progress a stopped worker still delivers after a cancel does not reach the cancelled run', async () => {
  const { worker, send } = handDrivenWorker();
  const pool = new WorkerPool(() => worker, 1);
  const abort = new AbortController();
  const seen: number[] = [];
  const run = pool.run({
    config: {} as SimConfig,
    signal: abort.signal,
    onProgress: (fraction) => seen.push(fraction),
  });
  send({ type: 'progress', fraction: 0.02 });
  abort.abort();
  send({ type: 'progress', fraction: 0.13 });
  await assert.rejects(run, CancelledError);
  assert.ok(worker.terminated, "the cancelled run's worker was not stopped");
  assert.deepEqual(seen, [0.02]);
});

test('prepare starts each worker the pool may use with the warm-up run, once; a run asked meanwhile waits for a warmed worker', async () => {
  const workers: (ReturnType<typeof handDrivenWorker> & { posted: unknown[] })[] = [];
  const pool = new WorkerPool(() => {
    const w = { ...handDrivenWorker(), posted: [] as unknown[] };
    w.worker.post = (job) => w.posted.push(job);
    workers.push(w);
    return w.worker;
  }, 2);
  pool.prepare();
  pool.prepare();
  assert.equal(workers.length, 2);
  for (const w of workers) assert.deepEqual(w.posted, [WARM_UP_JOB]);
  const run = pool.summarize({ config: { seed: 3 } as SimConfig, signal: new AbortController().signal });
  assert.equal(workers.length, 2, 'a third worker was started while two warmed up');
  workers[1]!.send({ type: 'summaryOnly', summary: {} as never });
  assert.equal(workers[1]!.posted.length, 2, 'the run did not go to the worker that finished warming up');
  workers[1]!.send({ type: 'summary', summary: {} as never, digest: 'd' });
  assert.equal((await run).digest, 'd');
  assert.equal(workers[0]!.posted.length, 1);
});

test('a run on workers that warmed up gives the same result, bit for bit, as on fresh ones', async () => {
  const script = path.join(import.meta.dirname, '../../dist/simWorker.node.js');
  const config: SimConfig = {
    seed: 11,
    durationNs: 300e6,
    machine: { preset: 'server-2x8' },
    policy: { name: 'linux-cfs' },
    scheduler: { kind: 'fair' },
    workload: {
      groups: [
        {
          name: 'a',
          arrival: { kind: 'poisson', ratePerS: 900 },
          demand: { kind: 'exp', meanNs: 8e6 },
          workingSetBytes: 1 << 20,
        },
      ],
    },
  };
  const signal = new AbortController().signal;
  const fresh = nodeWorkerPool(script, 1);
  const warmed = nodeWorkerPool(script, 1);
  try {
    warmed.prepare();
    const [a, b] = [await fresh.run({ config, signal }), await warmed.run({ config, signal })];
    assert.equal(b.digest, a.digest);
    assert.equal(JSON.stringify(b.summary), JSON.stringify(a.summary));
  } finally {
    fresh.dispose();
    warmed.dispose();
  }
});
