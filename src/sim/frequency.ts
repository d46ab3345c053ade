/**
 * Frequency over a run: each CPU's P-state, set per frequency domain by the governor (dvfs.ts
 * decides its requests; they take effect after the switch latency) and capped by the thermal
 * throttle (a core reaching its trip point steps down until its steady temperature is below it,
 * and steps back up once it has cooled by the hysteresis). A change re-times the work running in
 * the domain (booked at the old speed, planned at the new one) and is booked in the frequency
 * series. The engine reads `factor` on its per-event path; everything else here is rare.
 */
import { buildDomains, initialPState, nextPState, samples, type Domains } from './dvfs';
import { EventKind } from './event-kinds';
import { CpuService } from './faults';
import type { EventQueue } from './heap';
import type { ResolvedMachine } from './machine';
import { dynamicPowerW, type EnergyMeter } from './power';
import type { RunStats } from './run-stats';
import type { CpuSeries } from './series';
import { secondsUntil } from './thermal';

/** What a frequency change needs of the work running on the CPUs (the engine's running segments). */
export interface RunningWork {
  /** Per CPU: slot of the process running there, -1 for none. */
  readonly running: Int32Array;
  /** Books `cpu`'s running segment up to now at the speed it ran at. */
  account(cpu: number): void;
  /** Times `cpu`'s running segment again at its speed now. */
  plan(cpu: number): void;
  /** Time `cpu` has been busy since the start of the run, its running segment included. */
  busyNsNow(cpu: number): number;
}

/**
 * An upper bound on any core's steady temperature: every thread fully active at its type's
 * highest P-state, static power at its highest. Below the trip point, no core can ever throttle.
 */
function hottestSteadyC(m: ResolvedMachine): number {
  const th = m.thermal!;
  const power = m.power!;
  let hottest = 0;
  m.coreTypes.forEach((type, i) => {
    const top = type.pstates[type.pstates.length - 1]!;
    const staticW = power.types[i]!.staticW;
    const watts = m.smt * dynamicPowerW(power, i, top.freqHz, top.voltV) + staticW;
    // With leakage rising by staticPerK per kelvin: theta = P / (1/R - staticPerK x staticW).
    hottest = Math.max(hottest, watts / (1 / th.resistanceKPerW - power.staticPerK * staticW));
  });
  return th.ambientC + hottest;
}

export class Frequency {
  /** Per CPU: current frequency / highest frequency of its core type (scales its speed). */
  readonly factor: Float64Array;
  /** Per CPU: index of its current P-state in its core type's list. */
  readonly pstate: Int32Array;
  /** Frequency domains; null when every CPU stays at its highest P-state (performance, no thermal model). */
  readonly domains: Domains | null;
  /** The machine's energy meter, set once by the engine (it is built on these P-states); null without a power model. */
  meter: EnergyMeter | null = null;
  /** Per domain: the governor's P-state, the one it last requested, and a generation voiding stale switches. */
  private readonly govIndex: Int32Array;
  private readonly requested: Int32Array;
  private readonly freqGen: Int32Array;
  /** Per CPU: busy time at the last governor tick. */
  private readonly lastBusyNs: Float64Array;
  private lastSampleNs = 0;
  /** Per core: highest P-state the thermal throttle allows, the pending crossing's generation and direction, and since when it has been capped. */
  private readonly cap: Int32Array;
  private readonly thermGen: Int32Array;
  private readonly thermDir: Int8Array;
  private readonly throttledSinceNs: Float64Array;
  /** Some core could reach the trip point (else no crossing is ever looked for). */
  private readonly canThrottle: boolean;
  /** Per CPU: since when its frequency series is booked (empty when no series is kept: plain machines). */
  private readonly freqSinceNs: Float64Array;

  constructor(
    /** The engine's clock. */
    private readonly clock: { readonly now: number },
    private readonly m: ResolvedMachine,
    private readonly endNs: number,
    private readonly q: EventQueue,
    private readonly work: RunningWork,
    /** Per CPU: its CpuService state (a failed CPU's frequency series shows 0 Hz). */
    private readonly service: Uint8Array,
    private readonly stats: RunStats,
    private readonly series: CpuSeries,
  ) {
    const n = m.cpuCount;
    this.factor = new Float64Array(n).fill(1);
    this.pstate = new Int32Array(n);
    for (let cpu = 0; cpu < n; cpu++) this.pstate[cpu] = this.topPState(cpu);
    const dvfsActive = m.dvfs.governor !== 'performance' || m.thermal !== null;
    this.domains = dvfsActive ? buildDomains(m.dvfs.domain, n, m.smt, m.cpuSocket, m.cpuType) : null;
    const domainCount = this.domains?.cpus.length ?? 0;
    this.govIndex = new Int32Array(domainCount);
    this.requested = new Int32Array(domainCount);
    this.freqGen = new Int32Array(domainCount);
    this.lastBusyNs = new Float64Array(dvfsActive ? n : 0);
    for (let d = 0; d < domainCount; d++) {
      const cpus = this.domains!.cpus[d]!;
      const index = initialPState(m.dvfs, this.pstatesOf(cpus[0]!));
      this.govIndex[d] = index;
      this.requested[d] = index;
      for (const cpu of cpus) this.setPState(cpu, index);
    }
    this.cap = new Int32Array(m.thermal === null ? 0 : m.coreCount);
    for (let core = 0; core < this.cap.length; core++) this.cap[core] = this.topPState(core * m.smt);
    this.thermGen = new Int32Array(this.cap.length);
    this.thermDir = new Int8Array(this.cap.length);
    this.throttledSinceNs = new Float64Array(this.cap.length).fill(-1);
    this.canThrottle = m.thermal !== null && hottestSteadyC(m) >= m.thermal.throttleC;
    // Frequency series whenever frequencies can change or energy is shown against them.
    const machineSeries = m.power !== null || this.domains !== null;
    this.freqSinceNs = new Float64Array(machineSeries ? n : 0);
    if (machineSeries) series.enableMachineSeries(m.power !== null, m.thermal !== null);
    if (this.domains !== null && samples(m.dvfs) && m.dvfs.samplingNs < endNs)
      q.push(m.dvfs.samplingNs, EventKind.Governor, 0, 0);
  }

  /** EventKind.Freq: domain `d`'s request of generation `gen` takes effect (unless a later one replaced it). */
  onSwitch(d: number, gen: number): void {
    if (gen !== this.freqGen[d]) return;
    this.govIndex[d] = this.requested[d]!;
    this.applyDomain(d);
  }

  /** EventKind.Thermal: `core`'s crossing of generation `gen` is due (unless re-armed since). */
  onCrossing(core: number, gen: number): void {
    if (gen === this.thermGen[core]) this.onThermal(core);
  }

  /** Books `cpu`'s frequency series up to now (before its P-state changes or it fails, and at the end); 0 Hz while failed. */
  flushFrequency(cpu: number): void {
    if (this.freqSinceNs.length === 0) return;
    const now = this.clock.now;
    const since = this.freqSinceNs[cpu]!;
    if (now <= since) return;
    const hz = this.service[cpu] === CpuService.Failed ? 0 : this.pstatesOf(cpu)[this.pstate[cpu]!]!.freqHz;
    this.series.addFrequency(cpu, since, now, hz * (now - since));
    this.freqSinceNs[cpu] = now;
  }

  private pstatesOf(cpu: number): readonly { freqHz: number; voltV: number }[] {
    return this.m.coreTypes[this.m.cpuType[cpu]!]!.pstates;
  }

  private topPState(cpu: number): number {
    return this.pstatesOf(cpu).length - 1;
  }

  private setPState(cpu: number, index: number): void {
    const pstates = this.pstatesOf(cpu);
    this.pstate[cpu] = index;
    this.factor[cpu] = pstates[index]!.freqHz / pstates[pstates.length - 1]!.freqHz;
  }

  /** What `core` does changed (a thread started or stopped, a new P-state, power off): close the interval, take the new power, re-arm its thermal crossing. */
  powerChanged(core: number): void {
    const meter = this.meter!;
    meter.touch(core);
    meter.refresh(core);
    if (this.canThrottle) this.scheduleThermal(core);
  }

  /** Puts domain `d` at min(governor's P-state, thermal caps of its cores): running work is booked at the old speed and re-planned. */
  private applyDomain(d: number): void {
    const m = this.m;
    const cpus = this.domains!.cpus[d]!;
    const running = this.work.running;
    let index = this.govIndex[d]!;
    if (this.cap.length > 0) for (const cpu of cpus) index = Math.min(index, this.cap[m.cpuCore[cpu]!]!);
    if (this.pstate[cpus[0]!] === index) return;
    const meter = this.meter;
    for (const cpu of cpus) {
      if (running[cpu]! >= 0) this.work.account(cpu);
      if (meter !== null && cpu % m.smt === 0) meter.touch(m.cpuCore[cpu]!);
      this.flushFrequency(cpu);
    }
    for (const cpu of cpus) {
      this.setPState(cpu, index);
      meter?.operatingPointChanged(cpu);
    }
    for (const cpu of cpus) if (running[cpu]! >= 0) this.work.plan(cpu);
    if (meter !== null) for (const cpu of cpus) if (cpu % m.smt === 0) this.powerChanged(m.cpuCore[cpu]!);
  }

  /** EventKind.Governor (ondemand / schedutil): each domain's busiest CPU over the last period sets its next P-state. */
  onGovernorTick(): void {
    const m = this.m;
    const domains = this.domains!;
    const now = this.clock.now;
    const window = now - this.lastSampleNs;
    this.lastSampleNs = now;
    for (let d = 0; d < domains.cpus.length; d++) {
      const cpus = domains.cpus[d]!;
      let busiest = 0;
      for (const cpu of cpus) {
        const busy = this.work.busyNsNow(cpu);
        busiest = Math.max(busiest, (busy - this.lastBusyNs[cpu]!) / window);
        this.lastBusyNs[cpu] = busy;
      }
      const next = nextPState(m.dvfs, this.pstatesOf(cpus[0]!), this.pstate[cpus[0]!]!, Math.min(1, busiest));
      if (next === this.requested[d]) continue;
      this.requested[d] = next;
      const gen = ++this.freqGen[d]!;
      if (m.dvfs.switchLatencyNs === 0) {
        this.govIndex[d] = next;
        this.applyDomain(d);
      } else this.q.push(now + m.dvfs.switchLatencyNs, EventKind.Freq, d, gen);
    }
    const next = now + m.dvfs.samplingNs;
    if (next < this.endNs) this.q.push(next, EventKind.Governor, 0, 0);
  }

  /**
   * Arms `core`'s next thermal crossing: reaching the trip point while a lower P-state is left,
   * or cooling below trip - hysteresis while capped. Exact time from the RC closed form. The
   * core's meter must be up to date (touched at now).
   */
  private scheduleThermal(core: number): void {
    const th = this.m.thermal!;
    const meter = this.meter!;
    const gen = ++this.thermGen[core]!;
    const a = meter.heatA[core]!;
    const g = meter.heatG[core]!;
    const theta = meter.theta[core]!;
    const trip = th.throttleC - th.ambientC;
    const release = trip - th.hysteresisC;
    const steady = a / g;
    let seconds = Infinity;
    if (steady > trip) {
      if (this.pstate[core * this.m.smt]! > 0) {
        seconds = theta >= trip ? 0 : secondsUntil(theta, trip, a, g, th.capacitanceJPerK);
        this.thermDir[core] = 1;
      }
    } else if (steady < release && this.throttledSinceNs[core]! >= 0) {
      seconds = theta <= release ? 0 : secondsUntil(theta, release, a, g, th.capacitanceJPerK);
      this.thermDir[core] = -1;
    }
    if (seconds === Infinity) return;
    const at = this.clock.now + Math.ceil(seconds * 1e9);
    if (at < this.endNs) this.q.push(at, EventKind.Thermal, core, gen);
  }

  /** The core reached its trip point (cap to the highest P-state that keeps it below) or cooled enough (lift the cap a step). */
  private onThermal(core: number): void {
    const th = this.m.thermal!;
    const meter = this.meter!;
    const now = this.clock.now;
    const first = core * this.m.smt;
    const top = this.topPState(first);
    let cap: number;
    if (this.thermDir[core] > 0) {
      const trip = th.throttleC - th.ambientC;
      cap = this.pstate[first]! - 1;
      while (cap > 0 && meter.steadyThetaAt(core, cap) > trip) cap--;
    } else cap = Math.min(top, this.cap[core]! + 1);
    const was = this.cap[core]!;
    this.cap[core] = cap;
    if (was === top && cap < top) this.throttledSinceNs[core] = now;
    else if (was < top && cap === top) {
      this.stats.throttledNs += now - this.throttledSinceNs[core]!;
      this.throttledSinceNs[core] = -1;
    }
    this.applyDomain(this.domains!.of[first]!);
    meter.touch(core);
    this.scheduleThermal(core);
  }

  /** The run ends now: book every CPU's frequency series and every core's open throttled interval. */
  finish(): void {
    const now = this.clock.now;
    for (let cpu = 0; cpu < this.freqSinceNs.length; cpu++) this.flushFrequency(cpu);
    for (let core = 0; core < this.cap.length; core++) {
      if (this.throttledSinceNs[core]! >= 0) this.stats.throttledNs += now - this.throttledSinceNs[core]!;
    }
  }
}
