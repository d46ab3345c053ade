/**
 * The two classic dynamic load-balancing schemes (Eager, Lazowska & Zahorjan, "A comparison of
 * receiver-initiated and sender-initiated adaptive load sharing", Performance Evaluation 6(1),
 * 1986): an overloaded CPU pushes work away, or an idle CPU pulls work in. Both place new
 * processes round-robin and move only waiting processes; neither looks at caches, which is
 * what cache-affinity and linux-cfs add.
 */
import { busiestQueue, evacuateOnCpuEvent, leastLoadedUsable, usable } from './helpers';
import { readParams } from './params';
import { nextAllowed, type Policy, type PolicyActions, type PolicyContext, type SimView } from './policy';

function roundRobinPlacer(): (view: SimView, h: number) => number {
  let next = 0;
  return (view, h) => {
    const cpu = nextAllowed(view, h, next);
    next = (cpu + 1) % view.machine.cpuCount;
    return cpu;
  };
}

export const PERIODIC_PUSH_PARAMS = {
  interval: {
    kind: 'time',
    default: 4_000_000,
    min: 10_000,
    doc: 'How often every CPU compares its load with the mean.',
  },
  threshold: {
    kind: 'number',
    default: 1,
    min: 0,
    doc: 'A CPU pushes while its load exceeds the mean by more than this many processes.',
  },
} as const;

/**
 * Sender-initiated: every `interval`, each CPU whose load (running + waiting) is above the
 * machine's mean by more than `threshold` pushes waiting processes, one at a time, to the
 * least-loaded CPU, while that still narrows the gap. It takes the first waiting process it
 * finds, whatever its cache state.
 */
export function periodicPush(ctx: PolicyContext): Policy {
  const params = readParams(ctx, PERIODIC_PUSH_PARAMS);
  return {
    name: 'periodic-push',
    balanceIntervalNs: params.interval,
    place: roundRobinPlacer(),
    balance(view, act) {
      const n = view.machine.cpuCount;
      let total = 0;
      let online = 0;
      for (let cpu = 0; cpu < n; cpu++) {
        if (!view.online(cpu)) continue;
        total += view.load(cpu);
        online++;
      }
      if (online === 0) return;
      const mean = total / online;
      for (let src = 0; src < n; src++) {
        pushFrom(view, act, src, mean, params.threshold);
      }
    },
    onCpuEvent: evacuateOnCpuEvent(),
  };
}

function pushFrom(view: SimView, act: PolicyActions, src: number, mean: number, threshold: number): void {
  while (view.load(src) > mean + threshold) {
    let moved = false;
    for (const h of view.queued(src)) {
      const dst = leastLoadedUsable(view, h, undefined, src);
      // Only while it narrows the gap: the target ends up below the source.
      if (dst >= 0 && view.load(dst) + 1 < view.load(src) && act.migrate(h, dst, 'load-balance')) {
        moved = true;
        break;
      }
    }
    if (!moved) return;
  }
}

export const WORK_STEALING_PARAMS = {
  stealInterval: {
    kind: 'time',
    default: 1_000_000,
    min: 10_000,
    doc: 'How often CPUs with nothing to run look for work to steal (besides the moment they run dry).',
  },
  minQueue: { kind: 'integer', default: 1, min: 1, doc: 'A victim must have at least this many waiting processes.' },
} as const;

/**
 * Receiver-initiated: a CPU that runs out of work steals one waiting process from the CPU with
 * the longest queue (Blumofe & Leiserson, "Scheduling multithreaded computations by work
 * stealing", JACM 46(5), 1999, for the idea in runtimes). Idle CPUs also retry every
 * `stealInterval`, so a CPU that never had work still finds some. Under light load nobody
 * steals and nothing moves; under heavy load every idle moment is used.
 */
export function workStealing(ctx: PolicyContext): Policy {
  const params = readParams(ctx, WORK_STEALING_PARAMS);
  const steal = (view: SimView, act: PolicyActions, thief: number): void => {
    if (!view.online(thief) || view.load(thief) > 0) return;
    const victim = busiestQueue(view, params.minQueue, (cpu) => cpu !== thief);
    if (victim < 0) return;
    for (const h of view.queued(victim)) {
      if (usable(view, h, thief) && act.migrate(h, thief, 'load-balance')) return;
    }
  };
  return {
    name: 'work-stealing',
    balanceIntervalNs: params.stealInterval,
    place: roundRobinPlacer(),
    onIdle: steal,
    balance(view, act) {
      for (let cpu = 0; cpu < view.machine.cpuCount; cpu++) steal(view, act, cpu);
    },
    onCpuEvent: evacuateOnCpuEvent(),
  };
}
