// Simulation workers for the command line: worker threads running the bundled simulator
// (dist/simWorker.node.js), or its TypeScript source when the CLI itself runs under tsx.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { WorkerPool } from '../worker/pool';
import { nodeWorkerPool } from '../worker/nodeWorker';

export function workerScript(): string {
  const bundled = join(__dirname, 'simWorker.node.js');
  if (existsSync(bundled)) return bundled;
  // Running from source (under tsx): a small CommonJS entry registers tsx in the worker.
  return join(__dirname, 'simWorker.dev.cjs');
}

/**
 * Heap limit of each simulation worker. A lab (or a submission) with millions of processes then
 * fails its run with "out of memory" instead of aborting the whole runner.
 */
export const WORKER_HEAP_MB = 2048;

export function simulationPool(workers = availableParallelism(), heapMb = WORKER_HEAP_MB): WorkerPool {
  return nodeWorkerPool(workerScript(), Math.max(1, workers), { maxOldGenerationSizeMb: heapMb });
}
