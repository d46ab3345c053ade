/**
 * The power of a whole host in a cluster (docs/model.md, "Requests behind a load balancer"):
 * the linear server model P(u) = idle + (peak - idle) u of Fan, Weber & Barroso 2007, for hosts
 * whose machine has no power model of its own, and the boot time of a host powered on. A
 * machine with its own power model (machine.power or machine.thermal) keeps it: its engine's
 * energy is the host's.
 */
import { SimConfigError } from '../errors';
import { onlySectionKeys, readNumber, type Section } from '../spec';
import { record } from '../validate';

/** A host's power keys (spec.ts): on the cluster (every host) or on one hosts entry (its hosts). */
export const HOST_POWER = {
  idleW: {
    kind: 'number',
    unit: 'W',
    lab: 'idle',
    min: 0,
    required: true,
    doc: 'Power of the host while on and idle (used when its machine has no power model of its own; also drawn while it boots).',
    source: 'Fan, Weber & Barroso 2007: an idle server draws about half its peak',
  },
  peakW: {
    kind: 'number',
    unit: 'W',
    lab: 'peak',
    min: 0,
    required: true,
    doc: 'Power of the host with every CPU busy; in between it is linear in the mean utilisation of its CPUs.',
  },
  bootNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'boot',
    integer: true,
    min: 0,
    default: 0,
    doc: 'Time from power-on (or the end of a failure) until the host serves requests; it draws idle power meanwhile.',
  },
} satisfies Section;

export interface ResolvedHostPower {
  idleW: number;
  peakW: number;
  bootNs: number;
}

export function resolveHostPower(value: unknown, path: string): ResolvedHostPower {
  const p = record(value, path);
  onlySectionKeys(p, path, HOST_POWER);
  const idleW = readNumber(HOST_POWER.idleW, p.idleW, `${path}.idleW`);
  const peakW = readNumber(HOST_POWER.peakW, p.peakW, `${path}.peakW`);
  if (peakW < idleW) throw new SimConfigError(`${path}.peakW`, `must be at least idle (${idleW} W)`);
  return { idleW, peakW, bootNs: readNumber(HOST_POWER.bootNs, p.bootNs, `${path}.bootNs`) };
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
