// What the charts of request runs on a cluster (run: { cluster, service }) share: the run as
// they see it, and which charts they draw.
import type { ClusterResult } from '../../sim';

/** A finished request run on a cluster, as its charts see it. */
export interface ClusterChartRun {
  name: string;
  result: ClusterResult;
}

/** Which charts these are is the language's (the lab is checked against it before anything runs). */
export { CLUSTER_CHARTS } from '../language/schema';
