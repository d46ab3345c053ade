// What the charts of VM runs on a cluster share: the run as they see it, and why a chart of
// one kind of run cannot draw the other.
import type { VmClusterResult } from '../../sim';

/** A finished VM run, as its charts see it. */
export interface VmChartRun {
  name: string;
  result: VmClusterResult;
}

/** Which charts these are is the language's (the lab is checked against it before anything runs). */
export { VM_CHARTS } from '../language/schema';
