// Simulation workers as Node worker threads (the editor's extension host on the desktop).
// Each thread tells its pool its OS thread id once it has loaded, so the pool can read the CPU
// time it spends from then on.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { DEFAULT_RUN_LIMITS, type RunLimits } from './limits';
import type { SimWorker } from './pool';
import { WorkerPool } from './pool';
import type { WorkerReply } from './protocol';
import { threadUsage } from './usage';
import { RunLimitError } from '../lab/run/runHost';

/**
 * `resourceLimits`: a worker over its heap limit is stopped with an error (the run fails) instead
 * of taking the whole process down, which is what an unlimited worker running out of memory does.
 */
export function nodeWorker(script: string, resourceLimits?: ResourceLimits): SimWorker {
  const worker = new Worker(script, resourceLimits ? { resourceLimits } : {});
  /** The thread, once it said it is ready, and its CPU time then. */
  let thread: { tid: number; baseMs: number } | undefined;
  let ready = false;
  let replyHandler: (reply: WorkerReply) => void = () => {};
  worker.on('message', (reply: WorkerReply) => {
    if (reply.type === 'ready') {
      ready = true;
      const base = reply.tid === undefined ? undefined : threadUsage(process.pid, reply.tid);
      if (base !== undefined) thread = { tid: reply.tid!, baseMs: base.cpuMs };
    }
    replyHandler(reply);
  });
  return {
    post: (message) => worker.postMessage(message),
    onReply: (handler) => (replyHandler = handler),
    onCrash: (handler) => {
      worker.removeAllListeners('error');
      worker.on('error', (error: Error & { code?: string }) => {
        if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          handler(
            new RunLimitError(
              'memory',
              `it used more than its memory limit of ${resourceLimits?.maxOldGenerationSizeMb ?? '?'} MB per run, so its worker was stopped`,
            ),
          );
        } else handler(error);
      });
    },
    terminate: () => void worker.terminate(),
    // Until it is ready nothing counts; where /proc cannot tell, the pool counts wall time.
    usage: () => {
      if (!ready) return { cpuMs: 0 };
      const now = thread && threadUsage(process.pid, thread.tid);
      return now && thread ? { cpuMs: now.cpuMs - thread.baseMs } : undefined;
    },
  };
}

/** A pool of worker threads, one per core by default, each with the run budget's heap limit. */
export function nodeWorkerPool(
  script: string,
  size = availableParallelism(),
  limits: RunLimits = DEFAULT_RUN_LIMITS,
): WorkerPool {
  return new WorkerPool(() => nodeWorker(script, { maxOldGenerationSizeMb: limits.memoryMb }), size, limits);
}
