/**
 * The smallest vruntime among the running processes, as `fair`'s global queue needs it for its
 * min_vruntime at every stop and placement, without reading every CPU. A running process's
 * vruntime now is v + (now - start) x 1024 / weight: a line in time whose slope depends only on
 * its weight, so among processes of one weight the order never changes. Each weight keeps a
 * min-heap of its CPUs by the line's intercept v - start x 1024 / weight.
 *
 * The result is the minimum a scan of every CPU finds with the engine's expression, to the bit:
 * - for a weight that is a power of two (1024, nice 0, among them) (now - start) x 1024 / weight
 *   is exact, so the engine's vruntime is one rounding of the exact line, and rounding keeps
 *   order: the CPU with the least exact intercept has the least vruntime. The intercept is kept
 *   exactly, as an unevaluated sum of two doubles (TwoSum), so the heap's top is that CPU, even
 *   among the many a tie gives (CFS starts new processes at exactly the minimum);
 * - for other weights the engine's value carries two roundings, so every CPU whose intercept is
 *   within a bound of rounding error of the least is evaluated.
 */

/** Relative slack of the candidate search: far above the few roundings an intercept and a vruntime carry (2^-52 each). */
const SLACK = 2 ** -40;

class WeightHeap {
  /** CPUs in heap order by key: the intercept as hi + lo (hi its rounding, lo the exact rest). */
  readonly cpus: number[] = [];
  readonly keys: number[] = [];
  readonly rests: number[] = [];
  /** (now - start) x 1024 / weight is exact: the top alone is the least. */
  readonly exact: boolean;

  constructor(readonly weight: number) {
    this.exact = weight > 0 && 2 ** Math.round(Math.log2(weight)) === weight;
  }

  /** Entry a's key is below entry b's. */
  below(a: number, b: number): boolean {
    return this.keys[a]! < this.keys[b]! || (this.keys[a] === this.keys[b] && this.rests[a]! < this.rests[b]!);
  }
}

export class RunningVruntimes {
  private readonly heaps: WeightHeap[] = [];
  /** Per CPU: the heap holding it (index into heaps; -1 when it runs nothing) and its position there. */
  private readonly heapOf: Int32Array;
  private readonly pos: Int32Array;
  /** The largest |vruntime| and |start x 1024 / weight| set so far: bounds the rounding error of every key. */
  private magnitude = 0;

  constructor(cpuCount: number) {
    this.heapOf = new Int32Array(cpuCount).fill(-1);
    this.pos = new Int32Array(cpuCount);
  }

  /** `cpu` runs a process of `weight` whose vruntime was `vruntime` at `startNs` (a dispatch, or an accounting). */
  set(cpu: number, vruntime: number, startNs: number, weight: number): void {
    // The exact intercept vruntime - offset as key + rest (TwoSum); offset is exact for the
    // power-of-two weights, whose order is all that has to be exact.
    const offset = (startNs * 1024) / weight;
    const key = vruntime - offset;
    const virtualV = key + offset;
    const rest = vruntime - virtualV + (-offset - (key - virtualV));
    this.magnitude = Math.max(this.magnitude, Math.abs(vruntime), Math.abs(offset));
    let h = this.heapOf[cpu]!;
    if (h >= 0 && this.heaps[h]!.weight !== weight) {
      this.clear(cpu);
      h = -1;
    }
    if (h < 0) {
      h = this.heaps.findIndex((x) => x.weight === weight);
      if (h < 0) h = this.heaps.push(new WeightHeap(weight)) - 1;
      const heap = this.heaps[h]!;
      this.heapOf[cpu] = h;
      this.pos[cpu] = heap.cpus.length;
      heap.cpus.push(cpu);
      heap.keys.push(key);
      heap.rests.push(rest);
      this.up(heap, heap.cpus.length - 1);
      return;
    }
    const heap = this.heaps[h]!;
    const i = this.pos[cpu]!;
    heap.keys[i] = key;
    heap.rests[i] = rest;
    this.up(heap, i);
    this.down(heap, this.pos[cpu]!);
  }

  /** `cpu` runs nothing now. */
  clear(cpu: number): void {
    const h = this.heapOf[cpu]!;
    if (h < 0) return;
    const heap = this.heaps[h]!;
    const i = this.pos[cpu]!;
    const last = heap.cpus.length - 1;
    this.heapOf[cpu] = -1;
    if (i !== last) {
      heap.cpus[i] = heap.cpus[last]!;
      heap.keys[i] = heap.keys[last]!;
      heap.rests[i] = heap.rests[last]!;
      this.pos[heap.cpus[i]!] = i;
    }
    heap.cpus.pop();
    heap.keys.pop();
    heap.rests.pop();
    if (i < heap.cpus.length) {
      const moved = heap.cpus[i]!;
      this.up(heap, i);
      this.down(heap, this.pos[moved]!);
    }
  }

  /**
   * The smallest `vruntimeNow(cpu)` over the CPUs running something (Infinity if none), asking
   * only the CPUs whose key is within the rounding bound of their heap's least.
   */
  least(nowNs: number, vruntimeNow: (cpu: number) => number): number {
    let least = Infinity;
    for (const heap of this.heaps) {
      if (heap.cpus.length === 0) continue;
      if (heap.exact) {
        least = Math.min(least, vruntimeNow(heap.cpus[0]!));
        continue;
      }
      const tolerance = SLACK * (this.magnitude + (Math.abs(nowNs) * 1024) / heap.weight + Math.abs(heap.keys[0]!));
      least = Math.min(least, this.within(heap, 0, heap.keys[0]! + tolerance, vruntimeNow));
    }
    return least;
  }

  /** The smallest vruntimeNow over heap entry `i` and its descendants whose key is at most `limit`. */
  private within(heap: WeightHeap, i: number, limit: number, vruntimeNow: (cpu: number) => number): number {
    if (i >= heap.cpus.length || heap.keys[i]! > limit) return Infinity;
    return Math.min(
      vruntimeNow(heap.cpus[i]!),
      this.within(heap, 2 * i + 1, limit, vruntimeNow),
      this.within(heap, 2 * i + 2, limit, vruntimeNow),
    );
  }

  private up(heap: WeightHeap, i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!heap.below(i, parent)) return;
      this.swap(heap, i, parent);
      i = parent;
    }
  }

  private down(heap: WeightHeap, i: number): void {
    const n = heap.cpus.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && heap.below(l, m)) m = l;
      if (r < n && heap.below(r, m)) m = r;
      if (m === i) return;
      this.swap(heap, i, m);
      i = m;
    }
  }

  private swap(heap: WeightHeap, a: number, b: number): void {
    const ca = heap.cpus[a]!;
    const cb = heap.cpus[b]!;
    heap.cpus[a] = cb;
    heap.cpus[b] = ca;
    const k = heap.keys[a]!;
    heap.keys[a] = heap.keys[b]!;
    heap.keys[b] = k;
    const r = heap.rests[a]!;
    heap.rests[a] = heap.rests[b]!;
    heap.rests[b] = r;
    this.pos[cb] = a;
    this.pos[ca] = b;
  }
}
