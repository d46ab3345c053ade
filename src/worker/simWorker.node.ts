import { parentPort } from 'node:worker_threads';
import { handleRun } from './handleRun';
import { nodeSha256 } from './nodeSha256';
import type { RunMessage } from './protocol';

parentPort!.on('message', (message: RunMessage) => {
  void handleRun(message, (reply) => parentPort!.postMessage(reply), nodeSha256);
});
