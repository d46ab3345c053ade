// Simulation workers for the command line: child processes running the bundled worker
// (dist/simWorker.node.js), or its TypeScript source when the CLI itself runs under tsx. A
// process per worker contains any failure of a run, even V8 aborting, to that run.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RUN_LIMITS, type RunLimits } from '../worker/limits';
import type { WorkerPool } from '../worker/pool';
import { processWorkerPool } from '../worker/processWorker';

export function workerScript(): string {
  const bundled = join(__dirname, 'simWorker.node.js');
  if (existsSync(bundled)) return bundled;
  // Running from source (under tsx): a small CommonJS entry registers tsx in the worker.
  return join(__dirname, 'simWorker.dev.cjs');
}

export function simulationPool(workers = availableParallelism(), limits: RunLimits = DEFAULT_RUN_LIMITS): WorkerPool {
  return processWorkerPool(workerScript(), Math.max(1, workers), limits);
}
