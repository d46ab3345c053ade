// A pool of simulation workers behind the RunHost interface. Workers are reused between
// runs; cancelling a run terminates its worker, which stops the simulation at once.
import type { SimResult } from '../sim';
import { CancelledError, RunError, type RunHost, type RunRequest, type RunSummary } from '../lab/runHost';
import type { RunMessage, WorkerReply } from './protocol';

/** The little of a worker the pool needs; Node and web workers both fit behind it. */
export interface SimWorker {
  post(message: unknown): void;
  onReply(handler: (reply: WorkerReply) => void): void;
  onCrash(handler: (error: Error) => void): void;
  terminate(): void;
}

/** A run waiting for a worker, with what its caller wants back. */
type Job = { request: RunRequest; reject(error: Error): void } & (
  | { reply: 'result'; resolve(result: SimResult): void }
  | { reply: 'summary'; resolve(summary: RunSummary): void }
);

export class WorkerPool implements RunHost {
  private readonly idle: SimWorker[] = [];
  private readonly waiting: Job[] = [];
  private busy = 0;

  constructor(
    private readonly createWorker: () => SimWorker,
    private readonly size: number,
  ) {}

  run(request: RunRequest): Promise<SimResult> {
    return new Promise((resolve, reject) => this.enqueue({ request, reply: 'result', resolve, reject }));
  }

  summarize(request: RunRequest): Promise<RunSummary> {
    return new Promise((resolve, reject) => this.enqueue({ request, reply: 'summary', resolve, reject }));
  }

  private enqueue(job: Job): void {
    if (job.request.signal.aborted) return job.reject(new CancelledError());
    this.waiting.push(job);
    this.pump();
  }

  dispose(): void {
    for (const worker of this.idle.splice(0)) worker.terminate();
    for (const job of this.waiting.splice(0)) job.reject(new CancelledError());
  }

  private pump(): void {
    while (this.waiting.length > 0 && this.busy < this.size) {
      const job = this.waiting.shift()!;
      if (job.request.signal.aborted) {
        job.reject(new CancelledError());
        continue;
      }
      this.busy++;
      this.start(job, this.idle.pop() ?? this.createWorker());
    }
  }

  private start(job: Job, worker: SimWorker): void {
    let settled = false;
    const finish = (reuse: boolean, outcome: () => void) => {
      if (settled) return;
      settled = true;
      job.request.signal.removeEventListener('abort', onAbort);
      this.busy--;
      if (reuse) this.idle.push(worker);
      else worker.terminate();
      outcome();
      this.pump();
    };
    const onAbort = () => finish(false, () => job.reject(new CancelledError()));
    job.request.signal.addEventListener('abort', onAbort);
    worker.onReply((reply) => {
      // A terminated worker's last messages may still arrive: after a cancel they are stale.
      if (settled) return;
      if (reply.type === 'progress') job.request.onProgress?.(reply.fraction);
      else if (reply.type === 'result' && job.reply === 'result') finish(true, () => job.resolve(reply.result));
      else if (reply.type === 'summary' && job.reply === 'summary') finish(true, () => job.resolve({ summary: reply.summary, digest: reply.digest }));
      else if (reply.type === 'error') finish(true, () => job.reject(new RunError(reply.name, reply.message, reply.path, reply.location)));
      else finish(false, () => job.reject(new RunError('WorkerProtocol', `a worker answered a ${job.reply} request with a ${reply.type}`)));
    });
    worker.onCrash((error) => finish(false, () => job.reject(new RunError('WorkerCrashed', error.message))));
    const { config, policySource, onProgress } = job.request;
    worker.post({ config, policySource, reply: job.reply, progress: onProgress !== undefined } satisfies RunMessage);
  }
}
