/**
 * Power and energy (docs/model.md, Energy and DVFS). A core draws static (leakage) power while powered and
 * dynamic power C x V^2 x f x activity while it runs; an idle core sits in an idle state that
 * cuts its static power at the price of an exit latency and a transition energy; every line
 * fetched from DRAM costs a fixed energy.
 *
 * Power is constant between engine events (static power may follow temperature, whose integral
 * the thermal closed form gives), so energy is integrated exactly interval by interval, never
 * sampled. The meter keeps per-CPU energy (a CPU is a hardware thread: a core's static power is
 * split evenly among its threads) and adds each interval's energy to the process that ran.
 */
import type { IdleStateConfig } from './config';
import { SimConfigError } from './errors';
import type { ResolvedCoreType, ResolvedMachine } from './machine';
import type { CpuSeries } from './series';
import { onlySectionKeys, readNumber, type Section } from './spec';
import { thetaAfter, type ResolvedThermal } from './thermal';
import { array, optionalRecord, record, str } from './validate';

export interface ResolvedIdleState {
  name: string;
  powerFraction: number;
  exitNs: number;
  breakEvenNs: number;
}

/** The power figures of one core type. */
export interface TypePower {
  /** C in watts per (Hz x V^2): the device-tree uW/MHz/V^2 figure x 1e-12. */
  dynamicWPerHzV2: number;
  /** Static power of one core of this type at ambient temperature. */
  staticW: number;
}

export interface ResolvedPower {
  /** Indexed like the machine's core types. */
  types: TypePower[];
  staticPerK: number;
  /** Sorted by break-even time, shallowest first. */
  idleStates: ResolvedIdleState[];
  dramAccessJ: number;
  stallActivity: number;
}

/**
 * Default idle states: break-even 0.1 / 2 / 10 ms at 0.5 / 0.1 / 0 of static power (the
 * simso-energy figures in docs/model.md, Energy and DVFS); exit latencies are estimates of the C1/C3/C6 class.
 */
const DEFAULT_IDLE_STATES: ResolvedIdleState[] = [
  { name: 'C1', powerFraction: 0.5, exitNs: 2_000, breakEvenNs: 100_000 },
  { name: 'C3', powerFraction: 0.1, exitNs: 50_000, breakEvenNs: 2_000_000 },
  { name: 'C6', powerFraction: 0, exitNs: 150_000, breakEvenNs: 10_000_000 },
];

export const IDLE_STATE = {
  name: { kind: 'name', doc: 'Name of the idle state, e.g. C1.', defaultText: 'C1, C2...' },
  powerFraction: {
    kind: 'number',
    unit: 'fraction',
    lab: 'power',
    min: 0,
    max: 1,
    required: true,
    doc: 'Power of a core in this state as a fraction of its static power.',
  },
  exitNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'exit',
    integer: true,
    min: 0,
    required: true,
    doc: 'Time to wake from this state before the core runs again.',
  },
  breakEvenNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'breakEven',
    min: 0,
    required: true,
    doc: 'Shortest stay for which entering the state saves energy (its transition energy is this x the power saved).',
  },
} satisfies Section;

export const POWER = {
  dynamicCoefficient: {
    kind: 'number',
    unit: 'number',
    min: 0,
    default: 436,
    doc: 'Switched capacitance C in P = C V^2 f, in uW/MHz/V^2 as device trees give it (Cortex-A72: 436).',
    source: 'Cortex-A72 in Linux device trees (A53 84-120, A73 211); 2.0 W at 3.2 GHz / 1.2 V',
  },
  staticW: {
    kind: 'number',
    unit: 'W',
    lab: 'static',
    min: 0,
    default: 0.3,
    doc: 'Static (leakage) power per core while powered, at ambient temperature.',
    source: 'HotSniper, 14 nm: 0.27 W at 1 GHz',
  },
  staticPerK: {
    kind: 'number',
    unit: 'number',
    lab: 'staticPerKelvin',
    min: 0,
    default: 0,
    doc: 'Relative rise of static power per kelvin above ambient (0.01 = 1 % per K); needs thermal, and staticPerK x static x resistance must stay below 1.',
    source: 'off by default',
  },
  idleStates: {
    kind: 'list',
    items: { kind: 'section', keys: IDLE_STATE, doc: 'One idle state.' },
    doc: 'Idle states (C-states); an idle core enters the deepest one whose break-even its last idle period would have covered. An empty list keeps idle cores at full static power.',
    defaultText: 'C1 50%/2us/100us, C3 10%/50us/2ms, C6 0%/150us/10ms',
    source: 'power fractions and break-evens from the simso-energy figures; exit latencies are estimates',
  },
  dramAccessJ: {
    kind: 'number',
    unit: 'J',
    lab: 'dramAccess',
    min: 0,
    default: 20e-9,
    doc: 'Energy of one cache line fetched from DRAM.',
    source: 'estimate: ~40 pJ/bit with I/O',
  },
  stallActivity: {
    kind: 'number',
    unit: 'fraction',
    min: 0,
    max: 1,
    default: 0.3,
    doc: 'Dynamic power of a core stalled on memory, as a fraction of its power while computing.',
    source: 'estimate',
  },
} satisfies Section;

function resolveIdleStates(value: unknown, path: string): ResolvedIdleState[] {
  if (value === undefined) return DEFAULT_IDLE_STATES.map((s) => ({ ...s }));
  return array(value, path)
    .map((item, i) => {
      const p = `${path}[${i}]`;
      const s = record(item, p) as Record<string, unknown> & Partial<IdleStateConfig>;
      onlySectionKeys(s, p, IDLE_STATE);
      return {
        name: s.name === undefined ? `C${i + 1}` : str(s.name, `${p}.name`),
        powerFraction: readNumber(IDLE_STATE.powerFraction, s.powerFraction, `${p}.powerFraction`),
        exitNs: readNumber(IDLE_STATE.exitNs, s.exitNs, `${p}.exitNs`),
        breakEvenNs: readNumber(IDLE_STATE.breakEvenNs, s.breakEvenNs, `${p}.breakEvenNs`),
      };
    })
    .sort((a, b) => a.breakEvenNs - b.breakEvenNs);
}

/**
 * Checks a machine's `power` section. Absent: null, unless a thermal model needs power to heat
 * (then every default applies).
 */
export function resolvePower(
  value: unknown,
  path: string,
  thermal: ResolvedThermal | null,
  coreTypes: readonly ResolvedCoreType[],
): ResolvedPower | null {
  // Without a power model a core type's power figures (a preset's, say) are simply unused.
  if (value === undefined && thermal === null) return null;
  const p = optionalRecord(value, path);
  onlySectionKeys(p, path, POWER);
  const staticW = readNumber(POWER.staticW, p.staticW, `${path}.staticW`);
  const coefficient = readNumber(POWER.dynamicCoefficient, p.dynamicCoefficient, `${path}.dynamicCoefficient`);
  const types = coreTypes.map((t) => ({
    dynamicWPerHzV2: (t.dynamicCoefficient ?? coefficient) * 1e-12,
    staticW: t.staticW ?? staticW,
  }));
  const hottestStatic = Math.max(...types.map((t) => t.staticW));
  const staticPerK = readNumber(POWER.staticPerK, p.staticPerK, `${path}.staticPerK`);
  if (staticPerK > 0 && thermal === null) {
    throw new SimConfigError(
      `${path}.staticPerK`,
      'static power can follow temperature only with a thermal model (machine.thermal)',
    );
  }
  // Leakage rising with temperature must not outrun cooling, or the core would heat without bound.
  if (thermal !== null && staticPerK * hottestStatic * thermal.resistanceKPerW >= 1) {
    throw new SimConfigError(
      `${path}.staticPerK`,
      `thermal runaway: staticPerK x staticW x thermal resistance must be below 1 (is ${staticPerK * hottestStatic * thermal.resistanceKPerW})`,
    );
  }
  return {
    types,
    staticPerK,
    idleStates: resolveIdleStates(p.idleStates, `${path}.idleStates`),
    dramAccessJ: readNumber(POWER.dramAccessJ, p.dramAccessJ, `${path}.dramAccessJ`),
    stallActivity: readNumber(POWER.stallActivity, p.stallActivity, `${path}.stallActivity`),
  };
}

/** Dynamic power of one fully active thread of core type `type` at P-state (f, V). */
export function dynamicPowerW(power: ResolvedPower, type: number, freqHz: number, voltV: number): number {
  return power.types[type]!.dynamicWPerHzV2 * voltV * voltV * freqHz;
}

/**
 * exp(x) - 1: a Taylor polynomial where it is exact to double precision (|x| < 0.02: the next
 * term is below 3e-16 relative), Math.expm1 elsewhere. Intervals between events are mostly far
 * shorter than a thermal time constant, and this is on the per-event path.
 */
function expm1(x: number): number {
  if (x > -0.02 && x < 0.02) return x * (1 + x * (1 / 2 + x * (1 / 6 + x * (1 / 24 + x * (1 / 120 + x * (1 / 720))))));
  return Math.expm1(x);
}

const IDLE = -1;
const OFF = -2;

/** Something energy can be attributed to (the engine's process record). */
export interface EnergyConsumer {
  energyJ: number;
}

/**
 * Per-CPU power state and energy integration. The engine changes what a core does, then calls
 * touch(core) (closes the interval at the old power) and refresh(core) (takes the new power).
 */
export class EnergyMeter {
  /** Core energy per CPU so far (DRAM energy is kept apart). */
  readonly energyJ: Float64Array;
  /** Per CPU: dynamic-power activity of its current run (read while it runs), kept by the engine when it plans the run. */
  readonly activity: Float64Array;
  /** Per CPU: 1 while the CPU is switched off (failed). */
  readonly off: Uint8Array;
  private readonly dynW: Float64Array;
  /** Static power of the thread at ambient (idle state and power-off applied). */
  private readonly staticW: Float64Array;
  /** Process slot whose run the current interval belongs to; IDLE or OFF otherwise. */
  private readonly occupant: Int32Array;
  private readonly idleState: Int32Array;
  private readonly idleSinceNs: Float64Array;
  /** Length of the CPU's last idle period: the idle governor's guess for the next one. */
  private readonly lastIdleNs: Float64Array;
  /** Per CPU: dynamic power when fully active at its current P-state (see operatingPointChanged). */
  private readonly dynFullW: Float64Array;
  /** Fraction of static power in each idle state; break-even times in the same order. */
  private readonly idleFraction: Float64Array;
  private readonly breakEvenNs: Float64Array;
  // Per core.
  private readonly sinceNs: Float64Array;
  /** Temperature above ambient at sinceNs. */
  readonly theta: Float64Array;
  /** Per core: power at ambient (A) and g = 1/R - dP/dT of its heat equation now. */
  readonly heatA: Float64Array;
  readonly heatG: Float64Array;
  dramJ = 0;
  transitionJ = 0;
  /** Highest temperature above ambient reached by any core, and the time integral over all cores. */
  peakTheta = 0;
  thetaAreaKS = 0;
  /** The highest temperature above ambient from `watchFromNs` on (an observation window's start; window.ts). */
  watchFromNs = Infinity;
  peakThetaWatched = 0;
  private readonly smt: number;
  /** Per CPU: its share of its core's static power (the core type's, split among its threads). */
  private readonly staticPerThread: Float64Array;
  private readonly gBase: number;

  constructor(
    /** The engine's clock (read, not passed: times beyond 2^31 ns would be boxed on every call). */
    private readonly clock: { readonly now: number },
    private readonly m: ResolvedMachine,
    readonly power: ResolvedPower,
    readonly thermal: ResolvedThermal | null,
    private readonly series: CpuSeries,
    private readonly running: Int32Array,
    private readonly procs: readonly EnergyConsumer[],
    private readonly pstate: Int32Array,
  ) {
    const n = m.cpuCount;
    this.smt = m.smt;
    this.staticPerThread = Float64Array.from(m.cpuType, (type) => power.types[type]!.staticW / m.smt);
    this.gBase = thermal === null ? 1 : 1 / thermal.resistanceKPerW;
    this.energyJ = new Float64Array(n);
    this.activity = new Float64Array(n);
    this.off = new Uint8Array(n);
    this.dynW = new Float64Array(n);
    this.staticW = new Float64Array(n);
    this.occupant = new Int32Array(n).fill(OFF);
    this.idleState = new Int32Array(n).fill(-1);
    this.idleSinceNs = new Float64Array(n);
    this.lastIdleNs = new Float64Array(n).fill(Infinity);
    this.dynFullW = new Float64Array(n);
    this.idleFraction = Float64Array.from(power.idleStates, (s) => s.powerFraction);
    this.breakEvenNs = Float64Array.from(power.idleStates, (s) => s.breakEvenNs);
    for (let cpu = 0; cpu < n; cpu++) this.operatingPointChanged(cpu);
    this.sinceNs = new Float64Array(m.coreCount);
    this.theta = new Float64Array(m.coreCount);
    this.heatA = new Float64Array(m.coreCount);
    this.heatG = new Float64Array(m.coreCount).fill(this.gBase);
    for (let core = 0; core < m.coreCount; core++) this.refresh(core);
  }

  /** The idle governor picks the deepest state whose break-even time the last idle period would have covered. */
  private enterIdle(cpu: number): void {
    const breakEven = this.breakEvenNs;
    const guess = this.lastIdleNs[cpu]!;
    let chosen = -1;
    while (chosen + 1 < breakEven.length && breakEven[chosen + 1]! <= guess) chosen++;
    this.idleState[cpu] = chosen;
    this.idleSinceNs[cpu] = this.clock.now;
  }

  /**
   * `cpu` starts running: ends its idle period. Returns the exit latency to add to the dispatch
   * and books the state's transition energy (break-even x power saved per second in the state).
   */
  wake(cpu: number): number {
    if (this.occupant[cpu] !== IDLE) return 0;
    const now = this.clock.now;
    const idleNs = now - this.idleSinceNs[cpu]!;
    if (idleNs <= 0) return 0;
    this.lastIdleNs[cpu] = idleNs;
    const state = this.idleState[cpu]!;
    if (state < 0) return 0;
    const s = this.power.idleStates[state]!;
    const joules = s.breakEvenNs * 1e-9 * this.staticPerThread[cpu]! * (1 - s.powerFraction);
    if (joules > 0) {
      this.energyJ[cpu]! += joules;
      this.transitionJ += joules;
      this.series.addEnergy(cpu, now, now, joules);
    }
    return s.exitNs;
  }

  /** Books `lines` fetched from DRAM by process `slot` running on `cpu`. */
  dram(slot: number, lines: number): void {
    const joules = lines * this.power.dramAccessJ;
    this.dramJ += joules;
    this.procs[slot]!.energyJ += joules;
  }

  /**
   * Integrates `core`'s energy and temperature from its last change up to now at the power set
   * then. The interval is split at bin edges (it mostly lies in one bin), so each bin of the
   * power and temperature series gets its exact share: temperature is not linear in time.
   */
  touch(core: number): void {
    const now = this.clock.now;
    const since = this.sinceNs[core]!;
    if (now <= since) return;
    const width = this.series.widthCovering(now);
    let bin = Math.floor(since / width);
    let start = since;
    while (now > (bin + 1) * width) {
      const end = (bin + 1) * width;
      this.piece(core, bin, end - start, end);
      start = end;
      bin++;
    }
    this.piece(core, bin, now - start, now);
    this.sinceNs[core] = now;
  }

  /** Books `dt` ns of `core` (within series bin `bin`, ending at `endNs`) at its current power, advancing its temperature. */
  private piece(core: number, bin: number, dt: number, endNs: number): void {
    const dtS = dt * 1e-9;
    const th = this.thermal;
    let integral = 0;
    let temperatureCS = 0;
    if (th !== null) {
      const g = this.heatG[core]!;
      const inf = this.heatA[core]! / g;
      const tau = th.capacitanceJPerK / g;
      const theta = this.theta[core]!;
      // The closed forms of thermal.ts (thetaAfter, thetaIntegral) sharing one expm1.
      const m = expm1(-dtS / tau);
      integral = inf * dtS - (theta - inf) * tau * m;
      temperatureCS = th.ambientC * dtS + integral;
      const after = inf + (theta - inf) * (1 + m);
      this.theta[core] = after;
      this.thetaAreaKS += integral;
      if (after > this.peakTheta) this.peakTheta = after;
      // Between touches the temperature moves monotonically, so a piece's end is its highest point after its start.
      if (endNs >= this.watchFromNs && after > this.peakThetaWatched) this.peakThetaWatched = after;
    }
    const k = this.power.staticPerK;
    const series = this.series;
    const first = core * this.smt;
    for (let cpu = first; cpu < first + this.smt; cpu++) {
      const st = this.staticW[cpu]!;
      const joules = (this.dynW[cpu]! + st) * dtS + st * k * integral;
      this.energyJ[cpu]! += joules;
      const occ = this.occupant[cpu]!;
      if (occ >= 0) this.procs[occ]!.energyJ += joules;
      series.energy[cpu]![bin]! += joules;
      if (th !== null) series.temperatureArea[cpu]![bin]! += temperatureCS;
    }
  }

  /** `cpu`'s P-state changed (after touch; before refresh). */
  operatingPointChanged(cpu: number): void {
    const ps = this.m.coreTypes[this.m.cpuType[cpu]!]!.pstates[this.pstate[cpu]!]!;
    this.dynFullW[cpu] = dynamicPowerW(this.power, this.m.cpuType[cpu]!, ps.freqHz, ps.voltV);
  }

  /** Takes `core`'s new state (running, activity, P-state, power-off) after touch(core). */
  refresh(core: number): void {
    const first = core * this.smt;
    let a = 0;
    let staticSum = 0;
    for (let cpu = first; cpu < first + this.smt; cpu++) {
      const slot = this.running[cpu]!;
      if (this.off[cpu] === 1) {
        this.dynW[cpu] = 0;
        this.staticW[cpu] = 0;
        this.occupant[cpu] = OFF;
        continue;
      }
      if (slot < 0 && this.occupant[cpu] !== IDLE) this.enterIdle(cpu);
      this.occupant[cpu] = slot < 0 ? IDLE : slot;
      this.dynW[cpu] = slot < 0 ? 0 : this.dynFullW[cpu]! * this.activity[cpu]!;
      const state = this.idleState[cpu]!;
      this.staticW[cpu] = this.staticPerThread[cpu]! * (slot < 0 && state >= 0 ? this.idleFraction[state]! : 1);
      a += this.dynW[cpu]! + this.staticW[cpu]!;
      staticSum += this.staticW[cpu]!;
    }
    this.heatA[core] = a;
    this.heatG[core] = this.gBase - this.power.staticPerK * staticSum;
  }

  /** Temperature of `core` now (closed form from its last change), in degrees Celsius. */
  temperatureC(core: number): number {
    const now = this.clock.now;
    const th = this.thermal;
    if (th === null) return NaN;
    const dtS = (now - this.sinceNs[core]!) * 1e-9;
    return (
      th.ambientC +
      (dtS > 0
        ? thetaAfter(this.theta[core]!, this.heatA[core]!, this.heatG[core]!, th.capacitanceJPerK, dtS)
        : this.theta[core]!)
    );
  }

  /** Steady-state temperature above ambient `core` would settle at with every thread at P-state `index` (activities unchanged). */
  steadyThetaAt(core: number, index: number): number {
    const first = core * this.smt;
    let a = 0;
    for (let cpu = first; cpu < first + this.smt; cpu++) {
      if (this.off[cpu] === 1) continue;
      const type = this.m.coreTypes[this.m.cpuType[cpu]!]!;
      const ps = type.pstates[Math.min(index, type.pstates.length - 1)]!;
      const dyn =
        this.occupant[cpu]! >= 0
          ? dynamicPowerW(this.power, this.m.cpuType[cpu]!, ps.freqHz, ps.voltV) * this.activity[cpu]!
          : 0;
      a += dyn + this.staticW[cpu]!;
    }
    return a / this.heatG[core]!;
  }
}
