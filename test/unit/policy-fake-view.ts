/**
 * A hand-driven machine for policy unit tests: the test sets who runs and waits where, when each
 * process last ran and which CPUs are online, then calls a policy hook and reads the moves it
 * made. Moves update the state the way the engine would (a moved process runs on an idle target
 * or waits in a busy target's queue), so a policy sees the effect of its own earlier moves.
 */
import type { Reason } from '../../src/sim';
import { resolveMachine, type ResolvedMachine } from '../../src/sim';
import type { PolicyActions, PolicyContext, ProcessStateName, SimView } from '../../src/sim';
import { Rng } from '../../src/sim';

export interface FakeProc {
  state: ProcessStateName;
  cpu: number;
  lastCpu: number;
  lastRanNs: number;
  group: string;
  indexInGroup: number;
  workingSetLines: number;
  homeNode: number;
  runNs: number;
  sleepNs: number;
  periodNs: number;
  wcetNs: number;
  /** Lines in the private cache of each core. */
  footprint: Map<number, number>;
  affinity: Uint8Array | null;
}

export interface Move {
  handle: number;
  from: number;
  to: number;
  reason: Reason;
}

export class FakeMachine implements SimView, PolicyActions {
  nowNs = 0;
  readonly machine: ResolvedMachine;
  readonly procs: FakeProc[] = [];
  readonly runningOn: number[];
  readonly queues: number[][];
  readonly offline = new Set<number>();
  readonly moves: Move[] = [];

  constructor(machine: object) {
    this.machine = resolveMachine(machine);
    this.runningOn = Array.from({ length: this.machine.cpuCount }, () => -1);
    this.queues = Array.from({ length: this.machine.cpuCount }, () => []);
  }

  context(params: Record<string, number | string | boolean> = {}, seed = 1): PolicyContext {
    return { machine: this.machine, params, rng: new Rng(seed, 'policy'), path: 'policy', tasks: [] };
  }

  /** Adds a process on `cpu`, running there or waiting; returns its handle. */
  add(cpu: number, state: 'running' | 'ready' | 'sleeping', extra: Partial<FakeProc> = {}): number {
    const h = this.procs.length;
    this.procs.push({
      state,
      cpu,
      lastCpu: cpu,
      lastRanNs: -1,
      group: 'g',
      indexInGroup: h,
      workingSetLines: 0,
      homeNode: -1,
      runNs: 0,
      sleepNs: 0,
      periodNs: 0,
      wcetNs: 0,
      footprint: new Map(),
      affinity: null,
      ...extra,
    });
    if (state === 'running') this.runningOn[cpu] = h;
    if (state === 'ready') this.queues[cpu]!.push(h);
    return h;
  }

  // ---- PolicyActions

  migrate(handle: number, cpu: number, reason: Reason): boolean {
    const p = this.procs[handle];
    if (p === undefined || p.state === 'transit' || cpu === p.cpu || !this.isAllowed(handle, cpu)) return false;
    const from = p.cpu;
    if (p.state === 'running') this.runningOn[from] = -1;
    if (p.state === 'ready') this.queues[from] = this.queues[from]!.filter((x) => x !== handle);
    if (p.state === 'running' || p.state === 'ready') {
      // As in the engine (after the state copy): an idle target starts it, a busy one queues it.
      if (this.runningOn[cpu]! < 0) {
        p.state = 'running';
        this.runningOn[cpu] = handle;
      } else {
        p.state = 'ready';
        this.queues[cpu]!.push(handle);
      }
    }
    p.cpu = cpu;
    this.moves.push({ handle, from, to: cpu, reason });
    return true;
  }

  // ---- SimView

  alive(h: number): boolean {
    return this.procs[h] !== undefined;
  }
  queueLength(cpu: number): number {
    return this.queues[cpu]!.length;
  }
  running(cpu: number): number {
    return this.runningOn[cpu]!;
  }
  load(cpu: number): number {
    return this.queues[cpu]!.length + (this.runningOn[cpu]! >= 0 ? 1 : 0);
  }
  /** The scan the engine's index replaces: the longest queue, at least `atLeast`, lowest number on ties. */
  mostQueued(atLeast: number, accept: (cpu: number) => boolean): number {
    let best = -1;
    let most = atLeast - 1;
    for (let cpu = 0; cpu < this.queues.length; cpu++) {
      if (accept(cpu) && this.queues[cpu]!.length > most) {
        most = this.queues[cpu]!.length;
        best = cpu;
      }
    }
    return best;
  }
  /** The scan the engine's index replaces: the first CPU with load 0 from `start`, wrapping. */
  nextIdle(start: number, accept: (cpu: number) => boolean): number {
    const n = this.queues.length;
    for (let k = 0; k < n; k++) {
      const cpu = (start + k) % n;
      if (this.load(cpu) === 0 && accept(cpu)) return cpu;
    }
    return -1;
  }
  /** The scan the engine's index replaces: smallest load, lowest number on ties. */
  leastLoaded(accept: (cpu: number) => boolean): number {
    let best = -1;
    for (let cpu = 0; cpu < this.queues.length; cpu++)
      if (accept(cpu) && (best < 0 || this.load(cpu) < this.load(best))) best = cpu;
    return best;
  }
  /** The scan the engine's index replaces: the first CPU of [from, to) with exactly that load. */
  firstWithLoad(load: number, from: number, to: number, accept: (cpu: number) => boolean): number {
    for (let cpu = Math.max(0, from); cpu < Math.min(to, this.queues.length); cpu++)
      if (this.load(cpu) === load && accept(cpu)) return cpu;
    return -1;
  }
  queuedSum(from: number, to: number): number {
    let total = 0;
    for (let cpu = from; cpu < to; cpu++) total += this.queues[cpu]!.length;
    return total;
  }
  queued(cpu: number): readonly number[] {
    return this.queues[cpu]!;
  }
  residents(cpu: number): number[] {
    return this.procs.flatMap((p, h) => (p.cpu === cpu ? [h] : []));
  }
  pidOf(h: number): number {
    return h;
  }
  groupOf(h: number): string {
    return this.procs[h]!.group;
  }
  stateOf(h: number): ProcessStateName {
    return this.procs[h]!.state;
  }
  cpuOf(h: number): number {
    return this.procs[h]!.cpu;
  }
  lastCpuOf(h: number): number {
    return this.procs[h]!.lastCpu;
  }
  isAllowed(h: number, cpu: number): boolean {
    const mask = this.procs[h]!.affinity;
    return mask === null || mask[cpu] === 1;
  }
  affinity(h: number): Readonly<Uint8Array> | null {
    return this.procs[h]!.affinity;
  }
  weightOf(): number {
    return 1024;
  }
  workingSetLines(h: number): number {
    return this.procs[h]!.workingSetLines;
  }
  privateFootprintLines(h: number, cpu: number): number {
    return this.procs[h]!.footprint.get(this.machine.cpuCore[cpu]!) ?? 0;
  }
  llcFootprintLines(): number {
    return 0;
  }
  homeNodeOf(h: number): number {
    return this.procs[h]!.homeNode;
  }
  distance(a: number, b: number): number {
    const m = this.machine;
    return m.distances[m.cpuNode[a]!]![m.cpuNode[b]!]!;
  }
  lastRanNs(h: number): number {
    return this.procs[h]!.lastRanNs;
  }
  utilization(): number {
    return 0;
  }
  online(cpu: number): boolean {
    return !this.offline.has(cpu);
  }
  get onlineCount(): number {
    return this.queues.length - this.offline.size;
  }
  capacity(cpu: number): number {
    return this.machine.coreTypes[this.machine.cpuType[cpu]!]!.capacity;
  }
  frequencyHz(cpu: number): number {
    const ps = this.machine.coreTypes[this.machine.cpuType[cpu]!]!.pstates;
    return ps[ps.length - 1]!.freqHz;
  }
  temperatureC(): number {
    return 45;
  }
  busyPowerW(): number {
    return 0;
  }
  runNs(h: number): number {
    return this.procs[h]!.runNs;
  }
  sleepNs(h: number): number {
    return this.procs[h]!.sleepNs;
  }
  periodNs(h: number): number {
    return this.procs[h]!.periodNs;
  }
  wcetNs(h: number): number {
    return this.procs[h]!.wcetNs;
  }
  deadlineNs(): number {
    return Infinity;
  }
  indexInGroup(h: number): number {
    return this.procs[h]!.indexInGroup;
  }
}
