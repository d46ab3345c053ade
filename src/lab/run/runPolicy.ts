// What a run's output names as its policy: the machine's policy for a one-machine run, the
// balancer's for a request run (every server runs the same machine policy, so that one tells
// nothing apart), the VM placement, migration policy and method for a VM run. One place, so a
// run's summary, its sweep line and its sweep row say the same.
import { resolveCluster, resolveVmCluster, type ClusterResult, type VmClusterConfig } from '../../sim';
import type { SweptRun } from './sweep';

export const balancerPolicy = (b: Pick<ClusterResult['balancer'], 'policy' | 'd'>): string =>
  b.policy === 'power-of-d' ? `power-of-d (d = ${b.d})` : b.policy;

/** The policies as the simulator resolves them (its defaults, not copies of them here). */
export function vmRunPolicy(config: VmClusterConfig): string {
  const p = resolveVmCluster(config);
  return `${p.placement}, overload ${p.overload}${p.consolidate ? ', consolidation' : ''}${hotspotPolicy(p.hotspot)}, ${p.method.kind}`;
}

/** The hot-spot policy in the run's policy line (nothing without one: a run is described as before). */
function hotspotPolicy(h: ReturnType<typeof resolveVmCluster>['hotspot']): string {
  if (h === null) return '';
  return `, hot spots at ${h.thresholdC} C${h.migrate ? '' : ' (watched)'}`;
}

export function sweptPolicy(swept: SweptRun): string {
  if (swept.kind === 'machine') return swept.run.config.policy.name;
  if (swept.kind === 'vms') return vmRunPolicy(swept.run.config);
  return balancerPolicy(resolveCluster(swept.run.config).service.balancer);
}
