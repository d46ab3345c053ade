import { handleCluster, handleRun, handleVmCluster } from './handleRun';
import type { ClusterMessage, RunMessage, VmClusterMessage } from './protocol';

declare const self: {
  onmessage: ((event: { data: RunMessage | ClusterMessage | VmClusterMessage }) => void) | null;
  postMessage(message: unknown): void;
};

self.onmessage = (event) => {
  const post = (reply: unknown) => self.postMessage(reply);
  const job = event.data;
  void (job.kind === 'cluster'
    ? handleCluster(job, post)
    : job.kind === 'vm-cluster'
      ? handleVmCluster(job, post)
      : handleRun(job, post));
};
