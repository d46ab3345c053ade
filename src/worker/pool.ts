// A pool of simulation workers behind the RunHost interface. Workers are reused between
// jobs; a job that goes over its budget (CPU time, memory, or its submission's CPU time) has
// its worker stopped, and so does a cancelled one: either stops the work at once, whatever it
// is doing, and costs only that job.
import type { ClusterResult, SimResult, VmClusterResult } from '../sim';
import {
  CancelledError,
  RunError,
  RunLimitError,
  type ClusterRunRequest,
  type LimitKind,
  type RunHost,
  type RunRequest,
  type RunSummary,
  type VmClusterRunRequest,
} from '../lab/run/runHost';
import { CpuAccount, DEFAULT_RUN_LIMITS, RSS_HEADROOM_MB, type RunLimits, type Usage } from './limits';
import type { Job, WorkerReply } from './protocol';
import { WARM_UP_JOB } from './warmUp';

/** The little of a worker the pool needs; Node threads, child processes and web workers fit behind it. */
export interface SimWorker {
  post(message: Job): void;
  onReply(handler: (reply: WorkerReply) => void): void;
  /** The worker died (a RunLimitError when it ran out of memory). */
  onCrash(handler: (error: Error) => void): void;
  terminate(): void;
  /** CPU time and memory used since the worker started; undefined where they cannot be read (then wall time counts). */
  usage?(): Usage | undefined;
}

/** How often running jobs are measured against their budget. */
const POLL_MS = 100;

export interface JobOptions {
  signal: AbortSignal;
  onProgress?: (fraction: number) => void;
  onLogs?: (lines: readonly string[]) => void;
  /** This job's CPU time limit instead of the pool's (ms). */
  cpuLimitMs?: number;
  /** The CPU time budget shared with other jobs (a submission's), charged with this job's. */
  account?: CpuAccount;
}

interface Task extends JobOptions {
  job: Job;
  resolve(reply: WorkerReply): void;
  reject(error: Error): void;
}

interface Running {
  task: Task;
  worker: SimWorker;
  startCpuMs: number | undefined;
  startWallMs: number;
  stop(error: Error): void;
}

const seconds = (ms: number) => `${Number((ms / 1000).toPrecision(3))} s`;

export class WorkerPool implements RunHost {
  private readonly idle: SimWorker[] = [];
  private readonly waiting: Task[] = [];
  private readonly running = new Set<Running>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private prepared = false;

  constructor(
    private readonly createWorker: () => SimWorker,
    private readonly size: number,
    readonly limits: RunLimits = DEFAULT_RUN_LIMITS,
  ) {}

  async run(request: RunRequest): Promise<SimResult> {
    const reply = await this.simulate(request, 'result');
    return (reply as Extract<WorkerReply, { type: 'result' }>).result;
  }

  /** A run whose caller reads only its summary and digest (sweeps): a small reply. */
  async summarize(request: RunRequest): Promise<RunSummary> {
    const { summary, digest } = (await this.simulate(request, 'summary')) as Extract<WorkerReply, { type: 'summary' }>;
    return { summary, digest };
  }

  /** A run whose caller reads only its summary (comparisons): the worker builds nothing else. */
  async summaryOnly(request: RunRequest): Promise<Pick<SimResult, 'summary'>> {
    const { summary } = (await this.simulate(request, 'summaryOnly')) as Extract<WorkerReply, { type: 'summaryOnly' }>;
    return { summary };
  }

  /** A cluster run in a worker, under the run budget like any simulation. */
  async runCluster({ config, ...options }: ClusterRunRequest): Promise<ClusterResult> {
    const reply = await this.submit({ kind: 'cluster', config, progress: options.onProgress !== undefined }, options);
    return (reply as Extract<WorkerReply, { type: 'cluster' }>).result;
  }

  /** A VM cluster run in a worker, under the run budget like any simulation. */
  async runVmCluster({ config, ...options }: VmClusterRunRequest): Promise<VmClusterResult> {
    const reply = await this.submit(
      { kind: 'vm-cluster', config, progress: options.onProgress !== undefined },
      options,
    );
    return (reply as Extract<WorkerReply, { type: 'vm-cluster' }>).result;
  }

  private simulate(
    { config, policySource, ...options }: RunRequest,
    reply: Extract<Job, { kind: 'simulate' }>['reply'],
  ): Promise<WorkerReply> {
    return this.submit(
      { kind: 'simulate', config, policySource, reply, progress: options.onProgress !== undefined },
      options,
    );
  }

  /** Draws a Vega-Lite spec to SVG in a worker, under the run budget (Node workers only). */
  async draw(spec: unknown, options: JobOptions): Promise<string> {
    const reply = await this.submit({ kind: 'draw', spec }, options);
    return (reply as Extract<WorkerReply, { type: 'drawn' }>).svg;
  }

  /** Executes one cell of a lab's text in a worker, which resolves the lab itself (Node workers only). */
  async executeCell(labText: string, index: number, options: JobOptions): Promise<unknown> {
    const reply = await this.submit({ kind: 'cell', labText, index }, options);
    return (reply as Extract<WorkerReply, { type: 'cell' }>).outcome;
  }

  /**
   * Starts every worker the pool may use, each with a warm-up run (warmUp.ts), so the first
   * runs a user asks for do not wait for a worker to load and its simulator to be compiled. A
   * warm-up is an ordinary job: a run asked for meanwhile waits for it only if every worker is
   * busy. Once per pool; what a warm-up returns or fails with is dropped.
   */
  prepare(): void {
    if (this.prepared) return;
    this.prepared = true;
    const signal = new AbortController().signal;
    for (let i = 0; i < this.size; i++) this.submit(WARM_UP_JOB, { signal }).catch(() => {});
  }

  dispose(): void {
    for (const worker of this.idle.splice(0)) worker.terminate();
    for (const task of this.waiting.splice(0)) task.reject(new CancelledError());
  }

  private submit(job: Job, options: JobOptions): Promise<WorkerReply> {
    if (options.signal.aborted) return Promise.reject(new CancelledError());
    return new Promise((resolve, reject) => {
      this.waiting.push({ ...options, job, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.waiting.length > 0 && this.running.size < this.size) {
      const task = this.waiting.shift()!;
      if (task.signal.aborted) {
        task.reject(new CancelledError());
        continue;
      }
      if (task.account && task.account.remainingMs <= 0) {
        task.reject(this.limitError('submission', task));
        continue;
      }
      this.start(task, this.idle.pop() ?? this.createWorker());
    }
  }

  private limitMs(task: Task): number {
    return Math.min(task.cpuLimitMs ?? this.limits.cpuMs, task.account?.remainingMs ?? Infinity);
  }

  private limitError(kind: LimitKind, task: Task, wallClock = false): RunLimitError {
    switch (kind) {
      case 'cpu':
        return new RunLimitError(
          'cpu',
          wallClock
            ? `it ran past its time limit of ${seconds(task.cpuLimitMs ?? this.limits.cpuMs)} per run (wall-clock time: this system does not report a worker's CPU time), so its worker was stopped`
            : `it ran past its CPU-time limit of ${seconds(task.cpuLimitMs ?? this.limits.cpuMs)} per run, so its worker was stopped`,
        );
      case 'memory':
        return new RunLimitError(
          'memory',
          `it used more than its memory limit of ${this.limits.memoryMb} MB per run, so its worker was stopped`,
        );
      case 'submission':
        return new RunLimitError(
          'submission',
          `the submission used up its CPU-time budget of ${seconds(task.account?.limitMs ?? 0)}, so its worker was stopped`,
        );
    }
  }

  private start(task: Task, worker: SimWorker): void {
    let settled = false;
    const running: Running = {
      task,
      worker,
      startCpuMs: worker.usage?.()?.cpuMs,
      startWallMs: performance.now(),
      stop: (error) => finish(false, () => task.reject(error)),
    };
    const finish = (reuse: boolean, outcome: () => void) => {
      if (settled) return;
      settled = true;
      task.signal.removeEventListener('abort', onAbort);
      if (task.account) task.account.usedMs += this.used(running).ms;
      this.running.delete(running);
      if (this.running.size === 0 && this.timer !== undefined) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
      if (reuse) this.idle.push(worker);
      else worker.terminate();
      outcome();
      this.pump();
    };
    const onAbort = () => finish(false, () => task.reject(new CancelledError()));
    task.signal.addEventListener('abort', onAbort);
    worker.onReply((reply) => {
      // A stopped worker's last messages may still arrive: after a cancel they are stale.
      if (settled) return;
      switch (reply.type) {
        case 'ready':
          return;
        case 'progress':
          return task.onProgress?.(reply.fraction);
        case 'error':
          if (reply.logs) task.onLogs?.(reply.logs);
          return finish(true, () => task.reject(new RunError(reply.name, reply.message, reply.path, reply.location)));
        default:
          if ((reply.type === 'result' || reply.type === 'summary' || reply.type === 'summaryOnly') && reply.logs)
            task.onLogs?.(reply.logs);
          return finish(true, () => task.resolve(reply));
      }
    });
    worker.onCrash((error) =>
      finish(false, () =>
        task.reject(error instanceof RunError ? error : new RunError('WorkerCrashed', error.message)),
      ),
    );
    this.running.add(running);
    this.timer ??= setInterval(() => this.measure(), POLL_MS);
    (this.timer as { unref?: () => void }).unref?.();
    worker.post(task.job);
  }

  /** What a running job has used: CPU time when the worker reports it, else wall time. */
  private used(r: Running): { ms: number; wallClock: boolean; rssMb?: number } {
    const now = r.worker.usage?.();
    if (now !== undefined) return { ms: now.cpuMs - (r.startCpuMs ?? 0), wallClock: false, rssMb: now.rssMb };
    return { ms: performance.now() - r.startWallMs, wallClock: true };
  }

  private measure(): void {
    for (const r of [...this.running]) {
      const used = this.used(r);
      const { task } = r;
      if (used.rssMb !== undefined && used.rssMb > this.limits.memoryMb + RSS_HEADROOM_MB)
        r.stop(this.limitError('memory', task));
      else if (task.account && task.account.usedMs + used.ms > task.account.limitMs)
        r.stop(this.limitError('submission', task));
      else if (used.ms > this.limitMs(task)) r.stop(this.limitError('cpu', task, used.wallClock));
    }
  }
}
