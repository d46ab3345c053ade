/**
 * Migration cost: the one model of what moving a process between CPUs costs (docs/model.md,
 * Migration), which the engine charges and a policy estimating a move (cache-affinity) calls,
 * and the booking of every move (its counters and its row in the migration log).
 *
 * A move costs three things:
 *  - a fixed cost (requesting the move, halting the process, setting it up on the target);
 *  - the transfer of its state over the interconnect, slower the farther apart the sockets
 *    (with the fixed cost, the time the process spends in transit);
 *  - the reload of what it leaves behind: its lines in the old core's private cache (dirty ones
 *    come back as coherence transfers) and, across sockets, in the old socket's LLC, paid as
 *    stalls at its first dispatch on the target (CacheModel.charge).
 * A move's row is opened when it is requested and completed at that dispatch.
 */
import type { CacheModel, ReloadCharge } from './cache';
import { REASON_INDEX, type Reason } from './config';
import type { ResolvedMachine } from './machine';
import type { SimView } from './policies/policy';
import type { Proc } from './process';
import type { MigrationRow } from './result';
import type { RunStats } from './run-stats';


/** Fixed part of a move's cost. */
function fixedNs(m: ResolvedMachine): number {
  return m.migrationFixedNs;
}

/** Copying the process's state from `from` to `to` (distance 10 = same node, as in ACPI SLIT). */
function transferNs(m: ResolvedMachine, from: number, to: number): number {
  const sf = m.cpuSocket[from]!;
  const st = m.cpuSocket[to]!;
  const distanceFactor = sf === st ? 1 : m.distances[sf]![st]! / 10;
  return Math.round(((m.stateBytes / m.interconnectBytesPerS) * 1e9) * distanceFactor);
}

/** Time in transit of a move from `from` to `to`: the process can run again on `to` after this. */
export function stateCopyNs(m: ResolvedMachine, from: number, to: number): number {
  return fixedNs(m) + transferNs(m, from, to);
}

/**
 * A policy's estimate of what moving `h` from `from` to `to` costs: the fixed cost plus the
 * reload of every line it has in the caches it leaves (the private cache of `from`'s core;
 * across sockets, `from`'s LLC too, fetched from the remote socket), divided by the
 * memory-level parallelism. An upper bound on the reload charged at dispatch, which only
 * fetches what the next run touches. The state transfer is not part of the estimate (it was
 * not when cache-affinity kept this formula itself, and its decisions depend on it).
 */
export function estimateMoveNs(view: SimView, h: number, from: number, to: number): number {
  const m = view.machine;
  if (m.cpuCore[from] === m.cpuCore[to]) return fixedNs(m);
  const privateLines = view.privateFootprintLines(h, from);
  const sameSocket = m.cpuSocket[from] === m.cpuSocket[to];
  const lines = sameSocket ? privateLines : privateLines + view.llcFootprintLines(h, m.cpuSocket[from]!);
  const latency = sameSocket ? m.llcNs : m.remoteCacheNs;
  return fixedNs(m) + (lines * latency) / m.memoryParallelism;
}

/** A move's total cost as its row shows it (the reload parts are 0 until its first dispatch on the target). */
function rowTotalNs(row: MigrationRow): number {
  return row.stateCopyNs + row.reloadNs + row.coherenceNs;
}

/** Books moves into the run's statistics and migration log. */
export class MigrationLog {
  constructor(
    private readonly m: ResolvedMachine,
    private readonly stats: RunStats,
    private readonly cache: CacheModel,
    private readonly groupNames: readonly string[],
    private readonly maxRows: number,
  ) {}

  /**
   * `p` moves from `from` (-1: it had no CPU) to `to` at `now`, in transit for `copyNs`: the move
   * is counted and logged, and the process's private-cache lines stay behind (dirty ones become
   * coherence traffic at its next dispatch).
   */
  moved(p: Proc, from: number, to: number, reason: Reason, copyNs: number, now: number): void {
    const m = this.m;
    const stats = this.stats;
    stats.migrationsTotal++;
    if (p.jobRan) stats.jobMigrations++;
    else stats.taskMigrations++;
    stats.migrationsByReason[REASON_INDEX[reason]]!++;
    stats.migrationCostNs += copyNs;
    p.migrations++;
    if (from >= 0 && m.cpuCore[from] !== m.cpuCore[to]) {
      const lines = this.cache.leavePrivate(p);
      p.pendingCoherence += p.dirtyFraction * lines;
      p.coherenceSocket = m.cpuSocket[from]!;
    }
    p.migrated = true;
    const rows = stats.migrationRows;
    if (rows.length < this.maxRows) {
      p.pendingMigrationRow = rows.length;
      const row: MigrationRow = {
        timeNs: now,
        pid: p.pid,
        group: this.groupNames[p.group]!,
        from,
        to,
        reason,
        stateCopyNs: copyNs,
        reloadMisses: 0,
        coherenceLines: 0,
        reloadNs: 0,
        coherenceNs: 0,
        remotePenaltyNs: 0,
        totalNs: 0,
      };
      row.totalNs = rowTotalNs(row);
      rows.push(row);
    } else {
      p.pendingMigrationRow = -1;
      stats.migrationRowsOmitted++;
    }
  }

  /** `p` was dispatched for the first time since it moved, with reload `ch`: that completes the move's cost. */
  reloaded(p: Proc, ch: ReloadCharge): void {
    this.stats.migrationCostNs += ch.reloadNs + ch.coherenceNs;
    const row = p.pendingMigrationRow >= 0 ? this.stats.migrationRows[p.pendingMigrationRow] : undefined;
    if (row) {
      row.reloadMisses = Math.round(ch.reloadLines);
      row.coherenceLines = Math.round(ch.coherenceLines);
      row.reloadNs = Math.round(ch.reloadNs);
      row.coherenceNs = Math.round(ch.coherenceNs);
      row.remotePenaltyNs = Math.round(ch.remotePenaltyNs);
      row.totalNs = rowTotalNs(row);
    }
    p.migrated = false;
    p.pendingMigrationRow = -1;
    p.pendingCoherence = 0;
  }
}
