/**
 * Per-CPU time series binned on the fly. Bins are 1 us x a power of two wide and double
 * (merging pairs) whenever the run outgrows `maxBins`, so the series never hold more than maxBins points
 * whatever the run length, and a short run still gets fine bins.
 */
import { MISS_CAUSES, type MissCause } from './config';

const MIN_BIN_NS = 1000;
export const MISS_INDEX: Record<MissCause, number> = { cold: 0, migration: 1, eviction: 2, capacity: 3, coherence: 4 };
const NCAUSES = MISS_CAUSES.length;

export class CpuSeries {
  binNs: number;
  /** Busy ns per bin, per CPU. */
  readonly busy: Float64Array[];
  /** Integral of queue length (ns x processes) per bin, per CPU. */
  readonly queueArea: Float64Array[];
  /** Misses per bin, per CPU, per cause: misses[cpu * NCAUSES + cause]. */
  readonly misses: Float64Array[];
  /** Per CPU and bin: Hz x ns (with a power model or DVFS), joules (power model), C x s (thermal model). Empty otherwise. */
  energy: Float64Array[] = [];
  frequencyArea: Float64Array[] = [];
  temperatureArea: Float64Array[] = [];

  /**
   * Bins start fine enough that a run ending at an eighth of `durationNs` still fills the
   * series, so a full-length run needs at most three merges.
   */
  constructor(
    readonly cpuCount: number,
    readonly maxBins: number,
    durationNs: number,
  ) {
    let bin = MIN_BIN_NS;
    while (bin * 2 * maxBins * 8 <= durationNs) bin *= 2;
    this.binNs = bin;
    this.busy = Array.from({ length: cpuCount }, () => new Float64Array(maxBins));
    this.queueArea = Array.from({ length: cpuCount }, () => new Float64Array(maxBins));
    this.misses = Array.from({ length: cpuCount * NCAUSES }, () => new Float64Array(maxBins));
  }

  /** Doubles the bin width until time `t` (exclusive end) fits. */
  private cover(t: number): void {
    while (t > this.binNs * this.maxBins) {
      for (const arr of this.busy) mergePairs(arr);
      for (const arr of this.queueArea) mergePairs(arr);
      for (const arr of this.misses) mergePairs(arr);
      for (const arr of this.energy) mergePairs(arr);
      for (const arr of this.frequencyArea) mergePairs(arr);
      for (const arr of this.temperatureArea) mergePairs(arr);
      this.binNs *= 2;
    }
  }

  /** Adds `amount` spread uniformly over [t0, t1) (a point amount at t0 when t1 <= t0). */
  private spread(arr: Float64Array, t0: number, t1: number, amount: number): void {
    const w = this.binNs;
    if (t1 <= t0) {
      arr[Math.min(this.maxBins - 1, Math.floor(t0 / w))]! += amount;
      return;
    }
    let b = Math.floor(t0 / w);
    const last = Math.min(this.maxBins - 1, Math.floor((t1 - 1) / w));
    if (b === last) {
      arr[b]! += amount;
      return;
    }
    const rate = amount / (t1 - t0);
    let start = t0;
    for (; b <= last; b++) {
      const end = Math.min(t1, (b + 1) * w);
      arr[b]! += rate * (end - start);
      start = end;
    }
  }

  addBusy(cpu: number, t0: number, t1: number): void {
    if (t1 <= t0) return;
    this.cover(t1);
    this.spread(this.busy[cpu]!, t0, t1, t1 - t0);
  }

  addQueue(cpu: number, t0: number, t1: number, length: number): void {
    if (t1 <= t0 || length === 0) return;
    this.cover(t1);
    this.spread(this.queueArea[cpu]!, t0, t1, length * (t1 - t0));
  }

  addMisses(cpu: number, cause: number, t0: number, t1: number, count: number): void {
    if (count === 0) return;
    this.cover(Math.max(t0 + 1, t1));
    this.spread(this.misses[cpu * NCAUSES + cause]!, t0, t1, count);
  }

  /** Allocates the frequency series, the power series (`power`) and the temperature series (`thermal`). */
  enableMachineSeries(power: boolean, thermal: boolean): void {
    const make = (): Float64Array[] => Array.from({ length: this.cpuCount }, () => new Float64Array(this.maxBins));
    this.frequencyArea = make();
    if (power) this.energy = make();
    if (thermal) this.temperatureArea = make();
  }

  /** `joules` spent over [t0, t1) (a lump at t0 when t1 <= t0). */
  addEnergy(cpu: number, t0: number, t1: number, joules: number): void {
    if (joules === 0) return;
    this.cover(Math.max(t0 + 1, t1));
    this.spread(this.energy[cpu]!, t0, t1, joules);
  }

  /** Makes the bins reach `t`; returns the bin width then (for callers that split an interval at bin edges). */
  widthCovering(t: number): number {
    if (t > this.binNs * this.maxBins) this.cover(t);
    return this.binNs;
  }

  /** Frequency x time (Hz x ns) over [t0, t1). */
  addFrequency(cpu: number, t0: number, t1: number, hzNs: number): void {
    if (t1 <= t0) return;
    this.cover(t1);
    this.spread(this.frequencyArea[cpu]!, t0, t1, hzNs);
  }

  /** Energy (J) and temperature x time (C x s) of one power interval [t0, t1), in one pass over its bins. */
  addEnergyAndTemperature(cpu: number, t0: number, t1: number, joules: number, cS: number): void {
    this.cover(t1);
    const w = this.binNs;
    const b = Math.floor(t0 / w);
    if (b === Math.min(this.maxBins - 1, Math.floor((t1 - 1) / w))) {
      this.energy[cpu]![b]! += joules;
      this.temperatureArea[cpu]![b]! += cS;
      return;
    }
    this.spread(this.energy[cpu]!, t0, t1, joules);
    this.spread(this.temperatureArea[cpu]!, t0, t1, cS);
  }

  /** Number of bins that cover [0, endNs). */
  binsFor(endNs: number): number {
    this.cover(Math.max(1, endNs));
    return Math.max(1, Math.ceil(endNs / this.binNs));
  }
}

function mergePairs(arr: Float64Array): void {
  const n = arr.length;
  const half = n >> 1;
  for (let i = 0; i < half; i++) arr[i] = arr[2 * i]! + arr[2 * i + 1]!;
  if (n % 2 === 1) {
    arr[half] = arr[n - 1]!;
    arr.fill(0, half + 1);
  } else arr.fill(0, half);
}
