// The budget of one run, shared by the editor and every command of the CLI: CPU time and
// memory per simulation worker, enforced by the pool (pool.ts), which stops the worker that
// goes over; and, for grading, the CPU time of a whole submission. These are resource guards,
// not grading criteria: a run near them may pass on one machine and not another, unlike the
// sandbox's step budget (src/sandbox/budget.ts), which is the same everywhere.

/** CPU time one run may take (a simulation, a comparison's simulation, drawing a chart). */
export const DEFAULT_RUN_CPU_S = 120;

/** Memory of one run's worker: its JavaScript heap (V8's old space) in MB. */
export const DEFAULT_RUN_MEMORY_MB = 2048;

/** CPU time all the runs of one graded submission may take together. */
export const DEFAULT_SUBMISSION_CPU_S = 600;

/**
 * Resident memory a worker process may hold beyond its heap limit before it is stopped: the
 * policy sandbox (64 MiB of QuickJS), typed arrays and Node itself live outside the heap.
 */
export const RSS_HEADROOM_MB = 384;

/** What a worker has used so far: CPU time (user + system) and, for a process, resident memory. */
export interface Usage {
  cpuMs: number;
  /** Resident memory of the whole process, in MB; undefined for a thread. */
  rssMb?: number;
}

export interface RunLimits {
  cpuMs: number;
  memoryMb: number;
}

export const DEFAULT_RUN_LIMITS: RunLimits = { cpuMs: DEFAULT_RUN_CPU_S * 1000, memoryMb: DEFAULT_RUN_MEMORY_MB };

/** CPU time shared by several runs (a submission's); the pool charges each run's CPU time to it. */
export class CpuAccount {
  usedMs = 0;
  constructor(readonly limitMs: number) {}
  get remainingMs(): number {
    return Math.max(0, this.limitMs - this.usedMs);
  }
}
