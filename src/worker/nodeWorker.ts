// Simulation workers as Node worker threads (extension host on the desktop, and the CLI).
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { SimWorker } from './pool';
import { WorkerPool } from './pool';
import type { WorkerReply } from './protocol';

/**
 * `resourceLimits`: a worker over its heap limit is stopped with an error (the run fails) instead
 * of taking the whole process down, which is what an unlimited worker running out of memory does.
 */
export function nodeWorker(script: string, resourceLimits?: ResourceLimits): SimWorker {
  const worker = new Worker(script, resourceLimits ? { resourceLimits } : {});
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
export function nodeWorkerPool(script: string, size = availableParallelism(), resourceLimits?: ResourceLimits): WorkerPool {
  return new WorkerPool(() => nodeWorker(script, resourceLimits), size);
}
