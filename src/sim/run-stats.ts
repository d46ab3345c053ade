/**
 * Run statistics: every counter and table a run's result is computed from (results.ts reads them
 * through RunCounters, window.ts as differences of two runs). The engine and its parts only say
 * what happened (a job completed, a CPU ran for so long, a move was made); the bookkeeping of
 * what that adds to the summary and the per-process table is here, in one place.
 */
import { MISS_CAUSES, REASONS } from './config';
import { LogHistogram } from './metrics';
import { ProcState, type Proc } from './process';
import type { MigrationRow, ProcessRow } from './result';

export class RunStats {
  /** Per CPU: time it ran something (stalls included). */
  readonly busyNs: Float64Array;
  readonly response = new LogHistogram();
  waitSumNs = 0;
  arrived = 0;
  arrivedFinite = 0;
  completed = 0;
  /** Jobs released within the run: each non-periodic process is one, each periodic release one. */
  jobsReleased = 0;
  jobsCompleted = 0;
  /** Set at the end: jobs released and not completed (running, waiting, or queued behind their task's earlier job). */
  jobsUnfinished = 0;
  lastCompletionNs = 0;
  sojournDoneNs = 0;
  /** Non-periodic processes in the system now, and the integral of that count over time up to lastInSystemChange. */
  private inSystem = 0;
  inSystemArea = 0;
  private lastInSystemChange = 0;
  migrationsTotal = 0;
  /** Moves of a job that had already run (it resumes elsewhere). */
  jobMigrations = 0;
  /** Moves of a task whose current job had not run yet (it starts elsewhere than its last job ran). */
  taskMigrations = 0;
  /** Indexed like REASONS. */
  readonly migrationsByReason = new Float64Array(REASONS.length);
  migrationCostNs = 0;
  /** Indexed like MISS_CAUSES. */
  readonly missesByCause = new Float64Array(MISS_CAUSES.length);
  stallNsTotal = 0;
  contextSwitches = 0;
  /** A running process stopped with work left so that another one runs on its CPU. */
  preemptions = 0;
  deadlineMisses = 0;
  jobsDue = 0;
  /** Time cores spent capped by the thermal throttle, summed over cores (closed intervals only until the end). */
  throttledNs = 0;
  failures = 0;
  lostWorkNs = 0;
  readonly processRows: ProcessRow[] = [];
  processRowsOmitted = 0;
  readonly migrationRows: MigrationRow[] = [];
  migrationRowsOmitted = 0;

  constructor(
    cpuCount: number,
    private readonly groupNames: readonly string[],
    /** Rows carry energyJ (the machine has a power model). */
    private readonly withEnergy: boolean,
    private readonly maxProcessRows: number,
  ) {
    this.busyNs = new Float64Array(cpuCount);
  }

  /** The number of non-periodic processes in the system changes by `delta` at `now` (0: only closes the interval). */
  noteInSystem(now: number, delta: number): void {
    this.inSystemArea += this.inSystem * (now - this.lastInSystemChange);
    this.lastInSystemChange = now;
    this.inSystem += delta;
  }

  /** A process arrived at `now`; a non-periodic one (`finite`) is in the system until it completes. */
  arrival(now: number, finite: boolean): void {
    if (finite) {
      this.noteInSystem(now, +1);
      this.arrivedFinite++;
    }
    this.arrived++;
  }

  /** A periodic job of `p` completed at `now`; finishing exactly at its deadline meets it. */
  jobCompleted(p: Proc, now: number): void {
    const response = now - p.jobReleaseNs;
    this.response.add(response);
    this.jobsCompleted++;
    this.jobsDue++;
    p.jobsDone++;
    if (now > p.deadlineNs) {
      this.deadlineMisses++;
      p.jobMisses++;
    }
  }

  /** Non-periodic `p` completed at `now`: its response, wait and deadline, and its row. */
  processCompleted(p: Proc, now: number): void {
    const response = now - p.arrivalNs;
    this.response.add(response);
    this.waitSumNs += p.waitNs;
    this.sojournDoneNs += response;
    this.completed++;
    this.jobsCompleted++;
    this.lastCompletionNs = now;
    if (p.deadlineNs !== Infinity) {
      this.jobsDue++;
      p.jobsDone = 1;
      if (now > p.deadlineNs) {
        this.deadlineMisses++;
        p.jobMisses = 1;
      }
    } else p.jobsDone = 1;
    this.noteInSystem(now, -1);
    if (this.processRows.length < this.maxProcessRows) this.processRows.push(this.rowOf(p, 'completed', now));
    else this.processRowsOmitted++;
  }

  /**
   * The run ends at `now` with `p` still live: its unfinished jobs (the current one if released
   * and not done, and every pending one) are due if their deadline passed; it is listed unfinished.
   */
  unfinishedAtEnd(p: Proc, now: number): void {
    if (p.periodNs > 0) {
      const active = p.state !== ProcState.Idle;
      this.jobsUnfinished += (active ? 1 : 0) + p.pendingJobs;
      if (active && p.deadlineNs <= now) {
        this.jobsDue++;
        this.deadlineMisses++;
        p.jobMisses++;
      }
      for (let k = 1; k <= p.pendingJobs; k++) {
        if (p.jobReleaseNs + k * p.periodNs + p.relDeadlineNs <= now) {
          this.jobsDue++;
          this.deadlineMisses++;
          p.jobMisses++;
        }
      }
    } else {
      this.jobsUnfinished++;
      this.sojournDoneNs += now - p.arrivalNs;
      if (p.deadlineNs <= now) {
        this.jobsDue++;
        this.deadlineMisses++;
        p.jobMisses = 1;
      }
    }
    this.processRows.push(this.rowOf(p, 'unfinished', now));
  }

  private rowOf(p: Proc, state: 'completed' | 'unfinished', now: number): ProcessRow {
    const done = state === 'completed';
    const row: ProcessRow = {
      pid: p.pid,
      group: this.groupNames[p.group]!,
      kind: p.periodNs > 0 ? 'periodic' : 'process',
      state,
      arrivalS: p.arrivalNs / 1e9,
      finishS: done ? now / 1e9 : null,
      responseS: (now - p.arrivalNs) / 1e9,
      waitS: p.waitNs / 1e9,
      runS: p.runNs / 1e9,
      stallS: p.stallNs / 1e9,
      sleepS: p.sleepNs / 1e9,
      migrations: p.migrations,
      cacheMisses: Math.round(p.misses),
      cpu: p.lastCpu,
      jobs: p.jobsDone,
      deadlineMisses: p.jobMisses,
    };
    if (this.withEnergy) row.energyJ = p.energyJ;
    return row;
  }
}
