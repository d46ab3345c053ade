/**
 * The migration-policy interface. A policy decides which CPU a process lives on; the per-CPU
 * discipline (scheduler/) decides who runs next on a CPU. Policies see the machine through a
 * read-only SimView and act only through PolicyActions.migrate, naming a reason every time.
 *
 * Process handles are small integers, valid while the process is alive (they are reused after
 * it finishes); view.pidOf(handle) gives the stable process id shown in results.
 */
import type { Reason } from '../config';
import type { ResolvedMachine } from '../machine';
import type { Rng } from '../rng';

export type ProcessStateName = 'ready' | 'running' | 'sleeping' | 'transit' | 'idle';

export interface SimView {
  readonly nowNs: number;
  readonly machine: ResolvedMachine;
  /** True while `handle` names a live process (handles of finished processes are reused). */
  alive(handle: number): boolean;
  /** Processes waiting in `cpu`'s run queue (not counting the running one). */
  queueLength(cpu: number): number;
  /** Handle of the process running on `cpu`, or -1. */
  running(cpu: number): number;
  /** Queue length + running + processes in transit towards `cpu`. */
  load(cpu: number): number;
  /**
   * The CPU with the least load among those `accept` admits (offline ones included: `accept`
   * decides), the lowest-numbered on ties; -1 if none. What a scan of every CPU's load finds, from
   * an index by load: a large machine's placement reads a few CPUs, not all.
   */
  leastLoaded(accept: (cpu: number) => boolean): number;
  /**
   * The CPU with the most processes waiting in its queue, at least `atLeast`, among those
   * `accept` admits, the lowest-numbered on ties; -1 if none (from an index by queue length).
   */
  mostQueued(atLeast: number, accept: (cpu: number) => boolean): number;
  /** The first CPU with load 0 that `accept` admits, in the order start, start + 1, ..., wrapping around; -1 if none. */
  nextIdle(start: number, accept: (cpu: number) => boolean): number;
  /**
   * The lowest CPU in [from, to) whose load is exactly `load` that `accept` admits (CPUs asked in
   * that order; `accept` may stop the walk by admitting); -1 if none. From the load index: it
   * reads only CPUs with that load.
   */
  firstWithLoad(load: number, from: number, to: number, accept: (cpu: number) => boolean): number;
  /** The sum of queueLength(cpu) over CPUs [from, to), offline ones included (from the queue-length index: a word sum per 32 CPUs). */
  queuedSum(from: number, to: number): number;
  /** Handles waiting in `cpu`'s queue (heap order, not sorted). */
  queued(cpu: number): readonly number[];
  /**
   * Every live process whose CPU is `cpu` (running, waiting, headed there, or sleeping/idle
   * there and due to wake there). Scans all processes: for rare events such as evacuation.
   */
  residents(cpu: number): number[];
  pidOf(handle: number): number;
  groupOf(handle: number): string;
  stateOf(handle: number): ProcessStateName;
  /** CPU the process is queued on, runs on, is headed to, or last ran on (-1 if none yet). */
  cpuOf(handle: number): number;
  lastCpuOf(handle: number): number;
  isAllowed(handle: number, cpu: number): boolean;
  /** The process's affinity mask (allowed[cpu] === 1), or null when it may run anywhere. Do not modify. */
  affinity(handle: number): Readonly<Uint8Array> | null;
  weightOf(handle: number): number;
  workingSetLines(handle: number): number;
  /** Lines of the process in the private cache of `cpu`'s core. */
  privateFootprintLines(handle: number, cpu: number): number;
  /** Lines of the process in the LLC of `socket`. */
  llcFootprintLines(handle: number, socket: number): number;
  homeNodeOf(handle: number): number;
  /** NUMA distance between the nodes of two CPUs (10 = same node). */
  distance(cpuA: number, cpuB: number): number;
  /** When the process last stopped running (or started, if it is running); -1 if never ran. */
  lastRanNs(handle: number): number;
  /** Busy fraction of `cpu` since the start of the run. */
  utilization(cpu: number): number;
  /** False while `cpu` has failed or is out for maintenance: place nothing there, move work off it. */
  online(cpu: number): boolean;
  /** How many CPUs are online now. */
  readonly onlineCount: number;
  /** Compute capacity of `cpu` now, on Linux's 1024 scale (core type's capacity x current frequency / highest). */
  capacity(cpu: number): number;
  /** Current clock frequency of `cpu`. */
  frequencyHz(cpu: number): number;
  /** Current temperature of `cpu`'s core in degrees Celsius. */
  temperatureC(cpu: number): number;
  /**
   * Power `cpu` would draw fully busy at P-state `pstate` of its core type (default: its current
   * one), dynamic plus its share of static, in watts; 0 when the machine has no power model.
   * The energy model energy-aware placement reasons with.
   */
  busyPowerW(cpu: number, pstate?: number): number;
  /** CPU time (wall ns on a CPU, stalls included) the process has used so far. */
  runNs(handle: number): number;
  /** Time the process has spent sleeping (waiting for I/O) so far. */
  sleepNs(handle: number): number;
  /** Periodic tasks: the period; 0 for other processes. */
  periodNs(handle: number): number;
  /** Periodic tasks: worst-case execution time of one job at reference speed; 0 for other processes. */
  wcetNs(handle: number): number;
  /** Absolute deadline of the process's current job; Infinity when it has none. */
  deadlineNs(handle: number): number;
  /** Position of the process within its group (0 for the group's first process). */
  indexInGroup(handle: number): number;
}

/** A CPU leaving or rejoining service (machine events); policies move work off an offline CPU. */
export type CpuEvent =
  { kind: 'offline'; cpu: number; cause: 'fault' | 'maintenance' } | { kind: 'online'; cpu: number };

/** A periodic task known before the run starts (partitioning policies plan with these). */
export interface PeriodicTaskInfo {
  group: string;
  indexInGroup: number;
  periodNs: number;
  wcetNs: number;
  deadlineNs: number;
  /** The group's affinity mask, or null for every CPU. */
  affinity: Readonly<Uint8Array> | null;
}

export interface PolicyActions {
  /**
   * Moves a ready, running or sleeping process to `cpu` (request, stop, copy state, resume there).
   * Returns false when the move is not possible (in transit already, same CPU, not allowed there).
   */
  migrate(handle: number, cpu: number, reason: Reason): boolean;
}

export interface Policy {
  readonly name: string;
  /**
   * True for a single central run queue: processes wait in one queue and any idle CPU takes the
   * best one allowed on it (the discipline orders it). place/placeOnWake are then not called.
   */
  readonly globalQueue?: boolean;
  /** Reason recorded when a global-queue process is picked up by a CPU other than its last one (default load-balance). */
  readonly globalQueueReason?: Reason;
  /** Period of balance() calls; absent = never. */
  readonly balanceIntervalNs?: number;
  /** CPU for a newly arrived process (must be in its affinity mask). */
  place(view: SimView, handle: number): number;
  /** CPU for a waking process; absent = the CPU it slept on. A different CPU is a migration. */
  placeOnWake?(view: SimView, handle: number): number;
  /** Reason recorded when placeOnWake moved a process. */
  wakeReason?(view: SimView, handle: number, cpu: number): Reason;
  /** Periodic balancing pass. */
  balance?(view: SimView, act: PolicyActions): void;
  /** `cpu` just ran out of work: it may pull something. */
  onIdle?(view: SimView, act: PolicyActions, cpu: number): void;
  /** A CPU failed, went out for maintenance or came back (after the engine updated view.online). */
  onCpuEvent?(view: SimView, act: PolicyActions, event: CpuEvent): void;
  /** Frees what the policy holds outside the JS heap (a sandbox); called once when the run ends. */
  dispose?(): void;
}

export interface PolicyContext {
  machine: ResolvedMachine;
  params: Record<string, number | string | boolean>;
  /** The policy's own random stream (independent of arrivals and demands). */
  rng: Rng;
  /** Used in error messages. */
  path: string;
  /** Every periodic task of the workload (empty or absent when there are none). */
  tasks?: readonly PeriodicTaskInfo[];
}

export type PolicyFactory = (ctx: PolicyContext) => Policy;

/** First CPU in [start, start + n) (cyclically) allowed for `handle` and online; -1 if none. */
export function nextAllowed(view: SimView, handle: number, start: number): number {
  const n = view.machine.cpuCount;
  for (let k = 0; k < n; k++) {
    const cpu = (start + k) % n;
    if (view.isAllowed(handle, cpu) && view.online(cpu)) return cpu;
  }
  return -1;
}
