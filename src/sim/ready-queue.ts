/**
 * A run queue: an indexed binary min-heap of process slots ordered by (key, tie, order). The
 * discipline decides all three (scheduler/discipline.ts): the key (virtual runtime, absolute
 * deadline, priority, or nothing), then for deadline and priority disciplines the job's release
 * time and its task's index, for the others the order the process joined a queue (first come,
 * first served). `pos` (shared, indexed by slot) lets a policy pull any queued process out in
 * O(log n) when it migrates it.
 */
import type { CpuCounts } from './cpu-counts';

export class ReadyQueue {
  private slots: number[] = [];
  private keys: number[] = [];
  private ties: number[] = [];
  private orders: number[] = [];

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
    return this.keys.length === 0 ? Infinity : this.keys[0]!;
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
    this.slots.push(slot);
    this.keys.push(key);
    this.ties.push(tie);
    this.orders.push(order);
    this.up(this.slots.length - 1);
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

  private removeAt(i: number): void {
    const removed = this.slots[i]!;
    const lastIndex = this.slots.length - 1;
    this.pos[removed] = -1;
    if (i !== lastIndex) {
      this.slots[i] = this.slots[lastIndex]!;
      this.keys[i] = this.keys[lastIndex]!;
      this.ties[i] = this.ties[lastIndex]!;
      this.orders[i] = this.orders[lastIndex]!;
      this.pos[this.slots[i]!] = i;
    }
    this.slots.pop();
    this.keys.pop();
    this.ties.pop();
    this.orders.pop();
    this.lengths?.add(this.cpu, -1);
    if (i < this.slots.length) {
      if (i > 0 && this.less(i, (i - 1) >> 1)) this.up(i);
      else this.down(i);
    }
  }

  private less(i: number, j: number): boolean {
    return before(this.keys[i]!, this.ties[i]!, this.orders[i]!, this.keys[j]!, this.ties[j]!, this.orders[j]!);
  }

  private swap(i: number, j: number): void {
    swapIn(this.slots, i, j);
    swapIn(this.keys, i, j);
    swapIn(this.ties, i, j);
    swapIn(this.orders, i, j);
    this.pos[this.slots[i]!] = i;
    this.pos[this.slots[j]!] = j;
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

function swapIn(column: number[], i: number, j: number): void {
  const t = column[i]!;
  column[i] = column[j]!;
  column[j] = t;
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
