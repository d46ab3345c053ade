/**
 * The power of a whole host, one spec for every cluster run (docs/model.md, "Host power"): the
 * linear server model P(u) = idle + (peak - idle) u of Fan, Weber & Barroso 2007, the boot time
 * of a host powered on and the energy a boot costs. Request clusters (cluster-config.ts) read it
 * for hosts whose machine has no power model of its own (a machine with one keeps it: its
 * engine's energy is the host's); VM clusters (vm-config.ts) for every host.
 *
 * The defaults are one measured server: SPECpower_ssj2008's HP ProLiant ML110 G5 (93.7 W idle,
 * 135 W at full load; the project's model notes, section 4, and CloudSim's
 * PowerModelSpecPowerHpProLiantMl110G5Xeon3075). Idle and peak are therefore given together or
 * not at all: one figure given and the other defaulted would describe no machine.
 */
import { SimConfigError } from '../errors';
import { onlySectionKeys, readNumber, type Section } from '../spec';
import { optionalRecord } from '../validate';

const S = 1e9;

/** A host's power keys (spec.ts): on a cluster (every host) or on one hosts entry (its hosts). */
export const HOST_POWER = {
  idleW: {
    kind: 'number',
    unit: 'W',
    lab: 'idle',
    min: 0,
    default: 93.7,
    doc: 'Power of the host while on and idle (give it with peak, or neither).',
    source:
      'SPECpower_ssj2008, HP ProLiant ML110 G5 at 0 % load (CloudSim PowerModelSpecPowerHpProLiantMl110G5Xeon3075); an idle server draws about half its peak (Fan, Weber & Barroso 2007)',
  },
  peakW: {
    kind: 'number',
    unit: 'W',
    lab: 'peak',
    min: 0,
    default: 135,
    doc: 'Power of the host with every CPU busy; in between it is linear in the mean utilisation of its CPUs.',
    source: 'SPECpower_ssj2008, HP ProLiant ML110 G5 at 100 % load',
  },
  bootNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'boot',
    integer: true,
    min: 0,
    default: 60e9,
    doc: 'Time from power-on (or the end of a repair) until the host serves requests or takes VMs.',
    source: 'estimate: a server POST and hypervisor boot take about a minute',
  },
  bootEnergyJ: {
    kind: 'number',
    unit: 'J',
    lab: 'bootEnergy',
    min: 0,
    defaultText: 'boot x peak (a booting server draws about its peak)',
    doc: 'Energy of one power-on, drawn instead of idle and dynamic power while the host boots (a boot the run cuts short is charged its share).',
    source: 'estimate',
  },
} satisfies Section;

/** A host's power figures as a config gives them (HOST_POWER): watts, ns and joules. */
export interface HostPowerConfig {
  idleW?: number;
  peakW?: number;
  bootNs?: number;
  bootEnergyJ?: number;
}

/** A host's power figures with their defaults; `bootEnergyJ` is what one boot is charged. */
export type ResolvedHostPower = Required<HostPowerConfig>;

export function resolveHostPower(value: unknown, path: string): ResolvedHostPower {
  const p = optionalRecord(value, path);
  onlySectionKeys(p, path, HOST_POWER);
  if ((p.idleW === undefined) !== (p.peakW === undefined)) {
    const missing = p.idleW === undefined ? 'idleW' : 'peakW';
    throw new SimConfigError(
      `${path}.${missing}`,
      'give idle and peak together (their defaults are one measured server, SPECpower HP ML110 G5)',
    );
  }
  const idleW = readNumber(HOST_POWER.idleW, p.idleW, `${path}.idleW`);
  const peakW = readNumber(HOST_POWER.peakW, p.peakW, `${path}.peakW`);
  if (peakW < idleW) throw new SimConfigError(`${path}.peakW`, `must be at least idle (${idleW} W)`);
  const bootNs = readNumber(HOST_POWER.bootNs, p.bootNs, `${path}.bootNs`);
  const bootEnergyJ =
    p.bootEnergyJ === undefined
      ? (bootNs / S) * peakW
      : readNumber(HOST_POWER.bootEnergyJ, p.bootEnergyJ, `${path}.bootEnergyJ`);
  return { idleW, peakW, bootNs, bootEnergyJ };
}

/** Power drawn while booting: the boot energy spread over the boot time (peak for a host that boots at once). */
export function bootPowerW(p: ResolvedHostPower): number {
  return p.bootNs > 0 ? (p.bootEnergyJ * 1e9) / p.bootNs : p.peakW;
}

/**
 * Energy of `upNs` of a host of `cpus` CPUs whose CPUs were busy `busyNs` in all (CPU-ns):
 * idle x t + (peak - idle) x busy / cpus, which is (idle + (peak - idle) u) t with u the mean
 * utilisation. Both times are whole nanoseconds, so the only rounding is the double arithmetic
 * of this one expression.
 */
export function linearEnergyJ(p: ResolvedHostPower, upNs: number, busyNs: number, cpus: number): number {
  return (p.idleW * upNs + ((p.peakW - p.idleW) * busyNs) / cpus) / 1e9;
}
