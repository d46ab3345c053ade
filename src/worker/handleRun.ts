// The body of a simulation worker, shared by the Node and web entry points.
import { SimConfigError } from '../sim';
import { runInSlices } from '../lab/runHost';
import type { RunMessage, WorkerReply } from './protocol';

export async function handleRun(message: RunMessage, post: (reply: WorkerReply) => void): Promise<void> {
  try {
    let lastReport = -1;
    const result = await runInSlices(message.config, 100, (fraction) => {
      // A worker has nothing else to do, so progress is posted without yielding.
      if (fraction - lastReport >= 0.01) {
        lastReport = fraction;
        post({ type: 'progress', fraction });
      }
    });
    post({ type: 'result', result });
  } catch (error) {
    if (error instanceof SimConfigError) {
      post({ type: 'error', name: error.name, message: error.message, path: error.path });
    } else {
      post({ type: 'error', name: 'SimulationError', message: error instanceof Error ? error.message : String(error) });
    }
  }
}
