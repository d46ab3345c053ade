// Entry of a Node simulation worker: a worker thread (the editor) or a child process (the CLI).
import { parentPort } from 'node:worker_threads';
import { handleJob } from './handleJob';
import { nodeSha256 } from './nodeSha256';
import type { Job, WorkerReply } from './protocol';
import { currentThreadId } from './usage';

if (parentPort) {
  const port = parentPort;
  const tid = currentThreadId();
  port.on('message', (job: Job) => void handleJob(job, (reply) => port.postMessage(reply), nodeSha256));
  port.postMessage({ type: 'ready', ...(tid !== undefined ? { tid } : {}) } satisfies WorkerReply);
} else if (process.send) {
  process.on('message', (job: Job) => void handleJob(job, (reply) => process.send!(reply), nodeSha256));
  // The runner went away (or stopped us): nothing is left to do.
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready' } satisfies WorkerReply);
}
