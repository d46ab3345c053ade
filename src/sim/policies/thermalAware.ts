/**
 * `thermal-aware`: moves work off cores that are about to throttle. A core whose temperature is
 * within `margin` of the machine's trip point (thermal.throttleC) hands its running and waiting
 * processes to idle cores that are at least `margin` cooler, before the thermal governor caps its
 * clock (docs/model.md, Heat: throttling lowers the frequency until the core cools below the trip
 * point minus the hysteresis). Spreading the heat keeps every core below the trip point longer,
 * so work runs at full speed: the idea of thermal-aware task migration (e.g. "heat-and-run",
 * Gomaa, Powell & Vijaykumar, ASPLOS 2004). Placement goes to the least-loaded CPU, the coolest
 * on ties; a process waking on a hot core moves to a cooler one (reason thermal).
 * Without a thermal model every core stays at the ambient temperature and nothing moves.
 */
import { evacuateOnCpuEvent, leastLoadedThen, usable } from './helpers';
import { readParams } from './params';
import type { Policy, PolicyActions, PolicyContext, SimView } from './policy';

export const THERMAL_AWARE_PARAMS = {
  interval: { kind: 'time', default: 2_000_000, min: 10_000, doc: 'How often core temperatures are checked.' },
  margin: {
    kind: 'number',
    default: 5,
    min: 0,
    doc: 'Degrees C below the trip point at which a core counts as hot; a target must be this much cooler.',
  },
} as const;

export function thermalAware(ctx: PolicyContext): Policy {
  const params = readParams(ctx, THERMAL_AWARE_PARAMS);
  const n = ctx.machine.cpuCount;
  const hotC = (ctx.machine.thermal?.throttleC ?? Infinity) - params.margin;

  /**
   * Least-loaded usable CPU, coolest on ties, never one that is hot; -1 if none. Only the CPUs at
   * the smallest load are read (leastLoadedThen); without a thermal model every core is at the
   * ambient temperature, so the first of them wins.
   */
  function coolest(view: SimView, h: number, accept: (cpu: number) => boolean): number {
    if (ctx.machine.thermal === null) return leastLoadedThen(view, h, accept, () => 0, 0);
    return leastLoadedThen(view, h, accept, (cpu) => view.temperatureC(cpu));
  }

  function place(view: SimView, h: number): number {
    const cool = coolest(view, h, (c) => view.temperatureC(c) < hotC);
    return cool >= 0 ? cool : coolest(view, h, () => true);
  }

  /** Moves what runs and waits on hot `cpu` to idle CPUs at least `margin` cooler. */
  function coolDown(view: SimView, act: PolicyActions, cpu: number): void {
    const limit = view.temperatureC(cpu) - params.margin;
    const movers = [...view.queued(cpu)];
    const r = view.running(cpu);
    if (r >= 0) movers.unshift(r);
    for (const h of movers) {
      const target = coolest(view, h, (c) => c !== cpu && view.load(c) === 0 && view.temperatureC(c) <= limit);
      if (target < 0) return;
      act.migrate(h, target, 'thermal');
    }
  }

  return {
    name: 'thermal-aware',
    balanceIntervalNs: params.interval,
    place,
    placeOnWake(view, h) {
      const prev = view.cpuOf(h);
      if (prev >= 0 && usable(view, h, prev) && view.temperatureC(prev) < hotC) return prev;
      return place(view, h);
    },
    wakeReason: () => 'thermal',
    balance(view, act) {
      if (hotC === Infinity) return;
      for (let cpu = 0; cpu < n; cpu++)
        if (view.online(cpu) && view.temperatureC(cpu) >= hotC) coolDown(view, act, cpu);
    },
    onCpuEvent: evacuateOnCpuEvent(),
  };
}
