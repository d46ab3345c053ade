/**
 * Migration Lab policy API: the globals a `policy` cell's code can use.
 *
 * A policy cell defines one migration policy with `definePolicy({...})`. The simulator calls its
 * hooks: `place` when a process arrives, `placeOnWake` when one wakes up, `balance` every
 * `balanceIntervalNs`, `onIdle` when a CPU runs out of work and `onCpuEvent` when a CPU fails,
 * goes out for maintenance or comes back. Hooks read the machine through `view` (read-only) and
 * move processes only with `act.migrate(p, cpu, reason)`.
 *
 * The code runs in a sandbox: no `process`, `require`, `fetch`, timers, file system or network;
 * `Date` is absent and `Math.random()` is seeded, so a run is repeatable; the built-in objects
 * are frozen. Each hook call may take 1,000,000 steps (loop iterations and function calls,
 * counted the same on every machine) and the policy 64 MiB of memory. `console.log(...)` works
 * and its first 200 lines show under the run (it is declared by the standard library typings,
 * so it is not repeated here).
 *
 * Times are nanoseconds of simulated time; sizes are bytes; CPUs are numbered 0..cpuCount-1.
 * See docs/writing-policies.md for a walk-through.
 */

/**
 * A process handle: a small integer naming a live process. Handles are reused after a process
 * finishes, so do not keep one across hook calls to mean the same process; `view.pidOf(p)` is
 * the stable id shown in results.
 */
type Proc = number;

/** Why a process moved. Every migration names one; results count migrations by reason. */
type Reason =
  | 'load-balance'
  | 'cache-contention'
  | 'cpu-contention'
  | 'heterogeneity'
  | 'energy'
  | 'fault'
  | 'deadline'
  | 'thermal'
  | 'numa'
  | 'maintenance'
  /** The process asked: its affinity mask changed (a workload's setAffinity). The engine's own. */
  | 'request';

/** Where a process is: waiting in a queue, running, sleeping (I/O), moving, or a periodic task between jobs. */
type ProcessState = 'ready' | 'running' | 'sleeping' | 'transit' | 'idle';

/** A CPU leaving service (fault or maintenance) or coming back. */
type CpuEvent =
  | { readonly kind: 'offline'; readonly cpu: number; readonly cause: 'fault' | 'maintenance' }
  | { readonly kind: 'online'; readonly cpu: number };

/** One CPU (hardware thread) of the machine. */
interface CpuInfo {
  /** The CPU's number. */
  readonly cpu: number;
  /** The socket (package) it is on; CPUs of a socket share its last-level cache. */
  readonly socket: number;
  /** Physical core: SMT siblings share it (and its private caches). */
  readonly core: number;
  /** NUMA node (one per socket). */
  readonly node: number;
  /** Name of the core type, e.g. "big" or "little". */
  readonly coreType: string;
}

interface CoreTypeInfo {
  /** The core type's name, e.g. "big" or "little". */
  readonly name: string;
  /** Compute capacity at the highest P-state on Linux's 1024 scale (1024 = reference speed). */
  readonly capacity: number;
  /** Operating points, slowest first. */
  readonly pstates: readonly { readonly freqHz: number; readonly voltV: number }[];
}

/** Static facts about the machine. */
interface MachineInfo {
  /** The machine's name (its preset or the machine cell's name). */
  readonly name: string;
  /** Number of CPUs (hardware threads), numbered 0..cpuCount-1. */
  readonly cpuCount: number;
  /** Number of sockets; each is one NUMA node. */
  readonly sockets: number;
  /** Physical cores per socket. */
  readonly coresPerSocket: number;
  /** Hardware threads per core. */
  readonly smt: number;
  /** Cache line size. */
  readonly lineBytes: number;
  /** Private level-1 data cache per core. */
  readonly l1dBytes: number;
  /** Private cache per core. */
  readonly l2Bytes: number;
  /** Shared last-level cache per socket. */
  readonly llcBytes: number;
  /** The kinds of core (one for most machines; big and little on phone-4+4). */
  readonly coreTypes: readonly CoreTypeInfo[];
  /** Indexed by CPU number. */
  readonly cpus: readonly CpuInfo[];
}

/** A read-only view of the machine at the moment of the hook call. */
interface PolicyView {
  /** Simulated time now. */
  readonly nowNs: number;
  /** Static facts about the machine: sockets, caches, core types, and each CPU's socket, core and node. */
  readonly machine: MachineInfo;
  /** Number of CPUs. */
  readonly cpuCount: number;
  /** [0, 1, ..., cpuCount - 1], for `for (const cpu of view.cpus)`. */
  readonly cpus: readonly number[];
  /** The policy's parameters: the defaults declared in definePolicy({ params }) overridden by the run's `policy:` params. */
  readonly params: Readonly<Record<string, number | string | boolean>>;

  // ---- per CPU

  /** Processes on `cpu`: waiting + running + moving towards it. */
  load(cpu: number): number;
  /** The process running on `cpu`, or -1 when it is idle. */
  running(cpu: number): Proc | -1;
  /** Processes waiting in `cpu`'s run queue (not counting the running one). */
  queueLength(cpu: number): number;
  /** The waiting processes (in no particular order). */
  queued(cpu: number): Proc[];
  /** True when nothing runs, waits or is headed there. */
  idle(cpu: number): boolean;
  /** False while the CPU has failed or is out for maintenance: place nothing there. */
  online(cpu: number): boolean;
  /** Compute capacity now (1024 = reference speed at full frequency). */
  capacity(cpu: number): number;
  /** Clock frequency now (it changes with the DVFS governor and thermal throttling). */
  frequencyHz(cpu: number): number;
  /** Temperature of the CPU's core now, in degrees C (the ambient temperature without a thermal model). */
  temperatureC(cpu: number): number;
  /** Busy fraction of the CPU since the start of the run. */
  utilization(cpu: number): number;
  /** NUMA distance between the nodes of two CPUs (10 = same node, 20 = one hop). */
  distance(cpuA: number, cpuB: number): number;

  // ---- per process (each throws if `p` is not a live process)

  /** Whether `p` names a live process. */
  alive(p: Proc): boolean;
  /** The stable process id shown in results. */
  pidOf(p: Proc): number;
  /** Name of the workload group the process belongs to. */
  groupOf(p: Proc): string;
  /** Position of the process within its group (0 = first). */
  indexInGroup(p: Proc): number;
  /** ready (waiting), running, sleeping (I/O), transit (moving) or idle (periodic task between jobs). */
  stateOf(p: Proc): ProcessState;
  /** The CPU it waits on, runs on, is headed to, or last ran on; -1 before it first ran. */
  cpuOf(p: Proc): number;
  /** The CPU it last ran on; -1 if it never ran. */
  lastCpuOf(p: Proc): number;
  /** Whether the process's affinity mask allows `cpu`. */
  isAllowed(p: Proc, cpu: number): boolean;
  /** Weight for the fair scheduler (1024 = nice 0). */
  weightOf(p: Proc): number;
  /** How much memory the process touches (its working set). */
  workingSetBytes(p: Proc): number;
  /** How much of the process's working set is in the private cache of `cpu`'s core now. */
  privateFootprintBytes(p: Proc, cpu: number): number;
  /** How much of it is in the shared last-level cache of `socket`. */
  llcFootprintBytes(p: Proc, socket: number): number;
  /** NUMA node holding the process's memory; -1 until it first runs (first touch). */
  homeNodeOf(p: Proc): number;
  /** When it last started or stopped running; -1 if it never ran. */
  lastRanNs(p: Proc): number;
  /** CPU time used so far. */
  runNs(p: Proc): number;
  /** Time spent sleeping (waiting for I/O) so far. */
  sleepNs(p: Proc): number;
  /** Periodic tasks: the period; 0 for other processes. */
  periodNs(p: Proc): number;
  /** Periodic tasks: worst-case execution time of a job; 0 for other processes. */
  wcetNs(p: Proc): number;
  /** Absolute deadline of the current job; Infinity when it has none. */
  deadlineNs(p: Proc): number;
}

/** The one way a policy changes anything. */
interface PolicyActions {
  /**
   * Moves process `p` to `cpu`: it is stopped, its state copied, and it resumes there with a cold
   * cache. Throws (stopping the run with your line number) if `p` is not live, is already moving
   * or already on `cpu`, or `cpu` is offline or outside its affinity mask.
   */
  migrate(p: Proc, cpu: number, reason: Reason): void;
}

/** What placeOnWake may return: a CPU (a move is recorded as load-balance), or a CPU and the reason for the move. */
type WakePlacement = number | { readonly cpu: number; readonly reason: Reason };

interface PolicyDefinition {
  /** Shown in messages; the policy cell's name is what runs refer to. */
  name?: string;
  /** Parameters with their defaults; a run can override them (`policy: { name: mine, threshold: 2 }`). Read them from view.params. */
  params?: Record<string, number | string | boolean>;
  /** How often balance() runs, in ns (e.g. 4e6 = every 4 ms). Required with balance. */
  balanceIntervalNs?: number;
  /** A process arrived: return the CPU it starts on (online and allowed for it). Required. */
  place(view: PolicyView, p: Proc): number;
  /** A process woke up: return where it continues. Absent: it stays on the CPU it slept on. */
  placeOnWake?(view: PolicyView, p: Proc): WakePlacement;
  /** Called every balanceIntervalNs: look at the machine and move processes. */
  balance?(view: PolicyView, act: PolicyActions): void;
  /** `cpu` has just run out of work: it may pull something. */
  onIdle?(view: PolicyView, act: PolicyActions, cpu: number): void;
  /** A CPU failed, went out for maintenance or came back. Absent: everything on an offline CPU moves to the least-loaded CPU it may use. */
  onCpuEvent?(view: PolicyView, act: PolicyActions, event: CpuEvent): void;
}

/** Defines the cell's policy. Call it exactly once (`export default definePolicy({...})` reads well). */
declare function definePolicy<T extends PolicyDefinition>(definition: T): T;

/** Every reason code, in the order results list them. */
declare const REASONS: readonly Reason[];
