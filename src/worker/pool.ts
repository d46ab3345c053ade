// A pool of simulation workers behind the RunHost interface. Workers are reused between
// runs; cancelling a run terminates its worker, which stops the simulation at once.
import type { SimResult } from '../sim';
import { CancelledError, RunError, type RunHost, type RunRequest } from '../lab/runHost';
import type { RunMessage, WorkerReply } from './protocol';

/** The little of a worker the pool needs; Node and web workers both fit behind it. */
export interface SimWorker {
  post(message: unknown): void;
  onReply(handler: (reply: WorkerReply) => void): void;
  onCrash(handler: (error: Error) => void): void;
  terminate(): void;
}

interface Job {
  request: RunRequest;
  resolve(result: SimResult): void;
  reject(error: Error): void;
}

export class WorkerPool implements RunHost {
  private readonly idle: SimWorker[] = [];
  private readonly waiting: Job[] = [];
  private busy = 0;

  constructor(
    private readonly createWorker: () => SimWorker,
    private readonly size: number,
  ) {}

  run(request: RunRequest): Promise<SimResult> {
    if (request.signal.aborted) return Promise.reject(new CancelledError());
    return new Promise((resolve, reject) => {
      this.waiting.push({ request, resolve, reject });
      this.pump();
    });
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
      // A worker stopped by a cancel may still deliver progress it sent before: the job is over.
      if (reply.type === 'progress') {
        if (!settled) job.request.onProgress?.(reply.fraction);
      } else if (reply.type === 'result') finish(true, () => job.resolve(reply.result));
      else finish(true, () => job.reject(new RunError(reply.name, reply.message, reply.path, reply.location)));
    });
    worker.onCrash((error) => finish(false, () => job.reject(new RunError('WorkerCrashed', error.message))));
    worker.post({ config: job.request.config, policySource: job.request.policySource } satisfies RunMessage);
  }
}
