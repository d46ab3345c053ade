/**
 * Per-CPU load (processes running, waiting, or in transit to the CPU) with an index of the CPUs
 * by load, so that placement finds the least-loaded CPU without reading every CPU's load: for
 * each load value a bitset of the CPUs that have it. A load changes by one at a time, which moves
 * one bit; a query walks the loads upwards and each bitset from its lowest CPU, so it stops at the
 * first CPU it accepts. On a large machine most CPUs sit at the lowest one or two loads, so a
 * query reads a few words where a scan read a thousand loads.
 */
export class CpuLoads {
  /** Load of each CPU (read it here; change it with add). */
  readonly of: Int32Array;
  /** 32-bit words per bitset. */
  private readonly words: number;
  /** The bitset of load L is bits[L * words, (L + 1) * words). */
  private bits: Int32Array;
  /** CPUs per load value. */
  private counts: Int32Array;

  constructor(readonly cpuCount: number) {
    this.of = new Int32Array(cpuCount);
    this.words = (cpuCount + 31) >> 5;
    this.bits = new Int32Array(this.words * 8);
    this.counts = new Int32Array(8);
    for (let cpu = 0; cpu < cpuCount; cpu++) this.bits[cpu >> 5]! |= 1 << (cpu & 31);
    this.counts[0] = cpuCount;
  }

  /** Adds `delta` (+1 or -1) to `cpu`'s load. */
  add(cpu: number, delta: 1 | -1): void {
    const from = this.of[cpu]!;
    const to = from + delta;
    this.of[cpu] = to;
    if (to >= this.counts.length) this.grow(to + 1);
    const w = cpu >> 5;
    const bit = 1 << (cpu & 31);
    this.bits[from * this.words + w]! &= ~bit;
    this.bits[to * this.words + w]! |= bit;
    this.counts[from]!--;
    this.counts[to]!++;
  }

  /**
   * The CPU with the smallest load among those `accept` admits, the lowest-numbered on ties
   * (exactly what a scan of CPUs 0, 1, ... keeping the first strictly smaller load finds); -1
   * if it admits none.
   */
  leastLoaded(accept: (cpu: number) => boolean): number {
    const { bits, counts, words } = this;
    for (let load = 0; load < counts.length; load++) {
      if (counts[load] === 0) continue;
      const base = load * words;
      for (let w = 0; w < words; w++) {
        let word = bits[base + w]!;
        while (word !== 0) {
          const cpu = (w << 5) + (31 - Math.clz32(word & -word));
          if (accept(cpu)) return cpu;
          word &= word - 1;
        }
      }
    }
    return -1;
  }

  /**
   * The first CPU with load `load` that `accept` admits, in the order start, start + 1, ...,
   * wrapping around after the last CPU; -1 if none.
   */
  nextAtLoad(load: number, start: number, accept: (cpu: number) => boolean): number {
    if (load >= this.counts.length || this.counts[load] === 0) return -1;
    const found = this.firstIn(load, start, this.cpuCount, accept);
    return found >= 0 ? found : this.firstIn(load, 0, start, accept);
  }

  /** The lowest CPU in [lo, hi) with load `load` that `accept` admits; -1 if none. */
  private firstIn(load: number, lo: number, hi: number, accept: (cpu: number) => boolean): number {
    const base = load * this.words;
    for (let w = lo >> 5; w << 5 < hi; w++) {
      let word = this.bits[base + w]!;
      // Only the bits of CPUs in [lo, hi).
      if (w << 5 < lo) word &= -1 << (lo & 31);
      if ((w + 1) << 5 > hi) word &= ~(-1 << (hi & 31));
      while (word !== 0) {
        const cpu = (w << 5) + (31 - Math.clz32(word & -word));
        if (accept(cpu)) return cpu;
        word &= word - 1;
      }
    }
    return -1;
  }

  /** Room for loads below `size` (at least doubling). */
  private grow(size: number): void {
    const loads = Math.max(size, this.counts.length * 2);
    const bits = new Int32Array(loads * this.words);
    bits.set(this.bits);
    const counts = new Int32Array(loads);
    counts.set(this.counts);
    this.bits = bits;
    this.counts = counts;
  }
}
