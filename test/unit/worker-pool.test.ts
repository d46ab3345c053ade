// The worker pool's bookkeeping of a cancelled run. A worker thread told to stop may still
// deliver messages it posted before: those must not reach the cancelled run (the notebook would
// show a late "Simulating …: 13 %" in place of "Cancelled."). The worker here is driven by hand,
// so a reply can arrive exactly when a real one might: after the cancel.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SimConfig } from '../../src/sim';
import { CancelledError } from '../../src/lab/run/runHost';
import { WorkerPool, type SimWorker } from '../../src/worker/pool';
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
