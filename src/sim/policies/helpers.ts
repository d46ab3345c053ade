/** Building blocks the built-in policies share: usable CPUs, least-loaded choice, evacuation. */
import type { Reason } from '../config';
import type { CpuEvent, PolicyActions, SimView } from './policy';

/** `handle` may run on `cpu` and `cpu` is in service. */
export function usable(view: SimView, handle: number, cpu: number): boolean {
  return view.online(cpu) && view.isAllowed(handle, cpu);
}

/** Usable CPU with the smallest load among those `accept` admits (all when absent), other than `except`; lowest number on ties; -1 if none. */
export function leastLoadedUsable(
  view: SimView,
  handle: number,
  accept?: (cpu: number) => boolean,
  except = -1,
): number {
  // usable(), with the process's mask read once (this runs on every placement).
  const mask = view.affinity(handle);
  return view.leastLoaded(
    (cpu) =>
      cpu !== except && (mask === null || mask[cpu] === 1) && view.online(cpu) && (accept === undefined || accept(cpu)),
  );
}

/**
 * Usable CPU with the smallest load among those `accept` admits (all when absent), other than
 * `except`; among equals the one with the smallest `tie(cpu)`, then the lowest number: what a scan
 * of every CPU keeping the first with a smaller (load, tie) finds. It reads only the CPUs at the
 * smallest load (from the load index), and stops at the first whose tie is `floor`, a value no
 * tie goes below. -1 if none.
 */
export function leastLoadedThen(
  view: SimView,
  handle: number,
  accept: ((cpu: number) => boolean) | undefined,
  tie: (cpu: number) => number,
  floor = -Infinity,
  except = -1,
): number {
  const first = leastLoadedUsable(view, handle, accept, except);
  if (first < 0) return -1;
  let best = first;
  let bestTie = tie(first);
  if (bestTie <= floor) return best;
  const mask = view.affinity(handle);
  view.firstWithLoad(view.load(first), first + 1, view.machine.cpuCount, (cpu) => {
    if (cpu === except || (mask !== null && mask[cpu] !== 1) || !view.online(cpu)) return false;
    if (accept !== undefined && !accept(cpu)) return false;
    const t = tie(cpu);
    if (t < bestTie) {
      best = cpu;
      bestTie = t;
    }
    return t <= floor;
  });
  return best;
}

/** CPU with the most waiting processes among those `accept` admits (ties: lowest number); -1 if no queue holds `atLeast` waiting. */
export function busiestQueue(view: SimView, atLeast = 1, accept?: (cpu: number) => boolean): number {
  return view.mostQueued(atLeast, accept ?? (() => true));
}

/** Chooses where an evacuated process goes (-1: nowhere it may run; it stays and the engine decides). */
export type EvacuationTarget = (view: SimView, handle: number, from: number) => number;

const toLeastLoaded: EvacuationTarget = (view, h, from) => leastLoadedUsable(view, h, undefined, from);

/**
 * Reaction to machine events shared by every built-in policy: when a CPU fails or goes out for
 * maintenance, every process on it (running, waiting or due to wake there) moves to another
 * usable CPU, with reason `fault` or `maintenance`. A CPU coming back needs nothing: placement
 * and balancing use it again as soon as view.online says so.
 */
export function evacuateOnCpuEvent(target: EvacuationTarget = toLeastLoaded) {
  return (view: SimView, act: PolicyActions, event: CpuEvent): void => {
    if (event.kind !== 'offline') return;
    const reason: Reason = event.cause;
    for (const h of view.residents(event.cpu)) {
      if (view.stateOf(h) === 'transit') continue;
      const to = target(view, h, event.cpu);
      if (to >= 0 && to !== event.cpu) act.migrate(h, to, reason);
    }
  };
}

/** The CPUs sharing `cpu`'s last-level cache (its socket), for idle-sibling searches. */
export function sameSocket(view: SimView, a: number, b: number): boolean {
  return view.machine.cpuSocket[a] === view.machine.cpuSocket[b];
}

/** Whether `handle` has run within `windowNs` before now (its cache is likely still warm). */
export function ranWithin(view: SimView, handle: number, windowNs: number): boolean {
  const last = view.lastRanNs(handle);
  return last >= 0 && view.nowNs - last < windowNs;
}
