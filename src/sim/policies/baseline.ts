/**
 * Baseline policies: they place processes and never migrate them (except to evacuate a CPU that
 * fails or goes out for maintenance), giving the reference point every migrating policy is
 * compared against.
 */
import { evacuateOnCpuEvent, leastLoadedUsable } from './helpers';
import { readParams } from './params';
import { nextAllowed, type Policy, type PolicyContext } from './policy';

/** Round-robin placement over the CPUs a process may use; never migrates. */
export function pinned(ctx: PolicyContext): Policy {
  readParams(ctx, {});
  let next = 0;
  return {
    name: 'pinned',
    place(view, h) {
      const cpu = nextAllowed(view, h, next);
      next = (cpu + 1) % view.machine.cpuCount;
      return cpu;
    },
    onCpuEvent: evacuateOnCpuEvent(),
  };
}

/** Uniformly random placement among allowed CPUs; never migrates. */
export function random(ctx: PolicyContext): Policy {
  readParams(ctx, {});
  const rng = ctx.rng;
  return {
    name: 'random',
    place(view, h) {
      return nextAllowed(view, h, rng.int(view.machine.cpuCount));
    },
    onCpuEvent: evacuateOnCpuEvent(),
  };
}

/** Placement on the shortest queue at arrival; never migrates. */
export function leastLoaded(ctx: PolicyContext): Policy {
  readParams(ctx, {});
  return { name: 'least-loaded', place: (view, h) => leastLoadedUsable(view, h), onCpuEvent: evacuateOnCpuEvent() };
}

/**
 * One central queue: any idle CPU takes the best waiting process (the head, for fcfs). With
 * fcfs and exponential demands this is the M/M/c reference system. A process picked up by a
 * CPU other than the one it last ran on counts as a `load-balance` migration (no state copy:
 * it never sat in a per-CPU queue, but its cache state is left behind). Nothing is bound to a
 * CPU, so there is nothing to evacuate: an offline CPU simply takes no work.
 */
export function globalQueue(ctx: PolicyContext): Policy {
  readParams(ctx, {});
  return { name: 'global-queue', globalQueue: true, place: () => -1 };
}
