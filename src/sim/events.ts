/**
 * Scheduled machine events (docs/model.md, Faults and maintenance): a CPU fails at a given time and stays down,
 * or leaves service for a maintenance window and returns. The engine takes the CPU offline,
 * tells the policy (which chooses where the CPU's processes go) and evacuates whatever the
 * policy left behind, so evacuation happens under every policy, `pinned` included.
 */
import type { MachineEventConfig } from './config';
import { SimConfigError } from './errors';
import { readEnum, readNumber, type Section } from './spec';
import { array, num, onlyKeys, record } from './validate';

export interface ResolvedMachineEvent {
  kind: 'fail' | 'maintenance';
  atNs: number;
  cpu: number;
  /** Maintenance: when the CPU returns (Infinity = never within the run). */
  endNs: number;
  /** Fail: work lost is the work done since the last multiple of this (0 = nothing lost). */
  checkpointNs: number;
}

export const EVENT = {
  kind: {
    kind: 'enum',
    lab: 'event',
    values: {
      fail: 'The CPU fails for good; its processes are evacuated (reason fault).',
      maintenance: 'The CPU is drained (reason maintenance) and isolated, then returns.',
    },
    required: true,
    doc: 'What happens to the CPU.',
  },
  atNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'at',
    integer: true,
    min: 0,
    required: true,
    doc: 'When the event happens, in simulated time.',
  },
  cpu: {
    kind: 'number',
    unit: 'count',
    min: 0,
    required: true,
    doc: 'The CPU affected (CPU numbers count sockets, then cores, then SMT threads).',
  },
  durationNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'duration',
    integer: true,
    above: 0,
    doc: 'Maintenance only: how long the window lasts.',
    defaultText: 'until the end of the run',
  },
  checkpointNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'checkpoint',
    integer: true,
    above: 0,
    doc: 'Failures only: processes checkpoint every this much work; the work since the last checkpoint is lost and redone.',
    defaultText: 'nothing lost',
  },
} satisfies Section;

/** Checks `machine.events` against the machine's CPU count; sorted by time (stable). */
export function resolveEvents(value: unknown, path: string, cpuCount: number): ResolvedMachineEvent[] {
  if (value === undefined) return [];
  const events = array(value, path).map((item, i): ResolvedMachineEvent => {
    const p = `${path}[${i}]`;
    const e = record(item, p) as Record<string, unknown> & Partial<MachineEventConfig>;
    const kind = readEnum<'fail' | 'maintenance'>(EVENT.kind, e.kind, `${p}.kind`);
    // Each kind takes its own extra key.
    onlyKeys(e, p, kind === 'fail' ? ['kind', 'atNs', 'cpu', 'checkpointNs'] : ['kind', 'atNs', 'cpu', 'durationNs']);
    const atNs = readNumber(EVENT.atNs, e.atNs, `${p}.atNs`);
    const cpu = readNumber(EVENT.cpu, e.cpu, `${p}.cpu`);
    if (cpu >= cpuCount)
      throw new SimConfigError(`${p}.cpu`, `CPU ${cpu} does not exist (the machine has CPUs 0..${cpuCount - 1})`);
    let endNs = Infinity;
    let checkpointNs = 0;
    if (kind === 'maintenance' && 'durationNs' in e && e.durationNs !== undefined) {
      const d = num(e.durationNs, `${p}.durationNs`, { integer: true });
      if (d <= 0)
        throw new SimConfigError(`${p}.durationNs`, `a maintenance window must end after it starts (duration ${d} ns)`);
      endNs = atNs + readNumber(EVENT.durationNs, d, `${p}.durationNs`);
    }
    if (kind === 'fail' && 'checkpointNs' in e && e.checkpointNs !== undefined)
      checkpointNs = readNumber(EVENT.checkpointNs, e.checkpointNs, `${p}.checkpointNs`);
    return { kind, atNs, cpu, endNs, checkpointNs };
  });
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.atNs - b.e.atNs || a.i - b.i)
    .map((x) => x.e);
}
