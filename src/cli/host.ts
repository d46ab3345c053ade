// Simulation workers for the command line: child processes running the bundled worker
// (dist/simWorker.node.js), or its TypeScript source when the CLI itself runs under tsx. A
// process per worker contains any failure of a run, even V8 aborting, to that run.
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
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

/**
 * How many workers a lab's runs get by default: one per core that is idle now (the load average
 * says how many are busy), at least one. Each worker pays its start-up and its JIT warm-up, and
 * on a core that is busy already it only competes: on 2 cores with a load of about 4, the intro
 * lab took 1.6 s with one worker and 1.9-3.0 s with two. Where there is no load average
 * (Windows reports 0), every core.
 */
export function idleCores(cores = availableParallelism(), load = loadavg()[0]!): number {
  return Math.max(1, Math.min(cores, Math.round(cores - load)));
}

export function simulationPool(workers = idleCores(), limits: RunLimits = DEFAULT_RUN_LIMITS): WorkerPool {
  return processWorkerPool(workerScript(), Math.max(1, workers), limits);
}
