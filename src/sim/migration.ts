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
 *
 * A move goes: request (a policy's migrate, a wake-up elsewhere, an evacuation), halt (a running
 * process stops, a waiting one leaves its queue), copy and transit (the process is on its way,
 * counted in the target's load), resume (it joins the target's queue; if the target went out
 * meanwhile, it travels on). A sleeping process only changes where it will wake.
 */
import type { CacheModel, ReloadCharge } from './cache';
import { REASON_INDEX, type Reason } from './config';
import type { CpuCounts } from './cpu-counts';
import type { TraceHook } from './engine';
import { EventKind } from './event-kinds';
import { CpuService, type Faults } from './faults';
import type { EventQueue } from './heap';
import type { ResolvedMachine } from './machine';
import type { SimView } from './policies/policy';
import { allowed, ProcState, type Proc } from './process';
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
  return Math.round((m.stateBytes / m.interconnectBytesPerS) * 1e9 * distanceFactor);
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

/**
 * Who decided a move: a policy hook (by its name in the policy API), or the engine: a CPU taking
 * a process from the global queue that last ran elsewhere, an evacuation of a CPU that went out
 * of service, a move sent on because its target went out while it was in transit.
 */
export type MoveHook =
  'balance' | 'onIdle' | 'onCpuEvent' | 'placeOnWake' | 'place' | 'global-queue' | 'evacuation' | 'sent-on';

/** A move as the trace reports it (TraceHook's `move`): what decided it and what it saw then. */
export interface TracedMove {
  from: number;
  reason: Reason;
  hook: MoveHook;
  /** Load (running, waiting and arriving processes) of the CPU left and of the target when the move was decided. */
  fromLoad: number;
  toLoad: number;
  /** The moved job's absolute deadline (Infinity: none), which deadline-driven policies compare. */
  deadlineNs: number;
}

/** A move's total cost as its row shows it (the reload parts are 0 until its first dispatch on the target). */
function rowTotalNs(row: MigrationRow): number {
  return row.stateCopyNs + row.reloadNs + row.coherenceNs;
}

/** What a move needs of the engine's run queues. */
export interface MoveHost {
  /** Takes ready `p` out of the queue of `cpu`. */
  dequeue(p: Proc, cpu: number): void;
  /** Stops the process running on `cpu`; the CPU decides again at the end of the instant. */
  halt(cpu: number): void;
  /** `p` leaves the queue of `from` for that of `to`: it keeps its lag behind the queue's front (fair discipline). */
  carryLag(p: Proc, from: number, to: number): void;
  /** `p` has landed on `cpu`: it joins the CPU's queue. */
  land(p: Proc, cpu: number): void;
}

/** Moves processes between CPUs and books every move into the run's statistics and migration log. */
export class Migrations {
  constructor(
    /** The engine's clock. */
    private readonly clock: { readonly now: number },
    private readonly m: ResolvedMachine,
    private readonly q: EventQueue,
    private readonly procs: readonly Proc[],
    /** Per CPU: waiting + running + in transit towards it (the engine keeps it; a move in transit counts at its target). */
    private readonly loads: CpuCounts,
    /** Processes wait in one global queue: a policy cannot move them (a CPU picking one up is the move). */
    private readonly globalQueue: boolean,
    private readonly faults: Faults,
    private readonly stats: RunStats,
    private readonly cache: CacheModel,
    private readonly groupNames: readonly string[],
    private readonly maxRows: number,
    private readonly host: MoveHost,
    private readonly trace: TraceHook | null,
  ) {}

  /** The hook moves requested through PolicyActions.migrate come from: the engine sets it before each call that may move. */
  decider: MoveHook = 'balance';

  /** PolicyActions.migrate: request, halt, copy state, resume on the target. False when the move is not possible. */
  request(handle: number, cpu: number, reason: Reason): boolean {
    const p = this.procs[handle];
    if (p === undefined || p.state === ProcState.Free || p.state === ProcState.Transit) return false;
    if (this.globalQueue || p.cpu < 0) return false;
    if (
      !Number.isInteger(cpu) ||
      cpu < 0 ||
      cpu >= this.m.cpuCount ||
      cpu === p.cpu ||
      !allowed(p, cpu) ||
      this.faults.service[cpu] !== CpuService.Online
    )
      return false;
    const from = p.cpu;
    // What the policy saw: the loads before the move changes them.
    const fromLoad = this.loads.of[from]!;
    const toLoad = this.loads.of[cpu]!;
    switch (p.state) {
      case ProcState.Ready:
        this.host.dequeue(p, from);
        this.transit(p, from, cpu, reason, this.decider, fromLoad, toLoad);
        return true;
      case ProcState.Running:
        this.host.halt(from);
        this.transit(p, from, cpu, reason, this.decider, fromLoad, toLoad);
        return true;
      case ProcState.Sleeping:
      case ProcState.Idle:
        // Nothing runs: the move only changes where it will wake (state is copied meanwhile).
        this.moved(p, from, cpu, reason, stateCopyNs(this.m, from, cpu), this.decider, fromLoad, toLoad);
        p.cpu = cpu;
        return true;
      default:
        return false;
    }
  }

  /**
   * `p` (halted, or waking) leaves `from` (-1: it had no CPU) for `to`: it is in transit while its
   * state is copied. `hook` decided it, seeing the loads `fromLoad` and `toLoad` (by default, now).
   */
  transit(
    p: Proc,
    from: number,
    to: number,
    reason: Reason,
    hook: MoveHook,
    fromLoad = from >= 0 ? this.loads.of[from]! : 0,
    toLoad = this.loads.of[to]!,
  ): void {
    const now = this.clock.now;
    const copy = from >= 0 ? stateCopyNs(this.m, from, to) : 0;
    this.moved(p, from, to, reason, copy, hook, fromLoad, toLoad);
    if (from >= 0) this.host.carryLag(p, from, to);
    // A process taken from a queue has waited there since readySinceNs: that wait is its own,
    // the transit's is counted when it lands.
    if (p.state === ProcState.Ready) p.waitNs += now - p.readySinceNs;
    p.state = ProcState.Transit;
    p.cpu = to;
    p.readySinceNs = now;
    this.loads.add(to, 1);
    this.q.push(now + copy, EventKind.Migrated, p.slot, 0);
  }

  /** EventKind.Migrated: `p` arrives at its target and joins its queue, or travels on if the target went out meanwhile. */
  landed(p: Proc): void {
    const to = p.cpu;
    this.loads.add(to, -1);
    // Time in transit counts as waiting: the process was ready but could not run.
    p.waitNs += this.clock.now - p.readySinceNs;
    const out = this.faults.service[to] !== CpuService.Online;
    // Its target went out meanwhile, or the process changed its mask on the way (setAffinity).
    if (out || !allowed(p, to)) {
      const alt = this.faults.usableInstead(p, to);
      if (alt !== to) {
        this.transit(p, to, alt, out ? this.faults.outReason(to) : 'request', 'sent-on');
        return;
      }
    }
    this.host.land(p, to);
  }

  /**
   * `p` moves from `from` (-1: it had no CPU) to `to` at `now`, in transit for `copyNs`: the move
   * is counted and logged, and the process's private-cache lines stay behind (dirty ones become
   * coherence traffic at its next dispatch).
   */
  moved(
    p: Proc,
    from: number,
    to: number,
    reason: Reason,
    copyNs: number,
    hook: MoveHook,
    fromLoad: number,
    toLoad: number,
  ): void {
    const m = this.m;
    const now = this.clock.now;
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
    // A periodic task between jobs has no deadline until its next job is released.
    const deadlineNs = p.state === ProcState.Idle ? Infinity : p.deadlineNs;
    this.trace?.('migrate', now, p.pid, to, { from, reason, hook, fromLoad, toLoad, deadlineNs });
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
