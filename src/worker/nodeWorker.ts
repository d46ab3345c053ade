// Simulation workers as Node worker threads (the editor's extension host on the desktop).
// Each thread tells its pool its OS thread id, so the pool can read its CPU time.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { DEFAULT_RUN_LIMITS, type RunLimits } from './limits';
import type { SimWorker } from './pool';
import { WorkerPool } from './pool';
import type { WorkerReply } from './protocol';
import { threadUsage } from './usage';
import { RunLimitError } from '../lab/runHost';

/**
 * `resourceLimits`: a worker over its heap limit is stopped with an error (the run fails) instead
 * of taking the whole process down, which is what an unlimited worker running out of memory does.
 */
export function nodeWorker(script: string, resourceLimits?: ResourceLimits): SimWorker {
  const worker = new Worker(script, resourceLimits ? { resourceLimits } : {});
  let tid: number | undefined;
  let replyHandler: (reply: WorkerReply) => void = () => {};
  worker.on('message', (reply: WorkerReply) => {
    if (reply.type === 'thread') tid = reply.tid;
    replyHandler(reply);
  });
  return {
    post: (message) => worker.postMessage(message),
    onReply: (handler) => (replyHandler = handler),
    onCrash: (handler) => {
      worker.removeAllListeners('error');
      worker.on('error', (error: Error & { code?: string }) => {
        if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          handler(new RunLimitError('memory', `it used more than its memory limit of ${resourceLimits?.maxOldGenerationSizeMb ?? '?'} MB per run, so its worker was stopped`));
        } else handler(error);
      });
    },
    terminate: () => void worker.terminate(),
    usage: () => (tid === undefined ? undefined : threadUsage(process.pid, tid)),
  };
}

/** A pool of worker threads, one per core by default, each with the run budget's heap limit. */
export function nodeWorkerPool(script: string, size = availableParallelism(), limits: RunLimits = DEFAULT_RUN_LIMITS): WorkerPool {
  return new WorkerPool(() => nodeWorker(script, { maxOldGenerationSizeMb: limits.memoryMb }), size, limits);
}
