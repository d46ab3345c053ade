/**
 * `energy-aware`: Linux energy-aware scheduling (Documentation/scheduler/sched-energy.rst,
 * kernel/sched/fair.c find_energy_efficient_cpu), docs/model.md, Energy and DVFS.
 *
 * - Each process's utilisation is estimated from what it did so far: the fraction of its time it
 *   spent running, times the capacity of the CPU it ran on (new processes: `newUtil` of 1024).
 *   A CPU's utilisation is the sum over the processes running or waiting there.
 * - A process *fits* a CPU when the CPU's utilisation with it stays below `overutilized` (80 %)
 *   of the CPU's capacity.
 * - While no CPU is over that mark, placement (arrival and wake-up) picks, among the CPUs the
 *   process fits, the one whose performance domain (the CPUs of one core type on one socket,
 *   which share a clock) adds the least energy. A domain's energy is estimated as the kernel
 *   does: the clock it needs is the lowest P-state whose capacity covers its busiest CPU with 25 %
 *   headroom (schedutil); each CPU then costs its busy power at that P-state times its busy
 *   fraction. Busy power comes from the machine's power model (view.busyPowerW); without one,
 *   V^2 f stands in. Adding work to an idle domain costs the most, so small work is packed onto
 *   CPUs that are awake already and the others can stay in deep idle states. A wake-up placed
 *   on another CPU is an `energy` migration.
 * - Once any CPU is over the mark the system is "overutilized": energy placement stops and
 *   plain load balancing takes over (idle CPUs pull waiting work from the busiest queue).
 */
import { busiestQueue, evacuateOnCpuEvent, leastLoadedUsable, usable } from './helpers';
import { readParams } from './params';
import type { Policy, PolicyActions, PolicyContext, SimView } from './policy';

export const ENERGY_AWARE_PARAMS = {
  overutilized: {
    kind: 'fraction',
    default: 0.8,
    doc: "Utilisation (of a CPU's capacity) above which a process no longer fits and normal load balancing takes over.",
  },
  newUtil: {
    kind: 'fraction',
    default: 0.5,
    doc: 'Utilisation assumed for a process that has not run yet, as a fraction of 1024.',
  },
  interval: {
    kind: 'time',
    default: 4_000_000,
    min: 10_000,
    doc: 'How often the overutilized state is checked and, while it lasts, load balanced.',
  },
} as const;

/** schedutil's headroom: a domain runs at a capacity 1.25 x its busiest CPU's utilisation. */
const HEADROOM = 1.25;

export function energyAware(ctx: PolicyContext): Policy {
  const params = readParams(ctx, ENERGY_AWARE_PARAMS);
  const m = ctx.machine;
  const n = m.cpuCount;
  const maxCap = (cpu: number): number => m.coreTypes[m.cpuType[cpu]!]!.capacity;
  // Performance domains: CPUs of one core type on one socket.
  const domainOf = Array.from({ length: n }, (_, cpu) => m.cpuSocket[cpu]! * m.coreTypes.length + m.cpuType[cpu]!);
  const domains: number[][] = [];
  domainOf.forEach((d, cpu) => (domains[d] ??= []).push(cpu));
  const util = new Float64Array(n);
  /** Per domain, its power without the process being placed (NaN: not computed yet in this placement). */
  const basePower = new Float64Array(domains.length);

  function taskUtil(view: SimView, h: number): number {
    const run = view.runNs(h);
    if (run <= 0) return params.newUtil * 1024;
    const busy = run / (run + view.sleepNs(h));
    const last = view.lastCpuOf(h);
    return busy * (last >= 0 ? maxCap(last) : 1024);
  }

  /** Utilisation of `cpu`: the processes running or waiting there, `except` left out. */
  function utilOf(view: SimView, cpu: number, except: number): number {
    let u = 0;
    const r = view.running(cpu);
    if (r >= 0 && r !== except) u += taskUtil(view, r);
    for (const h of view.queued(cpu)) if (h !== except) u += taskUtil(view, h);
    return u;
  }

  function refreshUtil(view: SimView, except = -1): void {
    for (let cpu = 0; cpu < n; cpu++) util[cpu] = utilOf(view, cpu, except);
  }

  function overutilized(view: SimView): boolean {
    for (let cpu = 0; cpu < n; cpu++)
      if (view.online(cpu) && util[cpu]! > params.overutilized * maxCap(cpu)) return true;
    return false;
  }

  /** The CPU last found over the mark: a busy CPU stays busy a while, so it is asked first. */
  let witness = 0;

  /**
   * overutilized() after refreshUtil(view, except), without computing every CPU's utilisation:
   * one CPU over the mark is enough, and the last one found usually still is.
   */
  function overutilizedNow(view: SimView, except: number): boolean {
    for (let k = 0; k < n; k++) {
      const cpu = (witness + k) % n;
      if (view.online(cpu) && utilOf(view, cpu, except) > params.overutilized * maxCap(cpu)) {
        witness = cpu;
        return true;
      }
    }
    return false;
  }

  /** Busy power of `cpu` at P-state `index`: the machine's power model, or V^2 f in its absence. */
  function busyPower(view: SimView, cpu: number, index: number): number {
    const w = view.busyPowerW(cpu, index);
    if (w > 0) return w;
    const ps = m.coreTypes[m.cpuType[cpu]!]!.pstates[index]!;
    return ps.voltV * ps.voltV * ps.freqHz * 1e-9;
  }

  /** Estimated power of domain `d` with `extra` utilisation added on `on` (-1: none). */
  function domainPower(view: SimView, d: number, on: number, extra: number): number {
    const cpus = domains[d]!;
    const type = m.coreTypes[m.cpuType[cpus[0]!]!]!;
    let busiest = 0;
    for (const cpu of cpus) busiest = Math.max(busiest, util[cpu]! + (cpu === on ? extra : 0));
    if (busiest === 0) return 0;
    const top = type.pstates.length - 1;
    const fMax = type.pstates[top]!.freqHz;
    let index = top;
    for (let i = 0; i <= top; i++) {
      if ((type.capacity * type.pstates[i]!.freqHz) / fMax >= busiest * HEADROOM) {
        index = i;
        break;
      }
    }
    const capAt = (type.capacity * type.pstates[index]!.freqHz) / fMax;
    let watts = 0;
    for (const cpu of cpus) {
      const u = util[cpu]! + (cpu === on ? extra : 0);
      if (u > 0) watts += busyPower(view, cpu, index) * Math.min(1, u / capAt);
    }
    return watts;
  }

  function choose(view: SimView, h: number): number {
    const prev = view.cpuOf(h);
    if (overutilizedNow(view, h)) return leastLoadedUsable(view, h);
    refreshUtil(view, h);
    const u = taskUtil(view, h);
    basePower.fill(NaN);
    let best = -1;
    let bestDelta = Infinity;
    for (let cpu = 0; cpu < n; cpu++) {
      if (!usable(view, h, cpu) || util[cpu]! + u > params.overutilized * maxCap(cpu)) continue;
      const d = domainOf[cpu]!;
      // The domain's power without the process is the same for each of its CPUs: computed once.
      if (Number.isNaN(basePower[d]!)) basePower[d] = domainPower(view, d, -1, 0);
      const delta = domainPower(view, d, cpu, u) - basePower[d]!;
      // Ties (within 0.1 %): the previous CPU keeps its warm cache; then the one with most spare capacity.
      const better =
        delta < bestDelta * 0.999 ||
        (delta <= bestDelta * 1.001 &&
          (cpu === prev || (best !== prev && maxCap(cpu) - util[cpu]! > maxCap(best) - util[best]!)));
      if (best < 0 || better) {
        best = cpu;
        bestDelta = delta;
      }
    }
    return best >= 0 ? best : leastLoadedUsable(view, h);
  }

  function pullFor(view: SimView, act: PolicyActions, thief: number): void {
    if (!view.online(thief) || view.load(thief) > 0) return;
    const victim = busiestQueue(view, 1, (c) => c !== thief);
    if (victim < 0) return;
    for (const h of view.queued(victim)) if (usable(view, h, thief) && act.migrate(h, thief, 'load-balance')) return;
  }

  return {
    name: 'energy-aware',
    balanceIntervalNs: params.interval,
    place: choose,
    placeOnWake: choose,
    wakeReason: () => 'energy',
    balance(view, act) {
      refreshUtil(view);
      if (!overutilized(view)) return;
      for (let cpu = 0; cpu < n; cpu++) pullFor(view, act, cpu);
    },
    onCpuEvent: evacuateOnCpuEvent(),
  };
}
