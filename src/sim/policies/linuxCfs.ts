/**
 * `linux-cfs`: the Linux fair-class load balancer (kernel/sched/fair.c, topology.c), reduced to
 * the decisions that move processes. docs/policies.md, linux-cfs lists the parameters and their sources.
 *
 * - Scheduling domains: each CPU sees nested domains SMT (threads of a core) -> MC (CPUs sharing
 *   the socket's last-level cache) -> NUMA (the whole machine); a level whose span equals the
 *   one below is dropped, as the kernel does. Each domain is split into groups (the child spans).
 * - Periodic balance: a CPU balances a domain when its interval has passed. The interval starts
 *   at the domain's CPU count in ms, doubles (up to 2x) while the domain is balanced, is
 *   multiplied by busy_factor while the CPU is busy and capped at ncpus x 100 ms.
 * - load_balance: find the busiest group; act only if its load per capacity exceeds the local
 *   group's by imbalance_pct; pull waiting tasks from the busiest CPU in it, half the difference.
 * - task_hot / can_migrate_task: a task that ran within sched_migration_cost is cache-hot and is
 *   not pulled (SMT siblings share the cache, so never hot there) unless balancing this domain
 *   has already failed more than cache_nice_tries times in a row.
 * - Active balance: after more than cache_nice_tries + 2 failures, the busiest CPU's running task
 *   is pushed to the balancing CPU (reason cpu-contention: nothing else could relieve it).
 * - Newidle balance: a CPU running out of work pulls at once, unless its average idle period is
 *   shorter than sched_migration_cost (it would be busy again before the pull paid off).
 * - Wake-up placement: the previous CPU if idle, else an idle CPU sharing its LLC, else the
 *   previous CPU (select_idle_sibling); new tasks go to the least-loaded CPU.
 *
 * Simplification: load is the number of runnable tasks scaled by CPU capacity, not PELT's
 * decayed, weight-scaled utilisation.
 */
import type { Reason } from '../config';
import { evacuateOnCpuEvent, leastLoadedUsable, ranWithin, usable } from './helpers';
import { readParams } from './params';
import type { Policy, PolicyActions, PolicyContext, SimView } from './policy';
import type { ResolvedMachine } from '../machine';

export const LINUX_CFS_PARAMS = {
  migrationCost: {
    kind: 'time',
    default: 500_000,
    min: 0,
    doc: 'sched_migration_cost: a task that ran within this time is cache-hot and is not pulled, and a CPU whose idle periods average less does not newidle-balance.',
  },
  imbalancePct: {
    kind: 'integer',
    default: 117,
    min: 100,
    max: 1000,
    doc: "imbalance_pct of the MC and NUMA domains: balance only when the busiest group carries this percentage of the local group's load (SMT uses 110).",
  },
  cacheNiceTries: {
    kind: 'integer',
    default: -1,
    min: -1,
    max: 100,
    doc: "Failed balancing attempts before cache-hot tasks may be pulled; -1 = the kernel's per-level values (SMT 0, MC 1, NUMA 2).",
  },
  busyFactor: {
    kind: 'integer',
    default: 16,
    min: 1,
    max: 1024,
    doc: 'busy_factor: a busy CPU balances this many times less often.',
  },
  tick: {
    kind: 'time',
    default: 1_000_000,
    min: 10_000,
    doc: 'Scheduler tick (HZ = 1000): how often CPUs check whether a domain is due.',
  },
  newidle: { kind: 'boolean', default: true, doc: 'Newidle balancing: a CPU that runs dry pulls work immediately.' },
  activeBalance: {
    kind: 'boolean',
    default: true,
    doc: 'Active balancing: push a running task when pulling waiting ones keeps failing.',
  },
} as const;

type Level = 'SMT' | 'MC' | 'NUMA';

interface Domain {
  level: Level;
  /** CPUs in the domain. */
  span: number[];
  /** The domain's groups (child spans); groups[localGroup] contains the owning CPU. */
  groups: number[][];
  /** Each group's CPUs as a range [groupFrom[i], groupTo[i]) (child spans are runs of CPU numbers), or null if one is not. */
  groupFrom: Int32Array | null;
  groupTo: Int32Array | null;
  localGroup: number;
  imbalancePct: number;
  cacheNiceTries: number;
  minIntervalMs: number;
}

interface GroupStats {
  load: number;
  capacity: number;
  waiting: number;
}

const DEFAULT_IMBALANCE: Record<Level, number> = { SMT: 110, MC: 117, NUMA: 117 };
const DEFAULT_NICE_TRIES: Record<Level, number> = { SMT: 0, MC: 1, NUMA: 2 };

/** Per CPU, its domains from the smallest up (degenerate levels dropped). Exported for tests. */
export function buildDomains(m: ResolvedMachine, imbalancePct: number, cacheNiceTries: number): Domain[][] {
  const n = m.cpuCount;
  const all = Array.from({ length: n }, (_, c) => c);
  const spanOf: Record<Level, (cpu: number) => number[]> = {
    SMT: (cpu) => all.filter((c) => m.cpuCore[c] === m.cpuCore[cpu]),
    MC: (cpu) => all.filter((c) => m.cpuSocket[c] === m.cpuSocket[cpu]),
    NUMA: () => all,
  };
  const levels: Level[] = ['SMT', 'MC', 'NUMA'];
  return all.map((cpu) => {
    const domains: Domain[] = [];
    let child: (c: number) => number[] = (c) => [c];
    for (const level of levels) {
      const span = spanOf[level](cpu);
      const childSpan = child(cpu);
      if (span.length <= childSpan.length) continue; // degenerate: same CPUs as the level below
      const groups: number[][] = [];
      const seen = new Set<number>();
      for (const c of span) {
        if (seen.has(c)) continue;
        const g = child(c);
        g.forEach((x) => seen.add(x));
        groups.push(g);
      }
      const ranges = groups.every((g) => g.every((c, k) => c === g[0]! + k));
      domains.push({
        level,
        span,
        groups,
        groupFrom: ranges ? Int32Array.from(groups, (g) => g[0]!) : null,
        groupTo: ranges ? Int32Array.from(groups, (g) => g[0]! + g.length) : null,
        localGroup: groups.findIndex((g) => g.includes(cpu)),
        imbalancePct: level === 'SMT' ? DEFAULT_IMBALANCE.SMT : imbalancePct,
        cacheNiceTries: cacheNiceTries >= 0 ? cacheNiceTries : DEFAULT_NICE_TRIES[level],
        minIntervalMs: span.length,
      });
      child = spanOf[level];
    }
    return domains;
  });
}

export function linuxCfs(ctx: PolicyContext): Policy {
  const params = readParams(ctx, LINUX_CFS_PARAMS);
  const m = ctx.machine;
  const n = m.cpuCount;
  const domains = buildDomains(m, params.imbalancePct, params.cacheNiceTries);
  // Per CPU and domain level: consecutive failures, current interval (ms), next due time.
  const failed = domains.map((ds) => ds.map(() => 0));
  const intervalMs = domains.map((ds) => ds.map((d) => d.minIntervalMs));
  const nextDue = domains.map((ds) => ds.map((d) => d.minIntervalMs * 1e6));
  const maxIntervalMs = Math.max(1, n * 100);
  // rq->avg_idle: EWMA of idle-period lengths, starting at 2 x migration cost like the kernel.
  const avgIdle = new Float64Array(n).fill(2 * params.migrationCost);
  const idleSince = new Float64Array(n).fill(-1);

  function groupLoad(view: SimView, group: number[]): GroupStats {
    let load = 0;
    let capacity = 0;
    let waiting = 0;
    for (const cpu of group) {
      if (!view.online(cpu)) continue;
      load += view.load(cpu);
      waiting += view.queueLength(cpu);
      capacity += view.capacity(cpu) / 1024;
    }
    return { load, capacity, waiting };
  }

  /**
   * One load_balance pass of `cpu` over domain `level`. As in the kernel, a newly idle CPU's
   * failures do not count towards nr_balance_failed and never trigger active balancing.
   */
  function loadBalance(
    view: SimView,
    act: PolicyActions,
    cpu: number,
    level: number,
    newlyIdle: boolean,
  ): 'moved' | 'balanced' | 'failed' {
    const d = domains[cpu]![level]!;
    // A group with nobody waiting is never the busiest: with every CPU online, the index's range
    // sums find those without reading their CPUs, and only the others are summed CPU by CPU.
    const from = view.onlineCount === n ? d.groupFrom : null;
    const to = d.groupTo;
    let busiest = -1;
    let busiestPerCap = -1;
    let busiestStats: GroupStats | null = null;
    for (let i = 0; i < d.groups.length; i++) {
      if (i === d.localGroup) continue;
      if (from !== null && view.queuedSum(from[i]!, to![i]!) === 0) continue;
      const s = groupLoad(view, d.groups[i]!);
      if (s.capacity === 0 || s.waiting === 0) continue;
      const perCap = s.load / s.capacity;
      if (perCap > busiestPerCap) {
        busiestPerCap = perCap;
        busiest = i;
        busiestStats = s;
      }
    }
    if (busiest < 0 || busiestStats === null) return 'balanced';
    const local = groupLoad(view, d.groups[d.localGroup]!);
    const localPerCap = local.capacity > 0 ? local.load / local.capacity : Infinity;
    if (busiestPerCap * 100 <= localPerCap * d.imbalancePct) return 'balanced';
    // Move half the difference, scaled to the local group's capacity; at least one task.
    const imbalance = Math.max(
      1,
      Math.floor(((busiestPerCap - localPerCap) * Math.min(local.capacity, busiestStats.capacity)) / 2),
    );
    // The busiest CPU of the busiest group: most runnable with someone waiting.
    let src = -1;
    for (const c of d.groups[busiest]!) {
      if (view.online(c) && view.queueLength(c) > 0 && (src < 0 || view.load(c) > view.load(src))) src = c;
    }
    if (src < 0) return 'balanced';
    let moved = 0;
    const mayMoveHot = failed[cpu]![level]! > d.cacheNiceTries;
    for (const h of view.queued(src)) {
      if (moved >= imbalance) break;
      if (!usable(view, h, cpu)) continue;
      const hot = d.level !== 'SMT' && params.migrationCost > 0 && ranWithin(view, h, params.migrationCost);
      if (hot && !mayMoveHot) continue;
      if (act.migrate(h, cpu, 'load-balance')) moved++;
    }
    if (moved > 0) return 'moved';
    if (newlyIdle) return 'failed';
    failed[cpu]![level]!++;
    if (params.activeBalance && failed[cpu]![level]! > d.cacheNiceTries + 2 && view.load(cpu) === 0) {
      const running = view.running(src);
      if (running >= 0 && usable(view, running, cpu) && act.migrate(running, cpu, 'cpu-contention' satisfies Reason))
        return 'moved';
    }
    return 'failed';
  }

  function record(cpu: number, level: number, outcome: 'moved' | 'balanced' | 'failed'): void {
    const d = domains[cpu]![level]!;
    if (outcome === 'moved') {
      failed[cpu]![level] = 0;
      intervalMs[cpu]![level] = d.minIntervalMs;
    } else if (outcome === 'balanced') {
      failed[cpu]![level] = 0;
      intervalMs[cpu]![level] = Math.min(2 * d.minIntervalMs, intervalMs[cpu]![level]! * 2);
    }
  }

  return {
    name: 'linux-cfs',
    balanceIntervalNs: params.tick,
    place: (view, h) => leastLoadedUsable(view, h),
    placeOnWake(view, h) {
      const prev = view.cpuOf(h);
      if (prev >= 0 && usable(view, h, prev) && view.load(prev) === 0) return prev;
      if (prev >= 0) {
        // select_idle_sibling: the next idle CPU of prev's socket, in order after prev.
        const socket = m.cpuSocket[prev]!;
        const idle = view.nextIdle(
          (prev + 1) % n,
          (c) => c !== prev && m.cpuSocket[c] === socket && usable(view, h, c),
        );
        if (idle >= 0) return idle;
        if (usable(view, h, prev)) return prev;
      }
      return leastLoadedUsable(view, h);
    },
    wakeReason: () => 'load-balance',
    balance(view, act) {
      const now = view.nowNs;
      for (let cpu = 0; cpu < n; cpu++) {
        if (!view.online(cpu)) continue;
        if (idleSince[cpu]! >= 0 && view.load(cpu) > 0) {
          avgIdle[cpu]! += (now - idleSince[cpu]! - avgIdle[cpu]!) / 8;
          idleSince[cpu] = -1;
        }
        const busy = view.load(cpu) > 0;
        const ds = domains[cpu]!;
        for (let level = 0; level < ds.length; level++) {
          if (now < nextDue[cpu]![level]!) continue;
          record(cpu, level, loadBalance(view, act, cpu, level, false));
          const ms = Math.min(maxIntervalMs, intervalMs[cpu]![level]! * (busy ? params.busyFactor : 1));
          nextDue[cpu]![level] = now + ms * 1e6;
        }
      }
    },
    onIdle(view, act, cpu) {
      idleSince[cpu] = view.nowNs;
      if (!params.newidle || !view.online(cpu) || avgIdle[cpu]! < params.migrationCost) return;
      const ds = domains[cpu]!;
      for (let level = 0; level < ds.length; level++) {
        const outcome = loadBalance(view, act, cpu, level, true);
        record(cpu, level, outcome);
        if (outcome === 'moved') return;
      }
    },
    onCpuEvent: evacuateOnCpuEvent(),
  };
}
