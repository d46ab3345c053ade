/**
 * `heterogeneity-aware`: on a machine with big and little cores (e.g. the phone-4+4 preset,
 * Arm big.LITTLE), heavy work belongs on big cores and light work on little ones. This is the
 * misfit-task logic of Linux's capacity-aware scheduling (kernel/sched/fair.c, task_fits_cpu,
 * update_misfit_status): a task whose demand does not fit a little core is "misfit" and is moved
 * up (reason heterogeneity); a light task holding a big core while heavy work waits is moved down.
 *
 * Heavy or light is learnt from behaviour: the fraction of its time in the system a process has
 * spent running (run / (run + sleep)), once it has run at least `minRun`.
 */
import { evacuateOnCpuEvent, leastLoadedUsable, usable } from './helpers';
import { readParams } from './params';
import type { Policy, PolicyContext, SimView } from './policy';

export const HETEROGENEITY_PARAMS = {
  interval: { kind: 'time', default: 4_000_000, min: 10_000, doc: 'How often misfit processes are looked for.' },
  heavyUtil: {
    kind: 'fraction',
    default: 0.6,
    doc: 'A process that runs at least this fraction of the time (after minRun) is heavy.',
  },
  lightUtil: {
    kind: 'fraction',
    default: 0.3,
    doc: 'A process that runs less than this fraction of the time is light.',
  },
  minRun: {
    kind: 'time',
    default: 2_000_000,
    min: 0,
    doc: 'CPU time a process must have used before it is classed heavy.',
  },
} as const;

type Demand = 'heavy' | 'light' | 'unknown';

export function heterogeneityAware(ctx: PolicyContext): Policy {
  const params = readParams(ctx, HETEROGENEITY_PARAMS);
  const m = ctx.machine;
  const n = m.cpuCount;
  const capacities = m.coreTypes.map((t) => t.capacity);
  const maxCap = Math.max(...capacities);
  const isBig = (cpu: number): boolean => m.coreTypes[m.cpuType[cpu]!]!.capacity === maxCap;
  const homogeneous = capacities.every((c) => c === maxCap);
  // Without a governor or a thermal throttle no clock ever moves (frequency.ts), so a CPU's
  // capacity is its core type's for the whole run and fastest() can ask the load index per type.
  const staticCapacity = m.dvfs.governor === 'performance' && m.thermal === null;

  function demand(view: SimView, h: number): Demand {
    const run = view.runNs(h);
    const util = run / Math.max(1, run + view.sleepNs(h));
    if (run >= params.minRun && util >= params.heavyUtil) return 'heavy';
    if (run > 0 && util < params.lightUtil) return 'light';
    return 'unknown';
  }

  /** Usable CPU with the lowest (load + 1) / capacity among those `accept` admits: where one more process runs fastest. */
  function fastest(view: SimView, h: number, accept: (cpu: number) => boolean): number {
    return staticCapacity ? fastestByType(view, h, accept) : fastestByScan(view, h, accept);
  }

  /** Its score on `cpu`: the process's own CPU does not count it twice. */
  const score = (view: SimView, h: number, cpu: number): number =>
    (view.load(cpu) + (view.cpuOf(h) === cpu ? 0 : 1)) / Math.max(1, view.capacity(cpu));

  /** The scan: every CPU, the first with the lowest score. */
  function fastestByScan(view: SimView, h: number, accept: (cpu: number) => boolean): number {
    let best = -1;
    let bestScore = Infinity;
    for (let cpu = 0; cpu < n; cpu++) {
      if (!accept(cpu) || !usable(view, h, cpu)) continue;
      const s = score(view, h, cpu);
      if (s < bestScore) {
        bestScore = s;
        best = cpu;
      }
    }
    return best;
  }

  /**
   * What the scan finds, when capacities are static: on CPUs of one type the score grows with
   * the load, so the candidates are each type's least-loaded CPU other than the process's own
   * (from the load index) and its own; the lowest score wins, the lowest number on ties.
   */
  function fastestByType(view: SimView, h: number, accept: (cpu: number) => boolean): number {
    const own = view.cpuOf(h);
    let best = own >= 0 && accept(own) && usable(view, h, own) ? own : -1;
    let bestScore = best >= 0 ? score(view, h, best) : Infinity;
    for (let type = 0; type < m.coreTypes.length; type++) {
      const cpu = leastLoadedUsable(view, h, (c) => m.cpuType[c] === type && accept(c), own);
      if (cpu < 0) continue;
      const s = score(view, h, cpu);
      if (s < bestScore || (s === bestScore && cpu < best)) {
        bestScore = s;
        best = cpu;
      }
    }
    return best;
  }

  /** Wake-up and arrival: light work stays on little cores while they have room, everything else goes where it runs soonest. */
  function choose(view: SimView, h: number): number {
    const d = demand(view, h);
    const prev = view.cpuOf(h);
    const prevIdle = prev >= 0 && usable(view, h, prev) && view.load(prev) === 0;
    if (d === 'light') {
      if (prevIdle && !isBig(prev)) return prev;
      // Little cores take light work until they hold a queue; only then spill to a big core.
      const little = fastest(view, h, (c) => !isBig(c));
      if (little >= 0 && view.load(little) <= 1) return little;
    } else if (d === 'unknown' && prevIdle) {
      return prev;
    } else if (d === 'heavy' && prevIdle && isBig(prev)) {
      return prev;
    }
    return fastest(view, h, () => true);
  }

  return {
    name: 'heterogeneity-aware',
    balanceIntervalNs: params.interval,
    place: choose,
    placeOnWake: choose,
    wakeReason: (view, h, cpu) => {
      const prev = view.cpuOf(h);
      return prev >= 0 && isBig(prev) !== isBig(cpu) ? 'heterogeneity' : 'load-balance';
    },
    balance(view, act) {
      // Plain balancing first: waiting work goes to an idle CPU at least as fast as its own.
      for (let cpu = 0; cpu < n; cpu++) {
        for (const h of view.queued(cpu)) {
          const idle = fastest(
            view,
            h,
            (c) => c !== cpu && view.load(c) === 0 && view.capacity(c) >= view.capacity(cpu),
          );
          if (idle >= 0) act.migrate(h, idle, 'load-balance');
        }
      }
      if (homogeneous) return;
      for (let cpu = 0; cpu < n; cpu++) {
        if (isBig(cpu)) continue;
        // Misfit: heavy work on a little core moves up to a big core where it runs sooner.
        const candidates = [...view.queued(cpu)];
        const r = view.running(cpu);
        if (r >= 0) candidates.push(r);
        for (const h of candidates) {
          if (demand(view, h) !== 'heavy') continue;
          const big = fastest(view, h, isBig);
          if (big < 0) continue;
          const here = view.load(cpu) / Math.max(1, view.capacity(cpu));
          const there = (view.load(big) + 1) / Math.max(1, view.capacity(big));
          if (there < here) {
            act.migrate(h, big, 'heterogeneity');
            continue;
          }
          // Every big core busy: swap with a light process holding one.
          if (h !== r) continue;
          for (let b = 0; b < n; b++) {
            const occupant = view.running(b);
            if (!isBig(b) || occupant < 0 || demand(view, occupant) !== 'light' || !usable(view, occupant, cpu))
              continue;
            if (act.migrate(occupant, cpu, 'heterogeneity')) act.migrate(h, b, 'heterogeneity');
            break;
          }
        }
      }
    },
    onCpuEvent: evacuateOnCpuEvent((view, h, from) => fastest(view, h, (c) => c !== from)),
  };
}
