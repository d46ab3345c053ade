/**
 * `cache-affinity`: load balancing that counts what a move costs in cache reloads. A waiting
 * process moves only when the waiting time it is expected to save exceeds the time it will
 * spend re-fetching the lines it leaves behind; and when cache-heavy processes share one core
 * and together overflow its private cache ("clogged cache", docs/model.md, Caches, coherence and NUMA), the heaviest
 * waiting one moves to a core with room, reason cache-contention. Wake-ups stay on the CPU
 * whose cache still holds the process's footprint unless elsewhere is clearly less loaded.
 *
 * Cost model: the simulator's own estimate of a move (estimateMoveNs in ../migration.ts): the
 * fixed migration cost plus the reload of the lines the process leaves in the caches it leaves.
 * Expected gain: each process ahead in the source queue but not in the target's would run
 * about `expectedRun` before this one.
 */
import { estimateMoveNs } from '../migration';
import { evacuateOnCpuEvent, leastLoadedThen, leastLoadedUsable, usable } from './helpers';
import { readParams } from './params';
import type { Policy, PolicyActions, PolicyContext, SimView } from './policy';

export const CACHE_AFFINITY_PARAMS = {
  interval: {
    kind: 'time',
    default: 4_000_000,
    min: 10_000,
    doc: 'How often CPUs look for a move worth its cache cost.',
  },
  expectedRun: {
    kind: 'time',
    default: 2_000_000,
    min: 1,
    doc: 'Time each process ahead in a queue is expected to run before the next one (about one time slice).',
  },
  costFactor: {
    kind: 'number',
    default: 1,
    min: 0,
    doc: 'A move happens only if the expected gain exceeds this many times the reload cost.',
  },
  affinityWeight: {
    kind: 'number',
    default: 1,
    min: 0,
    doc: 'How many queued processes a warm cache is worth when a process wakes up.',
  },
  heavyFraction: {
    kind: 'fraction',
    default: 0.25,
    doc: 'A process is cache-heavy when its working set is at least this fraction of the private (L2) cache.',
  },
} as const;

export function cacheAffinity(ctx: PolicyContext): Policy {
  const params = readParams(ctx, CACHE_AFFINITY_PARAMS);
  const m = ctx.machine;
  const n = m.cpuCount;
  const heavyBytes = params.heavyFraction * m.l2Bytes;
  // The CPUs of each core (ascending) and of each socket (a range: CPUs are numbered socket by socket).
  const coreCpus: number[][] = Array.from({ length: m.coreCount }, () => []);
  for (let cpu = 0; cpu < n; cpu++) coreCpus[m.cpuCore[cpu]!]!.push(cpu);
  const socketFrom = new Int32Array(m.sockets).fill(n);
  const socketTo = new Int32Array(m.sockets);
  for (let cpu = 0; cpu < n; cpu++) {
    const s = m.cpuSocket[cpu]!;
    socketFrom[s] = Math.min(socketFrom[s]!, cpu);
    socketTo[s] = cpu + 1;
  }
  /** Per socket, the smallest NUMA distance to a CPU of another socket: no remote target is nearer. */
  const nearestRemote = Array.from({ length: m.sockets }, (_, s) => {
    let d = Infinity;
    for (let t = 0; t < m.sockets; t++)
      if (t !== s) d = Math.min(d, m.distances[m.cpuNode[socketFrom[s]!]!]![m.cpuNode[socketFrom[t]!]!]!);
    return d;
  });

  /** Working-set bytes of the processes on `core` (running and waiting): one entry of corePressure. */
  function pressureOf(view: SimView, core: number): number {
    let bytes = 0;
    for (const cpu of coreCpus[core]!) {
      const r = view.running(cpu);
      if (r >= 0) bytes += view.workingSetLines(r) * m.lineBytes;
      for (const h of view.queued(cpu)) bytes += view.workingSetLines(h) * m.lineBytes;
    }
    return bytes;
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

  /**
   * Moves at most one waiting process off `src` when the waiting it saves beats the reload it
   * causes. A waiting process sits on average halfway down the queue, so it would start after
   * about (queueLength + 1) / 2 runs here and after load(dst) runs there. The coldest waiting
   * process (fewest lines left in this core's cache) is the cheapest to move and goes first.
   */
  function balanceFrom(view: SimView, act: PolicyActions, src: number): void {
    const queued = [...view.queued(src)].sort(
      (a, b) => view.privateFootprintLines(a, src) - view.privateFootprintLines(b, src) || a - b,
    );
    const waitHere = (view.queueLength(src) + 1) / 2;
    for (const h of queued) {
      const dst = cheapestTarget(view, h, src);
      if (dst < 0) return;
      const gain = (waitHere - view.load(dst)) * params.expectedRun;
      if (gain > 0 && gain > params.costFactor * estimateMoveNs(view, h, src, dst)) {
        act.migrate(h, dst, 'load-balance');
        return;
      }
    }
  }

  /**
   * Least-loaded usable CPU other than `src`; among equals the nearest (same core, same socket,
   * then by distance), then the lowest number: the smallest load x 1000 + tier of a scan (tiers
   * are below 256). Only CPUs at the smallest load are read, nearest first.
   */
  function cheapestTarget(view: SimView, h: number, src: number): number {
    const first = leastLoadedUsable(view, h, undefined, src);
    if (first < 0) return -1;
    const load = view.load(first);
    const fits = (c: number): boolean => c !== src && usable(view, h, c);
    for (const c of coreCpus[m.cpuCore[src]!]!) if (view.load(c) === load && fits(c)) return c;
    const socket = m.cpuSocket[src]!;
    const near = view.firstWithLoad(load, socketFrom[socket]!, socketTo[socket]!, fits);
    if (near >= 0) return near;
    let best = -1;
    let bestDistance = Infinity;
    view.firstWithLoad(load, 0, n, (c) => {
      if (m.cpuSocket[c] === socket || !fits(c)) return false;
      const d = view.distance(src, c);
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
      return d <= nearestRemote[socket]!;
    });
    return best;
  }

  /**
   * Separates cache-heavy processes sharing a core whose private cache they overflow: the
   * heaviest waiting one moves to a core with room that is no busier; when every core is as
   * busy, it swaps places with a light process on a core that has room for it.
   */
  function unclog(view: SimView, act: PolicyActions): void {
    const pressure = corePressure(view);
    const bytesOf = (h: number): number => view.workingSetLines(h) * m.lineBytes;
    for (let src = 0; src < n; src++) {
      const core = m.cpuCore[src]!;
      if (pressure[core]! <= m.l2Bytes) continue;
      // The heaviest waiting process (the running one keeps its warm cache).
      let victim = -1;
      for (const h of view.queued(src)) {
        if (bytesOf(h) >= heavyBytes && (victim < 0 || bytesOf(h) > bytesOf(victim))) victim = h;
      }
      if (victim < 0) continue;
      const vb = bytesOf(victim);
      let dst = -1;
      let partner = -1;
      for (let c = 0; c < n; c++) {
        const cc = m.cpuCore[c]!;
        if (cc === core || !usable(view, victim, c)) continue;
        if (view.load(c) < view.load(src)) {
          if (pressure[cc]! + vb <= m.l2Bytes && (dst < 0 || pressure[cc]! < pressure[m.cpuCore[dst]!]!)) {
            dst = c;
            partner = -1;
          }
          continue;
        }
        if (dst >= 0 && partner < 0) continue; // a plain move beats a swap
        // Swap: a light waiting process there comes here, the heavy one goes there.
        for (const h of view.queued(c)) {
          const hb = bytesOf(h);
          if (
            hb < heavyBytes &&
            pressure[cc]! - hb + vb <= m.l2Bytes &&
            usable(view, h, src) &&
            (partner < 0 || hb < bytesOf(partner))
          ) {
            dst = c;
            partner = h;
          }
        }
      }
      if (dst < 0 || !act.migrate(victim, dst, 'cache-contention')) continue;
      pressure[core]! -= vb;
      pressure[m.cpuCore[dst]!]! += vb;
      if (partner >= 0 && act.migrate(partner, src, 'cache-contention')) {
        pressure[core]! += bytesOf(partner);
        pressure[m.cpuCore[dst]!]! -= bytesOf(partner);
      }
    }
  }

  /**
   * Least-loaded usable CPU; among equals the one whose core's cache holds the least working set
   * (then the lowest number). Only the CPUs at the smallest load are read, and a core holding
   * nothing ends the search.
   */
  function placeByPressure(view: SimView, h: number): number {
    return leastLoadedThen(view, h, undefined, (c) => pressureOf(view, m.cpuCore[c]!), 0);
  }

  return {
    name: 'cache-affinity',
    balanceIntervalNs: params.interval,
    place: placeByPressure,
    placeOnWake(view, h) {
      const prev = view.cpuOf(h);
      const best = placeByPressure(view, h);
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
