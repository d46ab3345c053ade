import { parentPort } from 'node:worker_threads';
import { handleRun } from './handleRun';
import type { RunMessage } from './protocol';

parentPort!.on('message', (message: RunMessage) => {
  void handleRun(message, (reply) => parentPort!.postMessage(reply));
});
