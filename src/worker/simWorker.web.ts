import { handleCluster, handleRun } from './handleRun';
import type { ClusterMessage, RunMessage } from './protocol';

declare const self: {
  onmessage: ((event: { data: RunMessage | ClusterMessage }) => void) | null;
  postMessage(message: unknown): void;
};

self.onmessage = (event) => {
  const post = (reply: unknown) => self.postMessage(reply);
  void (event.data.kind === 'cluster' ? handleCluster(event.data, post) : handleRun(event.data, post));
};
