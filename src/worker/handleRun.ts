// The body of a simulation worker, shared by the Node and web entry points: one simulate job.
import type { RunMessage, WorkerReply } from './protocol';
import { runInSlices, toRunError } from './runSimulation';

export async function handleRun(message: RunMessage, post: (reply: WorkerReply) => void): Promise<void> {
  let logs: readonly string[] | undefined;
  try {
    let lastReport = -1;
    const result = await runInSlices(
      message,
      100,
      (fraction) => {
        // A worker has nothing else to do, so progress is posted without yielding.
        if (fraction - lastReport >= 0.01) {
          lastReport = fraction;
          post({ type: 'progress', fraction });
        }
      },
      (lines) => (logs = lines),
    );
    post({ type: 'result', result, ...(logs ? { logs } : {}) });
  } catch (error) {
    const { name, message: text, path, location } = toRunError(error);
    post({ type: 'error', name, message: text, path, location, ...(logs ? { logs } : {}) });
  }
}
