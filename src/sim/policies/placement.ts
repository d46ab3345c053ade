/**
 * Placement-only policies: they decide where a process goes when it arrives or wakes up and
 * never move a process while it is running or waiting.
 */
import { evacuateOnCpuEvent, usable } from './helpers';
import { readParams } from './params';
import { nextAllowed, type Policy, type PolicyContext, type SimView } from './policy';

/**
 * Round-robin placement of every arrival *and every wake-up*: the next usable CPU in turn. It
 * spreads work evenly by count without looking at load; a wake-up on a different CPU than the
 * one the process slept on is a `load-balance` migration (cold cache on the new CPU).
 */
export function roundRobin(ctx: PolicyContext): Policy {
  readParams(ctx, {});
  let next = 0;
  const take = (view: SimView, h: number): number => {
    const cpu = nextAllowed(view, h, next);
    next = (cpu + 1) % view.machine.cpuCount;
    return cpu;
  };
  return {
    name: 'round-robin',
    place: take,
    placeOnWake: take,
    wakeReason: () => 'load-balance',
    onCpuEvent: evacuateOnCpuEvent(),
  };
}

export const POWER_OF_TWO_PARAMS = {
  d: {
    kind: 'integer',
    default: 2,
    min: 1,
    max: 1024,
    doc: 'How many distinct random CPUs to sample; the least loaded of them wins (1 = random placement).',
  },
  onWake: {
    kind: 'boolean',
    default: true,
    doc: 'Also choose again when a process wakes up (a move is a load-balance migration).',
  },
} as const;

/**
 * The power of d choices (Mitzenmacher 2001; Azar, Broder, Karlin & Upfal 1999): sample d
 * random usable CPUs and take the least loaded. Two choices already cut the maximum load from
 * about log n / log log n to log log n / log 2 for n balls in n bins, at the cost of d probes
 * instead of a full scan.
 */
export function powerOfTwo(ctx: PolicyContext): Policy {
  const params = readParams(ctx, POWER_OF_TWO_PARAMS);
  const rng = ctx.rng;
  const n = ctx.machine.cpuCount;
  const candidates: number[] = [];
  // Every CPU, in order: the candidates when all are usable, sampled in place and restored after.
  const everyCpu = Array.from({ length: n }, (_, cpu) => cpu);
  const swaps: number[] = [];
  /** Partial Fisher-Yates over the first `count` of `list`: the first d entries become a uniform sample without repetition; the least loaded of them wins. */
  const sample = (view: SimView, list: number[], count: number): number => {
    const d = Math.min(params.d, count);
    let best = -1;
    swaps.length = 0;
    for (let i = 0; i < d; i++) {
      const j = i + rng.int(count - i);
      const cpu = list[j]!;
      list[j] = list[i]!;
      list[i] = cpu;
      swaps.push(j);
      if (best < 0 || view.load(cpu) < view.load(best)) best = cpu;
    }
    return best;
  };
  const choose = (view: SimView, h: number): number => {
    if (view.affinity(h) === null && view.onlineCount === n) {
      // Every CPU is usable: sample from the list of all of them (the same draws and the same
      // choice as from a fresh list), then undo the swaps, in d steps instead of a scan.
      const best = sample(view, everyCpu, n);
      for (let i = swaps.length - 1; i >= 0; i--) {
        const j = swaps[i]!;
        const t = everyCpu[i]!;
        everyCpu[i] = everyCpu[j]!;
        everyCpu[j] = t;
      }
      return best;
    }
    candidates.length = 0;
    for (let cpu = 0; cpu < n; cpu++) if (usable(view, h, cpu)) candidates.push(cpu);
    if (candidates.length === 0) return nextAllowed(view, h, 0);
    return sample(view, candidates, candidates.length);
  };
  return {
    name: 'power-of-two',
    place: choose,
    ...(params.onWake ? { placeOnWake: choose, wakeReason: () => 'load-balance' as const } : {}),
    onCpuEvent: evacuateOnCpuEvent(),
  };
}
