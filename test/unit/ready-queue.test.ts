/**
 * The run queue (src/sim/ready-queue.ts) against two references on random pushes, pops and
 * removals with many equal keys: a plain array sorted by (key, tie, order), for what pops
 * first; and the textbook swap-at-each-level heap written here, for the layout. Policies read
 * `members()` in heap order (work stealing takes a queue's member by index), so the queue's
 * layout is part of every result and a faster sift must leave it exactly as it was.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { before, ReadyQueue } from '../../src/sim/ready-queue';

/** The swap-based indexed heap the run queue was until its sifts moved a hole instead. */
class SwapHeap {
  readonly slots: number[] = [];
  private readonly keys: number[] = [];
  private readonly ties: number[] = [];
  private readonly orders: number[] = [];
  constructor(readonly pos: number[]) {}

  push(slot: number, key: number, tie: number, order: number): void {
    this.slots.push(slot);
    this.keys.push(key);
    this.ties.push(tie);
    this.orders.push(order);
    this.up(this.slots.length - 1);
  }

  remove(slot: number): void {
    const i = this.pos[slot]!;
    const last = this.slots.length - 1;
    this.pos[slot] = -1;
    if (i !== last) {
      for (const col of [this.slots, this.keys, this.ties, this.orders]) col[i] = col[last]!;
      this.pos[this.slots[i]!] = i;
    }
    for (const col of [this.slots, this.keys, this.ties, this.orders]) col.pop();
    if (i < this.slots.length) {
      if (i > 0 && this.less(i, (i - 1) >> 1)) this.up(i);
      else this.down(i);
    }
  }

  private less(i: number, j: number): boolean {
    return before(this.keys[i]!, this.ties[i]!, this.orders[i]!, this.keys[j]!, this.ties[j]!, this.orders[j]!);
  }

  private swap(i: number, j: number): void {
    for (const col of [this.slots, this.keys, this.ties, this.orders]) [col[i], col[j]] = [col[j]!, col[i]!];
    this.pos[this.slots[i]!] = i;
    this.pos[this.slots[j]!] = j;
  }

  private up(i: number): void {
    this.pos[this.slots[i]!] = i;
    while (i > 0 && this.less(i, (i - 1) >> 1)) {
      this.swap(i, (i - 1) >> 1);
      i = (i - 1) >> 1;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.slots.length) return;
      const c = l + 1 < this.slots.length && this.less(l + 1, l) ? l + 1 : l;
      if (!this.less(c, i)) return;
      this.swap(i, c);
      i = c;
    }
  }
}

type Op = { kind: 'push'; key: number; tie: number } | { kind: 'pop' } | { kind: 'remove'; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('push' as const),
      key: fc.integer({ min: 0, max: 6 }),
      tie: fc.integer({ min: 0, max: 3 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pop' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
);

test('the run queue pops in (key, tie, order) order and keeps the swap heap layout exactly', () => {
  fc.assert(
    fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
      const slotsMax = ops.length + 1;
      const pos = new Int32Array(slotsMax).fill(-1);
      const refPos = new Array<number>(slotsMax).fill(-1);
      const queue = new ReadyQueue(pos);
      const layout = new SwapHeap(refPos);
      const sorted: { slot: number; key: number; tie: number; order: number }[] = [];
      let nextSlot = 0;
      for (const o of ops) {
        if (o.kind === 'push') {
          // The order is unique per entry, as the engine's (task index or enqueue sequence) is.
          const e = { slot: nextSlot, key: o.key, tie: o.tie, order: nextSlot };
          nextSlot++;
          queue.push(e.slot, e.key, e.tie, e.order);
          layout.push(e.slot, e.key, e.tie, e.order);
          sorted.push(e);
          sorted.sort((x, y) => (before(x.key, x.tie, x.order, y.key, y.tie, y.order) ? -1 : 1));
        } else if (sorted.length > 0) {
          const e = o.kind === 'pop' ? sorted[0]! : sorted[o.pick % sorted.length]!;
          if (o.kind === 'pop') assert.equal(queue.pop(), e.slot);
          else queue.remove(e.slot);
          layout.remove(e.slot);
          sorted.splice(sorted.indexOf(e), 1);
        }
        assert.deepEqual([...queue.members()], layout.slots);
        assert.deepEqual([...pos], refPos);
        assert.equal(queue.length, sorted.length);
        assert.equal(queue.peek(), sorted.length > 0 ? sorted[0]!.slot : -1);
        for (let i = 0; i < queue.length; i++) {
          const e = sorted.find((s) => s.slot === queue.members()[i])!;
          assert.deepEqual([queue.keyAt(i), queue.tieAt(i), queue.orderAt(i)], [e.key, e.tie, e.order]);
        }
      }
    }),
    { numRuns: 300 },
  );
});
