/**
 * Earliest-deadline-first for periodic real-time tasks on several CPUs, in its two classic forms
 * (Davis & Burns, "A survey of hard real-time scheduling for multiprocessor systems", ACM
 * Computing Surveys 43(4), 2011). Use them with `scheduler: edf`, which orders each queue by
 * absolute deadline.
 */
import { evacuateOnCpuEvent, leastLoadedUsable } from './helpers';
import { readParams } from './params';
import type { PeriodicTaskInfo, Policy, PolicyContext } from './policy';

/**
 * Global EDF: one queue ordered by deadline; the m CPUs run the m earliest-deadline jobs, and a
 * job preempted on one CPU may resume on another (reason deadline). Goossens, Funk & Baruah
 * (Real-Time Systems 25, 2003): every implicit deadline is met when total utilisation
 * U <= m - (m - 1) u_max.
 */
export function globalEdf(ctx: PolicyContext): Policy {
  readParams(ctx, {});
  return { name: 'global-edf', globalQueue: true, globalQueueReason: 'deadline', place: () => -1 };
}

/** Utilisation (density, for constrained deadlines) of a task on a CPU of relative speed `speed`. */
function density(t: PeriodicTaskInfo, speed: number): number {
  return t.wcetNs / Math.min(t.periodNs, t.deadlineNs) / speed;
}

/**
 * Partitioned EDF by first-fit decreasing: tasks sorted by utilisation, largest first, each on
 * the lowest-numbered CPU where the CPU's total stays <= 1 (EDF's exact test on one CPU, Liu &
 * Layland 1973). Tasks never migrate; a task that fits nowhere goes to the least-utilised CPU
 * and may miss deadlines. Other processes go to the least-loaded CPU.
 */
export function partitionedEdf(ctx: PolicyContext): Policy {
  readParams(ctx, {});
  const m = ctx.machine;
  const n = m.cpuCount;
  const assigned = new Float64Array(n);
  const home = new Map<string, number>();
  const tasks = [...(ctx.tasks ?? [])].sort((a, b) => density(b, 1) - density(a, 1));
  const allowed = (t: PeriodicTaskInfo, cpu: number): boolean => t.affinity === null || t.affinity[cpu] === 1;
  for (const t of tasks) {
    let cpu = -1;
    for (let c = 0; c < n && cpu < 0; c++) {
      if (allowed(t, c) && assigned[c]! + density(t, m.cpuSpeed[c]!) <= 1 + 1e-12) cpu = c;
    }
    if (cpu < 0) {
      for (let c = 0; c < n; c++) if (allowed(t, c) && (cpu < 0 || assigned[c]! < assigned[cpu]!)) cpu = c;
    }
    assigned[cpu]! += density(t, m.cpuSpeed[cpu]!);
    home.set(`${t.group}\u0000${t.indexInGroup}`, cpu);
  }
  return {
    name: 'partitioned-edf',
    place(view, h) {
      const cpu = view.periodNs(h) > 0 ? home.get(`${view.groupOf(h)}\u0000${view.indexInGroup(h)}`) : undefined;
      return cpu !== undefined && view.online(cpu) ? cpu : leastLoadedUsable(view, h);
    },
    // A failed CPU's tasks go where the least utilisation is already assigned (re-partitioning).
    onCpuEvent: evacuateOnCpuEvent((view, h, from) => {
      let best = -1;
      for (let c = 0; c < n; c++) {
        if (c === from || !view.online(c) || !view.isAllowed(h, c)) continue;
        if (best < 0 || assigned[c]! < assigned[best]!) best = c;
      }
      if (best >= 0 && view.periodNs(h) > 0) {
        const key = `${view.groupOf(h)}\u0000${view.indexInGroup(h)}`;
        const u = view.wcetNs(h) / view.periodNs(h);
        assigned[from]! -= u / m.cpuSpeed[from]!;
        assigned[best]! += u / m.cpuSpeed[best]!;
        home.set(key, best);
      }
      return best;
    }),
  };
}
