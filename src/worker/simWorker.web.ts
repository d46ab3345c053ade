import { handleRun } from './handleRun';
import type { RunMessage } from './protocol';

declare const self: { onmessage: ((event: { data: RunMessage }) => void) | null; postMessage(message: unknown): void };

self.onmessage = (event) => {
  void handleRun(event.data, (reply) => self.postMessage(reply));
};
