/**
 * The discrete-event engine: the event loop and dispatch (arrivals, run queues, what each CPU
 * runs, running segments, calls into the policy). Time is an integer number of nanoseconds;
 * events are ordered by (time, kind, scheduling order). One process record per live process
 * (pooled), flat per-CPU arrays, and no allocation on the per-event path.
 *
 * The engine's other concerns are modules it drives through narrow interfaces: event-kinds.ts
 * (what the queue holds), migration.ts (moving a process and the one model of what a move
 * costs), frequency.ts (P-states, governors, the thermal throttle), faults.ts (CPU failures and
 * maintenance), run-stats.ts (every counter and table the result is built from), power.ts
 * (energy and heat) and cache.ts (cache footprints).
 *
 * A running process occupies a *segment* on its CPU: it first stalls (context switch plus the
 * cache reload charged at dispatch), then progresses through its current compute burst at
 * `rate` reference-ns per ns (CPU speed, slowed by capacity-miss stalls). A CPU has one pending
 * timer: the end of the burst or of the time slice, whichever is first; a generation counter
 * voids timers of segments that were stopped early.
 *
 * One instant (advance) is applied in three phases, so nothing depends on the order in which
 * simultaneous events happened to be scheduled:
 *  1. every burst end and slice expiry due now (timers): completions, sleeps, next jobs;
 *  2. everything else due now, kind by kind in the order of EventKind in event-kinds.ts (machine
 *     events, frequency and thermal changes, governor ticks, arrivals, releases, wake-ups,
 *     landings of moved processes, balancing), events of one kind in scheduling order;
 *  3. each CPU that something happened to decides, once, what runs (decide): an idle CPU takes
 *     the best waiting process, a running one is preempted only by a process that goes before
 *     it. Decisions never stop a process with no work left: its burst end was phase 1.
 * A decision that schedules more work at the same instant (a move with no copy cost) runs the
 * phases again for it.
 */
import { REASON_INDEX, REASONS, type Reason } from './config';
import { CacheModel } from './cache';
import { CpuCounts } from './cpu-counts';
import { sample } from './distributions';
import { SimPolicyError } from './errors';
import { EventKind } from './event-kinds';
import { CpuService, Faults, loseWork } from './faults';
import { Frequency, type RunningWork } from './frequency';
import { EventQueue } from './heap';
import type { ResolvedMachine } from './machine';
import { Migrations, type TracedMove } from './migration';
import { POLICIES } from './policies/index';
import type { CpuEvent, PeriodicTaskInfo, Policy, PolicyActions, PolicyFactory } from './policies/policy';
import { EnergyMeter } from './power';
import { allowed, Proc, ProcState } from './process';
import { before, ReadyQueue } from './ready-queue';
import type { ResolvedConfig } from './resolve';
import { hashName, Rng } from './rng';
import { RunStats } from './run-stats';
import { RunningVruntimes } from './running-vruntime';
import { makeDiscipline, sleeperCreditNs, type Discipline } from './scheduler/discipline';
import { CpuSeries, MISS_INDEX } from './series';
import { ArrivalSource, type ResolvedGroup } from './workload';
import { EngineView } from './view';

/** How a process joining a queue gets its virtual runtime under `fair`. */
const enum Placement {
  /** A new process: at the queue's minimum vruntime. */
  New,
  /** Waking up (or a periodic task's next release): max(own, minimum - sleeper credit). */
  Wake,
  /** Moved from another queue: keeps its lag behind the minimum (transferred when it left). */
  Move,
}

const ONLINE = CpuService.Online;

const COLD = MISS_INDEX.cold;
const MIGRATION = MISS_INDEX.migration;
const EVICTION = MISS_INDEX.eviction;
const CAPACITY = MISS_INDEX.capacity;
const COHERENCE = MISS_INDEX.coherence;

const enum PolicyCall {
  Place,
  PlaceOnWake,
  WakeReason,
  Balance,
  OnIdle,
  CpuEvent,
}

/**
 * `release`: a periodic task's job is released while it had none (it waits for a CPU from now);
 * `idle`: a periodic task finished its job and has no other released one.
 */
export type TraceKind = 'arrive' | 'dispatch' | 'stop' | 'sleep' | 'wake' | 'migrate' | 'complete' | 'release' | 'idle';
/** Observer for tests and tools: called synchronously as the engine acts; `move` with `migrate` only. */
export type TraceHook = (kind: TraceKind, timeNs: number, pid: number, cpu: number, move?: TracedMove) => void;

/** The workload's periodic tasks, for policies that partition them before the run. */
function periodicTasks(groups: readonly ResolvedGroup[]): PeriodicTaskInfo[] {
  const tasks: PeriodicTaskInfo[] = [];
  for (const g of groups) {
    g.periodic?.forEach((t, indexInGroup) => {
      tasks.push({
        group: g.name,
        indexInGroup,
        periodNs: t.periodNs,
        wcetNs: t.wcetNs,
        deadlineNs: t.deadlineNs,
        affinity: g.affinity,
      });
    });
  }
  return tasks;
}

export class Engine implements PolicyActions {
  readonly m: ResolvedMachine;
  readonly endNs: number;
  /** The instant being applied, or the last one applied. Moves only to the time of an event of the run. */
  now = 0;
  /** Every event before this time has been applied (the progress of a run advanced in slices). */
  private processedToNs = 0;
  /** Set when the run has ended (all work done, time limit reached, or result() taken). */
  finished = false;
  events = 0;

  private readonly q = new EventQueue(1024);
  readonly procs: Proc[] = [];
  private readonly freeSlots: number[] = [];
  /** Queue position of each slot (shared by all run queues: a slot is in at most one). */
  private readonly qpos: number[] = [];
  readonly runQ: ReadyQueue[];
  private readonly globalQ: ReadyQueue | null;
  private enqueueSeq = 0;
  /** Periodic tasks in the workload (non-periodic processes are ordered after them by pid). */
  private readonly taskCount: number;
  /** Per group: index of its first periodic task among all tasks. */
  private readonly firstTaskOf: number[];
  /** Some group has an affinity mask (the global queue then has to look past its head). */
  private readonly anyAffinity: boolean;
  /** Each group's affinity mask now (setAffinity changes it during the run; null: every CPU). */
  private readonly affinityNow: (Uint8Array | null)[];

  private readonly disc: Discipline;
  private readonly policy: Policy;
  private readonly view: EngineView;
  readonly cache: CacheModel;
  readonly series: CpuSeries;
  readonly stats: RunStats;
  private readonly migrations: Migrations;
  private readonly sources: ArrivalSource[];
  /** Per group, hash of the name of its per-process random streams. */
  private readonly procStreamHash: number[];
  /** Group index of the process each group's pending arrival event stands for. */
  private readonly pendingArrivalIndex: number[];
  private activeSources = 0;
  /** Some group is an open stream, or the caller injects processes: the run then always lasts durationNs. */
  private openStream: boolean;
  /**
   * Processes injected by the caller (injectProcess), in the order their arrival events were
   * scheduled, which is the order those events are applied in: each one's token and demand.
   */
  private readonly injectTokens: number[] = [];
  private readonly injectDemands: number[] = [];
  private injectHead = 0;
  /** Told when an injected process completes (with its token); set by acceptInjections. */
  private injectedDone: ((token: number, timeNs: number) => void) | null = null;
  private live = 0;
  private nextPid = 0;

  // Per-CPU state.
  readonly running: Int32Array;
  /** Queue order (key, tie, order) of the running process (fixed while it runs for edf/priority). */
  private readonly runKey: Float64Array;
  private readonly runTie: Float64Array;
  private readonly runOrder: Float64Array;
  private readonly lastPid: Float64Array;
  private readonly segStart: Float64Array;
  private readonly stallEnd: Float64Array;
  private readonly finishAt: Float64Array;
  private readonly sliceEnd: Float64Array;
  private readonly rate: Float64Array;
  private readonly capRate: Float64Array;
  private readonly capLat: Float64Array;
  private readonly timerGen: Int32Array;
  private readonly faults: Faults;
  /** Per CPU: its CpuService state (faults.ts keeps it). */
  readonly service: Uint8Array;
  /** CPUs online and running nothing: how many, and which (bit cpu % 32 of word cpu >> 5). */
  private idleOnline: number;
  private readonly idleBits: Int32Array;
  /** Null when the machine has no power model: energy then costs nothing. */
  readonly meter: EnergyMeter | null;
  readonly freq: Frequency;
  /** Per CPU: share of its capacity misses that go to DRAM (with a power model). */
  private readonly capDram: Float64Array;
  private cpuEvent: CpuEvent | null = null;
  private readonly lastQueueChange: Float64Array;
  /** Per CPU: waiting + running + in transit towards it (kept current for cheap policy scans). */
  readonly load: Int32Array;
  /** The loads with their index by load (cpu-counts.ts); `load` is `loads.of`. */
  readonly loads: CpuCounts;
  /** The length of each CPU's queue, indexed by length (kept by the queues themselves). */
  readonly queued: CpuCounts;
  /** `fair`: per queue (CPUs, then the global queue) the minimum vruntime, as CFS keeps it. */
  private readonly minVruntime: Float64Array;
  /** `fair` with the global queue: the running processes' vruntimes, for its minimum without a scan (else null). */
  private readonly runningVruntimes: RunningVruntimes | null;
  private readonly vruntimeOf = (cpu: number): number => this.vruntimeNow(cpu);
  private readonly fair: boolean;
  private readonly sleeperCreditNs: number;

  // Phase 3 of an instant: which CPUs decide, and what they know.
  /** Per CPU: it decides at the end of this instant (1) or not (0). */
  private readonly resched: Uint8Array;
  /** The CPUs that decide (reschedCount of them, in no order). */
  private readonly reschedList: Int32Array;
  private reschedCount = 0;
  /** The global queue changed: its best processes may take CPUs. */
  private globalDirty = false;
  /** Per CPU: its running process's slice ran out now (with work left). */
  private readonly sliceOver: Uint8Array;
  /** Per CPU: the policy's onIdle was asked this instant (once per CPU and instant). */
  private readonly idleAsked: Uint8Array;
  private readonly idleAskedList: Int32Array;
  private idleAskedCount = 0;

  constructor(
    readonly cfg: ResolvedConfig,
    private readonly trace: TraceHook | null,
    customPolicy: PolicyFactory | null = null,
  ) {
    const m = cfg.machine;
    this.m = m;
    this.endNs = cfg.durationNs;
    const n = m.cpuCount;
    this.disc = makeDiscipline(cfg.scheduler.kind, cfg.scheduler.quantumNs, n);
    const factory = customPolicy ?? POLICIES[cfg.policy.name as keyof typeof POLICIES];
    this.policy = factory({
      machine: m,
      params: cfg.policy.params,
      rng: new Rng(cfg.seed, 'policy'),
      path: 'policy',
      tasks: periodicTasks(cfg.groups),
    });
    this.firstTaskOf = [];
    let tasks = 0;
    for (const g of cfg.groups) {
      this.firstTaskOf.push(tasks);
      tasks += g.periodic?.length ?? 0;
    }
    this.taskCount = tasks;
    this.anyAffinity = cfg.groups.some(
      (g) => g.affinity !== null || g.setAffinity.length > 0 || g.wakeAffinity.length > 0,
    );
    this.affinityNow = cfg.groups.map((g) => g.affinity);
    this.queued = new CpuCounts(n);
    this.runQ = Array.from({ length: n }, (_, cpu) => new ReadyQueue(this.qpos, this.queued, cpu));
    this.globalQ = this.policy.globalQueue ? new ReadyQueue(this.qpos) : null;
    this.cache = new CacheModel(m);
    this.loads = new CpuCounts(n);
    this.load = this.loads.of;
    const groupNames = cfg.groups.map((g) => g.name);
    this.stats = new RunStats(n, groupNames, m.power !== null, cfg.maxProcessRows);
    this.series = new CpuSeries(n, cfg.maxBins, cfg.durationNs);
    this.running = new Int32Array(n).fill(-1);
    this.runKey = new Float64Array(n);
    this.runTie = new Float64Array(n);
    this.runOrder = new Float64Array(n);
    this.lastPid = new Float64Array(n).fill(-1);
    this.segStart = new Float64Array(n);
    this.stallEnd = new Float64Array(n);
    this.finishAt = new Float64Array(n);
    this.sliceEnd = new Float64Array(n);
    this.rate = new Float64Array(n);
    this.capRate = new Float64Array(n);
    this.capLat = new Float64Array(n);
    this.timerGen = new Int32Array(n);
    this.faults = new Faults(m, this.endNs, this.q, this.loads, this.stats, {
      failing: (cpu) => this.freq.flushFrequency(cpu),
      leftService: (cpu, checkpointNs) => this.evacuate(cpu, checkpointNs),
      switchOff: (cpu) => this.switchOff(cpu),
      returned: (cpu) => this.returned(cpu),
    });
    this.service = this.faults.service;
    this.migrations = new Migrations(
      this,
      m,
      this.q,
      this.procs,
      this.loads,
      this.globalQ !== null,
      this.faults,
      this.stats,
      this.cache,
      groupNames,
      cfg.maxMigrationRows,
      {
        dequeue: (p, cpu) => {
          this.noteQueue(cpu);
          this.runQ[cpu]!.remove(p.slot);
          this.loads.add(cpu, -1);
        },
        halt: (cpu) => {
          this.stop(cpu);
          this.markResched(cpu);
        },
        // Keep the process's lag behind its old queue when it joins the new one.
        carryLag: (p, from, to) => {
          if (this.fair) p.vruntime += this.raiseMinVruntime(to) - this.raiseMinVruntime(from);
        },
        land: (p, cpu) => this.enqueue(p, cpu, Placement.Move),
      },
      trace,
    );
    this.idleOnline = n;
    this.idleBits = new Int32Array((n + 31) >> 5);
    for (let cpu = 0; cpu < n; cpu++) this.idleBits[cpu >> 5]! |= 1 << (cpu & 31);
    this.capDram = new Float64Array(m.power === null ? 0 : n);
    this.lastQueueChange = new Float64Array(n);
    this.minVruntime = new Float64Array(n + 1);
    this.fair = cfg.scheduler.kind === 'fair';
    this.runningVruntimes = this.fair && this.globalQ !== null ? new RunningVruntimes(n) : null;
    this.sleeperCreditNs = sleeperCreditNs(n);
    this.resched = new Uint8Array(n);
    this.reschedList = new Int32Array(n);
    this.sliceOver = new Uint8Array(n);
    this.idleAsked = new Uint8Array(n);
    this.idleAskedList = new Int32Array(n);
    this.view = new EngineView(this);
    const work: RunningWork = {
      running: this.running,
      account: (cpu) => this.account(cpu),
      plan: (cpu) => this.plan(cpu),
      busyNsNow: (cpu) => this.stats.busyNs[cpu]! + (this.running[cpu]! >= 0 ? this.now - this.segStart[cpu]! : 0),
    };
    this.freq = new Frequency(this, m, this.endNs, this.q, work, this.service, this.stats, this.series);
    this.meter =
      m.power === null
        ? null
        : new EnergyMeter(this, m, m.power, m.thermal, this.series, this.running, this.procs, this.freq.pstate);
    this.freq.meter = this.meter;

    this.openStream = cfg.groups.some((g) => g.count === Infinity);
    this.sources = cfg.groups.map((g) => new ArrivalSource(g, cfg.seed));
    this.procStreamHash = cfg.groups.map((g) => hashName(`proc:${g.name}`));
    this.pendingArrivalIndex = cfg.groups.map(() => 0);
    this.faults.scheduleEvents();
    cfg.groups.forEach((_, i) => {
      if (this.scheduleNextArrival(i)) this.activeSources++;
    });
    if (this.policy.balanceIntervalNs !== undefined && this.policy.balance) {
      this.q.push(this.policy.balanceIntervalNs, EventKind.Balance, 0, 0);
    }
    for (const g of cfg.groups) {
      g.setAffinity.forEach((change, k) => {
        if (change.atNs < this.endNs) this.q.push(change.atNs, EventKind.SetAffinity, g.index, k);
      });
    }
  }

  // ---------------------------------------------------------------- main loop

  /**
   * Applies every instant before min(untilNs, endNs), whole, in its three phases (see the file
   * comment): the queue yields an instant's timers first and its other events kind by kind; when
   * the next event is later, the instant's decisions are made (they may schedule more events at
   * the same time, which then run first). A closed run (every process done) ends at its last
   * completion; otherwise, reaching endNs applies the burst ends due exactly then (a job
   * finishing at the end of the run finishes) and ends the run there. Slicing a run into several
   * calls changes nothing: the clock only ever moves to the time of an event.
   */
  advance(untilNs: number): void {
    if (this.finished) return;
    const limit = Math.min(untilNs, this.endNs);
    const q = this.q;
    for (;;) {
      const next = q.peekTime();
      if (next !== this.now) {
        if (this.reschedCount > 0 || this.globalDirty) {
          this.decide();
          continue;
        }
        if (this.idleAskedCount > 0) this.clearIdleAsked();
        if (this.workDone()) {
          this.finished = true;
          return;
        }
        if (next >= limit) break;
        this.now = next;
      } else if (next >= limit) break;
      q.pop();
      this.events++;
      this.apply(q.kind, q.a, q.b);
    }
    if (limit < this.endNs) {
      this.processedToNs = Math.max(this.processedToNs, limit);
      return;
    }
    this.now = this.endNs;
    while (q.peekTime() === this.endNs && q.peekKind() === EventKind.Timer) {
      q.pop();
      this.events++;
      if (q.b === this.timerGen[q.a]) this.onTimer(q.a);
    }
    this.finished = true;
  }

  private apply(kind: number, a: number, b: number): void {
    switch (kind) {
      case EventKind.Timer:
        if (b === this.timerGen[a]) this.onTimer(a);
        break;
      case EventKind.Machine:
        this.faults.onEvent(a, b);
        break;
      case EventKind.Freq:
        this.freq.onSwitch(a, b);
        break;
      case EventKind.Thermal:
        this.freq.onCrossing(a, b);
        break;
      case EventKind.Governor:
        this.freq.onGovernorTick();
        break;
      case EventKind.Arrival:
        // b = 1: a process the caller injected (injectProcess); 0: the group's own next arrival.
        if (b === 0) this.onArrival(a);
        else this.onInjected(a);
        break;
      case EventKind.Release:
        this.onRelease(this.procs[a]!);
        break;
      case EventKind.Wake:
        this.onWake(this.procs[a]!);
        break;
      case EventKind.Migrated:
        this.migrations.landed(this.procs[a]!);
        break;
      case EventKind.SetAffinity:
        this.onSetAffinity(a, b);
        break;
      case EventKind.Balance:
        this.onBalance();
        break;
    }
  }

  /** CPUs in service now. */
  get onlineCount(): number {
    return this.faults.onlineCount;
  }

  /** How far the run has got: its end once finished, else the time every event before has been applied to. */
  get progressNs(): number {
    return this.finished ? this.now : Math.max(this.now, this.processedToNs);
  }

  /** The instant is over: each CPU may ask onIdle again at the next one. */
  private clearIdleAsked(): void {
    for (let i = 0; i < this.idleAskedCount; i++) this.idleAsked[this.idleAskedList[i]!] = 0;
    this.idleAskedCount = 0;
  }

  // ---------------------------------------------------------------- arrivals

  /** Schedules group `gi`'s next arrival; false when the group has no more within the run. */
  private scheduleNextArrival(gi: number): boolean {
    const src = this.sources[gi]!;
    const index = src.index;
    const t = src.nextTime();
    if (t < 0 || t >= this.endNs) return false;
    this.pendingArrivalIndex[gi] = index;
    this.q.push(t, EventKind.Arrival, gi, 0);
    return true;
  }

  private onArrival(gi: number): void {
    const g = this.cfg.groups[gi]!;
    const p = this.createProcess(g, this.pendingArrivalIndex[gi]!);
    if (!this.scheduleNextArrival(gi)) this.activeSources--;
    this.stats.jobsReleased++;
    this.trace?.('arrive', this.now, p.pid, -1);
    if (g.periodic) {
      const nextRelease = this.now + p.periodNs;
      if (nextRelease < this.endNs) this.q.push(nextRelease, EventKind.Release, p.slot, 0);
    }
    this.placeNew(p);
  }

  // ---------------------------------------------------------------- injected processes

  /**
   * From now the caller may inject processes (a cluster's balancer routing requests to this
   * host): the run then lasts its duration even while idle, and `done` is told of each injected
   * process that completes. Call before the first advance.
   */
  acceptInjections(done: (token: number, timeNs: number) => void): void {
    this.openStream = true;
    this.injectedDone = done;
  }

  get injecting(): boolean {
    return this.injectedDone !== null;
  }

  /** Processes alive now (waiting, running, asleep, moving, or a periodic task between jobs). */
  get liveProcesses(): number {
    return this.live;
  }

  /**
   * A process of group `gi` with demand `demandNs` (reference ns) arrives at `atNs`, which is no
   * earlier than the run's progress: it is an arrival event of that instant like the group's own
   * (applied in kind order with the instant's other events), so slicing changes nothing as long
   * as the caller advances the run to `atNs` before injecting. `token` names it to `done`.
   */
  injectProcess(gi: number, demandNs: number, token: number, atNs: number): void {
    if (atNs < this.progressNs || atNs >= this.endNs) return;
    this.injectTokens.push(token);
    this.injectDemands.push(demandNs);
    this.q.push(atNs, EventKind.Arrival, gi, 1);
  }

  private onInjected(gi: number): void {
    const at = this.injectHead++;
    const token = this.injectTokens[at]!;
    const p = this.createProcess(this.cfg.groups[gi]!, token, this.injectDemands[at]!);
    p.token = token;
    // Every pending injection applied: start the lists again so they stay as short as the backlog.
    if (this.injectHead === this.injectTokens.length) {
      this.injectHead = 0;
      this.injectTokens.length = 0;
      this.injectDemands.length = 0;
    }
    this.stats.jobsReleased++;
    this.trace?.('arrive', this.now, p.pid, -1);
    this.placeNew(p);
  }

  /** `demandNs` >= 1: an injected process's demand, instead of a draw from the group's stream. */
  private createProcess(g: ResolvedGroup, index: number, demandNs = 0): Proc {
    let slot: number;
    let p: Proc;
    if (this.freeSlots.length > 0) {
      slot = this.freeSlots.pop()!;
      p = this.procs[slot]!;
    } else {
      slot = this.procs.length;
      p = new Proc(slot, this.m.sockets);
      this.procs.push(p);
      this.qpos.push(-1);
    }
    const pid = this.nextPid++;
    p.begin(pid, g, index, this.now, g.periodic ? this.firstTaskOf[g.index]! + index : this.taskCount + pid);
    p.affinity = this.affinityNow[g.index]!;
    // Only phased processes draw from their own stream (burst and sleep lengths).
    if (g.phases) p.rng.reseedHashed(this.cfg.seed, this.procStreamHash[g.index]!, index);
    if (g.periodic === null) {
      p.remainingNs = demandNs > 0 ? demandNs : this.sources[g.index]!.demandOf(index);
      p.demandNs = p.remainingNs;
      p.burstNs = g.phases ? Math.min(p.remainingNs, sample(g.phases.computeNs, p.rng)) : p.remainingNs;
    }
    this.stats.arrival(this.now, g.periodic === null);
    this.live++;
    return p;
  }

  /** Placement of a new process (no migration: it has no CPU yet). */
  private placeNew(p: Proc): void {
    if (this.globalQ) {
      this.enqueueGlobal(p, Placement.New);
      return;
    }
    let cpu = this.callPolicy(PolicyCall.Place, p.slot, -1);
    // Every CPU it may use is out (failed or in maintenance): it waits on one of them.
    if (cpu < 0 && this.faults.usableInstead(p, -1) < 0) cpu = this.faults.parking(p);
    this.checkTarget(p, cpu, 'place');
    // A policy unaware of machine events may pick a CPU that is out: take the nearest usable one instead.
    if (this.service[cpu] !== ONLINE) cpu = this.faults.usableInstead(p, cpu);
    this.enqueue(p, cpu, Placement.New);
  }

  /**
   * Calls into the policy (no closure per call: this is on the per-arrival path). Anything the
   * policy throws comes out as a SimPolicyError naming it. Returns the CPU for PLACE and
   * PLACE_ON_WAKE, the reason index for WAKE_REASON, else 0.
   */
  private callPolicy(call: PolicyCall, handle: number, cpu: number): number {
    const policy = this.policy;
    try {
      switch (call) {
        case PolicyCall.Place:
          return policy.place(this.view, handle);
        case PolicyCall.PlaceOnWake:
          return policy.placeOnWake!(this.view, handle);
        case PolicyCall.WakeReason: {
          const reason = policy.wakeReason!(this.view, handle, cpu);
          const index = REASON_INDEX[reason];
          if (index === undefined)
            throw new SimPolicyError(
              policy.name,
              `wakeReason returned "${String(reason)}", not one of ${REASONS.join(', ')}`,
            );
          return index;
        }
        case PolicyCall.Balance:
          this.migrations.decider = 'balance';
          policy.balance!(this.view, this);
          return 0;
        case PolicyCall.OnIdle:
          this.migrations.decider = 'onIdle';
          policy.onIdle!(this.view, this, cpu);
          return 0;
        case PolicyCall.CpuEvent:
          this.migrations.decider = 'onCpuEvent';
          policy.onCpuEvent!(this.view, this, this.cpuEvent!);
          return 0;
      }
    } catch (e) {
      // The run cannot go on: free what the policy holds (a sandboxed policy's VM) now.
      policy.dispose?.();
      if (e instanceof SimPolicyError) throw e;
      throw new SimPolicyError(policy.name, `threw at ${this.now} ns: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private checkTarget(p: Proc, cpu: number, what: string): void {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.m.cpuCount) {
      throw new SimPolicyError(
        this.policy.name,
        `${what} returned CPU ${String(cpu)} for process ${p.pid}; the machine has CPUs 0..${this.m.cpuCount - 1}`,
      );
    }
    if (!this.allowed(p, cpu)) {
      throw new SimPolicyError(
        this.policy.name,
        `${what} put process ${p.pid} on CPU ${cpu}, outside its affinity mask`,
      );
    }
  }

  lastRanNs(handle: number): number {
    return this.procs[handle]!.lastRanNs;
  }

  allowed(p: Proc, cpu: number): boolean {
    return allowed(p, cpu);
  }

  // ---------------------------------------------------------------- run queues

  private noteQueue(cpu: number): void {
    const since = this.lastQueueChange[cpu]!;
    if (this.now > since) {
      this.series.addQueue(cpu, since, this.now, this.runQ[cpu]!.length);
      this.lastQueueChange[cpu] = this.now;
    }
  }

  /** Puts `p` in `queue` at its place by the discipline's order. */
  private pushReady(queue: ReadyQueue, p: Proc): void {
    const key = this.disc.key(p);
    if (this.disc.ties === 'release') queue.push(p.slot, key, p.jobReleaseNs, p.order);
    else queue.push(p.slot, key, 0, this.enqueueSeq++);
  }

  /** Makes `p` ready on `cpu`'s queue; the CPU decides at the end of the instant whether it runs. */
  private enqueue(p: Proc, cpu: number, how: Placement): void {
    p.state = ProcState.Ready;
    p.cpu = cpu;
    p.readySinceNs = this.now;
    if (this.fair) this.placeVruntime(p, cpu, how);
    this.noteQueue(cpu);
    this.pushReady(this.runQ[cpu]!, p);
    this.loads.add(cpu, 1);
    // A busy CPU under a non-preemptive discipline has nothing to decide until its slice ends.
    if (this.running[cpu]! < 0 || this.disc.preemptive) this.markResched(cpu);
  }

  private enqueueGlobal(p: Proc, how: Placement): void {
    p.state = ProcState.Ready;
    p.cpu = -1;
    p.readySinceNs = this.now;
    if (this.fair) this.placeVruntime(p, this.m.cpuCount, how);
    this.pushReady(this.globalQ!, p);
    this.globalDirty = true;
  }

  /** `fair`: the vruntime `p` joins queue `queue` with (see Placement); the queue's minimum is brought up to date first. */
  private placeVruntime(p: Proc, queue: number, how: Placement): void {
    const min = this.raiseMinVruntime(queue);
    if (how === Placement.Move) return;
    if (how === Placement.New) p.vruntime = min;
    else if (p.vruntime < min - this.sleeperCreditNs) p.vruntime = min - this.sleeperCreditNs;
  }

  /**
   * `fair`: queue `queue`'s minimum vruntime, kept as CFS keeps min_vruntime (update_min_vruntime):
   * it never decreases, and follows the smaller of the running processes' vruntime (accrued up
   * to now) and the leftmost waiting one. `queue` is a CPU, or cpuCount for the global queue.
   */
  private raiseMinVruntime(queue: number): number {
    const n = this.m.cpuCount;
    let least: number;
    if (queue < n) {
      least = this.runQ[queue]!.peekKey();
      if (this.running[queue]! >= 0) least = Math.min(least, this.vruntimeNow(queue));
    } else {
      least = Math.min(this.globalQ!.peekKey(), this.runningVruntimes!.least(this.now, this.vruntimeOf));
    }
    if (least !== Infinity && least > this.minVruntime[queue]!) this.minVruntime[queue] = least;
    return this.minVruntime[queue]!;
  }

  /** Vruntime of `cpu`'s running process including what it accrued since it was last accounted. */
  private vruntimeNow(cpu: number): number {
    const p = this.procs[this.running[cpu]!]!;
    return p.vruntime + ((this.now - this.segStart[cpu]!) * 1024) / p.weight;
  }

  /** Next process for `cpu`: its own queue head, or the best global-queue entry allowed on it. */
  private takeNext(cpu: number): Proc | null {
    const gq = this.globalQ;
    if (gq === null) {
      const rq = this.runQ[cpu]!;
      if (rq.length === 0) return null;
      this.noteQueue(cpu);
      this.loads.add(cpu, -1);
      return this.procs[rq.pop()]!;
    }
    const index = this.bestGlobalFor(cpu);
    if (index < 0) return null;
    const slot = gq.members()[index]!;
    gq.remove(slot);
    return this.procs[slot]!;
  }

  /** Heap index of the best global-queue entry allowed on `cpu`, -1 if none. */
  private bestGlobalFor(cpu: number): number {
    const gq = this.globalQ!;
    if (gq.length === 0) return -1;
    if (this.allowed(this.procs[gq.peek()]!, cpu)) return 0;
    // Head not allowed here: the best allowed entry (rare; linear scan).
    const members = gq.members();
    let best = -1;
    for (let i = 1; i < members.length; i++) {
      if (!this.allowed(this.procs[members[i]!]!, cpu)) continue;
      if (best < 0 || before(gq.keyAt(i), gq.tieAt(i), gq.orderAt(i), gq.keyAt(best), gq.tieAt(best), gq.orderAt(best)))
        best = i;
    }
    return best;
  }

  // ---------------------------------------------------------------- deciding (phase 3)

  /** `cpu` decides at the end of this instant what it runs (with the global queue, the queue's best processes choose their CPUs first). */
  private markResched(cpu: number): void {
    if (this.globalQ !== null) this.globalDirty = true;
    if (this.resched[cpu] === 1) return;
    this.resched[cpu] = 1;
    this.reschedList[this.reschedCount++] = cpu;
  }

  /**
   * Phase 3: the global queue's best processes take CPUs, then each marked CPU decides, lowest
   * number first (a CPU marked while others decide decides too, in its turn).
   */
  private decide(): void {
    const list = this.reschedList;
    for (;;) {
      if (this.globalDirty) {
        this.globalDirty = false;
        this.decideGlobal();
      }
      if (this.reschedCount === 0) {
        if (this.globalDirty) continue;
        return;
      }
      // The lowest marked CPU (a handful at most are marked at once).
      let at = 0;
      for (let i = 1; i < this.reschedCount; i++) if (list[i]! < list[at]!) at = i;
      const cpu = list[at]!;
      list[at] = list[--this.reschedCount]!;
      this.resched[cpu] = 0;
      // A CPU that runs something has nothing to decide unless its slice ran out or a waiting process may preempt it.
      if (this.running[cpu]! >= 0 && this.sliceOver[cpu] === 0 && (this.globalQ !== null || !this.disc.preemptive))
        continue;
      this.decideCpu(cpu);
    }
  }

  /**
   * What `cpu` runs now: an idle CPU takes the best waiting process (or asks the policy's onIdle,
   * once per instant); at the end of a slice the running process gives way to a waiting one that
   * is not behind it; under a preemptive discipline a waiting process that goes before it
   * preempts it (with the global queue, decideGlobal makes those choices).
   */
  private decideCpu(cpu: number): void {
    if (this.service[cpu] !== ONLINE) {
      if (this.meter !== null) this.freq.powerChanged(this.m.cpuCore[cpu]!);
      return;
    }
    const cur = this.running[cpu]!;
    if (cur < 0) {
      const p = this.takeNext(cpu);
      if (p !== null) {
        this.start(cpu, p);
        return;
      }
      if (this.policy.onIdle && this.idleAsked[cpu] === 0) {
        this.idleAsked[cpu] = 1;
        this.idleAskedList[this.idleAskedCount++] = cpu;
        this.callPolicy(PolicyCall.OnIdle, -1, cpu);
      }
      if (this.meter !== null && this.running[cpu]! < 0) this.freq.powerChanged(this.m.cpuCore[cpu]!);
      return;
    }
    if (this.sliceOver[cpu] === 1) {
      this.sliceOver[cpu] = 0;
      if (this.waitingNotBehind(cpu, cur)) this.switchProcess(cpu);
      else {
        this.sliceEnd[cpu] = this.now + this.disc.sliceNs;
        this.plan(cpu);
      }
      return;
    }
    if (this.disc.preemptive && this.globalQ === null && this.waitingGoesBefore(cpu)) this.switchProcess(cpu);
  }

  /** At the end of a slice: some process waiting for `cpu` has a key no larger than the running `cur`'s. */
  private waitingNotBehind(cpu: number, cur: number): boolean {
    const key = this.disc.key(this.procs[cur]!);
    if (this.globalQ === null) return this.runQ[cpu]!.peekKey() <= key;
    const index = this.bestGlobalFor(cpu);
    return index >= 0 && this.globalQ.keyAt(index) <= key;
  }

  /** Per-CPU queue: its head goes before the running process. */
  private waitingGoesBefore(cpu: number): boolean {
    const rq = this.runQ[cpu]!;
    return (
      rq.length > 0 &&
      before(rq.keyAt(0), rq.tieAt(0), rq.orderAt(0), this.runKey[cpu]!, this.runTie[cpu]!, this.runOrder[cpu]!)
    );
  }

  /** The running process (with work left) gives `cpu` to the best waiting one: a preemption. */
  private switchProcess(cpu: number): void {
    const p = this.stop(cpu);
    this.stats.preemptions++;
    this.requeue(p, cpu);
    this.start(cpu, this.takeNext(cpu)!);
  }

  /**
   * The global queue's best processes take CPUs, best first, as SimSo's global EDF assigns them:
   * an idle CPU (the process's last one if idle, else the lowest-numbered), else, under a
   * preemptive discipline, the CPU whose running process comes last, if it goes before that one.
   */
  private decideGlobal(): void {
    const gq = this.globalQ!;
    let preempted = -1;
    while (gq.length > 0) {
      const slot = gq.peek();
      const p = this.procs[slot]!;
      // No CPU is idle, and the best waiting process cannot preempt either: it is the one just
      // preempted (it came after every one running now), or it waited since before this instant
      // (it came after every one running then, and those that started since go before it).
      if (
        this.idleOnline === 0 &&
        !this.anyAffinity &&
        (slot === preempted || p.readySinceNs < this.now || !this.disc.preemptive)
      )
        break;
      const cpu = this.globalTarget(p, 0);
      if (cpu < 0) {
        // The best one fits nowhere now; with affinity masks another one may.
        if (this.anyAffinity && this.decideGlobalPastHead()) continue;
        break;
      }
      gq.pop();
      preempted = this.takeCpu(cpu, p);
    }
    // What preempted processes re-queued has been looked at.
    this.globalDirty = false;
  }

  /** decideGlobal when the head fits nowhere: every other waiting process, best first, tries (rare; sorts a copy). True if one started. */
  private decideGlobalPastHead(): boolean {
    const gq = this.globalQ!;
    const members = gq.members();
    const ranked = members.map((slot, i) => ({ slot, key: gq.keyAt(i), tie: gq.tieAt(i), order: gq.orderAt(i) }));
    ranked.sort((a, b) => (before(a.key, a.tie, a.order, b.key, b.tie, b.order) ? -1 : 1));
    let started = false;
    for (const r of ranked) {
      const p = this.procs[r.slot]!;
      const cpu = this.globalTarget(p, this.qpos[r.slot]!);
      if (cpu < 0) continue;
      gq.remove(r.slot);
      this.takeCpu(cpu, p);
      started = true;
    }
    return started;
  }

  /** Global queue: `p` starts on `cpu`, preempting what runs there. Returns the preempted process's slot, -1 if none. */
  private takeCpu(cpu: number, p: Proc): number {
    let preempted = -1;
    if (this.running[cpu]! >= 0) {
      const q = this.stop(cpu);
      this.stats.preemptions++;
      this.requeue(q, cpu);
      preempted = q.slot;
    }
    this.start(cpu, p);
    return preempted;
  }

  /** `cpu` is online and idle (or no longer). */
  private setIdle(cpu: number, idle: boolean): void {
    const bit = 1 << (cpu & 31);
    const word = this.idleBits[cpu >> 5]!;
    if (idle === ((word & bit) !== 0)) return;
    this.idleBits[cpu >> 5] = word ^ bit;
    this.idleOnline += idle ? 1 : -1;
  }

  /**
   * Where global-queue process `p`, at heap index `index` of the queue, may run now; -1 if
   * nowhere. (Its order is read from the queue here: passed in as doubles, key, tie and order
   * were boxed on every call.)
   */
  private globalTarget(p: Proc, index: number): number {
    const n = this.m.cpuCount;
    const running = this.running;
    const service = this.service;
    const last = p.lastCpu;
    if (this.idleOnline > 0) {
      if (last >= 0 && running[last]! < 0 && service[last] === ONLINE && this.allowed(p, last)) return last;
      // The lowest-numbered idle CPU it may use.
      const bits = this.idleBits;
      for (let w = 0; w < bits.length; w++) {
        let word = bits[w]!;
        while (word !== 0) {
          const cpu = (w << 5) + (31 - Math.clz32(word & -word));
          if (p.affinity === null || p.affinity[cpu] === 1) return cpu;
          word &= word - 1;
        }
      }
    }
    if (!this.disc.preemptive) return -1;
    const runKey = this.runKey;
    let worst = -1;
    let worstKey = -Infinity;
    for (let cpu = 0; cpu < n; cpu++) {
      if (service[cpu] !== ONLINE || running[cpu]! < 0 || (p.affinity !== null && p.affinity[cpu] !== 1)) continue;
      const k = runKey[cpu]!;
      if (
        k > worstKey ||
        (k === worstKey &&
          before(k, this.runTie[worst]!, this.runOrder[worst]!, k, this.runTie[cpu]!, this.runOrder[cpu]!))
      ) {
        worst = cpu;
        worstKey = k;
      }
    }
    if (!this.disc.preemptive || worst < 0) return -1;
    const gq = this.globalQ!;
    return before(
      gq.keyAt(index),
      gq.tieAt(index),
      gq.orderAt(index),
      worstKey,
      this.runTie[worst]!,
      this.runOrder[worst]!,
    )
      ? worst
      : -1;
  }

  // ---------------------------------------------------------------- running

  private start(cpu: number, p: Proc): void {
    const now = this.now;
    const m = this.m;
    p.waitNs += now - p.readySinceNs;
    if (this.globalQ && p.lastCpu >= 0 && p.lastCpu !== cpu) {
      // Picked up from the global queue by another CPU: a move with nothing to copy.
      const reason = p.evacReason >= 0 ? REASONS[p.evacReason]! : (this.policy.globalQueueReason ?? 'load-balance');
      this.migrations.moved(p, p.lastCpu, cpu, reason, 0, 'global-queue', this.load[p.lastCpu]!, this.load[cpu]!);
    }
    p.evacReason = -1;
    p.jobRan = true;
    if (p.homeNode < 0) p.homeNode = m.cpuNode[cpu]!; // first touch
    let overheadNs = 0;
    if (this.lastPid[cpu] !== p.pid) {
      overheadNs = m.contextSwitchNs;
      this.stats.contextSwitches++;
    }
    // Leaving an idle state takes its exit latency.
    const meter = this.meter;
    if (meter !== null) overheadNs += meter.wake(cpu);
    const causeIndex = p.firstRunNs < 0 ? COLD : p.migrated ? MIGRATION : EVICTION;
    // The run this dispatch is for: the rest of the burst or one slice, whichever is shorter.
    const plannedWork = Math.min(p.burstNs, this.disc.sliceNs * this.speed(cpu));
    const ch = this.cache.charge(
      p,
      cpu,
      p.pendingCoherence,
      p.coherenceSocket,
      p.homeNode,
      plannedWork,
      p.memoryIntensity,
    );
    if (ch.reloadLines > 0) {
      this.stats.missesByCause[causeIndex]! += ch.reloadLines;
      this.series.addMisses(cpu, causeIndex, now, now, ch.reloadLines);
    }
    if (ch.coherenceLines > 0) {
      this.stats.missesByCause[COHERENCE]! += ch.coherenceLines;
      this.series.addMisses(cpu, COHERENCE, now, now, ch.coherenceLines);
    }
    p.misses += ch.reloadLines + ch.coherenceLines;
    const stall = ch.reloadNs + ch.coherenceNs;
    if (meter !== null && ch.dramLines > 0) meter.dram(p.slot, ch.dramLines);
    p.stallNs += stall;
    this.stats.stallNsTotal += stall;
    if (p.migrated) this.migrations.reloaded(p, ch);
    if (p.firstRunNs < 0) p.firstRunNs = now;
    p.lastRanNs = now;

    p.state = ProcState.Running;
    p.cpu = cpu;
    p.lastCpu = cpu;
    this.running[cpu] = p.slot;
    this.setIdle(cpu, false);
    this.loads.add(cpu, 1);
    this.runKey[cpu] = this.disc.key(p);
    this.runTie[cpu] = p.jobReleaseNs;
    this.runOrder[cpu] = p.order;
    this.lastPid[cpu] = p.pid;
    this.sliceOver[cpu] = 0;
    this.capRate[cpu] = this.cache.capacityMissesPerRefNs(p.wsLines, p.memoryIntensity);
    this.capLat[cpu] = this.capRate[cpu]! > 0 ? this.cache.capacityMissNs(p, cpu, p.homeNode) : 0;
    if (meter !== null) this.capDram[cpu] = this.capRate[cpu]! > 0 ? 1 - this.cache.capacityLlcHit(p, cpu) : 0;
    this.segStart[cpu] = now;
    this.runningVruntimes?.set(cpu, p.vruntime, now, p.weight);
    this.stallEnd[cpu] = now + overheadNs + Math.round(stall);
    this.sliceEnd[cpu] = now + this.disc.sliceNs;
    this.trace?.('dispatch', now, p.pid, cpu);
    this.plan(cpu);
    if (m.smt > 1) this.replanSiblings(cpu);
    if (meter !== null) this.freq.powerChanged(m.cpuCore[cpu]!);
  }

  /** Work rate of `cpu` now: capacity x frequency factor, shared with a busy SMT sibling. */
  private speed(cpu: number): number {
    let s = this.m.cpuSpeed[cpu]! * this.freq.factor[cpu]!;
    const smt = this.m.smt;
    if (smt !== 1) {
      const first = cpu - (cpu % smt);
      for (let t = first; t < first + smt; t++) {
        if (t !== cpu && this.running[t]! >= 0) {
          s *= this.m.smtShare;
          break;
        }
      }
    }
    return s;
  }

  /** Computes the running segment's finish time and arms the CPU timer. */
  private plan(cpu: number): void {
    const p = this.procs[this.running[cpu]!]!;
    const speed = this.speed(cpu);
    const rate = 1 / (1 / speed + this.capRate[cpu]! * this.capLat[cpu]!);
    this.rate[cpu] = rate;
    if (this.meter !== null) this.meter.activity[cpu] = this.activityOf(cpu, speed, rate);
    const progressFrom = Math.max(this.stallEnd[cpu]!, this.now);
    const finish = progressFrom + Math.max(0, Math.ceil(p.burstNs / rate));
    this.finishAt[cpu] = finish;
    const gen = ++this.timerGen[cpu]!;
    this.q.push(Math.min(finish, this.sliceEnd[cpu]!), EventKind.Timer, cpu, gen);
  }

  /** A sibling thread started or stopped: account the work done so far at the old rate and re-plan. */
  private replanSiblings(cpu: number): void {
    const smt = this.m.smt;
    const first = cpu - (cpu % smt);
    for (let t = first; t < first + smt; t++) {
      if (t !== cpu && this.running[t]! >= 0) {
        this.account(t);
        this.plan(t);
      }
    }
  }

  /** Books the running segment of `cpu` from segStart to now: busy time, progress, misses, vruntime. */
  private account(cpu: number): void {
    const now = this.now;
    const start = this.segStart[cpu]!;
    if (now <= start) return;
    const p = this.procs[this.running[cpu]!]!;
    const elapsed = now - start;
    this.stats.busyNs[cpu]! += elapsed;
    this.series.addBusy(cpu, start, now);
    p.runNs += elapsed;
    const progressFrom = Math.max(start, this.stallEnd[cpu]!);
    let work = 0;
    if (now >= this.finishAt[cpu]!) work = p.burstNs;
    else if (now > progressFrom) work = Math.min(p.burstNs, (now - progressFrom) * this.rate[cpu]!);
    if (work > 0) {
      p.burstNs -= work;
      p.remainingNs -= work;
      const capMisses = work * this.capRate[cpu]!;
      if (capMisses > 0) {
        this.stats.missesByCause[CAPACITY]! += capMisses;
        this.series.addMisses(cpu, CAPACITY, progressFrom, now, capMisses);
        p.misses += capMisses;
        const stall = capMisses * this.capLat[cpu]!;
        p.stallNs += stall;
        this.stats.stallNsTotal += stall;
        if (this.meter !== null) this.meter.dram(p.slot, capMisses * this.capDram[cpu]!);
      }
    }
    p.vruntime += (elapsed * 1024) / p.weight;
    this.segStart[cpu] = now;
    this.runningVruntimes?.set(cpu, p.vruntime, now, p.weight);
  }

  /** Takes the running process off `cpu` (after accounting); the CPU is then idle. */
  private stop(cpu: number): Proc {
    this.account(cpu);
    // CFS advances min_vruntime as the running process accrues vruntime (update_curr). Between
    // a stop and a placement it can only rise, so reading it there and here gives the same value.
    if (this.fair) this.raiseMinVruntime(this.globalQ === null ? cpu : this.m.cpuCount);
    const p = this.procs[this.running[cpu]!]!;
    this.running[cpu] = -1;
    this.runningVruntimes?.clear(cpu);
    if (this.service[cpu] === ONLINE) this.setIdle(cpu, true);
    this.loads.add(cpu, -1);
    p.lastRanNs = this.now;
    this.timerGen[cpu]!++;
    this.sliceOver[cpu] = 0;
    this.trace?.('stop', this.now, p.pid, cpu);
    if (this.m.smt > 1) this.replanSiblings(cpu);
    // Close the run's power interval (charged to p); the core's new power is taken when the CPU
    // decides (every caller marks it, or starts the next process at once).
    if (this.meter !== null) this.meter.touch(this.m.cpuCore[cpu]!);
    return p;
  }

  /** Re-queues a process that stopped on `cpu` without moving. */
  private requeue(p: Proc, cpu: number): void {
    p.state = ProcState.Ready;
    p.readySinceNs = this.now;
    if (this.globalQ) {
      this.pushReady(this.globalQ, p);
      this.globalDirty = true;
    } else {
      p.cpu = cpu;
      this.noteQueue(cpu);
      this.pushReady(this.runQ[cpu]!, p);
      this.loads.add(cpu, 1);
      this.markResched(cpu);
    }
  }

  /** Phase 1: `cpu`'s burst or slice ended. */
  private onTimer(cpu: number): void {
    this.account(cpu);
    const p = this.procs[this.running[cpu]!]!;
    if (this.now >= this.finishAt[cpu]!) {
      this.burstDone(cpu, p);
      return;
    }
    // The slice ran out with work left: whether another process goes first is decided in phase 3.
    this.sliceOver[cpu] = 1;
    this.markResched(cpu);
  }

  /** `cpu`'s running process finished its burst now (accounted): its next job or its wait for one, a sleep, or completion. */
  private burstDone(cpu: number, p: Proc): void {
    this.stop(cpu);
    this.markResched(cpu);
    p.burstNs = 0;
    const g = this.cfg.groups[p.group]!;
    if (p.periodNs > 0) {
      this.stats.jobCompleted(p, this.now);
      if (p.pendingJobs > 0) {
        p.pendingJobs--;
        this.startJob(p, p.jobReleaseNs + p.periodNs);
        this.requeue(p, cpu);
      } else {
        p.state = ProcState.Idle;
        this.trace?.('idle', this.now, p.pid, cpu);
      }
      return;
    }
    if (p.remainingNs <= 0.5 || g.phases === null) {
      this.complete(p, cpu);
      return;
    }
    p.state = ProcState.Sleeping;
    p.sleepStartNs = this.now;
    this.trace?.('sleep', this.now, p.pid, cpu);
    this.q.push(this.now + sample(g.phases.sleepNs, p.rng), EventKind.Wake, p.slot, 0);
  }

  private startJob(p: Proc, releaseNs: number): void {
    p.jobReleaseNs = releaseNs;
    p.deadlineNs = releaseNs + p.relDeadlineNs;
    p.burstNs = p.wcetNs;
    p.jobRan = false;
  }

  /** A non-periodic process that last ran on `cpu` is done. */
  private complete(p: Proc, cpu: number): void {
    p.remainingNs = 0;
    this.stats.processCompleted(p, this.now);
    this.trace?.('complete', this.now, p.pid, cpu);
    if (p.token >= 0) this.injectedDone?.(p.token, this.now);
    this.release(p);
  }

  private release(p: Proc): void {
    this.cache.forget(p);
    p.state = ProcState.Free;
    this.live--;
    this.freeSlots.push(p.slot);
  }

  // ---------------------------------------------------------------- sleep, release

  private onWake(p: Proc): void {
    p.sleepNs += this.now - p.sleepStartNs;
    const g = this.cfg.groups[p.group]!;
    p.burstNs = Math.min(p.remainingNs, sample(g.phases!.computeNs, p.rng));
    this.trace?.('wake', this.now, p.pid, p.cpu);
    p.wakes++;
    const change = g.wakeAffinity.length > 0 ? g.wakeAffinity.find((c) => c.wake === p.wakes) : undefined;
    if (change) {
      // A phase change: the process sets its own mask as it wakes; outside it, it asks to move.
      p.affinity = change.mask;
      if (p.cpu >= 0 && !allowed(p, p.cpu)) {
        if (this.globalQ) p.evacReason = REASON_INDEX.request;
        else {
          const to = this.placeInMask(p);
          if (to >= 0) {
            // Placed as a waker on the queue it slept on, as placeWoken does; the move carries its lag.
            if (this.fair) this.placeVruntime(p, p.cpu, Placement.Wake);
            this.migrations.transit(p, p.cpu, to, 'request', 'place');
            return;
          }
        }
      }
    }
    this.placeWoken(p);
  }

  /**
   * Where the policy's place puts `p` after its mask changed, kept to what it may use: a CPU
   * outside the mask (a policy that planned with the old one, as partitioned-edf does) or out
   * of service becomes the least-loaded usable CPU of the mask, as for a policy unaware of
   * machine events. -1 when every CPU of the mask is out: it stays until one comes back.
   */
  private placeInMask(p: Proc): number {
    const cpu = this.callPolicy(PolicyCall.Place, p.slot, -1);
    if (cpu === -1) return this.faults.usableInstead(p, -1);
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.m.cpuCount) this.checkTarget(p, cpu, 'place');
    return allowed(p, cpu) && this.service[cpu] === ONLINE ? cpu : this.faults.usableInstead(p, -1);
  }

  private onRelease(p: Proc): void {
    const next = this.now + p.periodNs;
    if (next < this.endNs) this.q.push(next, EventKind.Release, p.slot, 0);
    this.stats.jobsReleased++;
    if (p.state === ProcState.Idle) {
      this.startJob(p, this.now);
      this.trace?.('release', this.now, p.pid, p.cpu);
      this.placeWoken(p);
    } else {
      p.pendingJobs++;
    }
  }

  private placeWoken(p: Proc): void {
    if (this.globalQ) {
      this.enqueueGlobal(p, Placement.Wake);
      return;
    }
    const from = p.cpu;
    // Placed as a waker on the queue it slept on; a move then carries its lag to the target.
    if (this.fair) this.placeVruntime(p, from, Placement.Wake);
    let cpu = from;
    if (this.policy.placeOnWake) {
      cpu = this.callPolicy(PolicyCall.PlaceOnWake, p.slot, -1);
      if (cpu < 0 && this.faults.usableInstead(p, -1) < 0) cpu = from;
      this.checkTarget(p, cpu, 'placeOnWake');
    }
    if (this.service[cpu] !== ONLINE) {
      // Asleep on a CPU that went out (and the policy left it there), or sent to one: evacuate.
      const alt = this.faults.usableInstead(p, cpu);
      if (alt !== from) {
        const evacuated = this.service[from] !== ONLINE;
        this.migrations.transit(
          p,
          from,
          alt,
          evacuated ? this.faults.outReason(from) : 'load-balance',
          evacuated ? 'evacuation' : 'placeOnWake',
        );
        return;
      }
      cpu = alt;
    }
    if (cpu !== from) {
      const reason = this.policy.wakeReason
        ? REASONS[this.callPolicy(PolicyCall.WakeReason, p.slot, cpu)]!
        : 'load-balance';
      this.migrations.transit(p, from, cpu, reason, 'placeOnWake');
    } else {
      this.enqueue(p, cpu, Placement.Move);
    }
  }

  // ---------------------------------------------------------------- migration

  /** PolicyActions.migrate: request, halt, copy state, resume on the target (migration.ts). */
  migrate(handle: number, cpu: number, reason: Reason): boolean {
    return this.migrations.request(handle, cpu, reason);
  }

  /**
   * The processes of group `gi` change their affinity mask (its `k`th setAffinity), as
   * sched_setaffinity does: from now they, and those of the group that arrive later, may run
   * only on its CPUs. One that is outside asks to move: where the policy's place puts it (any
   * usable CPU of the mask if that one is out), reason request. With a global queue, one running
   * outside goes back to the queue and is counted when a CPU of its mask picks it up.
   */
  private onSetAffinity(gi: number, k: number): void {
    const mask = this.cfg.groups[gi]!.setAffinity[k]!.mask;
    this.affinityNow[gi] = mask;
    this.migrations.decider = 'place';
    for (const p of this.procs) {
      if (p.state === ProcState.Free || p.group !== gi) continue;
      p.affinity = mask;
      if (this.globalQ) {
        // The shared queue: whichever CPU of its mask takes it next counts the move, as request.
        if (p.lastCpu >= 0 && !allowed(p, p.lastCpu)) p.evacReason = REASON_INDEX.request;
        if (p.state === ProcState.Running && !allowed(p, p.cpu)) {
          const cpu = p.cpu;
          this.stop(cpu);
          this.requeue(p, cpu);
          this.markResched(cpu);
        }
        continue;
      }
      if (p.state === ProcState.Transit || p.cpu < 0 || allowed(p, p.cpu)) continue;
      const cpu = this.placeInMask(p);
      if (cpu >= 0 && cpu !== p.cpu) this.migrations.request(p.slot, cpu, 'request');
    }
    // A wider mask may let an idle CPU take a waiting process now.
    if (this.globalQ) this.globalDirty = true;
  }

  private onBalance(): void {
    this.callPolicy(PolicyCall.Balance, -1, -1);
    const next = this.now + this.policy.balanceIntervalNs!;
    if (next < this.endNs) this.q.push(next, EventKind.Balance, 0, 0);
  }

  // ---------------------------------------------------------------- power

  private workDone(): boolean {
    return this.live === 0 && this.activeSources === 0 && !this.openStream;
  }

  /**
   * Dynamic-power activity of `cpu` running at `speed` (work per ns, SMT share included) and
   * `rate` (with capacity-miss stalls): its share of the core's throughput times the mix of
   * computing and stalling. Kept in meter.activity by plan(), read when the core's power is taken.
   */
  private activityOf(cpu: number, speed: number, rate: number): number {
    const full = this.m.cpuSpeed[cpu]! * this.freq.factor[cpu]!;
    const computing = Math.min(1, rate / speed);
    const stall = this.m.power!.stallActivity;
    return (speed / full) * (computing + stall * (1 - computing));
  }

  // ---------------------------------------------------------------- faults and maintenance

  /**
   * `cpu` has just left service (faults.ts): the running process stops (a failure loses its work
   * since the last checkpoint), the policy is told and moves what it wants, and the engine
   * evacuates the rest.
   */
  private evacuate(cpu: number, checkpointNs: number): void {
    if (this.running[cpu]! < 0) this.setIdle(cpu, false);
    const reason = this.faults.outReason(cpu);
    if (this.running[cpu]! >= 0) {
      const p = this.stop(cpu);
      if (checkpointNs > 0) loseWork(p, checkpointNs, this.stats);
      if (this.globalQ) p.evacReason = REASONS.indexOf(reason);
      this.requeue(p, cpu);
      if (this.meter !== null) this.freq.powerChanged(this.m.cpuCore[cpu]!);
    }
    this.markResched(cpu);
    if (this.service[cpu] === CpuService.Failed) this.switchOff(cpu);
    if (this.policy.onCpuEvent) {
      this.cpuEvent = { kind: 'offline', cpu, cause: reason };
      this.callPolicy(PolicyCall.CpuEvent, -1, cpu);
    }
    if (this.globalQ) {
      this.globalDirty = true;
      return;
    }
    this.migrations.decider = 'evacuation';
    for (const p of this.procs) {
      if (p.state === ProcState.Free || p.state === ProcState.Transit || p.cpu !== cpu) continue;
      const to = this.faults.usableInstead(p, cpu);
      if (to !== cpu) this.migrate(p.slot, to, reason);
    }
  }

  /** The CPU failed: it draws nothing from now on. */
  private switchOff(cpu: number): void {
    if (this.meter === null) return;
    this.meter.off[cpu] = 1;
    this.freq.powerChanged(this.m.cpuCore[cpu]!);
  }

  /** `cpu` is back from maintenance (faults.ts): it takes work again. */
  private returned(cpu: number): void {
    if (this.running[cpu]! < 0) this.setIdle(cpu, true);
    if (this.policy.onCpuEvent) {
      this.cpuEvent = { kind: 'online', cpu };
      this.callPolicy(PolicyCall.CpuEvent, -1, cpu);
    }
    this.markResched(cpu);
    if (this.globalQ) this.globalDirty = true;
  }

  // ---------------------------------------------------------------- end of run

  /**
   * Closes every open interval at the end of the run (for a run stopped early, where it had got
   * to) and lists live processes as unfinished. Call once.
   */
  finish(): void {
    this.now = this.progressNs;
    this.finished = true;
    this.policy.dispose?.();
    const n = this.m.cpuCount;
    for (let cpu = 0; cpu < n; cpu++) {
      if (this.running[cpu]! >= 0) this.account(cpu);
      this.noteQueue(cpu);
    }
    if (this.meter !== null) for (let core = 0; core < this.m.coreCount; core++) this.meter.touch(core);
    this.freq.finish();
    this.stats.noteInSystem(this.now, 0);
    for (const p of this.procs) if (p.state !== ProcState.Free) this.stats.unfinishedAtEnd(p, this.now);
  }
}
