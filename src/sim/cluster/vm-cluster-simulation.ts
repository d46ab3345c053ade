/**
 * Virtual machines on hosts (docs/model.md, "Virtual machines on hosts"; docs/design-cluster.md,
 * step 3): each host is a single-machine Simulation of its machine, unchanged inside, and each
 * vCPU of a VM is a stream of host processes, one piece of work after another, injected into the
 * host its VM runs on. A cluster loop above them adds each vCPU's work every slice, powers hosts
 * on and off, runs the VM migration policies at every check and carries out their moves as
 * simulateLiveMigration computes them.
 *
 * A vCPU. Every slice its load adds utilisation x slice of work (reference ns); the vCPU runs
 * it in pieces of at most a slice, the next injected the instant the last completes (from the
 * host's completion callback, inside its run), so a busy vCPU is one process after another on
 * the host, competing with the other vCPUs under the host's scheduler. A piece that waited is
 * steal time: its wall time minus the CPU time it got (its work over the host's core speed).
 * Pieces are cut at the VM's own change points (a round's start, the pause, the resume), so on a
 * host with room a move starts and pauses exactly when its record says.
 *
 * A move. At the decision time T the record of simulateLiveMigration (the VM's memory model, the
 * link with the move's share of it) is offset by T; the VM then runs on the source through the
 * live rounds, its work counting (1 - slowdown) towards its progress, is paused (no work runs,
 * its work waits) for the downtime, runs on the target from the resume (post-copy: slowed through
 * the demand round), and the source is freed at T + totalNs. The target's room is reserved from
 * T, the source's freed at the end. A piece already running when the VM leaves a host finishes
 * there (on a host with room it ends at that instant). A move that has not ended when the run
 * does is reported unfinished (VmMigrationRow.finished): its VM on the source, its downtime and
 * bytes those within the run. A host coming on (booted, or at once with boot 0) lets hosts in
 * maintenance whose VMs had nowhere to go plan again at that instant.
 *
 * A failure (docs/model.md, "Host failures and HA restart"). The host's run ends at the instant
 * (its pieces in flight are lost), it draws nothing, its VMs are down, and moves from or to it
 * are cut there (endMoveAtFailure: the VM is the source's until the switch, the target's after
 * it, and lost with either host while post-copy still pulls pages). HA restarts each VM down
 * once the restart delay has passed, where placement finds room, or later when room appears.
 * A repaired host boots and comes on with a fresh run, on its own clock from that instant (one
 * that was off when it failed is off again, a spare: nothing ran on it).
 * With a hotspot policy each host's temperature follows its power (vm-hotspot.ts).
 *
 * Energy per host: idle x time on + (peak - idle) x its busy core-time / its cores + boot energy
 * per power-on (its share within the run for a boot the end cuts short); a host that is off or
 * booting draws nothing else. Busy core-time is the host run's own utilisation. Deterministic:
 * integer ns, the loads' noise from streams named `load:<vm>`, each host's engine seeded from
 * `vm-host:<name>`.
 */
import type { Reason, SimConfig } from '../config';
import { digestOf, type Sha256Factory } from '../digest';
import { LoadBins } from './load-bins';
import { Rng } from '../rng';
import { Simulation } from '../simulation';
import { LIVE_MIGRATION_LINK, simulateLiveMigration, type LiveMigrationRecord } from './live-migration';
import { resolveVmCluster, type ResolvedVm, type ResolvedVmCluster, type VmClusterConfig } from './vm-config';
import type { HostCapacity, VmSize } from './vm-placement';
import { bootPowerW } from './host-power';
import { HostHeat, planHotspot } from './vm-hotspot';
import {
  overloadThreshold,
  planConsolidation,
  planEvacuation,
  planOverload,
  planRestarts,
  type Plan,
  type PlannedMove,
  type VmPolicyView,
} from './vm-policies';

const S = 1e9;
/** The group every host runs its vCPUs' pieces in. */
const VCPU_GROUP = 'vcpu';

/** failed: down after a failure, drawing nothing, until repaired (then booting). */
export type HostPowerState = 'on' | 'off' | 'booting' | 'failed';

/** Why a move was cut short: a host it used failed (its row's outcome). */
export type MoveCut = 'source-failed' | 'target-failed';

/** One VM move: the record of simulateLiveMigration with its times on the run's clock. */
export interface VmMigrationRow {
  vm: string;
  from: string;
  to: string;
  reason: Reason;
  /** When it was decided: the record's rounds and pause are offset by it. */
  startNs: number;
  /** startNs + record.totalNs: the source is freed (planned: after the run if the move did not finish). */
  endNs: number;
  /** The share of the link the move was given (the link's migrationShare over the moves sharing it). */
  share: number;
  /** The whole move as planned, even past the end of the run (see finished, downtimeInRunNs, sentBytes). */
  record: LiveMigrationRecord;
  /** Whether the move ended within the run (endNs at most the run's end); if not the VM is on `from`. */
  finished: boolean;
  /** Its pause within the run: min(run end, pause end) - pause start, 0 if it pauses after the run. */
  downtimeInRunNs: number;
  /**
   * Bytes sent within the run: each round's memory pro rata of its time within the run (a round
   * sends at a constant rate), floored; the CPU state only if the move finished.
   */
  sentBytes: number;
  /**
   * Only on a move cut short by a host failure: when, and which end failed. Its bytes and
   * downtime are those up to the cut; the VM is down (source failed, or post-copy past the
   * switch) or stays on its source (target failed before the switch): see VmResult.
   */
  cutNs?: number;
  outcome?: MoveCut;
}

/** A move as the loop keeps it; finished, downtimeInRunNs and sentBytes are the result's. */
type MoveLog = Omit<VmMigrationRow, 'finished' | 'downtimeInRunNs' | 'sentBytes'>;

/** An HA restart: a VM down since its host failed, started again on `to` (reason fault). */
export interface VmRestartRow {
  vm: string;
  /** The host it was down with. */
  from: string;
  to: string;
  reason: Reason;
  downAtNs: number;
  atNs: number;
}

/** One stretch of up time of a host that failed: its own run from its start to its failure (or the end). */
export interface VmHostIncarnation {
  startS: number;
  endS: number;
  digest: string;
}

/** What host failures did to a run (only in runs with fail events). */
export interface VmFailuresResult {
  /** VMs that went down at least once, VM restarts, VMs down at the end. */
  vmsFailed: number;
  restarts: number;
  vmsDownAtEnd: number;
  /** VM-seconds down, and the vCPU work (reference vCPU-seconds) their load asked for meanwhile: unmet. */
  downS: number;
  unmetDemandS: number;
  /** Moves cut short by a failure. */
  movesCut: number;
  restartLog: VmRestartRow[];
}

export interface VmHostResult {
  host: string;
  cores: number;
  vcpuSlots: number;
  /** Power state at the end, and whether it is in maintenance. */
  state: HostPowerState;
  maintenance: boolean;
  onS: number;
  boots: number;
  /** Busy core-seconds (from the host's run). */
  busyS: number;
  /** Time on with more vCPU demand than cores. */
  overloadS: number;
  idleEnergyJ: number;
  dynamicEnergyJ: number;
  bootEnergyJ: number;
  energyJ: number;
  /** VMs assigned to it at the end. */
  vms: string[];
  /** Each time it was powered off. */
  offAtS: number[];
  /** Its power state from the start (the first entry, at 0) and at each change: the hosts-on chart. */
  powerStates: { atS: number; state: HostPowerState }[];
  /**
   * Its load in LOAD_BINS bins from 0 (load-bins.ts): the VMs' demand over its cores while on
   * (time-weighted), and the share of the bin it was on. The host-load chart.
   */
  load: { atS: number; load: number; on: number }[];
  /** Its last run's digest (the only one for a host that never failed). */
  digest: string;
  /**
   * Only with a hotspot policy: its temperature at the end, its peak, its time at or above the
   * threshold, and its mean temperature in each of LOAD_BINS bins (the host-temperature chart).
   */
  thermal?: { temperatureC: number; peakC: number; hotS: number; series: { atS: number; temperatureC: number }[] };
  /** Only for a host that failed: how often, and each of its runs. */
  failures?: number;
  incarnations?: VmHostIncarnation[];
}

export interface VmResult {
  vm: string;
  host: string;
  /** Work its load asked for (vCPU-seconds at reference speed). */
  offeredS: number;
  /** Progress made: work done, less what live migration's slowdown took. */
  workS: number;
  /** CPU time its vCPUs got. */
  cpuS: number;
  /** Wall time its vCPUs' pieces waited for a core. */
  stealS: number;
  downtimeS: number;
  slowdownLostS: number;
  migrations: number;
  /** Only in runs with fail events: time down (its host failed, until restarted) and HA restarts; `host` is '' while down at the end. */
  downS?: number;
  restarts?: number;
}

export interface VmClusterResult {
  simulatedS: number;
  hosts: VmHostResult[];
  vms: VmResult[];
  migrations: VmMigrationRow[];
  energyJ: number;
  idleEnergyJ: number;
  dynamicEnergyJ: number;
  bootEnergyJ: number;
  /** Time-averaged number of hosts on. */
  hostsOnMean: number;
  /** Overload time over time on, summed over hosts (CloudSim's SLATAH, with demand above capacity). */
  overloadFraction: number;
  stealS: number;
  migrationDowntimeS: number;
  events: number;
  /** Only in runs with fail events. */
  failures?: VmFailuresResult;
  /** Only with a hotspot policy: the hottest any host got, and the host-seconds at or above the threshold. */
  hotspot?: { peakC: number; hotS: number };
  digest: string;
}

export interface VmClusterOptions {
  sha256?: Sha256Factory;
}

export interface VmSegment {
  atNs: number;
  /** Host the VM runs on from atNs; -1 paused. */
  host: number;
  slowdown: number;
}

interface Vcpu {
  pendingNs: number;
  /** Token of its running piece, -1 none. */
  current: number;
}

interface VmState {
  spec: ResolvedVm;
  /** Host it belongs to (the target once a move is decided). */
  assigned: number;
  /** Host its vCPUs run on now, -1 while paused. */
  runsOn: number;
  slowdown: number;
  moving: boolean;
  segments: VmSegment[];
  vcpus: Vcpu[];
  /** Utilisation now; the last step drawn (-1 none) and its utilisation. */
  u: number;
  step: number;
  stepU: number;
  rng: Rng;
  offeredNs: number;
  workNs: number;
  cpuNs: number;
  stealNs: number;
  slowdownLostNs: number;
  migrations: number;
  /** Host it moves from (while moving) and its entry in the move log. */
  moveFrom: number;
  moveLog: number;
  /** Down since its host failed (assigned and runsOn -1), until restarted. */
  down: boolean;
  downSinceNs: number;
  /** Its host it was down with, and whether its restart delay has passed (it may be restarted). */
  downFrom: number;
  restartDue: boolean;
  downNs: number;
  failures: number;
  restarts: number;
}

interface HostState {
  /** Its current run (null while failed and until its repaired boot ends), on its own clock from startNs. */
  sim: Simulation | null;
  startNs: number;
  /** Its runs ended by failures. */
  ended: { startNs: number; endNs: number; busyS: number; events: number; digest: string }[];
  failures: number;
  state: HostPowerState;
  maintenance: boolean;
  draining: boolean;
  onNs: number;
  boots: number;
  /** The shares of its boots a failure cut short: not drawn (the run's end is counted at the result). */
  bootsCut: number;
  /** It was powered off when it failed: its repair leaves it off, as it was (nothing to boot for). */
  offWhenFailed: boolean;
  overloadNs: number;
  history: number[];
  /** Moves in flight from or to it (its link). */
  linkMoves: number;
  offAtNs: number[];
  /** Its power state at 0 and at each change. */
  powerStates: { atNs: number; state: HostPowerState }[];
  load: LoadBins;
  /** Its temperature, with a hotspot policy. */
  heat: HostHeat | null;
}

interface Piece {
  vm: number;
  vcpu: number;
  startNs: number;
  demandNs: number;
  slowdown: number;
  host: number;
}

/** Cluster events besides the slices and checks, in the order they apply at one instant. */
const enum Ev {
  Boot = 0,
  Segment = 1,
  Free = 2,
  Maintenance = 3,
  Fail = 4,
  Repair = 5,
  Restart = 6,
}

interface ClusterEvent {
  atNs: number;
  kind: Ev;
  seq: number;
  a: number;
  b: number;
}

/** The seed of a host's own engine, split from the run seed by its name. */
function vmHostSeed(seed: number, name: string): number {
  return new Rng(seed, `vm-host:${name}`).nextU32();
}

export class VmClusterSimulation implements VmPolicyView {
  readonly endNs: number;
  readonly caps: HostCapacity[];
  readonly used: VmSize[];
  readonly cores: number[];
  private readonly cfg: ResolvedVmCluster;
  private readonly hosts: HostState[];
  private readonly vms: VmState[];
  private readonly pieces = new Map<number, Piece>();
  private readonly queue: ClusterEvent[] = [];
  private readonly log: MoveLog[] = [];
  private readonly restartLog: VmRestartRow[] = [];
  private readonly sha256: Sha256Factory | undefined;
  private readonly config: VmClusterConfig;
  /** The run has fail events: its result then reports failures (a run without them is as before). */
  private readonly hasFailures: boolean;
  /** vCPU work asked for by VMs while down (reference ns). */
  private unmetNs = 0;
  private nextToken = 0;
  private seq = 0;
  private clockNs = 0;
  /** How far advance() has been asked to go (the result's end). */
  private processedToNs = 0;
  private clusterEvents = 0;
  private cached: VmClusterResult | null = null;

  /** Validates the config and places the VMs (throws SimConfigError naming the bad field). */
  constructor(config: VmClusterConfig, options: VmClusterOptions = {}) {
    this.cfg = resolveVmCluster(config);
    const { hosts, vms, seed } = this.cfg;
    this.endNs = this.cfg.durationNs;
    this.sha256 = options.sha256;
    this.config = config;
    this.caps = hosts.map((h) => ({ vcpuSlots: h.vcpuSlots, ramBytes: h.ramBytes }));
    this.cores = hosts.map((h) => h.cores);
    this.hasFailures = this.cfg.events.some((e) => e.kind === 'fail');
    this.hosts = hosts.map((h, i) => ({
      sim: this.hostRun(i, 0, 0),
      startNs: 0,
      ended: [],
      failures: 0,
      state: h.off ? 'off' : 'on',
      maintenance: false,
      draining: false,
      onNs: 0,
      boots: 0,
      bootsCut: 0,
      offWhenFailed: false,
      overloadNs: 0,
      history: [],
      linkMoves: 0,
      offAtNs: [],
      powerStates: [{ atNs: 0, state: h.off ? 'off' : 'on' }],
      load: new LoadBins(this.cfg.durationNs),
      heat: this.cfg.hotspot === null ? null : new HostHeat(this.cfg.hotspot, this.cfg.durationNs),
    }));
    // Placed by the resolver (vm-config.ts), which refuses a VM that fits nowhere.
    const placed = this.cfg.initial;
    this.used = placed.used;
    this.vms = vms.map((spec, v) => ({
      spec,
      assigned: placed.hostOf[v]!,
      runsOn: placed.hostOf[v]!,
      slowdown: 0,
      moving: false,
      segments: [],
      vcpus: Array.from({ length: spec.vcpus }, () => ({ pendingNs: 0, current: -1 })),
      u: 0,
      step: -1,
      stepU: 0,
      rng: new Rng(seed, `load:${spec.name}`),
      offeredNs: 0,
      workNs: 0,
      cpuNs: 0,
      stealNs: 0,
      slowdownLostNs: 0,
      migrations: 0,
      moveFrom: -1,
      moveLog: -1,
      down: false,
      downSinceNs: 0,
      downFrom: -1,
      restartDue: false,
      downNs: 0,
      failures: 0,
      restarts: 0,
    }));
    const byName = new Map(hosts.map((h, i) => [h.name, i]));
    for (const e of this.cfg.events) {
      const h = byName.get(e.host)!;
      if (e.kind === 'maintenance') this.push(e.atNs, Ev.Maintenance, h, 0);
      else {
        this.push(e.atNs, Ev.Fail, h, 0);
        if (e.atNs + e.durationNs < this.endNs) this.push(e.atNs + e.durationNs, Ev.Repair, h, 0);
      }
    }
  }

  /**
   * Run `k` of host `i` (0: the one from the start; later ones after a repair), up from cluster
   * time `startNs` to the end of the run, on its own clock. The first keeps the seed it always had.
   */
  private hostRun(i: number, k: number, startNs: number): Simulation {
    const h = this.cfg.hosts[i]!;
    const config = this.config;
    const hostConfig: SimConfig = {
      machine: config.hosts[h.entry]!.machine,
      // vCPU pieces only, injected; no cache effects of their own (a guest's are not modelled).
      workload: { groups: [{ name: VCPU_GROUP, count: 0, workingSetBytes: 0, memoryIntensity: 0 }] },
      policy: config.policy,
      scheduler: config.scheduler,
      durationNs: this.endNs - startNs,
      seed: vmHostSeed(this.cfg.seed, k === 0 ? h.name : `${h.name}#${k}`),
      maxBins: 10,
      maxProcessRows: 0,
      maxMigrationRows: 0,
    };
    return new Simulation(hostConfig, {
      sha256: this.sha256,
      onInjectedComplete: (token, timeNs) => this.pieceDone(i, token, startNs + timeNs),
    });
  }

  // ------------------------------------------------------------------ the loop

  /** Applies every cluster instant before `untilNs` (clamped to the end of the run). */
  advance(untilNs: number): void {
    if (this.cached !== null) return;
    const limit = Math.min(untilNs, this.endNs);
    for (;;) {
      const t = this.nextInstant();
      if (t >= limit) break;
      this.instant(t);
    }
    this.processedToNs = Math.max(this.processedToNs, limit);
  }

  get nowNs(): number {
    return this.processedToNs;
  }

  get done(): boolean {
    return this.processedToNs >= this.endNs;
  }

  /** The next instant: a slice boundary (every check is one) or a queued event, whichever is first. */
  private nextInstant(): number {
    const slice = this.cfg.sliceNs;
    const nextSlice =
      this.clockNs === 0 && this.clusterEvents === 0 ? 0 : (Math.floor(this.clockNs / slice) + 1) * slice;
    return Math.min(nextSlice, this.queue.length > 0 ? this.queue[0]!.atNs : Infinity);
  }

  private instant(t: number): void {
    this.clusterEvents++;
    for (const h of this.hosts) h.sim?.advance(t - h.startNs);
    this.account(t);
    // Every host that goes into maintenance at this instant does so before any is evacuated, so
    // no VM is sent to a host that is about to be emptied too.
    const entering: number[] = [];
    while (this.queue.length > 0 && this.queue[0]!.atNs === t) {
      const e = this.queue.shift()!;
      if (e.kind === Ev.Boot) this.booted(e.a, t);
      else if (e.kind === Ev.Segment) this.applySegment(e.a);
      else if (e.kind === Ev.Free) this.freed(e.a, e.b, t);
      else if (e.kind === Ev.Maintenance) {
        this.hosts[e.a]!.maintenance = true;
        entering.push(e.a);
      } else if (e.kind === Ev.Fail) this.fail(e.a, t);
      else if (e.kind === Ev.Repair) this.repair(e.a, t);
      else {
        this.vms[e.a]!.restartDue = true;
        this.restartDown(t);
      }
    }
    for (const h of entering) this.evacuate(h, t);
    if (t % this.cfg.sliceNs === 0) {
      this.addWork(t);
      if (t > 0 && t % this.cfg.checkIntervalNs === 0) this.check(t);
    }
    for (let v = 0; v < this.vms.length; v++) this.kick(v, t);
  }

  private push(atNs: number, kind: Ev, a: number, b: number): void {
    const e: ClusterEvent = { atNs, kind, seq: this.seq++, a, b };
    // Ordered by time, then kind, then the order they were made in.
    let i = this.queue.length;
    while (i > 0) {
      const p = this.queue[i - 1]!;
      if (p.atNs < atNs || (p.atNs === atNs && (p.kind < kind || (p.kind === kind && p.seq < e.seq)))) break;
      i--;
    }
    this.queue.splice(i, 0, e);
  }

  /** Time on and overload time of every host over [clock, t). */
  private account(t: number): void {
    const dt = t - this.clockNs;
    if (dt > 0) {
      const demand = this.hosts.map(() => 0);
      for (const vm of this.vms)
        if (vm.runsOn >= 0) demand[vm.runsOn]! += vm.spec.vcpus * vm.u;
        else if (vm.down) this.unmetNs += vm.spec.vcpus * vm.u * dt;
      this.hosts.forEach((h, i) => {
        if (h.state !== 'on') return;
        h.onNs += dt;
        h.load.add(this.clockNs, t, demand[i]!);
        if (demand[i]! > this.cores[i]!) h.overloadNs += dt;
      });
      if (this.cfg.hotspot !== null)
        this.hosts.forEach((h, i) => h.heat!.heat(this.powerW(i, demand[i]!), this.clockNs, dt));
    }
    this.clockNs = t;
  }

  /**
   * Host `h`'s power with `demand` cores of vCPU demand on it: the linear host model (its demand
   * over its cores, capped at 1) while on, its boot power while booting, nothing off or failed.
   */
  private powerW(h: number, demand: number): number {
    const p = this.cfg.hosts[h]!.power;
    const state = this.hosts[h]!.state;
    if (state === 'on') return p.idleW + (p.peakW - p.idleW) * Math.min(1, demand / this.cores[h]!);
    return state === 'booting' ? bootPowerW(p) : 0;
  }

  /** The hot-spot policy at a check: hot hosts shed VMs; whether any move started. */
  private coolHotSpots(t: number): boolean {
    const hs = this.cfg.hotspot;
    if (hs === null || !hs.migrate) return false;
    const temps = this.hosts.map((x) => x.heat!.temperatureC);
    const steady = (h: number) => this.hosts[h]!.linkMoves === 0;
    const all = this.hosts.map((_, h) => h);
    const hot = all
      .filter(
        (h) => this.hosts[h]!.state === 'on' && !this.hosts[h]!.maintenance && steady(h) && temps[h]! >= hs.thresholdC,
      )
      .sort((a, b) => temps[b]! - temps[a]! || a - b);
    if (hot.length === 0) return false;
    const targets = all.filter((h) => this.accepts(h) && steady(h));
    const settles = (h: number, demand: number) => this.hosts[h]!.heat!.settlesAtC(this.powerW(h, demand));
    const plan = planHotspot(this, hot, targets, temps, settles, hs.thresholdC);
    this.startMoves(plan.moves, t);
    return plan.moves.length > 0;
  }

  /** Each VM's utilisation for the slice from `t`, and its work for it. */
  private addWork(t: number): void {
    for (const vm of this.vms) {
      vm.u = this.utilizationAt(vm, t);
      const work = Math.round(vm.u * this.cfg.sliceNs);
      // A VM that is down asks for its work all the same; none of it is done (unmet).
      if (!vm.down) for (const c of vm.vcpus) c.pendingNs += work;
      vm.offeredNs += work * vm.vcpus.length;
    }
  }

  /** The utilisation of step floor(t / stepNs); `t` only grows (slice boundaries). */
  private utilizationAt(vm: VmState, t: number): number {
    const { trace, stepNs, noise } = vm.spec;
    const step = Math.floor(t / stepNs);
    const base = trace[Math.min(step, trace.length - 1)]!;
    // Without noise the trace is read directly: nothing kept per step, however short the step.
    if (noise === 0) return base;
    if (step === vm.step) return vm.stepU;
    // Each step's noise is the next normal draw of the VM's stream, in step order, so a VM's load
    // does not depend on anything else. Steps no slice fell in still take their two draws (the
    // resolver bounds their number, MAX_NOISY_STEPS); only the current step is kept.
    for (let k = vm.step + 1; k < step; k++) {
      vm.rng.next();
      vm.rng.next();
    }
    vm.step = step;
    vm.stepU = Math.min(1, Math.max(0, base + noise * vm.rng.normal()));
    return vm.stepU;
  }

  // ------------------------------------------------------------------ vCPUs

  /** Starts the next piece of every idle vCPU of VM `v` that has work, on the host it runs on. */
  private kick(v: number, t: number): void {
    const vm = this.vms[v]!;
    if (vm.runsOn < 0) return;
    for (let c = 0; c < vm.vcpus.length; c++) if (vm.vcpus[c]!.current < 0) this.startPiece(v, c, t);
  }

  private startPiece(v: number, c: number, t: number): void {
    const vm = this.vms[v]!;
    const vcpu = vm.vcpus[c]!;
    const h = vm.runsOn;
    if (h < 0 || vcpu.pendingNs <= 0) return;
    const speed = this.cfg.hosts[h]!.speed;
    const nextChange = vm.segments.length > 0 ? vm.segments[0]!.atNs : Infinity;
    const demandNs = Math.min(vcpu.pendingNs, this.cfg.sliceNs, Math.floor((nextChange - t) * speed));
    if (demandNs < 1) return;
    const token = this.nextToken++;
    this.pieces.set(token, { vm: v, vcpu: c, startNs: t, demandNs, slowdown: vm.slowdown, host: h });
    vcpu.current = token;
    vcpu.pendingNs -= demandNs;
    this.hosts[h]!.sim!.inject(VCPU_GROUP, demandNs, token);
  }

  /** Host `h` completed piece `token` at `timeNs` (called from within its run). */
  private pieceDone(h: number, token: number, timeNs: number): void {
    const p = this.pieces.get(token)!;
    this.pieces.delete(token);
    const vm = this.vms[p.vm]!;
    const cpuNs = p.demandNs / this.cfg.hosts[h]!.speed;
    vm.cpuNs += cpuNs;
    vm.stealNs += timeNs - p.startNs - cpuNs;
    vm.workNs += p.demandNs * (1 - p.slowdown);
    vm.slowdownLostNs += p.demandNs * p.slowdown;
    const vcpu = vm.vcpus[p.vcpu]!;
    if (vcpu.current !== token) return;
    vcpu.current = -1;
    // The host is at timeNs inside its run: the next piece arrives in the same instant.
    if (vm.runsOn === h) this.startPiece(p.vm, p.vcpu, timeNs);
  }

  // ------------------------------------------------------------------ moves

  private applySegment(v: number): void {
    const vm = this.vms[v]!;
    const seg = vm.segments.shift()!;
    if (seg.host !== vm.runsOn)
      // Its running pieces finish where they are; the next ones start where it runs now.
      for (const c of vm.vcpus) c.current = -1;
    vm.runsOn = seg.host;
    vm.slowdown = seg.slowdown;
  }

  private freed(v: number, from: number, t: number): void {
    const vm = this.vms[v]!;
    const size = vm.spec;
    this.used[from]!.vcpus -= size.vcpus;
    this.used[from]!.ramBytes -= size.ramBytes;
    this.hosts[from]!.linkMoves--;
    this.hosts[vm.assigned]!.linkMoves--;
    vm.moving = false;
    this.powerOffIfEmpty(from, t);
    this.restartDown(t);
  }

  /** Starts the moves of one decision at `t`, each with its share of the links it uses. */
  private startMoves(moves: readonly PlannedMove[], t: number): void {
    const count = this.hosts.map((h) => h.linkMoves);
    for (const m of moves) {
      count[m.from]!++;
      count[m.to]!++;
    }
    const share = this.cfg.link.migrationShare ?? LIVE_MIGRATION_LINK.migrationShare.default;
    for (const m of moves) this.startMove(m, share / Math.max(count[m.from]!, count[m.to]!), t);
  }

  private startMove(m: PlannedMove, share: number, t: number): void {
    const vm = this.vms[m.vm]!;
    const raw = simulateLiveMigration({
      vm: vm.spec.migrationVm,
      link: { ...this.cfg.link, migrationShare: share },
      method: this.cfg.method,
    });
    const record: LiveMigrationRecord = {
      ...raw,
      pauseStartNs: raw.pauseStartNs + t,
      rounds: raw.rounds.map((r) => ({ ...r, startNs: r.startNs + t })),
    };
    vm.moving = true;
    vm.moveFrom = m.from;
    vm.moveLog = this.log.length;
    vm.assigned = m.to;
    vm.migrations++;
    this.used[m.to]!.vcpus += vm.spec.vcpus;
    this.used[m.to]!.ramBytes += vm.spec.ramBytes;
    this.hosts[m.from]!.linkMoves++;
    this.hosts[m.to]!.linkMoves++;
    vm.segments = segmentsOf(record, m.from, m.to);
    // What starts now applies now (this instant's events are behind it); the rest is queued.
    while (vm.segments.length > 0 && vm.segments[0]!.atNs <= t) this.applySegment(m.vm);
    for (const seg of vm.segments) this.push(seg.atNs, Ev.Segment, m.vm, 0);
    this.push(t + record.totalNs, Ev.Free, m.vm, m.from);
    this.log.push({
      vm: vm.spec.name,
      from: this.cfg.hosts[m.from]!.name,
      to: this.cfg.hosts[m.to]!.name,
      reason: m.reason,
      startNs: t,
      endNs: t + record.totalNs,
      share,
      record,
    });
  }

  // ------------------------------------------------------------------ power and policies

  private powerOffIfEmpty(h: number, t: number): void {
    const host = this.hosts[h]!;
    if (host.state !== 'on' || !(host.draining || host.maintenance)) return;
    if (this.used[h]!.vcpus > 0 || this.used[h]!.ramBytes > 0 || host.linkMoves > 0) return;
    this.setPower(host, 'off', t);
    host.draining = false;
    host.offAtNs.push(t);
  }

  /** The share of booting host `h`'s boot still to come at `t` (its boot began at its last power change). */
  private bootLeft(h: number, t: number): number {
    const host = this.hosts[h]!;
    return 1 - (t - host.powerStates[host.powerStates.length - 1]!.atNs) / this.cfg.hosts[h]!.power.bootNs;
  }

  /** A host's power state changes at `t` (kept in its log for the hosts-on chart). */
  private setPower(host: HostState, state: HostPowerState, t: number): void {
    host.state = state;
    host.powerStates.push({ atNs: t, state });
  }

  /** Powers on the first powered-off host not in maintenance, if any; it takes VMs once booted. */
  private powerOnOne(t: number): void {
    const h = this.hosts.findIndex((x) => x.state === 'off' && !x.maintenance);
    if (h >= 0) this.boot(h, t);
  }

  /** Host `h` (a spare powered on, or a failed host repaired) boots from `t` (the run's boot time; at once with 0), then takes VMs. */
  private boot(h: number, t: number): void {
    const host = this.hosts[h]!;
    host.boots++;
    const bootNs = this.cfg.hosts[h]!.power.bootNs;
    if (bootNs === 0) this.booted(h, t);
    else {
      this.setPower(host, 'booting', t);
      this.push(t + bootNs, Ev.Boot, h, 0);
    }
  }

  /**
   * Host `h` is on at `t` (booted, or powered on with boot 0): after a repair with a fresh run.
   * Hosts in maintenance whose VMs had nowhere to go, and VMs down waiting for room, plan again
   * now, not at the next check. Each nested power-on (boot 0) turns one more host on, so this ends.
   */
  private booted(h: number, t: number): void {
    const host = this.hosts[h]!;
    const repaired = host.sim === null;
    if (repaired) {
      host.sim = this.hostRun(h, host.ended.length, t);
      host.startNs = t;
    }
    this.setPower(host, 'on', t);
    this.retryEvacuations(t);
    this.restartDown(t);
    // Back from repair while in maintenance: empty, it goes off again.
    if (repaired) this.powerOffIfEmpty(h, t);
  }

  // ------------------------------------------------------------------ failures

  /**
   * Host `h` fails at `t`: its run ends there (work in flight on it is lost), it draws nothing,
   * its VMs are down, and every move from or to it is cut short (endMoveAtFailure).
   */
  private fail(h: number, t: number): void {
    const host = this.hosts[h]!;
    host.failures++;
    if (host.state === 'booting') {
      this.dropEvents((e) => e.kind === Ev.Boot && e.a === h);
      // The boot drew its power only until the failure (HOST_POWER.bootEnergyJ: a cut boot is
      // charged its share), not the whole boot.
      host.bootsCut += this.bootLeft(h, t);
    }
    host.offWhenFailed = host.state === 'off';
    if (host.sim !== null) {
      const r = host.sim.result();
      const spec = this.cfg.hosts[h]!;
      host.ended.push({
        startNs: host.startNs,
        endNs: t,
        busyS: r.summary.meanUtilization * spec.cores * r.summary.simulatedS,
        events: r.summary.events,
        digest: r.digest,
      });
      host.sim = null;
    }
    for (const [token, p] of this.pieces)
      if (p.host === h) {
        this.pieces.delete(token);
        const vcpu = this.vms[p.vm]!.vcpus[p.vcpu]!;
        if (vcpu.current === token) vcpu.current = -1;
      }
    this.setPower(host, 'failed', t);
    host.draining = false;
    for (let v = 0; v < this.vms.length; v++) {
      const vm = this.vms[v]!;
      if (vm.moving && (vm.moveFrom === h || vm.assigned === h)) this.endMoveAtFailure(v, h, t);
      else if (vm.assigned === h) this.goDown(v, h, t);
    }
    host.linkMoves = 0;
    this.restartDown(t);
  }

  /**
   * A move of VM `v` from or to host `h`, which fails at `t`. Before the switch (the resume on the
   * target) the VM is still the source's: with the source it is down, with the target it stays on
   * (or, paused, resumes on) the source. After it, the VM is the target's: with the target it is
   * down; with the source it lives on unless post-copy is still pulling pages from it (those pages
   * exist nowhere else, so the VM is lost). A move the failure interrupts is cut at `t`.
   */
  private endMoveAtFailure(v: number, h: number, t: number): void {
    const vm = this.vms[v]!;
    const from = vm.moveFrom;
    const to = vm.assigned;
    const log = this.log[vm.moveLog]!;
    const r = log.record;
    const switched = t >= r.pauseStartNs + r.downtimeNs;
    const pulling = r.rounds.some((x) => x.phase === 'demand' && x.startNs + x.durationNs > t);
    const sourceFailed = from === h;
    // Past the switch with nothing left to fetch from the source: the move is over, only its end.
    const over = switched && !pulling;
    if (over) log.endNs = t;
    else {
      log.cutNs = t;
      log.outcome = sourceFailed ? 'source-failed' : 'target-failed';
    }
    // The host keeping the VM's room: the source before the switch, the target after it.
    const keep = switched ? to : from;
    const other = keep === from ? to : from;
    const size = vm.spec;
    this.used[other]!.vcpus -= size.vcpus;
    this.used[other]!.ramBytes -= size.ramBytes;
    this.hosts[from]!.linkMoves--;
    this.hosts[to]!.linkMoves--;
    this.dropEvents((e) => (e.kind === Ev.Segment || e.kind === Ev.Free) && e.a === v);
    vm.moving = false;
    vm.moveFrom = -1;
    vm.segments = [];
    vm.slowdown = 0;
    vm.assigned = keep;
    if (keep === h || (sourceFailed && pulling)) this.goDown(v, h, t);
    else {
      // It runs on where it kept its room: the pieces it had on the failed host are lost.
      if (vm.runsOn !== keep) for (const c of vm.vcpus) c.current = -1;
      vm.runsOn = keep;
    }
    this.powerOffIfEmpty(other, t);
  }

  /** VM `v` is down from `t` with failed host `h`: its room there is freed, its work in flight lost. */
  private goDown(v: number, h: number, t: number): void {
    const vm = this.vms[v]!;
    const size = vm.spec;
    this.used[vm.assigned]!.vcpus -= size.vcpus;
    this.used[vm.assigned]!.ramBytes -= size.ramBytes;
    vm.assigned = -1;
    vm.runsOn = -1;
    vm.down = true;
    vm.downSinceNs = t;
    vm.downFrom = h;
    vm.restartDue = false;
    vm.failures++;
    for (const c of vm.vcpus) {
      c.current = -1;
      c.pendingNs = 0;
    }
    this.push(t + this.cfg.restartDelayNs, Ev.Restart, v, 0);
  }

  /** Failed host `h` is repaired at `t`: it boots, then takes VMs again. */
  private repair(h: number, t: number): void {
    const host = this.hosts[h]!;
    if (host.offWhenFailed) {
      // It was off (a spare, or in maintenance with its VMs gone): repaired, it is off again and
      // may be powered on like any spare. Booting it would charge a boot no one asked for, and
      // in maintenance it would only go off again.
      host.offWhenFailed = false;
      this.setPower(host, 'off', t);
      this.restartDown(t);
      return;
    }
    this.boot(h, t);
  }

  /** HA restarts the VMs down past their restart delay where placement finds room (the others wait). */
  private restartDown(t: number): void {
    const due: number[] = [];
    for (let v = 0; v < this.vms.length; v++) if (this.vms[v]!.down && this.vms[v]!.restartDue) due.push(v);
    if (due.length === 0) return;
    const plan = planRestarts(this, this.cfg.placement, this.cfg.threshold, due);
    for (const m of plan.moves) {
      const vm = this.vms[m.vm]!;
      this.used[m.to]!.vcpus += vm.spec.vcpus;
      this.used[m.to]!.ramBytes += vm.spec.ramBytes;
      vm.assigned = m.to;
      vm.runsOn = m.to;
      vm.down = false;
      vm.restartDue = false;
      vm.downNs += t - vm.downSinceNs;
      vm.restarts++;
      this.restartLog.push({
        vm: vm.spec.name,
        from: this.cfg.hosts[vm.downFrom]!.name,
        to: this.cfg.hosts[m.to]!.name,
        reason: m.reason,
        downAtNs: vm.downSinceNs,
        atNs: t,
      });
    }
    if (plan.needHost && !this.hosts.some((x) => x.state === 'booting')) this.powerOnOne(t);
  }

  private dropEvents(match: (e: ClusterEvent) => boolean): void {
    for (let i = this.queue.length - 1; i >= 0; i--) if (match(this.queue[i]!)) this.queue.splice(i, 1);
  }

  // ------------------------------------------------------------------ policies

  private retryEvacuations(t: number): void {
    for (let h = 0; h < this.hosts.length; h++)
      if (this.hosts[h]!.maintenance && this.vmsOf(h).length > 0) this.evacuate(h, t);
  }

  private evacuate(h: number, t: number): void {
    this.carryOut(planEvacuation(this, this.cfg.placement, this.cfg.threshold, h), t);
    this.powerOffIfEmpty(h, t);
  }

  private carryOut(plan: Plan, t: number): void {
    this.startMoves(plan.moves, t);
    if (plan.needHost && !this.hosts.some((x) => x.state === 'booting')) this.powerOnOne(t);
  }

  private check(t: number): void {
    const cfg = this.cfg;
    for (let h = 0; h < this.hosts.length; h++)
      if (this.hosts[h]!.state === 'on') this.hosts[h]!.history.push(Math.min(1, this.utilization(h)));
    // Hosts in maintenance that could not be emptied yet try again, and so do VMs down.
    for (let h = 0; h < this.hosts.length; h++)
      if (this.hosts[h]!.maintenance && this.vmsOf(h).length > 0) this.evacuate(h, t);
    this.restartDown(t);
    const steady = (h: number) => this.accepts(h) && this.hosts[h]!.linkMoves === 0;
    const candidates = this.hosts.map((_, h) => h).filter(steady);
    const thresholds = this.hosts.map((x) => overloadThreshold(cfg.overload, cfg.threshold, cfg.safety, x.history));
    const overload = planOverload(this, cfg.placement, thresholds, candidates);
    this.carryOut(overload, t);
    const cooled = this.coolHotSpots(t);
    if (!cfg.consolidate || overload.moves.length > 0 || overload.needHost || cooled) return;
    // An empty host saves its idle power at once; then one host is emptied per check.
    for (const h of candidates)
      if (this.vmsOf(h).length === 0 && this.used[h]!.vcpus === 0) {
        this.hosts[h]!.draining = true;
        this.powerOffIfEmpty(h, t);
      }
    const plan = planConsolidation(
      this,
      cfg.placement,
      cfg.threshold,
      cfg.underload,
      candidates.filter((h) => this.accepts(h)),
    );
    if (plan === null) return;
    this.hosts[plan.host]!.draining = true;
    this.startMoves(plan.moves, t);
  }

  // ------------------------------------------------------------------ VmPolicyView

  accepts(h: number): boolean {
    const x = this.hosts[h]!;
    return x.state === 'on' && !x.maintenance && !x.draining;
  }

  vmsOf(h: number): number[] {
    const out: number[] = [];
    for (let v = 0; v < this.vms.length; v++) if (this.vms[v]!.assigned === h && !this.vms[v]!.moving) out.push(v);
    return out;
  }

  vmSize(v: number): VmSize {
    return this.vms[v]!.spec;
  }

  vmDemand(v: number): number {
    return this.vms[v]!.spec.vcpus * this.vms[v]!.u;
  }

  utilization(h: number): number {
    let d = 0;
    for (let v = 0; v < this.vms.length; v++) if (this.vms[v]!.assigned === h) d += this.vmDemand(v);
    return d / this.cores[h]!;
  }

  // ------------------------------------------------------------------ result

  /** Each run of a host that failed, the current one to `endNs`. */
  private incarnationsOf(x: HostState, endNs: number): VmHostIncarnation[] {
    const runs = x.ended.map((r) => ({ startS: r.startNs / S, endS: r.endNs / S, digest: r.digest }));
    if (x.sim !== null) runs.push({ startS: x.startNs / S, endS: endNs / S, digest: x.sim.result().digest });
    return runs;
  }

  private failuresResult(vms: readonly VmResult[], migrations: readonly VmMigrationRow[]): VmFailuresResult {
    return failuresOf(
      vms,
      this.vms.map((vm) => vm.failures),
      migrations,
      this.restartLog,
      this.unmetNs,
    );
  }

  /** The result at the current time; ends the run there. */
  result(): VmClusterResult {
    if (this.cached !== null) return this.cached;
    const endNs = this.processedToNs;
    this.account(endNs);
    let events = this.clusterEvents;
    // A move is counted within the run only: one that has not ended leaves its VM on the source.
    const migrations: VmMigrationRow[] = this.log.map((m) => movedWithin(m, endNs));
    const hostOf = this.vms.map((vm) => vm.assigned);
    const downtimeNs = this.vms.map(() => 0);
    const byName = new Map(this.vms.map((vm, v) => [vm.spec.name, v]));
    const hostByName = new Map(this.cfg.hosts.map((h, i) => [h.name, i]));
    for (const m of migrations) {
      const v = byName.get(m.vm)!;
      downtimeNs[v]! += m.downtimeInRunNs;
      // A move cut short has left its VM where the failure put it (assigned, or down).
      if (!m.finished && m.cutNs === undefined) hostOf[v] = hostByName.get(m.from)!;
    }
    const hosts: VmHostResult[] = this.hosts.map((x, h) => {
      const spec = this.cfg.hosts[h]!;
      let busyS = 0;
      let digest = '';
      if (x.sim !== null) {
        x.sim.advance(endNs - x.startNs);
        const r = x.sim.result();
        events += r.summary.events;
        busyS = r.summary.meanUtilization * spec.cores * r.summary.simulatedS;
        digest = r.digest;
      }
      for (const run of x.ended) {
        events += run.events;
        busyS += run.busyS;
      }
      if (x.sim === null) digest = x.ended[x.ended.length - 1]!.digest;
      const idleEnergyJ = (spec.power.idleW * x.onNs) / S;
      const dynamicEnergyJ = ((spec.power.peakW - spec.power.idleW) * busyS) / spec.cores;
      // A boot the run cuts short is charged its share within the run (HOST_POWER.bootEnergyJ, as
      // request runs do), not the whole boot: it drew boot power only until the end.
      const cut = x.bootsCut + (x.state === 'booting' ? this.bootLeft(h, endNs) : 0);
      const bootEnergyJ = (x.boots - cut) * spec.power.bootEnergyJ;
      return {
        host: spec.name,
        cores: spec.cores,
        vcpuSlots: spec.vcpuSlots,
        state: x.state,
        maintenance: x.maintenance,
        onS: x.onNs / S,
        boots: x.boots,
        busyS,
        overloadS: x.overloadNs / S,
        idleEnergyJ,
        dynamicEnergyJ,
        bootEnergyJ,
        energyJ: idleEnergyJ + dynamicEnergyJ + bootEnergyJ,
        vms: this.vms.filter((_, v) => hostOf[v] === h).map((vm) => vm.spec.name),
        offAtS: x.offAtNs.map((t) => t / S),
        powerStates: x.powerStates.map((p) => ({ atS: p.atNs / S, state: p.state })),
        load: x.load.series(endNs, spec.cores),
        digest,
        ...(x.heat === null ? {} : { thermal: x.heat.result(endNs) }),
        ...(x.failures > 0 ? { failures: x.failures, incarnations: this.incarnationsOf(x, endNs) } : {}),
      };
    });
    const vms: VmResult[] = this.vms.map((vm, v) => ({
      vm: vm.spec.name,
      host: hostOf[v]! < 0 ? '' : this.cfg.hosts[hostOf[v]!]!.name,
      offeredS: vm.offeredNs / S,
      workS: vm.workNs / S,
      cpuS: vm.cpuNs / S,
      stealS: vm.stealNs / S,
      downtimeS: downtimeNs[v]! / S,
      slowdownLostS: vm.slowdownLostNs / S,
      migrations: vm.migrations,
      ...(this.hasFailures
        ? { downS: (vm.downNs + (vm.down ? endNs - vm.downSinceNs : 0)) / S, restarts: vm.restarts }
        : {}),
    }));
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const onS = sum(hosts.map((x) => x.onS));
    const body: Omit<VmClusterResult, 'digest'> = {
      simulatedS: endNs / S,
      hosts,
      vms,
      migrations,
      energyJ: sum(hosts.map((x) => x.energyJ)),
      idleEnergyJ: sum(hosts.map((x) => x.idleEnergyJ)),
      dynamicEnergyJ: sum(hosts.map((x) => x.dynamicEnergyJ)),
      bootEnergyJ: sum(hosts.map((x) => x.bootEnergyJ)),
      hostsOnMean: endNs > 0 ? onS / (endNs / S) : 0,
      overloadFraction: onS > 0 ? sum(hosts.map((x) => x.overloadS)) / onS : 0,
      stealS: sum(vms.map((v) => v.stealS)),
      migrationDowntimeS: sum(vms.map((v) => v.downtimeS)),
      events,
      ...(this.hasFailures ? { failures: this.failuresResult(vms, migrations) } : {}),
      ...(this.cfg.hotspot === null
        ? {}
        : {
            hotspot: {
              peakC: Math.max(...hosts.map((x) => x.thermal!.peakC)),
              hotS: sum(hosts.map((x) => x.thermal!.hotS)),
            },
          }),
    };
    this.cached = { ...body, digest: digestOf(body, this.sha256) };
    return this.cached;
  }
}

/** The run's own failure figures, from its VMs' and moves' rows. */
function failuresOf(
  vms: readonly VmResult[],
  failed: readonly number[],
  migrations: readonly VmMigrationRow[],
  restartLog: readonly VmRestartRow[],
  unmetNs: number,
): VmFailuresResult {
  return {
    vmsFailed: failed.filter((n) => n > 0).length,
    restarts: restartLog.length,
    vmsDownAtEnd: vms.filter((v) => v.host === '').length,
    downS: vms.reduce((a, v) => a + v.downS!, 0),
    unmetDemandS: unmetNs / S,
    movesCut: migrations.filter((m) => m.cutNs !== undefined).length,
    restartLog: [...restartLog],
  };
}

/** A move as of a run that ended at `endNs`: whether it finished, its pause and bytes within the run. */
function movedWithin(m: MoveLog, endNs: number): VmMigrationRow {
  const r = m.record;
  const finished = m.cutNs === undefined && m.endNs <= endNs;
  // A move cut short by a failure went as far as the cut.
  const until = m.cutNs === undefined ? endNs : Math.min(endNs, m.cutNs);
  const downtimeInRunNs = Math.max(0, Math.min(until, r.pauseStartNs + r.downtimeNs) - r.pauseStartNs);
  let memory = 0;
  for (const round of r.rounds)
    if (round.startNs + round.durationNs <= until) memory += round.bytes;
    else if (round.startNs < until) memory += (round.bytes * (until - round.startNs)) / round.durationNs;
  const sentBytes = finished ? r.totalBytes : Math.floor(memory);
  return { ...m, finished, downtimeInRunNs, sentBytes };
}

/**
 * Where and how fast a moving VM runs, from its record (times on the run's clock): on the source
 * through each live round at its slowdown, paused from pauseStartNs for the downtime, then on the
 * target (post-copy: at the demand round's slowdown until that round ends).
 */
export function segmentsOf(record: LiveMigrationRecord, from: number, to: number): VmSegment[] {
  const segs: VmSegment[] = [];
  for (const r of record.rounds)
    if (r.phase === 'live') segs.push({ atNs: r.startNs, host: from, slowdown: r.slowdown });
  segs.push({ atNs: record.pauseStartNs, host: -1, slowdown: 0 });
  const resume = record.pauseStartNs + record.downtimeNs;
  const demand = record.rounds.find((r) => r.phase === 'demand');
  const demandEnd = demand === undefined ? resume : demand.startNs + demand.durationNs;
  if (demand !== undefined && demandEnd > resume) {
    segs.push({ atNs: resume, host: to, slowdown: demand.slowdown });
    segs.push({ atNs: demandEnd, host: to, slowdown: 0 });
  } else segs.push({ atNs: resume, host: to, slowdown: 0 });
  return segs;
}

/** Runs a VM cluster to its end. */
export function simulateVmCluster(config: VmClusterConfig, options: VmClusterOptions = {}): VmClusterResult {
  const sim = new VmClusterSimulation(config, options);
  sim.advance(sim.endNs);
  return sim.result();
}
