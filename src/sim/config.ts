/**
 * The simulator's input types. All quantities are numbers in SI-derived units named in the field
 * (`Ns` nanoseconds, `Bytes`, `Hz`, `V`, `PerS`), so a field name alone says how to read it.
 * Every machine field is optional: `resolveMachine` (machine.ts) fills documented defaults.
 */

/** Why a process moved (docs/model.md, Migration). Every migration carries exactly one of these. */
export const REASONS = [
  'load-balance',
  'cache-contention',
  'cpu-contention',
  'heterogeneity',
  'energy',
  'fault',
  'deadline',
  'thermal',
  'numa',
  'maintenance',
  'request',
] as const;
export type Reason = (typeof REASONS)[number];
/** Position of each reason in REASONS (per-reason counters are kept in that order). */
export const REASON_INDEX = Object.fromEntries(REASONS.map((r, i) => [r, i])) as Record<Reason, number>;

/**
 * Why a cache line had to be fetched into a core's private cache (docs/model.md, Caches, coherence and NUMA):
 * first touch, reload after a migration, reload after other processes evicted it, streaming
 * misses because the working set exceeds the cache, and dirty lines pulled from the old core.
 */
export const MISS_CAUSES = ['cold', 'migration', 'eviction', 'capacity', 'coherence'] as const;
export type MissCause = (typeof MISS_CAUSES)[number];

/** Per-CPU dispatch disciplines: who runs next on one CPU. */
export const SCHEDULERS = ['fair', 'fcfs', 'rr', 'edf', 'priority'] as const;
export type SchedulerKind = (typeof SCHEDULERS)[number];

export interface PStateConfig {
  freqHz: number;
  voltV: number;
}

/** A kind of core (e.g. big or little). `count` is per socket. */
export interface CoreTypeConfig {
  name?: string;
  count: number;
  /** Compute capacity at the highest P-state on Linux's 1024 scale (1024 = reference speed). */
  capacity?: number;
  pstates?: PStateConfig[];
  /** This type's switched capacitance (uW/MHz/V^2) and static power per core (W); default: machine.power's. */
  dynamicCoefficient?: number;
  staticW?: number;
}

export interface CachesConfig {
  lineBytes?: number;
  l1dBytes?: number;
  l2Bytes?: number;
  /** Shared last-level cache, one per socket. */
  llcBytes?: number;
}

export interface LatencyConfig {
  l1Ns?: number;
  l2Ns?: number;
  /** Hit in the local socket's shared LLC. */
  llcNs?: number;
  /** Line held modified in another core's private cache of the same socket. */
  modifiedLineNs?: number;
  /** Line held in a cache of another socket. */
  remoteCacheNs?: number;
  /** Misses a core keeps in flight at once (prefetch / memory-level parallelism): stall = misses x latency / this. */
  memoryParallelism?: number;
}

export interface MemoryConfig {
  /** DRAM latency from a CPU to its own NUMA node. */
  localNs?: number;
  /** DRAM latency at NUMA distance 20 (one hop); other distances scale linearly from local. */
  remoteNs?: number;
}

export interface NumaConfig {
  /** sockets x sockets matrix, Linux convention: 10 = local, 20 = one hop. One NUMA node per socket. */
  distances?: number[][];
}

export interface MigrationCostConfig {
  /** Fixed part of a migration: IPI, run-queue locks, bookkeeping. */
  fixedNs?: number;
  /** Process state copied on a migration (registers, kernel stack, scheduler entity). */
  stateBytes?: number;
  /** Bandwidth for copying that state; cross-socket copies are slowed by distance / 10. */
  interconnectBytesPerS?: number;
}

/**
 * A processor idle state (C-state). An idle core draws `powerFraction` of its static power; entering
 * and leaving costs energy, so a stay pays off only when longer than `breakEvenNs`; the core needs
 * `exitNs` to start running again.
 */
export interface IdleStateConfig {
  name?: string;
  powerFraction: number;
  exitNs: number;
  breakEvenNs: number;
}

/** Power model (docs/model.md, Energy and DVFS). Present = energy is simulated. */
export interface PowerConfig {
  /** Switched capacitance C in P = C V^2 f, in uW/MHz/V^2 as in device trees (Cortex-A72: 436). */
  dynamicCoefficient?: number;
  /** Static (leakage) power of one core at ambient temperature, in watts. */
  staticW?: number;
  /** Relative rise of static power per kelvin above ambient (needs a thermal model; 0 = flat). */
  staticPerK?: number;
  /** Idle states, any order (default: three states from shallow to deep). [] = an idle core keeps its full static power. */
  idleStates?: IdleStateConfig[];
  /** Energy of one cache line fetched from DRAM, in joules. */
  dramAccessJ?: number;
  /** Dynamic power of a core stalled on memory, as a fraction of its power while computing. */
  stallActivity?: number;
}

/** Lumped RC model per core (docs/model.md, Heat). Present = temperature is simulated (implies a power model). */
export interface ThermalConfig {
  ambientC?: number;
  /** Thermal resistance from a core to ambient, K/W. */
  resistanceKPerW?: number;
  /** Heat capacity of a core, J/K. */
  capacitanceJPerK?: number;
  /** Trip point: at this temperature the core's frequency is capped one or more P-states lower. */
  throttleC?: number;
  /** The cap is lifted a step when the core has cooled this far below the trip point. */
  hysteresisC?: number;
}

export const GOVERNORS = ['performance', 'powersave', 'ondemand', 'schedutil', 'userspace'] as const;
export type GovernorKind = (typeof GOVERNORS)[number];

/** DVFS settings the governor uses. */
export interface DvfsConfig {
  /** `core`: each core has its own frequency; `cluster`: cores of one type on one socket share it. */
  domain?: 'core' | 'cluster';
  /** How often ondemand and schedutil re-evaluate utilisation. */
  samplingNs?: number;
  /** Time from a governor's request until the new frequency applies. */
  switchLatencyNs?: number;
  /** userspace: the lowest P-state at or above this frequency (per core type). */
  frequencyHz?: number;
  /** ondemand: load above which it jumps to the highest frequency. */
  upThreshold?: number;
}

/** A scheduled machine event: a CPU fails for good, or leaves service for a maintenance window. */
export type MachineEventConfig =
  | {
      kind: 'fail';
      atNs: number;
      cpu: number;
      /** Processes on the CPU lose the work done since their last checkpoint (taken every this much work); absent = nothing lost. */
      checkpointNs?: number;
    }
  | {
      kind: 'maintenance';
      atNs: number;
      cpu: number;
      /** Length of the window; absent = until the end of the run. */
      durationNs?: number;
    };

export interface MachineConfig {
  /** Start from a named preset (MACHINE_PRESETS) and override the fields given here. */
  preset?: string;
  name?: string;
  sockets?: number;
  /** Ignored when coreTypes is given (then it is the sum of their counts). */
  coresPerSocket?: number;
  /** Hardware threads per core (1 = no SMT). Threads of one core share its L1d and L2. */
  smt?: number;
  /** Throughput of each thread while its sibling is busy, as a fraction of a lone thread. */
  smtShare?: number;
  /** Capacity of the default core type (when coreTypes is absent). */
  capacity?: number;
  /** P-states of the default core type (when coreTypes is absent). */
  pstates?: PStateConfig[];
  coreTypes?: CoreTypeConfig[];
  caches?: CachesConfig;
  latency?: LatencyConfig;
  memory?: MemoryConfig;
  numa?: NumaConfig;
  contextSwitchNs?: number;
  migration?: MigrationCostConfig;
  power?: PowerConfig;
  thermal?: ThermalConfig;
  /** DVFS governor (default performance: every core at its highest P-state). */
  governor?: GovernorKind;
  dvfs?: DvfsConfig;
  events?: MachineEventConfig[];
}

/** A duration drawn per process (all in nanoseconds of CPU time at reference speed, or of wall time for sleeps). */
export type DistConfig =
  | { kind: 'fixed'; valueNs: number }
  | { kind: 'exp'; meanNs: number }
  | { kind: 'uniform'; minNs: number; maxNs: number }
  | { kind: 'lognormal'; meanNs: number; cv: number }
  | { kind: 'pareto'; alpha: number; minNs: number; maxNs: number };

export interface TraceRecord {
  atNs: number;
  /** Overrides the group's demand for this process. */
  demandNs?: number;
}

export type ArrivalConfig =
  /** `count` processes at `atNs`, or one every `everyNs` starting at `atNs`. */
  | { kind: 'fixed'; atNs: number; everyNs?: number }
  /** Poisson stream: `count` processes, or an open stream for the whole run when count is absent. */
  | { kind: 'poisson'; ratePerS: number; startNs?: number }
  /** Arrivals from a trace (see trace.ts to parse CSV/JSON text). */
  | { kind: 'trace'; records: TraceRecord[] };

/** Compute bursts alternating with sleeps (I/O) until the process's demand is used up. */
export interface PhasesConfig {
  computeNs: DistConfig;
  sleepNs: DistConfig;
}

/** A periodic real-time task: a job of `wcetNs` is released every `periodNs`, due `deadlineNs` after release. */
export interface PeriodicConfig {
  periodNs: number;
  wcetNs: number;
  /** Relative deadline; default = period (implicit deadline). */
  deadlineNs?: number;
  offsetNs?: number;
}

/** `count` periodic tasks with total utilisation `utilization` split by UUniFast, log-uniform periods. */
export interface TaskSetConfig {
  utilization: number;
  periodMinNs: number;
  periodMaxNs: number;
}

export interface ProcessGroupConfig {
  name: string;
  /** Number of processes; absent = open stream (Poisson) for the whole run. */
  count?: number;
  /** Default: all at time 0. */
  arrival?: ArrivalConfig;
  /** Total CPU demand at reference speed. Default fixed 10 ms. */
  demand?: DistConfig;
  phases?: PhasesConfig;
  /** Relative deadline for each (non-periodic) process, counted in deadline statistics. */
  deadlineNs?: number;
  workingSetBytes?: number;
  /** Fraction (0..1) of the working set the process writes: lines left dirty in its cache. */
  dirtyFraction?: number;
  /** Accesses leaving L1 per ns of reference-speed compute; drives capacity misses. */
  memoryIntensity?: number;
  /** Weight for the fair discipline (1024 = nice 0). */
  weight?: number;
  /** For the priority discipline: smaller = more urgent. Default: period for periodic tasks, else lowest. */
  priority?: number;
  /** CPUs the process may run on. Default: all. */
  affinity?: number[];
  /**
   * The processes change their own affinity mask during the run (sched_setaffinity): from atNs
   * they may run only on `cpus`; one outside it asks to move (reason `request`).
   */
  setAffinity?: ({ atNs: number; cpus: number[] } | { onWake: number; cpus: number[] })[];
  /** NUMA node of the process's memory. Default: node of the CPU it first runs on (first touch). */
  homeNode?: number;
  periodic?: PeriodicConfig;
  taskSet?: TaskSetConfig;
}

export interface WorkloadConfig {
  groups: ProcessGroupConfig[];
}

export interface PolicyConfig {
  name: string;
  params?: Record<string, number | string | boolean>;
}

export interface SchedulerConfig {
  kind: SchedulerKind;
  /** rr quantum (default 10 ms) or fair base slice (default 0.7 ms x (1 + floor(log2(min(cpus, 8))))). */
  quantumNs?: number;
}

export interface SimConfig {
  machine: MachineConfig;
  workload: WorkloadConfig;
  policy: PolicyConfig;
  scheduler: SchedulerConfig;
  /** Simulated time limit. A closed workload ends earlier, once nothing is left to happen; an open stream always runs this long. */
  durationNs: number;
  seed: number;
  /**
   * Observe only [startNs, endNs) of the run (endNs <= durationNs): every summary metric, series
   * and table of the result covers that window alone (window.ts).
   */
  window?: { startNs: number; endNs: number };
  /** Upper bound on points per time series (default 1000). */
  maxBins?: number;
  /** Completed processes listed in the per-process table (default 10000); unfinished are always listed. */
  maxProcessRows?: number;
  /** Migration log rows kept (default 10000); counts in the summary always cover all. */
  maxMigrationRows?: number;
  /** Spans of the timeline log kept (default 0: no log; result.timeline, timeline.ts). */
  timelineSegments?: number;
  /** The timeline log starts here (default 0; within a window, at its start at the earliest). */
  timelineFromNs?: number;
}
