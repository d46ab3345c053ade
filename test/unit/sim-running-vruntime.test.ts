/**
 * The running processes' least vruntime (src/sim/running-vruntime.ts) is, to the bit, what a scan
 * of every CPU finds with the engine's expression: on random dispatches, accountings and stops,
 * with weights that are powers of two and others, and with the ties CFS makes (a process started
 * at exactly the current minimum).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RunningVruntimes } from '../../src/sim/running-vruntime';

const WEIGHTS = [1024, 2048, 512, 1000, 3, 88761];

test('RunningVruntimes.least equals a scan after any sequence of dispatches, accountings and stops', () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 70 })),
      fc.array(
        fc.tuple(
          fc.nat(),
          fc.constantFrom('start', 'startAtMin', 'startAtMin', 'startAtMin', 'account', 'account', 'stop'),
          fc.oneof(fc.constant(0), fc.constant(3), fc.nat({ max: WEIGHTS.length - 1 })),
          fc.double({ min: -1e6, max: 1e12, noNaN: true }),
          fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 3_000_000 })),
        ),
        { maxLength: 300 },
      ),
      (cpuCount, ops) => {
        const index = new RunningVruntimes(cpuCount);
        // The engine's side: what each CPU runs (vruntime, segment start, weight) or null.
        const runs: ({ v: number; start: number; w: number } | null)[] = Array.from({ length: cpuCount }, () => null);
        let now = 1_000_000_000;
        const vruntimeNow = (cpu: number) => {
          const r = runs[cpu]!;
          return r.v + ((now - r.start) * 1024) / r.w;
        };
        const scan = () => {
          let least = Infinity;
          for (let cpu = 0; cpu < cpuCount; cpu++) if (runs[cpu] !== null) least = Math.min(least, vruntimeNow(cpu));
          return least;
        };
        for (const [at, op, wi, v, step] of ops) {
          now += step;
          const cpu = at % cpuCount;
          if (op === 'stop') {
            runs[cpu] = null;
            index.clear(cpu);
          } else if (op === 'account') {
            const r = runs[cpu];
            if (r === null) continue;
            r.v += ((now - r.start) * 1024) / r.w;
            r.start = now;
            index.set(cpu, r.v, now, r.w);
          } else {
            // A new process: at an arbitrary vruntime, or (as CFS places one) at the least now.
            const least = scan();
            const start = op === 'startAtMin' && least !== Infinity ? least : v;
            runs[cpu] = { v: start, start: now, w: WEIGHTS[wi]! };
            index.set(cpu, start, now, WEIGHTS[wi]!);
          }
          const got = index.least(now, vruntimeNow);
          assert.ok(Object.is(got, scan()), `least ${got} vs scan ${scan()}`);
        }
      },
    ),
    { numRuns: 500 },
  );
});
