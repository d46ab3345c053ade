// What the charts of request runs on a cluster (run: { cluster, service }) share: the run as
// they see it, and which charts they draw.
import type { ClusterResult } from '../../sim';

/** A finished request run on a cluster, as its charts see it. */
export interface ClusterChartRun {
  name: string;
  result: ClusterResult;
}

/** The charts drawn from request runs on a cluster, not from one-machine or VM runs. */
export const CLUSTER_CHARTS: readonly string[] = ['response-by-server'];
