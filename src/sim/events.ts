/**
 * Scheduled machine events (docs/model.md, Faults and maintenance): a CPU fails at a given time and stays down,
 * or leaves service for a maintenance window and returns. The engine takes the CPU offline,
 * tells the policy (which chooses where the CPU's processes go) and evacuates whatever the
 * policy left behind, so evacuation happens under every policy, `pinned` included.
 */
import type { MachineEventConfig } from './config';
import { SimConfigError } from './errors';
import { array, num, oneOf, onlyKeys, record } from './validate';

export interface ResolvedMachineEvent {
  kind: 'fail' | 'maintenance';
  atNs: number;
  cpu: number;
  /** Maintenance: when the CPU returns (Infinity = never within the run). */
  endNs: number;
  /** Fail: work lost is the work done since the last multiple of this (0 = nothing lost). */
  checkpointNs: number;
}

/** Checks `machine.events` against the machine's CPU count; sorted by time (stable). */
export function resolveEvents(value: unknown, path: string, cpuCount: number): ResolvedMachineEvent[] {
  if (value === undefined) return [];
  const events = array(value, path).map((item, i): ResolvedMachineEvent => {
    const p = `${path}[${i}]`;
    const e = record(item, p) as Record<string, unknown> & Partial<MachineEventConfig>;
    const kind = oneOf(e.kind, `${p}.kind`, ['fail', 'maintenance'] as const);
    onlyKeys(e, p, kind === 'fail' ? ['kind', 'atNs', 'cpu', 'checkpointNs'] : ['kind', 'atNs', 'cpu', 'durationNs']);
    const atNs = num(e.atNs, `${p}.atNs`, { integer: true, min: 0 });
    const cpu = num(e.cpu, `${p}.cpu`, { integer: true, min: 0 });
    if (cpu >= cpuCount) throw new SimConfigError(`${p}.cpu`, `CPU ${cpu} does not exist (the machine has CPUs 0..${cpuCount - 1})`);
    let endNs = Infinity;
    let checkpointNs = 0;
    if (kind === 'maintenance' && 'durationNs' in e && e.durationNs !== undefined) {
      const d = num(e.durationNs, `${p}.durationNs`, { integer: true });
      if (d <= 0) throw new SimConfigError(`${p}.durationNs`, `a maintenance window must end after it starts (duration ${d} ns)`);
      endNs = atNs + d;
    }
    if (kind === 'fail' && 'checkpointNs' in e && e.checkpointNs !== undefined) {
      checkpointNs = num(e.checkpointNs, `${p}.checkpointNs`, { integer: true, above: 0 });
    }
    return { kind, atNs, cpu, endNs, checkpointNs };
  });
  return events.map((e, i) => ({ e, i })).sort((a, b) => a.e.atNs - b.e.atNs || a.i - b.i).map((x) => x.e);
}
