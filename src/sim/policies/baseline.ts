/**
 * Baseline policies: they place processes and never migrate them, giving the reference point
 * every migrating policy is compared against.
 */
import { SimConfigError } from '../errors';
import { nextAllowed, type Policy, type PolicyContext, type SimView } from './policy';

function noParams(ctx: PolicyContext): void {
  const keys = Object.keys(ctx.params);
  if (keys.length > 0) throw new SimConfigError(`${ctx.path}.params.${keys[0]}`, 'this policy takes no parameters');
}

/** Round-robin placement over the CPUs a process may use; never migrates. */
export function pinned(ctx: PolicyContext): Policy {
  noParams(ctx);
  let next = 0;
  return {
    name: 'pinned',
    place(view, h) {
      const cpu = nextAllowed(view, h, next);
      next = (cpu + 1) % view.machine.cpuCount;
      return cpu;
    },
  };
}

/** Uniformly random placement among allowed CPUs; never migrates. */
export function random(ctx: PolicyContext): Policy {
  noParams(ctx);
  const rng = ctx.rng;
  return {
    name: 'random',
    place(view, h) {
      return nextAllowed(view, h, rng.int(view.machine.cpuCount));
    },
  };
}

/** The allowed CPU with the smallest load (queue + running + arriving); lowest number on ties. */
export function leastLoadedCpu(view: SimView, h: number): number {
  let best = -1;
  let bestLoad = Infinity;
  const n = view.machine.cpuCount;
  const mask = view.affinity(h);
  for (let cpu = 0; cpu < n; cpu++) {
    if (mask !== null && mask[cpu] !== 1) continue;
    const load = view.load(cpu);
    if (load < bestLoad) {
      bestLoad = load;
      best = cpu;
    }
  }
  return best;
}

/** Placement on the shortest queue at arrival; never migrates. */
export function leastLoaded(ctx: PolicyContext): Policy {
  noParams(ctx);
  return { name: 'least-loaded', place: leastLoadedCpu };
}

/**
 * One central queue: any idle CPU takes the best waiting process (the head, for fcfs). With
 * fcfs and exponential demands this is the M/M/c reference system. A process picked up by a
 * CPU other than the one it last ran on counts as a `load-balance` migration (no state copy:
 * it never sat in a per-CPU queue, but its cache state is left behind).
 */
export function globalQueue(ctx: PolicyContext): Policy {
  noParams(ctx);
  return { name: 'global-queue', globalQueue: true, place: () => -1 };
}
