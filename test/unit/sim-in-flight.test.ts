/**
 * The pool of a cluster's requests in flight (src/sim/cluster/in-flight.ts, white box) against a
 * Map from request to arrival and host, over random sequences of requests routed, answered and
 * lost with their host: the same arrivals back, the same counts per host, no slot given twice,
 * and no more slots than twice the most requests ever in flight at once (64 at least).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { InFlight } from '../../src/sim/cluster/in-flight';

test('the in-flight pool answers as a Map from request to arrival would, and is as small as its peak allows', () => {
  type Op = { kind: 'add'; host: number; at: number } | { kind: 'take'; pick: number } | { kind: 'drop'; host: number };
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('add' as const), host: fc.nat(4), at: fc.nat(1e12) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('take' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), host: fc.nat(4) }) },
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
      const pool = new InFlight(5);
      const reference = new Map<number, { host: number; at: number }>();
      let peak = 0;
      for (const o of ops) {
        if (o.kind === 'add') {
          const slot = pool.add(o.host, o.at);
          assert.ok(!reference.has(slot), 'a slot in use is not given out again');
          reference.set(slot, { host: o.host, at: o.at });
        } else if (o.kind === 'take') {
          if (reference.size === 0) continue;
          const slot = [...reference.keys()][o.pick % reference.size]!;
          assert.equal(pool.take(slot), reference.get(slot)!.at);
          reference.delete(slot);
        } else {
          const mine = [...reference].filter(([, r]) => r.host === o.host);
          assert.equal(pool.drop(o.host), mine.length);
          for (const [slot] of mine) reference.delete(slot);
        }
        peak = Math.max(peak, reference.size);
        for (let h = 0; h < 5; h++)
          assert.equal(pool.count[h], [...reference.values()].filter((r) => r.host === h).length, `host ${h}'s count`);
      }
      assert.ok(pool.capacity <= Math.max(64, 2 * peak), `capacity ${pool.capacity} for a peak of ${peak}`);
    }),
    { numRuns: 200 },
  );
});
