/**
 * The engine's record of one live process. Records are pooled by slot and reused after a
 * process finishes (its row is written to the results first), so memory depends on how many
 * processes are alive at once, not on how many the run has seen.
 */
import type { CacheResident } from './cache';
import { Rng } from './rng';
import type { ResolvedGroup } from './workload';

/** Default priority of processes without one: below every periodic task (whose default is its period). */
const LOWEST_PRIORITY = Number.MAX_SAFE_INTEGER;

export const enum ProcState {
  Ready = 0,
  Running = 1,
  Sleeping = 2,
  Transit = 3,
  /** Periodic task between jobs, waiting for its next release. */
  Idle = 4,
  Free = 5,
}

/** `p` may run on `cpu` (its affinity mask allows it). */
export function allowed(p: Proc, cpu: number): boolean {
  const mask = p.affinity;
  return mask === null || mask[cpu] === 1;
}

export class Proc implements CacheResident {
  pid = 0;
  group = 0;
  indexInGroup = 0;
  state: ProcState = ProcState.Free;
  /** CPU whose queue holds it, where it runs, or where it is headed; -1 before placement in a global queue. */
  cpu = -1;
  /** CPU it last ran on, -1 before its first run. */
  lastCpu = -1;
  arrivalNs = 0;
  /** Remaining total demand in reference ns (Infinity for periodic tasks). */
  remainingNs = 0;
  /** Total demand drawn at arrival (reference ns; 0 for periodic tasks). */
  demandNs = 0;
  /** Energy of the CPU while it ran plus its DRAM accesses (with a power model). */
  energyJ = 0;
  /** Index into REASONS of the evacuation a global-queue pick-up completes, -1 if none. */
  evacReason = -1;
  /** Remaining work of the current compute burst (reference ns). */
  burstNs = 0;
  readySinceNs = 0;
  waitNs = 0;
  runNs = 0;
  stallNs = 0;
  sleepNs = 0;
  sleepStartNs = 0;
  migrations = 0;
  misses = 0;
  vruntime = 0;
  weight = 1024;
  prio = 0;
  /** Absolute deadline of the current job (Infinity when none). */
  deadlineNs = Infinity;
  /** Times it has woken up (for a group's setAffinity onWake). */
  wakes = 0;
  /** Release time of the current job (a non-periodic process: its arrival); periodic: jobs released but not started. */
  jobReleaseNs = 0;
  pendingJobs = 0;
  jobsDone = 0;
  jobMisses = 0;
  periodNs = 0;
  wcetNs = 0;
  relDeadlineNs = 0;
  /** Dirty lines left in another core's cache by the last migration, and that core's socket. */
  pendingCoherence = 0;
  coherenceSocket = -1;
  /**
   * Where the process comes among equal keys and equal releases in a deadline or priority queue:
   * its task's index (periodic tasks in workload order), then non-periodic processes by pid.
   */
  order = 0;
  /** The current job has run (a move now is a job migration; before, a task migration). */
  jobRan = false;
  /** The next dispatch follows a migration (its reload misses are migration misses). */
  migrated = false;
  /** Index into the migration log of the move whose cost the next dispatch completes, -1 if none. */
  pendingMigrationRow = -1;
  firstRunNs = -1;
  /** When it last started or stopped running; -1 before its first run. */
  lastRanNs = -1;
  homeNode = -1;
  wsLines = 0;
  dirtyFraction = 0;
  memoryIntensity = 0;
  /** allowed[cpu] = 1 where it may run; null = anywhere (the group's mask, shared). */
  affinity: Uint8Array | null = null;
  l2Core = -1;
  l2Stored = 0;
  l2Index = -1;
  // Plain arrays, not typed ones: a typed array costs about 300 bytes of its own, which for one
  // or two sockets is most of a process (issue 14's budget is 300 bytes per live process).
  llcStored: number[];
  llcIndex: number[];
  readonly rng: Rng;
  /** The caller's token of an injected process (Engine.injectProcess), -1 for the workload's own. */
  token = -1;

  constructor(
    readonly slot: number,
    sockets: number,
  ) {
    this.llcStored = new Array<number>(sockets).fill(0);
    this.llcIndex = new Array<number>(sockets).fill(-1);
    this.rng = new Rng(0, '');
  }

  /**
   * Starts the record's life as process `pid`, the `index`-th of group `g`, arriving at `nowNs`
   * (`order`: see the field).
   * Sets every per-process field (a pooled record must not leak its previous life), except the
   * demand of a non-periodic process, which the engine draws from the group's stream. The
   * process is Ready but in no queue (cpu -1) while the policy places it.
   */
  begin(pid: number, g: ResolvedGroup, index: number, nowNs: number, order: number): void {
    this.pid = pid;
    this.token = -1;
    this.order = order;
    this.wakes = 0;
    this.jobRan = false;
    this.state = ProcState.Ready;
    this.group = g.index;
    this.indexInGroup = index;
    this.cpu = -1;
    this.lastCpu = -1;
    this.arrivalNs = nowNs;
    this.readySinceNs = nowNs;
    this.waitNs = 0;
    this.runNs = 0;
    this.stallNs = 0;
    this.sleepNs = 0;
    this.migrations = 0;
    this.misses = 0;
    this.energyJ = 0;
    this.evacReason = -1;
    this.demandNs = 0;
    this.vruntime = 0;
    this.weight = g.weight;
    this.pendingCoherence = 0;
    this.coherenceSocket = -1;
    this.migrated = false;
    this.pendingMigrationRow = -1;
    this.firstRunNs = -1;
    this.lastRanNs = -1;
    this.homeNode = g.homeNode;
    this.wsLines = g.workingSetLines;
    this.dirtyFraction = g.dirtyFraction;
    this.memoryIntensity = g.memoryIntensity;
    this.affinity = g.affinity;
    this.jobsDone = 0;
    this.jobMisses = 0;
    this.pendingJobs = 0;
    this.jobReleaseNs = nowNs;
    const task = g.periodic ? g.periodic[index]! : null;
    if (task) {
      this.periodNs = task.periodNs;
      this.wcetNs = task.wcetNs;
      this.relDeadlineNs = task.deadlineNs;
      this.remainingNs = Infinity;
      this.burstNs = task.wcetNs;
      this.deadlineNs = nowNs + task.deadlineNs;
      this.prio = g.priority ?? task.periodNs;
    } else {
      this.periodNs = 0;
      this.wcetNs = 0;
      this.relDeadlineNs = 0;
      this.remainingNs = 0;
      this.burstNs = 0;
      this.deadlineNs = nowNs + g.deadlineNs;
      this.prio = g.priority ?? LOWEST_PRIORITY;
    }
  }
}
