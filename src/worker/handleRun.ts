// The body of a simulation worker, shared by the Node and web entry points: one simulate job
// (one machine) or one cluster job.
import type { Sha256Factory, Simulation } from '../sim';
import type { ClusterMessage, RunMessage, VmClusterMessage, WorkerReply } from './protocol';
import { runClusterInSlices, runInSlices, runVmClusterInSlices, toRunError } from './runSimulation';

/** What a finished run sends back. */
type RunReply = Extract<WorkerReply, { type: 'result' | 'summary' | 'summaryOnly' }>;

/** What a run's caller asked for, read from its finished simulation. */
function replyOf(reply: RunMessage['reply'], simulation: Simulation): RunReply {
  switch (reply) {
    case 'summaryOnly':
      return { type: 'summaryOnly', summary: simulation.summary() };
    case 'summary': {
      const { summary, digest } = simulation.result();
      return { type: 'summary', summary, digest };
    }
    case 'result':
      return { type: 'result', result: simulation.result() };
  }
}

/** Posts a job's progress when it asked for it, at most every 1 % (a worker has nothing else to do, so without yielding). */
function progressPoster(wanted: boolean | undefined, post: (reply: WorkerReply) => void): (fraction: number) => void {
  let lastReport = -1;
  return (fraction) => {
    if (wanted && fraction - lastReport >= 0.01) {
      lastReport = fraction;
      post({ type: 'progress', fraction });
    }
  };
}

/** `sha256`: the platform's native hash for the result's digest (same digest as the portable one). */
export async function handleRun(
  message: RunMessage,
  post: (reply: WorkerReply) => void,
  sha256?: Sha256Factory,
): Promise<void> {
  let logs: readonly string[] | undefined;
  try {
    // Without progress to report, the run goes in one slice.
    const reply = await runInSlices<RunReply>(
      message,
      message.progress ? 100 : 1,
      progressPoster(message.progress, post),
      { sha256, onLogs: (lines) => (logs = lines), read: (simulation) => replyOf(message.reply, simulation) },
    );
    post(logs ? { ...reply, logs } : reply);
  } catch (error) {
    const { name, message: text, path, location } = toRunError(error);
    post({ type: 'error', name, message: text, path, location, ...(logs ? { logs } : {}) });
  }
}

/** A cluster job: the whole result (a few numbers per server) goes back. */
export async function handleCluster(
  message: ClusterMessage,
  post: (reply: WorkerReply) => void,
  sha256?: Sha256Factory,
): Promise<void> {
  try {
    const result = await runClusterInSlices(
      message,
      message.progress ? 100 : 1,
      progressPoster(message.progress, post),
      sha256,
    );
    post({ type: 'cluster', result });
  } catch (error) {
    const { name, message: text, path, location } = toRunError(error);
    post({ type: 'error', name, message: text, path, location });
  }
}

/** A VM cluster job: the whole result (per host, per VM, and the migration log) goes back. */
export async function handleVmCluster(
  message: VmClusterMessage,
  post: (reply: WorkerReply) => void,
  sha256?: Sha256Factory,
): Promise<void> {
  try {
    const result = await runVmClusterInSlices(
      message,
      message.progress ? 100 : 1,
      progressPoster(message.progress, post),
      sha256,
    );
    post({ type: 'vm-cluster', result });
  } catch (error) {
    const { name, message: text, path, location } = toRunError(error);
    post({ type: 'error', name, message: text, path, location });
  }
}
