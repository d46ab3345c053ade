/**
 * The VM migration policies (docs/model.md, "Virtual machines on hosts"): which VMs move where,
 * decided at a check from what the cluster shows them (VmPolicyView), never changing it: the
 * simulation starts the moves they return. Overload (a static threshold, or CloudSim's adaptive
 * one from the median absolute deviation of the host's utilisation history), underload
 * consolidation (empty the least-loaded host when every VM of it fits elsewhere), and evacuation
 * of a host going into maintenance. Utilisation here is demand: the vCPU work the VMs assigned to
 * a host ask for over its cores (CloudSim's requested utilisation), which can exceed 1.
 */
import type { Reason } from '../config';
import { chooseHost, type HostCapacity, type VmPlacementName, type VmSize } from './vm-placement';

export interface VmPolicyView {
  readonly caps: readonly HostCapacity[];
  /** What each host holds or has reserved (VMs arriving, and leaving until their move ends). */
  readonly used: readonly VmSize[];
  readonly cores: readonly number[];
  /** The host takes new VMs: on, not draining, not in maintenance. */
  accepts(host: number): boolean;
  /** VMs assigned to the host and not moving, in index order. */
  vmsOf(host: number): readonly number[];
  vmSize(vm: number): VmSize;
  /** The VM's CPU demand now, in cores: vCPUs x utilisation. */
  vmDemand(vm: number): number;
  /** Demand of the VMs assigned to the host (moving ones included) over its cores. */
  utilization(host: number): number;
}

export interface PlannedMove {
  vm: number;
  from: number;
  to: number;
  reason: Reason;
}

/** What a check decided: the moves, and whether a powered-off host should be powered on for VMs that found no room. */
export interface Plan {
  moves: PlannedMove[];
  needHost: boolean;
}

/** Beloglazov & Buyya's minimum history for MAD (CloudSim Plus MIN_HISTORY_ENTRIES_FOR_MAD). */
export const MAD_MIN_HISTORY = 12;

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The median absolute deviation: the median of |x - median|. */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((x) => Math.abs(x - m)));
}

/** The overload threshold of a host with utilisation `history` (samples capped at 1, as CloudSim's). */
export function overloadThreshold(
  kind: 'none' | 'static' | 'mad',
  staticThreshold: number,
  safety: number,
  history: readonly number[],
): number {
  if (kind === 'none') return Infinity;
  if (kind === 'static' || history.length < MAD_MIN_HISTORY) return staticThreshold;
  return 1 - safety * medianAbsoluteDeviation(history);
}

/** Tentative state of a plan: what each host would hold and ask once the moves planned so far are made. */
class Tentative {
  readonly used: VmSize[];
  readonly demand: number[];
  constructor(private readonly view: VmPolicyView) {
    this.used = view.used.map((u) => ({ ...u }));
    this.demand = view.cores.map((c, h) => view.utilization(h) * c);
  }
  utilization(h: number): number {
    return this.demand[h]! / this.view.cores[h]!;
  }
  /** The target `placement` picks for `vm` off `from`, keeping targets at or below `cap` utilisation. */
  target(placement: VmPlacementName, vm: number, from: number, cap: number): number {
    const d = this.view.vmDemand(vm);
    return chooseHost(
      placement,
      this.view.caps,
      this.used,
      this.view.vmSize(vm),
      (h) => h !== from && this.view.accepts(h) && (this.demand[h]! + d) / this.view.cores[h]! <= cap,
    );
  }
  move(vm: number, from: number, to: number): void {
    this.arrive(vm, to);
    this.demand[from]! -= this.view.vmDemand(vm);
  }
  /** `vm` takes room on `to` (moved there, or restarted there from nowhere). */
  arrive(vm: number, to: number): void {
    const size = this.view.vmSize(vm);
    this.used[to]!.vcpus += size.vcpus;
    this.used[to]!.ramBytes += size.ramBytes;
    this.demand[to]! += this.view.vmDemand(vm);
  }
}

/**
 * Overload: each host above its threshold (in index order) gives up VMs, the one of least RAM
 * first (CloudSim's minimum migration time selection: time is RAM over bandwidth), until it is
 * at or below it; each goes where `placement` finds room that stays at or below the threshold.
 * A VM that finds none stays, and the plan asks for a host to be powered on.
 */
export function planOverload(
  view: VmPolicyView,
  placement: VmPlacementName,
  thresholds: readonly number[],
  candidates: readonly number[],
): Plan {
  const t = new Tentative(view);
  const moves: PlannedMove[] = [];
  let needHost = false;
  for (const h of candidates) {
    if (!(t.utilization(h) > thresholds[h]!)) continue;
    const byRam = [...view.vmsOf(h)].sort((a, b) => view.vmSize(a).ramBytes - view.vmSize(b).ramBytes || a - b);
    for (const vm of byRam) {
      if (!(t.utilization(h) > thresholds[h]!)) break;
      const to = t.target(placement, vm, h, thresholds[h]!);
      if (to < 0) {
        needHost = true;
        continue;
      }
      t.move(vm, h, to);
      moves.push({ vm, from: h, to, reason: 'cpu-contention' });
    }
  }
  return { moves, needHost };
}

/**
 * Underload consolidation: the least utilised of `candidates` (lowest index on a tie) whose
 * utilisation is below `underload` is emptied if every one of its VMs fits on another host
 * without taking it above `threshold`; otherwise nothing moves (a half-emptied host saves
 * nothing). The host is then drained: it is powered off once its last VM has left.
 */
export function planConsolidation(
  view: VmPolicyView,
  placement: VmPlacementName,
  threshold: number,
  underload: number,
  candidates: readonly number[],
): { host: number; moves: PlannedMove[] } | null {
  let host = -1;
  for (const h of candidates)
    if (view.vmsOf(h).length > 0 && view.utilization(h) < underload)
      if (host < 0 || view.utilization(h) < view.utilization(host)) host = h;
  if (host < 0) return null;
  const t = new Tentative(view);
  const moves: PlannedMove[] = [];
  for (const vm of view.vmsOf(host)) {
    const to = t.target(placement, vm, host, threshold);
    if (to < 0) return null;
    t.move(vm, host, to);
    moves.push({ vm, from: host, to, reason: 'energy' });
  }
  return { host, moves };
}

/**
 * Evacuation of `host` for maintenance: every VM of it moves, to a target that stays at or below
 * `threshold` when there is one, else to any with room; VMs without room wait for a later check,
 * and the plan asks for a host to be powered on.
 */
export function planEvacuation(view: VmPolicyView, placement: VmPlacementName, threshold: number, host: number): Plan {
  const t = new Tentative(view);
  const moves: PlannedMove[] = [];
  let needHost = false;
  for (const vm of view.vmsOf(host)) {
    let to = t.target(placement, vm, host, threshold);
    if (to < 0) to = t.target(placement, vm, host, Infinity);
    if (to < 0) {
      needHost = true;
      continue;
    }
    t.move(vm, host, to);
    moves.push({ vm, from: host, to, reason: 'maintenance' });
  }
  return { moves, needHost };
}

/**
 * HA restart of VMs that are down (their host failed): each, in the order given, on the host
 * `placement` picks, below `threshold` when there is one, else on any with room (as evacuation).
 * A VM without room stays down for a later try, and the plan asks for a host to be powered on.
 * `from` of each move is -1: a restart moves nothing, the VM boots afresh from its shared disk.
 */
export function planRestarts(
  view: VmPolicyView,
  placement: VmPlacementName,
  threshold: number,
  down: readonly number[],
): Plan {
  const t = new Tentative(view);
  const moves: PlannedMove[] = [];
  let needHost = false;
  for (const vm of down) {
    let to = t.target(placement, vm, -1, threshold);
    if (to < 0) to = t.target(placement, vm, -1, Infinity);
    if (to < 0) {
      needHost = true;
      continue;
    }
    t.arrive(vm, to);
    moves.push({ vm, from: -1, to, reason: 'fault' });
  }
  return { moves, needHost };
}
