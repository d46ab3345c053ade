/** The read-only window policies get onto the engine (SimView). */
import type { Engine } from './engine';
import { CpuService } from './faults';
import type { ResolvedMachine } from './machine';
import type { ProcessStateName, SimView } from './policies/policy';
import { dynamicPowerW } from './power';
import { ProcState } from './process';

const STATE_NAMES: Record<ProcState, ProcessStateName> = {
  [ProcState.Ready]: 'ready',
  [ProcState.Running]: 'running',
  [ProcState.Sleeping]: 'sleeping',
  [ProcState.Transit]: 'transit',
  [ProcState.Idle]: 'idle',
  [ProcState.Free]: 'idle',
};

export class EngineView implements SimView {
  readonly machine: ResolvedMachine;

  constructor(private readonly e: Engine) {
    this.machine = e.m;
  }

  get nowNs(): number {
    return this.e.now;
  }

  alive(h: number): boolean {
    const p = this.e.procs[h];
    return p !== undefined && p.state !== ProcState.Free;
  }

  queueLength(cpu: number): number {
    return this.e.runQ[cpu]!.length;
  }

  running(cpu: number): number {
    return this.e.running[cpu]!;
  }

  load(cpu: number): number {
    return this.e.load[cpu]!;
  }

  mostQueued(atLeast: number, accept: (cpu: number) => boolean): number {
    return this.e.queued.highest(atLeast, accept);
  }

  leastLoaded(accept: (cpu: number) => boolean): number {
    return this.e.loads.lowest(accept);
  }

  nextIdle(start: number, accept: (cpu: number) => boolean): number {
    return this.e.loads.nextAt(0, start, accept);
  }

  firstWithLoad(load: number, from: number, to: number, accept: (cpu: number) => boolean): number {
    return this.e.loads.firstAt(load, from, to, accept);
  }

  queuedSum(from: number, to: number): number {
    return this.e.queued.sum(from, to);
  }

  queued(cpu: number): readonly number[] {
    return this.e.runQ[cpu]!.members();
  }

  residents(cpu: number): number[] {
    const out: number[] = [];
    for (const p of this.e.procs) {
      if (p.state !== ProcState.Free && p.cpu === cpu) out.push(p.slot);
    }
    return out;
  }

  pidOf(h: number): number {
    return this.e.procs[h]!.pid;
  }

  groupOf(h: number): string {
    return this.e.cfg.groups[this.e.procs[h]!.group]!.name;
  }

  stateOf(h: number): ProcessStateName {
    return STATE_NAMES[this.e.procs[h]!.state];
  }

  cpuOf(h: number): number {
    const p = this.e.procs[h]!;
    return p.cpu >= 0 ? p.cpu : p.lastCpu;
  }

  lastCpuOf(h: number): number {
    return this.e.procs[h]!.lastCpu;
  }

  isAllowed(h: number, cpu: number): boolean {
    return this.e.allowed(this.e.procs[h]!, cpu);
  }

  affinity(h: number): Readonly<Uint8Array> | null {
    return this.e.procs[h]!.affinity;
  }

  weightOf(h: number): number {
    return this.e.procs[h]!.weight;
  }

  workingSetLines(h: number): number {
    return this.e.procs[h]!.wsLines;
  }

  privateFootprintLines(h: number, cpu: number): number {
    return this.e.cache.privateFootprint(this.e.procs[h]!, this.machine.cpuCore[cpu]!);
  }

  llcFootprintLines(h: number, socket: number): number {
    return this.e.cache.llcFootprint(this.e.procs[h]!, socket);
  }

  homeNodeOf(h: number): number {
    return this.e.procs[h]!.homeNode;
  }

  distance(cpuA: number, cpuB: number): number {
    const m = this.machine;
    return m.distances[m.cpuNode[cpuA]!]![m.cpuNode[cpuB]!]!;
  }

  lastRanNs(h: number): number {
    return this.e.lastRanNs(h);
  }

  utilization(cpu: number): number {
    return this.e.now > 0 ? this.e.stats.busyNs[cpu]! / this.e.now : 0;
  }

  online(cpu: number): boolean {
    return this.e.service[cpu] === CpuService.Online;
  }

  get onlineCount(): number {
    return this.e.onlineCount;
  }

  capacity(cpu: number): number {
    const m = this.machine;
    return m.coreTypes[m.cpuType[cpu]!]!.capacity * this.e.freq.factor[cpu]!;
  }

  frequencyHz(cpu: number): number {
    return this.machine.coreTypes[this.machine.cpuType[cpu]!]!.pstates[this.e.freq.pstate[cpu]!]!.freqHz;
  }

  /** The core's temperature from the RC model; the ambient temperature when heat is not simulated. */
  temperatureC(cpu: number): number {
    const th = this.machine.thermal;
    if (th === null || this.e.meter === null) return AMBIENT_C;
    return this.e.meter.temperatureC(this.machine.cpuCore[cpu]!);
  }

  /** Power of a fully busy `cpu` at P-state `index` of its core type (default: its current one): dynamic plus its share of static; 0 without a power model. */
  busyPowerW(cpu: number, index = this.e.freq.pstate[cpu]!): number {
    const power = this.machine.power;
    if (power === null) return 0;
    const type = this.machine.cpuType[cpu]!;
    const ps = this.machine.coreTypes[type]!.pstates[index]!;
    return dynamicPowerW(power, type, ps.freqHz, ps.voltV) + power.types[type]!.staticW / this.machine.smt;
  }

  runNs(h: number): number {
    return this.e.procs[h]!.runNs;
  }

  sleepNs(h: number): number {
    return this.e.procs[h]!.sleepNs;
  }

  periodNs(h: number): number {
    return this.e.procs[h]!.periodNs;
  }

  wcetNs(h: number): number {
    const p = this.e.procs[h]!;
    return p.periodNs > 0 ? p.wcetNs : 0;
  }

  deadlineNs(h: number): number {
    return this.e.procs[h]!.deadlineNs;
  }

  indexInGroup(h: number): number {
    return this.e.procs[h]!.indexInGroup;
  }
}

/** HotSpot's ambient temperature (docs/model.md, Heat). */
const AMBIENT_C = 45;
