/**
 * A run queue: an indexed binary min-heap of process slots ordered by (key, tie, order). The
 * discipline decides all three (scheduler/discipline.ts): the key (virtual runtime, absolute
 * deadline, priority, or nothing), then for deadline and priority disciplines the job's release
 * time and its task's index, for the others the order the process joined a queue (first come,
 * first served). `pos` (shared, indexed by slot) lets a policy pull any queued process out in
 * O(log n) when it migrates it.
 */
import type { CpuCounts } from './cpu-counts';

const NO_KEYS = new Float64Array(0);

export class ReadyQueue {
  /** The queued slots in heap order; its length is the queue's (members() hands it out as is). */
  private readonly slots: number[] = [];
  // The sort keys in typed columns of at least the queue's length: a double stored in a
  // Float64Array is never boxed. A queue that never holds anything (most CPU queues of a large
  // cluster's hosts) shares one empty column until its first push.
  private keys: Float64Array = NO_KEYS;
  private ties: Float64Array = NO_KEYS;
  private orders: Float64Array = NO_KEYS;

  /**
   * `pos[slot]` is the slot's index in whichever queue holds it, -1 when in none. A CPU's own
   * queue keeps its length in `lengths` (row `cpu`), so a policy finds the longest queue without
   * a scan; the global queue has none.
   */
  constructor(
    private readonly pos: Int32Array | number[],
    private readonly lengths: CpuCounts | null = null,
    private readonly cpu = -1,
  ) {}

  get length(): number {
    return this.slots.length;
  }

  /** Slot with the smallest key, or -1. */
  peek(): number {
    return this.slots.length === 0 ? -1 : this.slots[0]!;
  }

  peekKey(): number {
    return this.slots.length === 0 ? Infinity : this.keys[0]!;
  }

  /** Read-only view of the queued slots in heap order (not sorted). */
  members(): readonly number[] {
    return this.slots;
  }

  keyAt(index: number): number {
    return this.keys[index]!;
  }

  tieAt(index: number): number {
    return this.ties[index]!;
  }

  orderAt(index: number): number {
    return this.orders[index]!;
  }

  push(slot: number, key: number, tie: number, order: number): void {
    const i = this.slots.length;
    if (i === this.keys.length) this.grow();
    this.slots.push(slot);
    this.up(i, slot, key, tie, order);
    this.lengths?.add(this.cpu, 1);
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

  /** The last entry fills index i's place, then moves up or down to where it belongs. */
  private removeAt(i: number): void {
    this.pos[this.slots[i]!] = -1;
    const slot = this.slots.pop()!;
    const last = this.slots.length;
    const key = this.keys[last]!;
    const tie = this.ties[last]!;
    const order = this.orders[last]!;
    this.lengths?.add(this.cpu, -1);
    if (i === last) return;
    if (i > 0 && this.goesBefore(key, tie, order, (i - 1) >> 1)) this.up(i, slot, key, tie, order);
    else this.down(i, slot, key, tie, order);
  }

  /** The entry (key, tie, order) goes strictly before the one at index j. */
  private goesBefore(key: number, tie: number, order: number, j: number): boolean {
    return before(key, tie, order, this.keys[j]!, this.ties[j]!, this.orders[j]!);
  }

  /** Moves entry `from` into index `to`. */
  private move(from: number, to: number): void {
    const slot = this.slots[from]!;
    this.slots[to] = slot;
    this.keys[to] = this.keys[from]!;
    this.ties[to] = this.ties[from]!;
    this.orders[to] = this.orders[from]!;
    this.pos[slot] = to;
  }

  private grow(): void {
    const wider = (old: Float64Array): Float64Array => {
      const next = new Float64Array(Math.max(4, old.length * 2));
      next.set(old);
      return next;
    };
    this.keys = wider(this.keys);
    this.ties = wider(this.ties);
    this.orders = wider(this.orders);
  }

  private place(i: number, slot: number, key: number, tie: number, order: number): void {
    this.slots[i] = slot;
    this.keys[i] = key;
    this.ties[i] = tie;
    this.orders[i] = order;
    this.pos[slot] = i;
  }

  /**
   * Sift up with a hole: ancestors the entry goes before move down one level, and the entry
   * lands where the last one moved from (the same places a swap at each level would give).
   */
  private up(i: number, slot: number, key: number, tie: number, order: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.goesBefore(key, tie, order, parent)) break;
      this.move(parent, i);
      i = parent;
    }
    this.place(i, slot, key, tie, order);
  }

  /** Sift down with a hole: the lesser child moves up while it goes before the entry. */
  private down(i: number, slot: number, key: number, tie: number, order: number): void {
    const n = this.slots.length;
    const keys = this.keys;
    const ties = this.ties;
    const orders = this.orders;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = l;
      if (l + 1 < n && before(keys[l + 1]!, ties[l + 1]!, orders[l + 1]!, keys[l]!, ties[l]!, orders[l]!)) c = l + 1;
      if (!before(keys[c]!, ties[c]!, orders[c]!, key, tie, order)) break;
      this.move(c, i);
      i = c;
    }
    this.place(i, slot, key, tie, order);
  }
}

/** (key, tie, order) a goes strictly before (key, tie, order) b. */
export function before(
  keyA: number,
  tieA: number,
  orderA: number,
  keyB: number,
  tieB: number,
  orderB: number,
): boolean {
  return keyA < keyB || (keyA === keyB && (tieA < tieB || (tieA === tieB && orderA < orderB)));
}
