/**
 * A count per CPU that changes by one at a time (its load: processes running, waiting or in
 * transit to it; or its queue length) with an index of the CPUs by count, so placement and
 * balancing find the least-loaded CPU, the next idle one or the longest queue without reading
 * every CPU: for each count value a bitset of the CPUs that have it. A change moves one bit; a
 * query walks the values from the wanted end and each bitset from its lowest CPU, so it stops at
 * the first CPU it accepts. On a large machine most CPUs sit at a handful of values, so a query
 * reads a few words where a scan read a thousand counts. The index is built at the first query
 * and kept from then on: a run whose policy never asks (global EDF) pays only for the counts,
 * which are on its hottest path. Beside it, the sum of the counts of each 32 CPUs (one bitset
 * word), so the total of a range of CPUs (a socket, a core) reads a word sum per 32 CPUs.
 */
export class CpuCounts {
  /** Count of each CPU (read it here; change it with add). */
  readonly of: Int32Array;
  /** 32-bit words per bitset. */
  private readonly words: number;
  /** The bitset of value v is bits[v * words, (v + 1) * words). */
  private bits: Int32Array;
  /** CPUs per value. */
  private counts: Int32Array;
  /** Sum of the counts of CPUs [32 w, 32 w + 32) (kept with the index). */
  private wordSums: Int32Array;
  /** The smallest and the largest value some CPU has (kept exactly: a count moves by one). */
  private bottom = 0;
  private top = 0;
  /** The index (bits, counts, bottom, top) has been built and is kept. */
  private indexed = false;

  constructor(readonly cpuCount: number) {
    this.of = new Int32Array(cpuCount);
    this.words = (cpuCount + 31) >> 5;
    this.bits = new Int32Array(0);
    this.counts = new Int32Array(0);
    this.wordSums = new Int32Array(0);
  }

  /** Adds `delta` (+1 or -1) to `cpu`'s count, which never goes below 0. */
  add(cpu: number, delta: 1 | -1): void {
    const from = this.of[cpu]!;
    const to = from + delta;
    this.of[cpu] = to;
    if (this.indexed) {
      this.move(cpu, from, to);
      this.wordSums[cpu >> 5]! += delta;
    }
  }

  /** Builds the index from the counts as they are. */
  private index(): void {
    this.indexed = true;
    let top = 0;
    let bottom = Infinity;
    for (const v of this.of) {
      top = Math.max(top, v);
      bottom = Math.min(bottom, v);
    }
    this.top = top;
    this.bottom = this.cpuCount === 0 ? 0 : bottom;
    const values = Math.max(8, top + 1);
    this.bits = new Int32Array(values * this.words);
    this.counts = new Int32Array(values);
    this.wordSums = new Int32Array(this.words);
    this.of.forEach((v, cpu) => {
      this.bits[v * this.words + (cpu >> 5)]! |= 1 << (cpu & 31);
      this.counts[v]!++;
      this.wordSums[cpu >> 5]! += v;
    });
  }

  /** `cpu`'s count went from `from` to `to` (one apart): its bit moves, the ends follow. */
  private move(cpu: number, from: number, to: number): void {
    if (to >= this.counts.length) this.grow(to + 1);
    const w = cpu >> 5;
    const bit = 1 << (cpu & 31);
    this.bits[from * this.words + w]! &= ~bit;
    this.bits[to * this.words + w]! |= bit;
    const left = --this.counts[from]!;
    this.counts[to]!++;
    // The CPU that left an end value is now next to it: if it was the last one there, the end moves with it.
    if (to > this.top || (left === 0 && from === this.top)) this.top = to;
    if (to < this.bottom || (left === 0 && from === this.bottom)) this.bottom = to;
  }

  /**
   * The CPU with the smallest count among those `accept` admits, the lowest-numbered on ties
   * (what a scan of CPUs 0, 1, ... keeping the first strictly smaller count finds); -1 if none.
   */
  lowest(accept: (cpu: number) => boolean): number {
    if (!this.indexed) this.index();
    for (let value = this.bottom; value <= this.top; value++) {
      if (this.counts[value] === 0) continue;
      const cpu = this.firstIn(value, 0, this.cpuCount, accept);
      if (cpu >= 0) return cpu;
    }
    return -1;
  }

  /**
   * The CPU with the largest count, at least `atLeast`, among those `accept` admits, the
   * lowest-numbered on ties (what a scan keeping the first strictly larger count finds); -1 if none.
   */
  highest(atLeast: number, accept: (cpu: number) => boolean): number {
    if (!this.indexed) this.index();
    for (let value = this.top; value >= Math.max(this.bottom, atLeast); value--) {
      if (this.counts[value] === 0) continue;
      const cpu = this.firstIn(value, 0, this.cpuCount, accept);
      if (cpu >= 0) return cpu;
    }
    return -1;
  }

  /**
   * The first CPU with count `value` that `accept` admits, in the order start, start + 1, ...,
   * wrapping around after the last CPU; -1 if none.
   */
  nextAt(value: number, start: number, accept: (cpu: number) => boolean): number {
    if (!this.indexed) this.index();
    if (value < this.bottom || value > this.top || this.counts[value] === 0) return -1;
    const found = this.firstIn(value, start, this.cpuCount, accept);
    return found >= 0 ? found : this.firstIn(value, 0, start, accept);
  }

  /** The lowest CPU in [lo, hi) with count `value` that `accept` admits, in the order lo, lo + 1, ...; -1 if none. */
  firstAt(value: number, lo: number, hi: number, accept: (cpu: number) => boolean): number {
    if (!this.indexed) this.index();
    if (value < this.bottom || value > this.top || this.counts[value] === 0) return -1;
    return this.firstIn(value, Math.max(0, lo), Math.min(hi, this.cpuCount), accept);
  }

  /** The sum of the counts of CPUs [lo, hi): the counts at its ends, a word sum per 32 CPUs between. */
  sum(lo: number, hi: number): number {
    if (!this.indexed) this.index();
    let total = 0;
    let cpu = Math.max(0, lo);
    const end = Math.min(hi, this.cpuCount);
    for (; cpu < end && (cpu & 31) !== 0; cpu++) total += this.of[cpu]!;
    for (; cpu + 32 <= end; cpu += 32) total += this.wordSums[cpu >> 5]!;
    for (; cpu < end; cpu++) total += this.of[cpu]!;
    return total;
  }

  /** The lowest CPU in [lo, hi) with count `value` that `accept` admits; -1 if none. */
  private firstIn(value: number, lo: number, hi: number, accept: (cpu: number) => boolean): number {
    const base = value * this.words;
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

  /** Room for values below `size` (at least doubling). */
  private grow(size: number): void {
    const values = Math.max(size, this.counts.length * 2);
    const bits = new Int32Array(values * this.words);
    bits.set(this.bits);
    const counts = new Int32Array(values);
    counts.set(this.counts);
    this.bits = bits;
    this.counts = counts;
  }
}
