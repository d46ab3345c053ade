/**
 * Thermal hot spots of VM hosts (docs/model.md, "Thermal hot spots"): each host is one lumped RC
 * node heated by its host power, the single-machine model of thermal.ts (thetaAfter, secondsUntil)
 * at the scale of a whole server:
 *
 *   C dT/dt = P - (T - T_inlet) / R,  so at constant P  T(t) = T_inlet + P R + (T0 - T_inlet - P R) e^{-t/RC}
 *
 * P is the host's power as host-power.ts describes it, idle + (peak - idle) x its vCPU demand over
 * its cores (capped at 1) while on, the boot power while booting, nothing while off or failed;
 * it is constant between cluster instants, so each stretch is solved exactly, the time at or
 * above the threshold included. The policy (planHotspot): at each check a host at or above the
 * threshold gives VMs away, the largest demand first, each to the coolest host that takes VMs,
 * has room and would settle below the threshold with it, until its own settling temperature is
 * below the threshold; reason `thermal`. With `migrate: off` temperatures are only watched.
 */
import { SimConfigError } from '../errors';
import { onlySectionKeys, readEnum, readNumber, type Section } from '../spec';
import { thetaAfter, thetaIntegral, secondsUntil } from '../thermal';
import { binNsOf, LOAD_BINS } from './load-bins';
import { optionalRecord } from '../validate';
import { fits } from './vm-placement';
import type { Plan, PlannedMove, VmPolicyView } from './vm-policies';

const S = 1e9;

/** The hot-spot keys (the `hotspot` section of a VM run's migration policies). */
export const VM_HOTSPOT = {
  thresholdC: {
    kind: 'number',
    unit: 'C',
    lab: 'threshold',
    max: 300,
    required: true,
    doc: 'A host at or above this temperature is a hot spot: it gives VMs away (migrate on), and its time there is counted.',
  },
  migrate: {
    kind: 'enum',
    values: {
      on: 'Hot hosts shed VMs, largest demand first, to the coolest host that stays below the threshold.',
      off: 'Temperatures are only watched: peak and time hot per host, no moves.',
    },
    default: 'on',
    doc: 'Whether the policy moves VMs off hot hosts.',
  },
  ambientC: {
    kind: 'number',
    unit: 'C',
    lab: 'inlet',
    min: -50,
    max: 100,
    default: 25,
    doc: 'Inlet (cold-aisle) air temperature of every host: where a host starts, and what it cools towards.',
    source: 'ASHRAE TC 9.9 (2011) recommended inlet range 18-27 C',
  },
  resistanceKPerW: {
    kind: 'number',
    unit: 'K/W',
    lab: 'resistance',
    above: 0,
    default: 0.34,
    doc: 'Thermal resistance of a whole host to its inlet air: drawing P watts it settles at inlet + P x this.',
    source:
      'ETAS (Ilager, Ramamohanarao & Buyya, CCPE 2019), the RC server model of its CloudSim experiments: R 0.34 K/W, C 340 J/K',
  },
  capacitanceJPerK: {
    kind: 'number',
    unit: 'J/K',
    lab: 'capacitance',
    above: 0,
    default: 340,
    doc: 'Heat capacity of a whole host (with R, a time constant R C of about two minutes).',
    source: 'ETAS (Ilager et al., CCPE 2019), as for resistance',
  },
} satisfies Section;

export interface HotspotConfig {
  thresholdC: number;
  migrate?: 'on' | 'off';
  ambientC?: number;
  resistanceKPerW?: number;
  capacitanceJPerK?: number;
}

export interface ResolvedHotspot {
  thresholdC: number;
  migrate: boolean;
  ambientC: number;
  resistanceKPerW: number;
  capacitanceJPerK: number;
}

/** The `hotspot` section at `path`; null when absent (temperatures are not simulated). */
export function resolveHotspot(value: unknown, path: string): ResolvedHotspot | null {
  if (value === undefined) return null;
  const h = optionalRecord(value, path);
  onlySectionKeys(h, path, VM_HOTSPOT);
  const ambientC = readNumber(VM_HOTSPOT.ambientC, h.ambientC, `${path}.ambientC`);
  if (h.thresholdC === undefined) throw new SimConfigError(`${path}.thresholdC`, 'is required');
  const thresholdC = readNumber(VM_HOTSPOT.thresholdC, h.thresholdC, `${path}.thresholdC`);
  if (thresholdC <= ambientC)
    throw new SimConfigError(
      `${path}.thresholdC`,
      `the threshold (${thresholdC} C) must be above the inlet temperature (${ambientC} C)`,
    );
  return {
    thresholdC,
    migrate: readEnum<'on' | 'off'>(VM_HOTSPOT.migrate, h.migrate, `${path}.migrate`) === 'on',
    ambientC,
    resistanceKPerW: readNumber(VM_HOTSPOT.resistanceKPerW, h.resistanceKPerW, `${path}.resistanceKPerW`),
    capacitanceJPerK: readNumber(VM_HOTSPOT.capacitanceJPerK, h.capacitanceJPerK, `${path}.capacitanceJPerK`),
  };
}

/** One host's temperature over the run: its rise above inlet, its peak and its time at or above the threshold. */
export class HostHeat {
  /** Kelvin above the inlet. */
  private theta = 0;
  private peak = 0;
  private hotNs = 0;
  /** Per LOAD_BINS bin: the integral of theta over it (K x s), for the host-temperature chart. */
  private readonly binNs: number;
  private readonly area = new Float64Array(LOAD_BINS);

  constructor(
    private readonly p: ResolvedHotspot,
    durationNs: number,
  ) {
    this.binNs = binNsOf(durationNs);
  }

  get temperatureC(): number {
    return this.p.ambientC + this.theta;
  }

  /** [fromNs, fromNs + dtNs) at constant power `watts`: the closed form of thermal.ts, with no temperature feedback on power. */
  heat(watts: number, fromNs: number, dtNs: number): void {
    if (dtNs <= 0) return;
    const g = 1 / this.p.resistanceKPerW;
    const c = this.p.capacitanceJPerK;
    // Each bin the stretch overlaps gets the exact integral of theta over the overlap.
    const toNs = fromNs + dtNs;
    for (let b = Math.floor(fromNs / this.binNs); b < LOAD_BINS && b * this.binNs < toNs; b++) {
      const a = Math.max(fromNs, b * this.binNs);
      const e = Math.min(toNs, (b + 1) * this.binNs);
      if (e <= a) continue;
      const thetaA = thetaAfter(this.theta, watts, g, c, (a - fromNs) / S);
      this.area[b]! += thetaIntegral(thetaA, watts, g, c, (e - a) / S);
    }
    const target = this.p.thresholdC - this.p.ambientC;
    const dtS = dtNs / S;
    // Time at or above the threshold within the stretch: theta moves monotonically towards P R.
    const settles = watts / g;
    if (this.theta >= target) {
      if (settles >= target) this.hotNs += dtNs;
      else this.hotNs += Math.min(dtNs, Math.round(secondsUntil(this.theta, target, watts, g, c) * S));
    } else if (settles > target)
      this.hotNs += Math.max(0, dtNs - Math.round(secondsUntil(this.theta, target, watts, g, c) * S));
    const before = this.theta;
    this.theta = thetaAfter(this.theta, watts, g, c, dtS);
    this.peak = Math.max(this.peak, before, this.theta);
  }

  /** Where it settles at `watts`, in C. */
  settlesAtC(watts: number): number {
    return this.p.ambientC + watts * this.p.resistanceKPerW;
  }

  /** Per bin up to `endNs`: the host's mean temperature over the bin (C). */
  series(endNs: number): { atS: number; temperatureC: number }[] {
    const out: { atS: number; temperatureC: number }[] = [];
    for (let b = 0; b < LOAD_BINS && b * this.binNs < endNs; b++) {
      const widthS = (Math.min(endNs, (b + 1) * this.binNs) - b * this.binNs) / S;
      out.push({ atS: (b * this.binNs) / S, temperatureC: this.p.ambientC + this.area[b]! / widthS });
    }
    return out;
  }

  result(endNs: number): {
    temperatureC: number;
    peakC: number;
    hotS: number;
    series: { atS: number; temperatureC: number }[];
  } {
    return {
      temperatureC: this.temperatureC,
      peakC: this.p.ambientC + this.peak,
      hotS: this.hotNs / S,
      series: this.series(endNs),
    };
  }
}

/**
 * The hot-spot plan at a check: `hot` hosts (at or above the threshold now, hottest first) shed
 * VMs, the largest demand first (lowest index on a tie), each to the coolest of `targets` (now;
 * lowest index on a tie) that has room and whose settling temperature with it, `settlesAtC(host,
 * demand in cores)`, stays below the threshold, until the hot host's own settling temperature is
 * below it. A VM that finds no such host stays (and the next VM is tried).
 */
export function planHotspot(
  view: VmPolicyView,
  hot: readonly number[],
  targets: readonly number[],
  temperatureC: readonly number[],
  settlesAtC: (host: number, demand: number) => number,
  thresholdC: number,
): Plan {
  const used = view.used.map((u) => ({ ...u }));
  const demand = view.cores.map((c, h) => view.utilization(h) * c);
  const moves: PlannedMove[] = [];
  const byCoolness = [...targets].sort((a, b) => temperatureC[a]! - temperatureC[b]! || a - b);
  for (const h of hot) {
    const vms = [...view.vmsOf(h)].sort((a, b) => view.vmDemand(b) - view.vmDemand(a) || a - b);
    for (const vm of vms) {
      if (settlesAtC(h, demand[h]!) < thresholdC) break;
      const d = view.vmDemand(vm);
      const size = view.vmSize(vm);
      const to = byCoolness.find(
        (x) =>
          x !== h &&
          !hot.includes(x) &&
          fits(view.caps[x]!, used[x]!, size) &&
          settlesAtC(x, demand[x]! + d) < thresholdC,
      );
      if (to === undefined) continue;
      used[to]!.vcpus += size.vcpus;
      used[to]!.ramBytes += size.ramBytes;
      demand[to]! += d;
      demand[h]! -= d;
      moves.push({ vm, from: h, to, reason: 'thermal' });
    }
  }
  return { moves, needHost: false };
}
