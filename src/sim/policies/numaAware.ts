/**
 * `numa-aware`: keeps each process on the NUMA node that holds its memory (Linux's automatic
 * NUMA balancing, kernel/sched/fair.c task_numa_fault / numa_migrate_preferred, and the
 * AutoNUMA design). A process goes to its home node unless that node is more than `slack`
 * processes busier than the best CPU elsewhere; processes that ran away from home are brought
 * back (reason numa) when a home CPU has room. Memory itself never moves here: the simulator
 * has no page-migration action, so "move the memory to the process" is not modelled.
 */
import { evacuateOnCpuEvent, leastLoadedUsable } from './helpers';
import { readParams } from './params';
import type { Policy, PolicyContext, SimView } from './policy';

export const NUMA_AWARE_PARAMS = {
  interval: {
    kind: 'time',
    default: 4_000_000,
    min: 10_000,
    doc: 'How often processes away from their memory are considered for a move home.',
  },
  slack: {
    kind: 'number',
    default: 1,
    min: 0,
    doc: 'How many more processes the home node may have than the best remote CPU before a process runs remotely.',
  },
} as const;

export function numaAware(ctx: PolicyContext): Policy {
  const params = readParams(ctx, NUMA_AWARE_PARAMS);
  const m = ctx.machine;
  const n = m.cpuCount;

  function choose(view: SimView, h: number): number {
    const best = leastLoadedUsable(view, h);
    const home = view.homeNodeOf(h);
    if (home < 0 || best < 0) return best;
    const homeBest = leastLoadedUsable(view, h, (c) => m.cpuNode[c] === home);
    if (homeBest < 0) return best;
    return view.load(homeBest) <= view.load(best) + params.slack ? homeBest : best;
  }

  return {
    name: 'numa-aware',
    balanceIntervalNs: params.interval,
    place: choose,
    placeOnWake: choose,
    wakeReason: (view, h, cpu) => (m.cpuNode[cpu] === view.homeNodeOf(h) ? 'numa' : 'load-balance'),
    balance(view, act) {
      for (let cpu = 0; cpu < n; cpu++) {
        const away = [...view.queued(cpu)];
        const r = view.running(cpu);
        if (r >= 0) away.push(r);
        for (const h of away) {
          const home = view.homeNodeOf(h);
          if (home < 0 || m.cpuNode[cpu] === home) continue;
          const dst = leastLoadedUsable(view, h, (c) => m.cpuNode[c] === home);
          // Home has room: no busier than here once it arrives.
          if (dst >= 0 && view.load(dst) + 1 <= view.load(cpu)) act.migrate(h, dst, 'numa');
        }
      }
    },
    onCpuEvent: evacuateOnCpuEvent((view, h, from) => {
      const home = view.homeNodeOf(h);
      const near = leastLoadedUsable(view, h, (c) => m.cpuNode[c] === home, from);
      return near >= 0 ? near : leastLoadedUsable(view, h, undefined, from);
    }),
  };
}
