// Simulation workers as Node worker threads (extension host on the desktop, and the CLI).
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { SimWorker } from './pool';
import { WorkerPool } from './pool';
import type { WorkerReply } from './protocol';

export function nodeWorker(script: string): SimWorker {
  const worker = new Worker(script);
  let replyHandler: (reply: WorkerReply) => void = () => {};
  worker.on('message', (reply: WorkerReply) => replyHandler(reply));
  return {
    post: (message) => worker.postMessage(message),
    onReply: (handler) => (replyHandler = handler),
    onCrash: (handler) => {
      worker.removeAllListeners('error');
      worker.on('error', handler);
    },
    terminate: () => void worker.terminate(),
  };
}

/** A pool with one worker per core: the calling thread mostly waits. */
export function nodeWorkerPool(script: string, size = availableParallelism()): WorkerPool {
  return new WorkerPool(() => nodeWorker(script), size);
}
