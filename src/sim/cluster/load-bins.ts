// A host's load over a run in a fixed number of time bins: what the host-load heat map draws.
// The bins are fixed when the run starts (its duration over LOAD_BINS), so a host's series is
// LOAD_BINS numbers however long the run: memory stays flat as simulated time grows.

/** Bins per host over the whole run. */
export const LOAD_BINS = 120;

/** How long each of a run's LOAD_BINS bins is (the last one may end after the run). */
export const binNsOf = (durationNs: number): number => Math.max(1, Math.ceil(durationNs / LOAD_BINS));

export class LoadBins {
  readonly binNs: number;
  /** Per bin: demand x time (core-ns) while on, and time on (ns). */
  private readonly demandNs: Float64Array;
  private readonly onNs: Float64Array;

  constructor(durationNs: number) {
    this.binNs = binNsOf(durationNs);
    this.demandNs = new Float64Array(LOAD_BINS);
    this.onNs = new Float64Array(LOAD_BINS);
  }

  /** The host was on over [fromNs, toNs) with `demand` cores' worth of vCPU demand. */
  add(fromNs: number, toNs: number, demand: number): void {
    for (let b = Math.floor(fromNs / this.binNs); b < LOAD_BINS && b * this.binNs < toNs; b++) {
      const overlap = Math.min(toNs, (b + 1) * this.binNs) - Math.max(fromNs, b * this.binNs);
      if (overlap <= 0) continue;
      this.onNs[b]! += overlap;
      this.demandNs[b]! += demand * overlap;
    }
  }

  /**
   * Per bin up to `endNs`: the mean demand over the host's cores while it was on (above 1 when
   * overcommitted VMs want more than its cores), and the share of the bin it was on; a bin the
   * host was off throughout has load 0 and on 0.
   */
  series(endNs: number, cores: number): { atS: number; load: number; on: number }[] {
    const out: { atS: number; load: number; on: number }[] = [];
    for (let b = 0; b < LOAD_BINS && b * this.binNs < endNs; b++) {
      const width = Math.min(endNs, (b + 1) * this.binNs) - b * this.binNs;
      const on = this.onNs[b]!;
      out.push({ atS: (b * this.binNs) / 1e9, load: on > 0 ? this.demandNs[b]! / on / cores : 0, on: on / width });
    }
    return out;
  }
}
