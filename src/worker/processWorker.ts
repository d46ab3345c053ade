// Simulation workers as child processes (the command line). A process boundary contains what a
// thread cannot: V8 aborting on a fatal error (an invalid array length, a heap that cannot
// grow) ends that worker and its job, never the runner or the other jobs. Its heap is limited
// by --max-old-space-size; its CPU time and resident memory are read from /proc by the pool.
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { RunLimitError } from '../lab/run/runHost';
import { DEFAULT_RUN_LIMITS, type RunLimits } from './limits';
import { WorkerPool, type SimWorker } from './pool';
import type { WorkerReply } from './protocol';
import { processUsage } from './usage';

/** The last of what a crashed worker wrote to stderr, for its error message. */
const STDERR_KEPT = 4000;

/** Why a worker process ended on its own: out of memory, or another fatal error. */
function crashOf(code: number | null, signal: string | null, stderr: string, heapMb: number): Error {
  if (/heap out of memory|Reached heap limit|Allocation failed|out of memory/i.test(stderr)) {
    return new RunLimitError(
      'memory',
      `it used more than its memory limit of ${heapMb} MB per run, so its worker was stopped`,
    );
  }
  const fatal = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /fatal|error/i.test(l))
    .pop();
  const how = signal ? `signal ${signal}` : `exit code ${code}`;
  return new Error(`its worker process crashed (${how})${fatal ? `: ${fatal.slice(0, 300)}` : ''}`);
}

export function processWorker(script: string, limits: RunLimits): SimWorker {
  const child = fork(script, [], {
    execArgv: [`--max-old-space-size=${limits.memoryMb}`],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => (stderr = (stderr + text).slice(-STDERR_KEPT)));
  let replyHandler: (reply: WorkerReply) => void = () => {};
  let crashHandler: (error: Error) => void = () => {};
  let terminated = false;
  /** The process's CPU time when it said it is ready: its budget counts from there. */
  let baseMs: number | undefined;
  child.on('message', (reply: WorkerReply) => {
    if (reply.type === 'ready' && child.pid !== undefined) baseMs = processUsage(child.pid)?.cpuMs ?? 0;
    replyHandler(reply);
  });
  // 'close' comes after stderr is drained, so the crash message has the worker's last words.
  child.on('close', (code, signal) => {
    if (!terminated) crashHandler(crashOf(code, signal, stderr, limits.memoryMb));
  });
  child.on('error', (error) => {
    if (!terminated) crashHandler(error);
  });
  return {
    post: (message) => void child.send(message),
    onReply: (handler) => (replyHandler = handler),
    onCrash: (handler) => (crashHandler = handler),
    terminate: () => {
      terminated = true;
      child.kill('SIGKILL');
    },
    usage: () => {
      const now = child.pid === undefined ? undefined : processUsage(child.pid);
      if (now === undefined) return undefined;
      // Memory counts from the start; CPU time once Node has loaded the worker.
      return { cpuMs: baseMs === undefined ? 0 : now.cpuMs - baseMs, rssMb: now.rssMb };
    },
  };
}

/** A pool of worker processes, one per core by default. */
export function processWorkerPool(
  script: string,
  size = availableParallelism(),
  limits: RunLimits = DEFAULT_RUN_LIMITS,
): WorkerPool {
  return new WorkerPool(() => processWorker(script, limits), Math.max(1, size), limits);
}
