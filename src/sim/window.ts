/**
 * An observation window [start, end) of a run: every summary metric, series and table over that
 * stretch of time only, so a warm-up can be left out (SimSo has such a window).
 *
 * How: the run is simulated twice with the same config and seed, once to the window's start
 * (`before`) and once to its end (`through`). Nothing before an instant depends on when the run
 * will end, so the two runs agree on everything before the start: the window's counts and time
 * integrals are the differences of their counters (each run closes its open intervals at its own
 * end), and its tables and series are those of `through` after the start. That agreement is
 * checked on every windowed run (see `checkPrefix`), never assumed.
 *
 * Semantics: events (arrivals, completions, migrations, switches, misses of a deadline) count when
 * they happen within the window; time integrals (busy time, energy, heat, time in system) count
 * their part within it; response and waiting times are those of the jobs that complete within it
 * (measured from their arrival, which may be earlier); `unfinished` is the state at the window's
 * end; `makespanS` is measured from the window's start; `peakTempC` is the highest temperature
 * within the window.
 */
import type { Sha256Factory } from './digest';
import type { MigrationRow, ProcessRow, SimResult, Summary } from './result';
import { SimConfigError } from './errors';
import { countersOf, seriesOf, summarize, withDigest, type FinishedRun, type RunCounters } from './results';

export interface ObservationWindow {
  startNs: number;
  endNs: number;
}

/** Checks a config's window against its duration; undefined when the config has none. */
export function resolveWindow(window: unknown, durationNs: number): ObservationWindow | undefined {
  if (window === undefined) return undefined;
  const w = window as Partial<ObservationWindow>;
  if (typeof w !== 'object' || w === null || !Number.isInteger(w.startNs) || !Number.isInteger(w.endNs)) {
    throw new SimConfigError('window', 'must be { startNs, endNs } in whole nanoseconds');
  }
  if (w.startNs! < 0 || w.endNs! <= w.startNs!)
    throw new SimConfigError('window', `must end after it starts (${w.startNs} ns .. ${w.endNs} ns)`);
  if (w.endNs! > durationNs)
    throw new SimConfigError('window', `ends after the run (${w.endNs} ns > duration ${durationNs} ns)`);
  return { startNs: w.startNs!, endNs: w.endNs! };
}

const minus = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a, (v, i) => v - b[i]!);

/** The processes present in a finished run's end that are not periodic tasks (time in system is theirs). */
const liveProcesses = (e: FinishedRun) =>
  e.stats.processRows.filter((r) => r.state === 'unfinished' && r.kind === 'process').length;

/** Counters of the window: `through`'s minus `before`'s, with what is not a difference taken as the window defines it. */
function windowCounters(through: FinishedRun, before: FinishedRun): RunCounters {
  const b = countersOf(before);
  const a = countersOf(through);
  const completedInWindow = a.completed - b.completed;
  const inSystemArea = a.inSystemArea - b.inSystemArea;
  const meter = through.meter;
  return {
    spanNs: a.spanNs - b.spanNs,
    busyNs: minus(a.busyNs, b.busyNs),
    missesByCause: minus(a.missesByCause, b.missesByCause),
    migrationsByReason: minus(a.migrationsByReason, b.migrationsByReason),
    response: a.response.since(b.response),
    waitSumNs: a.waitSumNs - b.waitSumNs,
    arrived: a.arrived - b.arrived,
    arrivedFinite: a.arrivedFinite - b.arrivedFinite,
    completed: completedInWindow,
    jobsReleased: a.jobsReleased - b.jobsReleased,
    jobsCompleted: a.jobsCompleted - b.jobsCompleted,
    jobsUnfinished: a.jobsUnfinished,
    makespanNs: completedInWindow > 0 ? a.makespanNs - b.spanNs : 0,
    // Time in system within the window, over every process in the system during it.
    sojournNs: inSystemArea,
    sojournCount: liveProcesses(before) + (a.arrivedFinite - b.arrivedFinite),
    inSystemArea,
    migrationsTotal: a.migrationsTotal - b.migrationsTotal,
    jobMigrations: a.jobMigrations - b.jobMigrations,
    taskMigrations: a.taskMigrations - b.taskMigrations,
    migrationCostNs: a.migrationCostNs - b.migrationCostNs,
    stallNsTotal: a.stallNsTotal - b.stallNsTotal,
    contextSwitches: a.contextSwitches - b.contextSwitches,
    preemptions: a.preemptions - b.preemptions,
    deadlineMisses: a.deadlineMisses - b.deadlineMisses,
    jobsDue: a.jobsDue - b.jobsDue,
    events: a.events - b.events,
    unfinished: a.unfinished,
    processRowsOmitted: a.processRowsOmitted - b.processRowsOmitted,
    migrationRowsOmitted: a.migrationRowsOmitted - b.migrationRowsOmitted,
    energy: a.energy &&
      b.energy && { byCpuJ: minus(a.energy.byCpuJ, b.energy.byCpuJ), dramJ: a.energy.dramJ - b.energy.dramJ },
    thermal: a.thermal &&
      b.thermal && {
        ambientC: a.thermal.ambientC,
        // The hottest moment of the window: at its start (where `before` left every core), or later.
        peakTheta: Math.max(meter!.peakThetaWatched, ...Array.from(before.meter!.theta)),
        thetaAreaKS: a.thermal.thetaAreaKS - b.thermal.thetaAreaKS,
        coreCount: a.thermal.coreCount,
        throttledNs: a.thermal.throttledNs - b.thermal.throttledNs,
      },
    faults: a.faults &&
      b.faults && {
        failures: a.faults.failures - b.faults.failures,
        lostWorkNs: a.faults.lostWorkNs - b.faults.lostWorkNs,
      },
  };
}

/** Per-process counters that accumulate: the window's share is `through`'s minus `before`'s. */
const ACCUMULATED = [
  'waitS',
  'runS',
  'stallS',
  'sleepS',
  'migrations',
  'cacheMisses',
  'jobs',
  'deadlineMisses',
  'energyJ',
] as const;

/** The processes of the window: those that completed within it and those unfinished at its end, their counts over it. */
function windowProcesses(through: FinishedRun, before: FinishedRun, startS: number): ProcessRow[] {
  const earlier = new Map(before.stats.processRows.filter((r) => r.state === 'unfinished').map((r) => [r.pid, r]));
  return through.stats.processRows
    .filter((r) => r.state === 'unfinished' || (r.finishS !== null && r.finishS >= startS))
    .map((row) => {
      const was = earlier.get(row.pid);
      if (!was) return row;
      const out: ProcessRow = { ...row };
      for (const key of ACCUMULATED)
        if (out[key] !== undefined && was[key] !== undefined) (out[key] as number) -= was[key] as number;
      return out;
    });
}

/**
 * Everything before the window's start must be the same in both runs, or their difference would
 * mean nothing: `before` must have reached the start (not stopped early, idle), and have completed
 * the same processes, at the same times, as `through` did before the start.
 */
function checkPrefix(through: FinishedRun, before: FinishedRun, window: ObservationWindow): void {
  if (before.now !== window.startNs) {
    throw new SimConfigError(
      'window',
      `the run goes quiet at ${before.now / 1e9} s, before the window starts at ${window.startNs / 1e9} s: the window cannot be observed from that quiet stretch yet (start it at ${before.now / 1e9} s or earlier)`,
    );
  }
  // Completed rows are kept in completion order, the first maxProcessRows of them: compare what both kept.
  const key = (r: ProcessRow) => `${r.pid}:${r.finishS}:${r.runS}:${r.migrations}:${r.cacheMisses}`;
  const startS = window.startNs / 1e9;
  const beforeDone = before.stats.processRows.filter((r) => r.state === 'completed').map(key);
  const throughDone = through.stats.processRows.filter((r) => r.state === 'completed' && r.finishS! < startS).map(key);
  const kept = Math.min(beforeDone.length, throughDone.length);
  const complete = before.stats.processRowsOmitted === 0 && through.stats.processRowsOmitted === 0;
  if (
    (complete && beforeDone.length !== throughDone.length) ||
    beforeDone.slice(0, kept).join() !== throughDone.slice(0, kept).join()
  ) {
    throw new SimConfigError(
      'window',
      'the run before the window differs with where the run ends, so the window cannot be taken from it',
    );
  }
}

/** The summary of the window (windowResult's), from the same two finished runs; throws as windowResult does when they differ before it. */
export function windowSummary(through: FinishedRun, before: FinishedRun, window: ObservationWindow): Summary {
  checkPrefix(through, before, window);
  return summarize(windowCounters(through, before));
}

/** The result of the window, from the run to its end (`through`) and the run to its start (`before`); both finished. */
export function windowResult(
  through: FinishedRun,
  before: FinishedRun,
  window: ObservationWindow,
  sha256?: Sha256Factory,
): SimResult {
  const summary = windowSummary(through, before, window);
  const startS = window.startNs / 1e9;
  const migrations: MigrationRow[] = through.stats.migrationRows.filter((m) => m.timeNs >= window.startNs);
  return withDigest(
    {
      window: { startS, endS: through.now / 1e9 },
      summary,
      processes: windowProcesses(through, before, startS),
      series: seriesOf(through, window.startNs),
      migrations,
    },
    sha256,
  );
}
