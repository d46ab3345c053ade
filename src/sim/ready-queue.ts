/**
 * A run queue: an indexed binary min-heap of process slots ordered by (key, sequence). The
 * discipline decides the key (arrival order, virtual runtime, absolute deadline, priority);
 * the sequence breaks ties first-come first-served. `pos` (shared, indexed by slot) lets a
 * policy pull any queued process out in O(log n) when it migrates it.
 */
export class ReadyQueue {
  private slots: number[] = [];
  private keys: number[] = [];
  private seqs: number[] = [];

  /** `pos[slot]` is the slot's index in whichever queue holds it, -1 when in none. */
  constructor(private readonly pos: Int32Array | number[]) {}

  get length(): number {
    return this.slots.length;
  }

  /** Slot with the smallest key, or -1. */
  peek(): number {
    return this.slots.length === 0 ? -1 : this.slots[0]!;
  }

  peekKey(): number {
    return this.keys.length === 0 ? Infinity : this.keys[0]!;
  }

  /** Read-only view of the queued slots in heap order (not sorted). */
  members(): readonly number[] {
    return this.slots;
  }

  keyAt(index: number): number {
    return this.keys[index]!;
  }

  push(slot: number, key: number, seq: number): void {
    this.slots.push(slot);
    this.keys.push(key);
    this.seqs.push(seq);
    this.up(this.slots.length - 1);
  }

  pop(): number {
    const top = this.slots[0]!;
    this.removeAt(0);
    return top;
  }

  /** Removes a slot known to be in this queue. */
  remove(slot: number): void {
    this.removeAt(this.pos[slot]!);
  }

  private removeAt(i: number): void {
    const removed = this.slots[i]!;
    const lastIndex = this.slots.length - 1;
    this.pos[removed] = -1;
    if (i !== lastIndex) {
      this.slots[i] = this.slots[lastIndex]!;
      this.keys[i] = this.keys[lastIndex]!;
      this.seqs[i] = this.seqs[lastIndex]!;
      this.pos[this.slots[i]!] = i;
    }
    this.slots.pop();
    this.keys.pop();
    this.seqs.pop();
    if (i < this.slots.length) {
      if (i > 0 && this.less(i, (i - 1) >> 1)) this.up(i);
      else this.down(i);
    }
  }

  private less(i: number, j: number): boolean {
    const ki = this.keys[i]!;
    const kj = this.keys[j]!;
    return ki < kj || (ki === kj && this.seqs[i]! < this.seqs[j]!);
  }

  private swap(i: number, j: number): void {
    const s = this.slots;
    const k = this.keys;
    const q = this.seqs;
    const ts = s[i]!;
    s[i] = s[j]!;
    s[j] = ts;
    const tk = k[i]!;
    k[i] = k[j]!;
    k[j] = tk;
    const tq = q[i]!;
    q[i] = q[j]!;
    q[j] = tq;
    this.pos[s[i]!] = i;
    this.pos[s[j]!] = j;
  }

  private up(i: number): void {
    this.pos[this.slots[i]!] = i;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.slots.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = l;
      if (l + 1 < n && this.less(l + 1, l)) c = l + 1;
      if (!this.less(c, i)) break;
      this.swap(i, c);
      i = c;
    }
  }
}
