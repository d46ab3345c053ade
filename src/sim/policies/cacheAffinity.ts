/**
 * `cache-affinity`: load balancing that counts what a move costs in cache reloads. A waiting
 * process moves only when the waiting time it is expected to save exceeds the time it will
 * spend re-fetching the lines it leaves behind; and when cache-heavy processes share one core
 * and together overflow its private cache ("clogged cache", MODEL.md section 2), the heaviest
 * waiting one moves to a core with room, reason cache-contention. Wake-ups stay on the CPU
 * whose cache still holds the process's footprint unless elsewhere is clearly less loaded.
 *
 * Cost model (the simulator's own, MODEL.md section 2): lines of the process in the source
 * core's private cache, reloaded from the socket's LLC (same socket) or from the remote socket's
 * cache (across sockets), divided by the memory-level parallelism, plus the fixed migration cost.
 * Expected gain: each process ahead in the source queue but not in the target's would run
 * about `expectedRun` before this one.
 */
import { evacuateOnCpuEvent, leastLoadedUsable, usable } from './helpers';
import { readParams } from './params';
import type { Policy, PolicyActions, PolicyContext, SimView } from './policy';

export const CACHE_AFFINITY_PARAMS = {
  interval: { kind: 'time', default: 4_000_000, min: 10_000, doc: 'How often CPUs look for a move worth its cache cost.' },
  expectedRun: { kind: 'time', default: 2_000_000, min: 1, doc: 'Time each process ahead in a queue is expected to run before the next one (about one time slice).' },
  costFactor: { kind: 'number', default: 1, min: 0, doc: 'A move happens only if the expected gain exceeds this many times the reload cost.' },
  affinityWeight: { kind: 'number', default: 1, min: 0, doc: 'How many queued processes a warm cache is worth when a process wakes up.' },
  heavyFraction: { kind: 'fraction', default: 0.25, doc: 'A process is cache-heavy when its working set is at least this fraction of the private (L2) cache.' },
} as const;

export function cacheAffinity(ctx: PolicyContext): Policy {
  const params = readParams(ctx, CACHE_AFFINITY_PARAMS);
  const m = ctx.machine;
  const n = m.cpuCount;
  const heavyBytes = params.heavyFraction * m.l2Bytes;

  /** Estimated ns to re-fetch what `h` leaves in `from`'s caches when it moves to `to`. */
  function reloadCostNs(view: SimView, h: number, from: number, to: number): number {
    const sameCore = m.cpuCore[from] === m.cpuCore[to];
    if (sameCore) return m.migrationFixedNs;
    const privateLines = view.privateFootprintLines(h, from);
    const sameSocket = m.cpuSocket[from] === m.cpuSocket[to];
    const lines = sameSocket ? privateLines : privateLines + view.llcFootprintLines(h, m.cpuSocket[from]!);
    const latency = sameSocket ? m.llcNs : m.remoteCacheNs;
    return m.migrationFixedNs + (lines * latency) / m.memoryParallelism;
  }

  /** Working-set bytes of the processes on each physical core (running and waiting). */
  function corePressure(view: SimView): Float64Array {
    const bytes = new Float64Array(m.coreCount);
    for (let cpu = 0; cpu < n; cpu++) {
      const core = m.cpuCore[cpu]!;
      const r = view.running(cpu);
      if (r >= 0) bytes[core]! += view.workingSetLines(r) * m.lineBytes;
      for (const h of view.queued(cpu)) bytes[core]! += view.workingSetLines(h) * m.lineBytes;
    }
    return bytes;
  }

  /** Moves at most one waiting process off `src` when the saved waiting beats the reload. */
  function balanceFrom(view: SimView, act: PolicyActions, src: number): void {
    const queued = view.queued(src);
    for (const h of queued) {
      const dst = leastLoadedUsable(view, h, undefined, src);
      if (dst < 0) return;
      const ahead = view.load(src) - 1 - view.load(dst);
      if (ahead <= 0) return;
      const gain = ahead * params.expectedRun;
      if (gain > params.costFactor * reloadCostNs(view, h, src, dst)) {
        act.migrate(h, dst, 'load-balance');
        return;
      }
    }
  }

  /** Separates cache-heavy processes sharing a core whose private cache they overflow. */
  function unclog(view: SimView, act: PolicyActions): void {
    const pressure = corePressure(view);
    for (let src = 0; src < n; src++) {
      const core = m.cpuCore[src]!;
      if (pressure[core]! <= m.l2Bytes) continue;
      // The heaviest waiting process (the running one keeps its warm cache).
      let victim = -1;
      let victimBytes = heavyBytes;
      for (const h of view.queued(src)) {
        const b = view.workingSetLines(h) * m.lineBytes;
        if (b >= victimBytes) {
          victim = h;
          victimBytes = b;
        }
      }
      if (victim < 0) continue;
      // A core with room for it, no busier than here; least pressure first.
      let dst = -1;
      for (let c = 0; c < n; c++) {
        const cc = m.cpuCore[c]!;
        if (cc === core || !usable(view, victim, c)) continue;
        if (pressure[cc]! + victimBytes > m.l2Bytes || view.load(c) >= view.load(src)) continue;
        if (dst < 0 || pressure[cc]! < pressure[m.cpuCore[dst]!]!) dst = c;
      }
      if (dst >= 0 && act.migrate(victim, dst, 'cache-contention')) {
        pressure[core]! -= victimBytes;
        pressure[m.cpuCore[dst]!]! += victimBytes;
      }
    }
  }

  return {
    name: 'cache-affinity',
    balanceIntervalNs: params.interval,
    place: (view, h) => leastLoadedUsable(view, h),
    placeOnWake(view, h) {
      const prev = view.cpuOf(h);
      const best = leastLoadedUsable(view, h);
      if (prev < 0 || !usable(view, h, prev)) return best;
      const warm = view.privateFootprintLines(h, prev) > 0 ? params.affinityWeight : 0;
      return view.load(prev) - warm <= view.load(best) ? prev : best;
    },
    wakeReason: () => 'load-balance',
    balance(view, act) {
      unclog(view, act);
      for (let cpu = 0; cpu < n; cpu++) if (view.queueLength(cpu) > 0) balanceFrom(view, act, cpu);
    },
    onCpuEvent: evacuateOnCpuEvent(),
  };
}
