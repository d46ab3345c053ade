/** The simulator's output types: plain JSON-serialisable objects and arrays of numbers. */
import type { MissCause, Reason } from './config';
import type { MoveHook } from './migration';

export interface Summary {
  /** Simulated time the run covered (end of the run). */
  simulatedS: number;
  /** Time of the last completion (0 if nothing completed). */
  makespanS: number;
  arrived: number;
  completed: number;
  unfinished: number;
  throughputPerS: number;
  /** Over completed jobs: each non-periodic process is one job, each periodic release is one. */
  meanResponseS: number;
  p95ResponseS: number;
  p99ResponseS: number;
  meanWaitS: number;
  /** Jobs released within the run: each non-periodic process is one job, each periodic release one. */
  jobsReleased: number;
  jobsCompleted: number;
  /** Jobs released and not completed at the end (running, waiting, or queued behind their task's earlier job). */
  jobsUnfinished: number;
  /** Non-periodic processes only: time-averaged number in the system, arrival rate, and mean
   * time in system counting unfinished processes up to the end (Little: L = rate x time). */
  meanInSystem: number;
  arrivalRatePerS: number;
  meanSojournS: number;
  /** Every move of a process to another CPU: jobMigrations + taskMigrations. */
  migrations: number;
  /** Moves of a job that had already run: it resumes on another CPU (SimSo's migrations). */
  jobMigrations: number;
  /** Moves of a task whose current job had not run yet: between jobs, or a job that starts elsewhere than its task last ran (SimSo's task migrations). */
  taskMigrations: number;
  migrationsByReason: Record<Reason, number>;
  /** Total cost of migrations: state copy + reload + coherence stalls. */
  migrationCostS: number;
  cacheMisses: number;
  cacheMissesByCause: Record<MissCause, number>;
  /** Time processes spent stalled on cache misses. */
  stallS: number;
  contextSwitches: number;
  /** Times a running job was stopped with work left so that another one runs on its CPU. */
  preemptions: number;
  meanUtilization: number;
  imbalanceCv: number;
  imbalanceMaxOverMean: number;
  jainIndex: number;
  /** Jobs that missed their deadline: completed after it, or unfinished at the end with their deadline passed. */
  deadlineMisses: number;
  /** Misses / jobs whose deadline fell within the run. */
  deadlineMissRatio: number;
  /** Simulation events processed. */
  events: number;
  /** Completed processes not listed in `processes` (maxProcessRows). */
  processRowsOmitted: number;
  /** Migrations not listed in `migrations` (maxMigrationRows). */
  migrationRowsOmitted: number;

  // With a power model (machine.power or machine.thermal):
  /** Energy of every core plus DRAM, in joules. */
  energyJ?: number;
  /** Core energy per CPU (static, dynamic, idle-state transitions); DRAM energy is apart. */
  energyByCpuJ?: number[];
  dramEnergyJ?: number;
  /** Energy-delay product: energyJ x makespanS. */
  edpJs?: number;

  // With a thermal model (machine.thermal):
  peakTempC?: number;
  /** Time average over all cores. */
  meanTempC?: number;
  /** Core-seconds spent with the frequency capped by the thermal throttle. */
  throttledS?: number;

  // With machine events (machine.events):
  /** CPU failures that happened within the run. */
  failures?: number;
  /** Processes moved off failed or maintenance CPUs (migrations with reason fault or maintenance). */
  evacuations?: number;
  /** Work (at reference speed) lost at failures and done again. */
  lostWorkS?: number;

  // Of a cluster run with host events (its overall row; single-machine runs never have it):
  /** Requests lost: on a host when it failed or was switched off, or sent to one that was down. */
  requestsDropped?: number;
}

export interface ProcessRow {
  pid: number;
  group: string;
  kind: 'process' | 'periodic';
  state: 'completed' | 'unfinished';
  arrivalS: number;
  /** null while unfinished. */
  finishS: number | null;
  /** Completion - arrival; for unfinished processes, time in system up to the end. */
  responseS: number;
  waitS: number;
  runS: number;
  stallS: number;
  sleepS: number;
  migrations: number;
  cacheMisses: number;
  /** CPU it last ran on (-1 never ran). */
  cpu: number;
  jobs: number;
  deadlineMisses: number;
  /** With a power model: energy of the CPU while it ran plus its DRAM accesses. */
  energyJ?: number;
}

export interface MigrationRow {
  timeNs: number;
  pid: number;
  group: string;
  from: number;
  to: number;
  reason: Reason;
  stateCopyNs: number;
  reloadMisses: number;
  coherenceLines: number;
  reloadNs: number;
  coherenceNs: number;
  remotePenaltyNs: number;
  totalNs: number;
}

export interface CpuSeriesResult {
  cpu: number;
  socket: number;
  /** Busy fraction per bin, 0..1. */
  utilization: number[];
  /** Time-averaged number of waiting processes per bin. */
  queueLength: number[];
  missesByCause: Record<MissCause, number[]>;
  /** With a power model: time-averaged clock frequency per bin (0 while failed). */
  frequencyHz?: number[];
  /** With a power model: mean power per bin (energy in the bin / its width). */
  powerW?: number[];
  /** With a thermal model: time-averaged temperature of the CPU's core per bin. */
  temperatureC?: number[];
}

/** Machine facts the energy, frequency and temperature charts draw as reference lines. */
export interface ThermalInfo {
  ambientC: number;
  /** Trip point where throttling starts. */
  tripC: number;
  hysteresisC: number;
}

export interface FrequencyInfo {
  governor: string;
  /** Lowest and highest P-state frequency over all core types. */
  minHz: number;
  maxHz: number;
}

/** What a process was doing in a span of the timeline log. */
export type SpanState = 'run' | 'wait' | 'sleep';

/**
 * When each process ran, waited and slept (config.timelineSegments > 0; timeline.ts). Column
 * arrays, one entry per span, in the order the spans ended. `cpu` is the CPU a process ran on,
 * waited for (the one that then ran it; -1 if none did) or went to sleep on.
 */
export interface TimelineLog {
  /** Every span within [fromNs, toNs) is listed, clipped to it; nothing after toNs. */
  fromNs: number;
  toNs: number;
  /** The log filled up before the end of the run: toNs is where it stopped. */
  cut: boolean;
  spans: { state: SpanState[]; pid: number[]; cpu: number[]; startNs: number[]; endNs: number[] };
  /**
   * Every move within [fromNs, toNs), in order: what decided it (`hook`) and what it saw then,
   * the load (running, waiting, arriving processes) of the CPU left and of the target.
   */
  moves: {
    timeNs: number[];
    pid: number[];
    from: number[];
    to: number[];
    reason: Reason[];
    hook: MoveHook[];
    fromLoad: number[];
    toLoad: number[];
    /** The moved job's absolute deadline; null when it has none. */
    deadlineNs: (number | null)[];
  };
}

export interface SimResult {
  /** Set when the result covers an observation window of the run (config.window) rather than all of it. */
  window?: { startS: number; endS: number };
  summary: Summary;
  processes: ProcessRow[];
  series: {
    binNs: number;
    bins: number;
    /** Time bin 0 starts at (an observation window's first bin; absent = 0). */
    startNs?: number;
    cpus: CpuSeriesResult[];
    /** With a power model. */
    frequency?: FrequencyInfo;
    /** With a thermal model. */
    thermal?: ThermalInfo;
  };
  migrations: MigrationRow[];
  /** With config.timelineSegments > 0. Not part of the digest: it records the same run. */
  timeline?: TimelineLog;
  digest: string;
}
