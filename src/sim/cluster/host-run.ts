/**
 * One host of a cluster over the whole run: the single-machine Simulation it runs while it is
 * up, one per stretch of up time (an incarnation: a host that fails or is powered off ends its
 * run there; powered on again it boots a fresh one, caches cold and its own workload started
 * over), each on its own clock from the instant it came up; and the host's energy over all of
 * them (docs/model.md, "Requests behind a load balancer").
 */
import type { Summary } from '../result';
import type { Simulation } from '../simulation';
import { bootPowerW, linearEnergyJ, type ResolvedHostPower } from './host-power';

/** One incarnation of a host, ended. */
export interface Incarnation {
  /** Cluster time it came up and ended. */
  startS: number;
  endS: number;
  digest: string;
}

export interface HostOutcome {
  /** The last incarnation's own single-machine summary and digest. */
  summary: Summary;
  digest: string;
  /** Every incarnation, when there was more than one. */
  incarnations?: Incarnation[];
  /** Time it was up (serving or draining), when it was not up for the whole run. */
  upS?: number;
  /** With a power model (the machine's own, or the host's idle/peak figures). */
  energyJ?: number;
  /** Events of all its incarnations. */
  events: number;
}

interface Ended {
  startNs: number;
  endNs: number;
  summary: Summary;
  digest: string;
}

export class HostRun {
  private sim: Simulation | null = null;
  /** Cluster time of the current incarnation's time 0. */
  private startNs = 0;
  private readonly ended: Ended[] = [];
  private started = 0;

  constructor(
    /** Builds incarnation `k` (0 first) of the host, up at cluster time `startNs`. */
    private readonly make: (k: number, startNs: number) => Simulation,
    private readonly cpus: number,
    /** The host's idle/peak figures, or null. */
    private readonly power: ResolvedHostPower | null,
    /** Its machine has a power model of its own (that one then gives the energy of its up time). */
    private readonly ownPower: boolean,
    /** Time it spent booting within the run (charged its share of the boot energy). */
    private bootingNs: number,
  ) {}

  /** It spends `ns` more booting (an autoscaler's power-on). */
  addBooting(ns: number): void {
    this.bootingNs += ns;
  }

  /** Up at `atNs` (the run starts every host at 0). */
  start(atNs: number): void {
    this.startNs = atNs;
    this.sim = this.make(this.started++, atNs);
  }

  get up(): boolean {
    return this.sim !== null;
  }

  /** Applies every instant of the current incarnation before cluster time `t`. */
  advance(t: number): void {
    this.sim?.advance(t - this.startNs);
  }

  /** Processes alive now (0 while down). */
  get liveProcesses(): number {
    return this.sim?.liveProcesses ?? 0;
  }

  /** A request of `group` arrives now (the host is up and advanced to now). */
  inject(group: string, demandNs: number, token: number): void {
    this.sim!.inject(group, demandNs, token);
  }

  /** Cluster time `t` of the current incarnation's time `hostNs`. */
  clusterTime(hostNs: number): number {
    return this.startNs + hostNs;
  }

  /** Goes down at `atNs` (failure or power-off): its run ends there, whatever it was doing. */
  stop(atNs: number): void {
    const sim = this.sim;
    if (sim === null) return;
    sim.advance(atNs - this.startNs);
    const r = sim.result();
    this.ended.push({ startNs: this.startNs, endNs: atNs, summary: r.summary, digest: r.digest });
    this.sim = null;
  }

  /** The host at the end of the run (`endNs`): its runs, its up time and its energy. Call once. */
  finish(endNs: number): HostOutcome {
    this.stop(endNs);
    const runs = this.ended;
    const last = runs[runs.length - 1]!;
    let upNs = 0;
    let energyJ = 0;
    let events = 0;
    for (const run of runs) {
      const t = run.endNs - run.startNs;
      upNs += t;
      events += run.summary.events;
      if (this.ownPower) energyJ += run.summary.energyJ!;
      // Busy CPU time in whole ns: the summary's mean utilisation is busy / (CPUs x time).
      else if (this.power !== null)
        energyJ += linearEnergyJ(this.power, t, Math.round(run.summary.meanUtilization * this.cpus * t), this.cpus);
    }
    // A boot draws its energy evenly over its time, so a boot the run's end cuts short (or an
    // autoscaler's startup of another length) is charged at the same rate.
    if (this.power !== null) energyJ += (bootPowerW(this.power) * this.bootingNs) / 1e9;
    const outcome: HostOutcome = { summary: last.summary, digest: last.digest, events };
    if (runs.length > 1)
      outcome.incarnations = runs.map((r) => ({ startS: r.startNs / 1e9, endS: r.endNs / 1e9, digest: r.digest }));
    if (upNs !== endNs) outcome.upS = upNs / 1e9;
    if (this.ownPower || this.power !== null) outcome.energyJ = energyJ;
    return outcome;
  }
}
