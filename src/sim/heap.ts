/**
 * The engine's event queue: a binary min-heap whose nodes hold their sort keys inline, in
 * parallel typed arrays. Entries are ordered by (time, kind, insertion sequence): the engine
 * numbers its event kinds in the order they apply at one instant, and events of one kind at one
 * instant run in the order they were scheduled, which keeps runs deterministic. The keys are
 * unique, so any correct priority queue pops the same sequence: the layout below is free to
 * change for speed without changing a result.
 *
 * Why this layout (bench/queue.ts measures it against the former one, which moved entry ids and
 * read every key through them):
 * - A node's time and (kind, sequence) key sit in the heap arrays themselves, so a comparison
 *   is two typed-array reads with no indirection; payloads (kind, a, b) stay in columns indexed
 *   by an entry id, read once per pop, and recycled through a free list (steady-state
 *   scheduling allocates nothing).
 * - The lesser of two children is picked with arithmetic on the comparison bits instead of a
 *   branch: which child is smaller is a coin toss the CPU cannot predict.
 * - pop() leaves a hole at the root. The engine pops an event and then, mostly, schedules the
 *   next one: that push fills the hole by sifting down from the root, one pass for the pair
 *   where a plain heap makes two (pop's sift-down of the last entry and push's sift-up), and a
 *   near-future event stops near the top. A peek meanwhile reads the lesser child of the hole; a
 *   second pop first lets the hole sink to a leaf and the last entry fill it (Floyd's pop).
 * - Slots past the last entry, and the hole, hold time Infinity, so a node's two children are
 *   compared without testing whether the second exists.
 */
/** Sequence numbers of one kind stay below this, so kind x SEQ_PER_KIND + sequence orders by kind first. */
const SEQ_PER_KIND = 2 ** 48;

export class EventQueue {
  /** Heap nodes: time, kind x SEQ_PER_KIND + sequence, and the entry id of the payload. */
  private timeNs: Float64Array;
  private key: Float64Array;
  private entry: Int32Array;
  /** Nodes in use, the hole included: the heap occupies 0..end-1, Infinity from end on. */
  private end = 0;
  /** Node 0 is a hole (the last pop's), to be filled by the next push or pop. */
  private hole = false;
  private size = 0;
  /** Payload columns, by entry id. */
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
    // Nodes: one per entry, the hole, and the Infinity slot after the last.
    this.timeNs = new Float64Array(initialCapacity + 2).fill(Infinity);
    this.key = new Float64Array(initialCapacity + 2);
    this.entry = new Int32Array(initialCapacity + 2);
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
    return this.size === 0 ? Infinity : this.timeNs[this.front()]!;
  }

  /** Kind of the earliest event; -1 when empty. */
  peekKind(): number {
    return this.size === 0 ? -1 : this.kindOf[this.entry[this.front()]!]!;
  }

  push(timeNs: number, kind: number, a: number, b: number): void {
    let id: number;
    if (this.freeCount > 0) id = this.free[--this.freeCount]!;
    else {
      if (this.used === this.capacity) this.grow();
      id = this.used++;
    }
    this.kindOf[id] = kind;
    this.argA[id] = a;
    this.argB[id] = b;
    // One number orders by kind, then scheduling order (2^48 events per run is far beyond any run).
    const key = kind * SEQ_PER_KIND + this.nextSeq++;
    this.size++;
    if (this.hole) {
      this.hole = false;
      this.siftDownFromRoot(timeNs, key, id);
    } else this.siftUp(this.end++, timeNs, key, id);
  }

  /** Removes the earliest event and exposes it through time/kind/a/b. Returns false when empty. */
  pop(): boolean {
    if (this.size === 0) return false;
    if (this.hole) this.fillHole();
    const top = this.entry[0]!;
    this.time = this.timeNs[0]!;
    this.kind = this.kindOf[top]!;
    this.a = this.argA[top]!;
    this.b = this.argB[top]!;
    this.free[this.freeCount++] = top;
    this.size--;
    this.timeNs[0] = Infinity;
    this.hole = true;
    return true;
  }

  /** Node of the earliest entry (size > 0): the root, or with a hole there the lesser of its children. */
  private front(): number {
    return this.hole ? 1 + this.secondIsLess(1) : 0;
  }

  /** 1 if node i + 1 orders before node i, else 0: computed without a branch. */
  private secondIsLess(i: number): number {
    const t = this.timeNs;
    const t0 = t[i]!;
    const t1 = t[i + 1]!;
    return +(t1 < t0) | (+(t1 === t0) & +(this.key[i + 1]! < this.key[i]!));
  }

  /** Places an entry at node i or above, moving greater ancestors down. */
  private siftUp(i: number, timeNs: number, key: number, id: number): void {
    const t = this.timeNs;
    const k = this.key;
    const e = this.entry;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const tp = t[parent]!;
      if (tp < timeNs || (tp === timeNs && k[parent]! < key)) break;
      t[i] = tp;
      k[i] = k[parent]!;
      e[i] = e[parent]!;
      i = parent;
    }
    t[i] = timeNs;
    k[i] = key;
    e[i] = id;
  }

  /** Fills the hole at the root with a new entry, moving lesser descendants up. */
  private siftDownFromRoot(timeNs: number, key: number, id: number): void {
    const t = this.timeNs;
    const k = this.key;
    const e = this.entry;
    const end = this.end;
    let i = 0;
    for (let child = 1; child < end; child = 2 * i + 1) {
      child += this.secondIsLess(child);
      const tc = t[child]!;
      if (timeNs < tc || (timeNs === tc && key < k[child]!)) break;
      t[i] = tc;
      k[i] = k[child]!;
      e[i] = e[child]!;
      i = child;
    }
    t[i] = timeNs;
    k[i] = key;
    e[i] = id;
  }

  /** Floyd's pop: the root hole sinks along the lesser children to a leaf; the last entry fills it and rises. */
  private fillHole(): void {
    this.hole = false;
    const t = this.timeNs;
    const k = this.key;
    const e = this.entry;
    const last = --this.end;
    let i = 0;
    for (let child = 1; child < last; child = 2 * i + 1) {
      child += this.secondIsLess(child);
      t[i] = t[child]!;
      k[i] = k[child]!;
      e[i] = e[child]!;
      i = child;
    }
    const lastTime = t[last]!;
    const lastKey = k[last]!;
    const lastId = e[last]!;
    t[last] = Infinity;
    if (i !== last) this.siftUp(i, lastTime, lastKey, lastId);
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const copy = <T extends Int32Array | Float64Array | Uint8Array>(old: T, next: T): T => {
      next.set(old);
      return next;
    };
    this.timeNs = copy(this.timeNs, new Float64Array(cap + 2).fill(Infinity));
    this.key = copy(this.key, new Float64Array(cap + 2));
    this.entry = copy(this.entry, new Int32Array(cap + 2));
    this.kindOf = copy(this.kindOf, new Uint8Array(cap));
    this.argA = copy(this.argA, new Int32Array(cap));
    this.argB = copy(this.argB, new Int32Array(cap));
    this.free = copy(this.free, new Int32Array(cap));
    this.capacity = cap;
  }
}
