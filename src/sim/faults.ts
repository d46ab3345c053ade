/**
 * Faults and maintenance (docs/model.md, Faults and maintenance; events.ts resolves the events):
 * each CPU's service state, the machine events that change it (a failure is for good; maintenance
 * windows may overlap, and the CPU returns when the last one closes), the work a failure loses,
 * and where work goes when the CPUs it would use are out. What leaving service does to the
 * processes on a CPU (halting, telling the policy, evacuating) is the engine's, through
 * ServiceHost.
 */
import { EventKind } from './event-kinds';
import type { CpuCounts } from './cpu-counts';
import type { EventQueue } from './heap';
import type { ResolvedMachine } from './machine';
import { allowed, type Proc } from './process';
import type { RunStats } from './run-stats';

/** Per-CPU service state. */
export const enum CpuService {
  Online = 0,
  InMaintenance = 1,
  Failed = 2,
}

/** What a CPU leaving or rejoining service needs of the engine. */
export interface ServiceHost {
  /** `cpu` is about to fail: book its frequency series up to now (it shows 0 Hz from the failure on). */
  failing(cpu: number): void;
  /** `cpu` has just left service (its state says why): move its work off it; a failure loses each running process's work since its last checkpoint (0: none lost). */
  leftService(cpu: number, checkpointNs: number): void;
  /** `cpu` failed while out for maintenance: it draws nothing from now on. */
  switchOff(cpu: number): void;
  /** `cpu` is back in service and takes work again. */
  returned(cpu: number): void;
}

export class Faults {
  /** Per CPU: its CpuService state. */
  readonly service: Uint8Array;
  /** CPUs in service now (CpuService.Online). */
  onlineCount: number;
  /** Per CPU: maintenance windows open now. */
  private readonly maintenanceHolds: Int32Array;

  constructor(
    private readonly m: ResolvedMachine,
    private readonly endNs: number,
    private readonly q: EventQueue,
    /** Per CPU: waiting + running + in transit towards it (the engine keeps it). */
    private readonly loads: CpuCounts,
    private readonly stats: RunStats,
    private readonly host: ServiceHost,
  ) {
    this.service = new Uint8Array(m.cpuCount);
    this.onlineCount = m.cpuCount;
    this.maintenanceHolds = new Int32Array(m.cpuCount);
  }

  /** Schedules the machine's events (they come sorted by time). */
  scheduleEvents(): void {
    this.m.events.forEach((ev, i) => {
      if (ev.atNs < this.endNs) this.q.push(ev.atNs, EventKind.Machine, i, 0);
    });
  }

  /** EventKind.Machine: event `index` happens (phase 0), or its maintenance window closes (phase 1). */
  onEvent(index: number, phase: number): void {
    const host = this.host;
    const ev = this.m.events[index]!;
    const cpu = ev.cpu;
    if (phase === 1) {
      if (--this.maintenanceHolds[cpu]! > 0 || this.service[cpu] !== CpuService.InMaintenance) return;
      this.service[cpu] = CpuService.Online;
      this.onlineCount++;
      host.returned(cpu);
      return;
    }
    if (ev.kind === 'fail') {
      this.stats.failures++;
      host.failing(cpu);
      if (this.service[cpu] === CpuService.InMaintenance) {
        // Already out: the failure makes it permanent.
        this.service[cpu] = CpuService.Failed;
        host.switchOff(cpu);
      } else if (this.service[cpu] === CpuService.Online) {
        this.service[cpu] = CpuService.Failed;
        this.onlineCount--;
        host.leftService(cpu, ev.checkpointNs);
      }
      return;
    }
    if (ev.endNs < this.endNs) this.q.push(ev.endNs, EventKind.Machine, index, 1);
    this.maintenanceHolds[cpu]!++;
    if (this.service[cpu] !== CpuService.Online) return;
    this.service[cpu] = CpuService.InMaintenance;
    this.onlineCount--;
    host.leftService(cpu, 0);
  }

  /** Migration reason for moving work off out-of-service `cpu`. */
  outReason(cpu: number): 'fault' | 'maintenance' {
    return this.service[cpu] === CpuService.Failed ? 'fault' : 'maintenance';
  }

  /** Least-loaded online CPU `p` may use other than `cpu` (lowest number on ties); `cpu` itself when there is none. */
  usableInstead(p: Proc, cpu: number): number {
    const best = this.loads.lowest((c) => c !== cpu && this.service[c] === CpuService.Online && allowed(p, c));
    return best < 0 ? cpu : best;
  }

  /** Where a process waits when every CPU it may use is out: the first CPU of its affinity. */
  parking(p: Proc): number {
    let cpu = 0;
    while (!allowed(p, cpu)) cpu++;
    return cpu;
  }
}

/** A failure stopped `p`: the work it did since its last checkpoint (every `checkpointNs` of work) is lost and must be done again. */
export function loseWork(p: Proc, checkpointNs: number, stats: RunStats): void {
  const done = p.periodNs > 0 ? p.wcetNs - p.burstNs : p.demandNs - p.remainingNs;
  const lost = done % checkpointNs;
  if (!(lost > 0)) return;
  p.burstNs += lost;
  if (p.periodNs === 0) p.remainingNs += lost;
  stats.lostWorkNs += lost;
}
