/**
 * The engine's event queue (src/sim/heap.ts) against an independent reference: a plain array
 * kept sorted by (time, kind, insertion sequence), the order the engine's results depend on.
 * Random sequences of pushes, pops and peeks with many ties in time and kind, grown far past
 * the initial capacity, in every interleaving; and the bench cases simulated once with the
 * queue and once with the reference put in its place must give the same digests.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EventQueue } from '../../src/sim/heap';
import { Simulation } from '../../src/sim/index';
import { CASES } from '../../bench/cases';

interface Entry {
  time: number;
  kind: number;
  seq: number;
  a: number;
  b: number;
}

/** The reference: an array sorted by (time, kind, seq), earliest last (so a pop is Array.pop). */
class SortedQueue {
  private readonly entries: Entry[] = [];
  private seq = 0;
  kind = 0;
  a = 0;
  b = 0;
  time = 0;

  get length(): number {
    return this.entries.length;
  }

  peekTime(): number {
    return this.entries.at(-1)?.time ?? Infinity;
  }

  peekKind(): number {
    return this.entries.at(-1)?.kind ?? -1;
  }

  push(time: number, kind: number, a: number, b: number): void {
    const e: Entry = { time, kind, seq: this.seq++, a, b };
    const later = (x: Entry) =>
      x.time > e.time || (x.time === e.time && (x.kind > e.kind || (x.kind === e.kind && x.seq > e.seq)));
    // Everything from the insertion point on is earlier than e.
    let i = this.entries.findIndex((x) => !later(x));
    if (i < 0) i = this.entries.length;
    this.entries.splice(i, 0, e);
  }

  pop(): boolean {
    const e = this.entries.pop();
    if (!e) return false;
    ({ time: this.time, kind: this.kind, a: this.a, b: this.b } = e);
    return true;
  }
}

type Op = { op: 'push'; dt: number; kind: number; a: number; b: number } | { op: 'pop' } | { op: 'peek' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  // Few distinct times and kinds, so most comparisons are ties broken by kind or sequence.
  {
    arbitrary: fc.record({
      op: fc.constant('push' as const),
      dt: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1e6 })),
      kind: fc.integer({ min: 0, max: 10 }),
      a: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      b: fc.integer({ min: 0, max: 1000 }),
    }),
    weight: 5,
  },
  { arbitrary: fc.constant({ op: 'pop' as const }), weight: 4 },
  { arbitrary: fc.constant({ op: 'peek' as const }), weight: 2 },
);

/**
 * Runs `ops` on both queues, comparing every observable after every step. `fromNow`: pushes at
 * the last popped time plus dt, as the engine schedules; otherwise at dt itself, earlier than
 * events already popped too (the queue does not rely on time moving forward).
 */
function agree(ops: readonly Op[], capacity: number, fromNow: boolean): void {
  const q = new EventQueue(capacity);
  const ref = new SortedQueue();
  for (const [step, o] of ops.entries()) {
    if (o.op === 'push') {
      const t = (fromNow ? ref.time : 0) + o.dt;
      q.push(t, o.kind, o.a, o.b);
      ref.push(t, o.kind, o.a, o.b);
    } else if (o.op === 'pop') {
      assert.equal(q.pop(), ref.pop(), `step ${step}: pop on ${ref.length} entries`);
      assert.deepEqual([q.time, q.kind, q.a, q.b], [ref.time, ref.kind, ref.a, ref.b], `step ${step}: popped`);
    }
    assert.equal(q.length, ref.length, `step ${step}: length`);
    assert.equal(q.peekTime(), ref.peekTime(), `step ${step}: peekTime`);
    assert.equal(q.peekKind(), ref.peekKind(), `step ${step}: peekKind`);
  }
  // Drained, the queue gives back everything in order.
  while (ref.pop()) {
    assert.ok(q.pop());
    assert.deepEqual([q.time, q.kind, q.a, q.b], [ref.time, ref.kind, ref.a, ref.b]);
  }
  assert.equal(q.pop(), false);
  assert.equal(q.peekTime(), Infinity);
  assert.equal(q.peekKind(), -1);
}

test('the queue pops, peeks and counts as a sorted array does, ties and growth included', () => {
  fc.assert(
    fc.property(
      fc.array(opArb, { maxLength: 400 }),
      fc.integer({ min: 1, max: 8 }),
      fc.boolean(),
      (ops, capacity, fromNow) => agree(ops, capacity, fromNow),
    ),
    { numRuns: 300 },
  );
});

test('long runs at a steady pending count, past several doublings of the capacity', () => {
  // A fill to 3,000 entries from a capacity of 4 (ten doublings), then the engine's pattern of
  // pop, peek, push at every pending count on the way down and back up.
  const ops: Op[] = [];
  let seed = 7;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const push = (): Op => ({ op: 'push', dt: rand(4) === 0 ? 0 : rand(50), kind: rand(11), a: rand(1000), b: rand(3) });
  for (let i = 0; i < 3000; i++) ops.push(push());
  for (let i = 0; i < 3000; i++) ops.push({ op: 'pop' }, { op: 'peek' }, ...(rand(3) === 0 ? [] : [push()]));
  for (let i = 0; i < 2000; i++) ops.push({ op: 'pop' }, push(), push());
  agree(ops, 4, true);
});

test('the bench cases give the same digests with the queue replaced by the sorted array', () => {
  const proto = EventQueue.prototype as unknown as Record<string, unknown>;
  const methods = ['push', 'pop', 'peekTime', 'peekKind'] as const;
  const saved = new Map(methods.map((m) => [m, Object.getOwnPropertyDescriptor(proto, m)!]));
  const savedLength = Object.getOwnPropertyDescriptor(proto, 'length')!;
  const digests = () =>
    CASES.map((c) => {
      const sim = new Simulation(c.config(1));
      sim.advance(sim.endNs);
      return `${c.name}: ${sim.result().digest} (${sim.events} events)`;
    });
  const own = digests();
  // Every queue the engine makes now forwards to a reference of its own (the payload fields copied back after a pop).
  const refs = new WeakMap<object, SortedQueue>();
  const refOf = (q: object) => refs.get(q) ?? refs.set(q, new SortedQueue()).get(q)!;
  let forwardedPops = 0;
  try {
    for (const m of methods)
      Object.defineProperty(proto, m, {
        configurable: true,
        value(this: EventQueue, ...args: [number, number, number, number]) {
          const ref = refOf(this);
          const out = (ref[m] as (...a: number[]) => unknown)(...args);
          if (m === 'pop') forwardedPops++;
          if (m === 'pop') Object.assign(this, { time: ref.time, kind: ref.kind, a: ref.a, b: ref.b });
          return out;
        },
      });
    Object.defineProperty(proto, 'length', {
      configurable: true,
      get(this: EventQueue) {
        return refOf(this).length;
      },
    });
    const reference = digests();
    assert.deepEqual(own, reference);
    // The reference really ran the simulations: every event was popped from it.
    const events = own.reduce((n, line) => n + Number(/\((\d+) events\)/.exec(line)![1]), 0);
    assert.ok(forwardedPops >= events, `${forwardedPops} pops forwarded for ${events} events`);
  } finally {
    for (const [m, d] of saved) Object.defineProperty(proto, m, d);
    Object.defineProperty(proto, 'length', savedLength);
  }
  assert.ok(own.every((line) => !line.endsWith('(0 events)')));
});
