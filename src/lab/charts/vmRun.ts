// What the charts of VM runs on a cluster share: the run as they see it, and why a chart of
// one kind of run cannot draw the other.
import type { VmClusterResult } from '../../sim';

/** A finished VM run, as its charts see it. */
export interface VmChartRun {
  name: string;
  result: VmClusterResult;
}

/** The charts drawn from VM runs (their moves, hosts and energy), not from one-machine runs. */
export const VM_CHARTS: readonly string[] = ['live-migrations', 'downtime', 'host-energy', 'hosts-on', 'host-load'];
