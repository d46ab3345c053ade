/**
 * The engine's event queue as it was before the heap kept its keys inline (src/sim/heap.ts at
 * commit 4bd3113), kept verbatim as bench/queue.ts's baseline: a binary heap of entry ids whose
 * every comparison reads both entries' keys through the ids. Not used by the simulator.
 */
/** Sequence numbers of one kind stay below this, so kind x SEQ_PER_KIND + sequence orders by kind first. */
const SEQ_PER_KIND = 2 ** 48;

export class EventQueue {
  private heap: Int32Array;
  private size = 0;
  private timeNs: Float64Array;
  private seq: Float64Array;
  private kindOf: Uint8Array;
  private argA: Int32Array;
  private argB: Int32Array;
  private free: Int32Array;
  private freeCount = 0;
  private capacity: number;
  private used = 0;
  private nextSeq = 0;

  /** Payload of the entry most recently returned by pop(). */
  kind = 0;
  a = 0;
  b = 0;
  time = 0;

  constructor(initialCapacity = 1024) {
    this.capacity = initialCapacity;
    this.heap = new Int32Array(initialCapacity);
    this.timeNs = new Float64Array(initialCapacity);
    this.seq = new Float64Array(initialCapacity);
    this.kindOf = new Uint8Array(initialCapacity);
    this.argA = new Int32Array(initialCapacity);
    this.argB = new Int32Array(initialCapacity);
    this.free = new Int32Array(initialCapacity);
  }

  get length(): number {
    return this.size;
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    return this.size === 0 ? Infinity : this.timeNs[this.heap[0]!]!;
  }

  /** Kind of the earliest event; -1 when empty. */
  peekKind(): number {
    return this.size === 0 ? -1 : this.kindOf[this.heap[0]!]!;
  }

  push(timeNs: number, kind: number, a: number, b: number): void {
    let id: number;
    if (this.freeCount > 0) id = this.free[--this.freeCount]!;
    else {
      if (this.used === this.capacity) this.grow();
      id = this.used++;
    }
    this.timeNs[id] = timeNs;
    // One number orders by kind, then scheduling order (2^48 events per run is far beyond any run).
    this.seq[id] = kind * SEQ_PER_KIND + this.nextSeq++;
    this.kindOf[id] = kind;
    this.argA[id] = a;
    this.argB[id] = b;
    let i = this.size++;
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!this.less(id, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = id;
  }

  /** Removes the earliest event and exposes it through time/kind/a/b. Returns false when empty. */
  pop(): boolean {
    if (this.size === 0) return false;
    const heap = this.heap;
    const top = heap[0]!;
    this.time = this.timeNs[top]!;
    this.kind = this.kindOf[top]!;
    this.a = this.argA[top]!;
    this.b = this.argB[top]!;
    this.free[this.freeCount++] = top;
    const last = heap[--this.size]!;
    const n = this.size;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && this.less(heap[r]!, heap[l]!)) c = r;
      const child = heap[c]!;
      if (!this.less(child, last)) break;
      heap[i] = child;
      i = c;
    }
    if (n > 0) heap[i] = last;
    return true;
  }

  private less(x: number, y: number): boolean {
    const tx = this.timeNs[x]!;
    const ty = this.timeNs[y]!;
    return tx < ty || (tx === ty && this.seq[x]! < this.seq[y]!);
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const copy = <T extends Int32Array | Float64Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(cap);
      next.set(old);
      return next;
    };
    this.heap = copy(this.heap, (n) => new Int32Array(n));
    this.timeNs = copy(this.timeNs, (n) => new Float64Array(n));
    this.seq = copy(this.seq, (n) => new Float64Array(n));
    this.kindOf = copy(this.kindOf, (n) => new Uint8Array(n));
    this.argA = copy(this.argA, (n) => new Int32Array(n));
    this.argB = copy(this.argB, (n) => new Int32Array(n));
    this.free = copy(this.free, (n) => new Int32Array(n));
    this.capacity = cap;
  }
}
