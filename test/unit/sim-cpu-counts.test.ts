/**
 * The index of CPUs by load and by queue length (src/sim/cpu-counts.ts) and the placements built
 * on it find exactly what a scan of every CPU finds: checked against scans written here, on random loads, masks and
 * offline CPUs, and through whole runs with faults and affinity against the recorded digests.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CpuCounts } from '../../src/sim/cpu-counts';
import { POLICY_INFO, Rng } from '../../src/sim';
import { FakeMachine } from './policy-fake-view';

/** The scan the index replaces: the first CPU with a strictly smaller load wins. */
function scanLeastLoaded(load: Int32Array, accept: (cpu: number) => boolean): number {
  let best = -1;
  for (let cpu = 0; cpu < load.length; cpu++) if (accept(cpu) && (best < 0 || load[cpu]! < load[best]!)) best = cpu;
  return best;
}

test('CpuCounts.lowest, highest and nextAt equal scans after any sequence of changes, for any predicate', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 100 }),
      fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 400 }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
      (cpuCount, changes, seeds) => {
        // Two indexes: one built at its first query after the changes, one asked before any
        // change (so it is kept change by change) and again after every tenth.
        const built = new CpuCounts(cpuCount);
        const kept = new CpuCounts(cpuCount);
        const reference = new Int32Array(cpuCount);
        assert.equal(
          kept.lowest(() => true),
          0,
        );
        changes.forEach(([at, up], i) => {
          const cpu = at % cpuCount;
          // Loads never go below zero (a CPU's load counts processes).
          if (!up && reference[cpu] === 0) return;
          built.add(cpu, up ? 1 : -1);
          kept.add(cpu, up ? 1 : -1);
          reference[cpu]! += up ? 1 : -1;
          if (i % 10 === 0) {
            assert.equal(
              kept.lowest(() => true),
              scanLeastLoaded(reference, () => true),
            );
            assert.equal(
              kept.highest(0, () => true),
              scanLeastLoaded(
                reference.map((v) => -v),
                () => true,
              ),
            );
          }
        });
        assert.deepEqual([...built.of], [...reference]);
        for (const loads of [built, kept])
          for (const seed of seeds) {
            // Admit a random subset (sometimes none, sometimes all).
            const admitted = Array.from({ length: cpuCount }, (_, cpu) => ((cpu * 2654435761 + seed) >>> 0) % 3 !== 0);
            const accept = (cpu: number) => admitted[cpu]!;
            assert.equal(loads.lowest(accept), scanLeastLoaded(reference, accept));
            assert.equal(
              loads.lowest(() => true),
              scanLeastLoaded(reference, () => true),
            );
            assert.equal(
              loads.lowest(() => false),
              -1,
            );
            // The largest count at least `atLeast`, lowest CPU on ties, as busiestQueue's scan found it.
            for (const atLeast of [0, 1, 2, 5]) {
              let best = -1;
              let most = atLeast - 1;
              for (let cpu = 0; cpu < cpuCount; cpu++)
                if (accept(cpu) && reference[cpu]! > most) {
                  most = reference[cpu]!;
                  best = cpu;
                }
              assert.equal(loads.highest(atLeast, accept), best);
            }
            // The first CPU at a load from a start, wrapping around, as a circular scan finds it.
            const start = seed % cpuCount;
            for (const load of [0, 1, 2, 50]) {
              let expected = -1;
              for (let k = 0; k < cpuCount && expected < 0; k++) {
                const cpu = (start + k) % cpuCount;
                if (reference[cpu] === load && accept(cpu)) expected = cpu;
              }
              assert.equal(loads.nextAt(load, start, accept), expected);
            }
          }
      },
    ),
    { numRuns: 300 },
  );
});

test('CpuCounts grows past its first eight values and keeps its lowest and highest exact', () => {
  const loads = new CpuCounts(3);
  for (let i = 0; i < 40; i++) loads.add(0, 1);
  for (let i = 0; i < 20; i++) loads.add(1, 1);
  assert.equal(
    loads.lowest(() => true),
    2,
  );
  assert.equal(
    loads.lowest((cpu) => cpu !== 2),
    1,
  );
  for (let i = 0; i < 40; i++) loads.add(0, -1);
  assert.equal(
    loads.lowest(() => true),
    0,
  );
});

/** power-of-two as it was before its all-usable fast path: always a fresh list of usable CPUs. */
function powerOfTwoByScan(view: FakeMachine, rng: Rng, d: number, h: number): number {
  const candidates: number[] = [];
  for (let cpu = 0; cpu < view.machine.cpuCount; cpu++)
    if (view.online(cpu) && view.isAllowed(h, cpu)) candidates.push(cpu);
  if (candidates.length === 0) return -2;
  const k = Math.min(d, candidates.length);
  let best = -1;
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(candidates.length - i);
    const cpu = candidates[j]!;
    candidates[j] = candidates[i]!;
    candidates[i] = cpu;
    if (best < 0 || view.load(cpu) < view.load(best)) best = cpu;
  }
  return best;
}

test('power-of-two chooses exactly as the scan did, with every CPU usable and with masks and offline CPUs', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.array(fc.record({ cpu: fc.nat(), masked: fc.boolean(), offline: fc.nat(), busy: fc.nat() }), {
        minLength: 1,
        maxLength: 60,
      }),
      fc.integer({ min: 1, max: 1000 }),
      (d, steps, seed) => {
        const view = new FakeMachine({ sockets: 2, coresPerSocket: 8 });
        const n = view.machine.cpuCount;
        const policy = POLICY_INFO['power-of-two'].factory(view.context({ d }, seed));
        const rng = new Rng(seed, 'policy');
        for (const step of steps) {
          // Some load, sometimes a CPU out, sometimes a process with a mask.
          view.add(step.busy % n, step.busy % 2 === 0 ? 'running' : 'ready');
          view.offline.clear();
          if (step.offline % 4 === 0) view.offline.add(step.offline % n);
          const mask = step.masked ? Uint8Array.from({ length: n }, (_, c) => (c % 3 === step.cpu % 3 ? 1 : 0)) : null;
          const h = view.add(step.cpu % n, 'sleeping', { affinity: mask });
          const expected = powerOfTwoByScan(view, rng, d, h);
          const got = policy.placeOnWake!(view, h);
          if (expected !== -2) assert.equal(got, expected);
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('CpuCounts.sum and firstAt equal scans of a range after any sequence of changes', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 140 }),
      fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 400 }),
      fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat({ max: 4 })), { minLength: 1, maxLength: 12 }),
      (cpuCount, changes, ranges) => {
        // Kept change by change (asked first) and built at the first query after the changes.
        const kept = new CpuCounts(cpuCount);
        const built = new CpuCounts(cpuCount);
        const reference = new Int32Array(cpuCount);
        assert.equal(kept.sum(0, cpuCount), 0);
        const check = (counts: CpuCounts) => {
          for (const [a, b, value] of ranges) {
            // Ranges that are empty, cross word edges, start or end out of bounds.
            const lo = (a % (cpuCount + 40)) - 20;
            const hi = lo + (b % (cpuCount + 40));
            let sum = 0;
            for (let cpu = Math.max(0, lo); cpu < Math.min(hi, cpuCount); cpu++) sum += reference[cpu]!;
            assert.equal(counts.sum(lo, hi), sum, `sum [${lo}, ${hi})`);
            const accept = (cpu: number) => (cpu * 7 + b) % 5 !== 0;
            let first = -1;
            for (let cpu = Math.max(0, lo); cpu < Math.min(hi, cpuCount) && first < 0; cpu++)
              if (reference[cpu] === value && accept(cpu)) first = cpu;
            assert.equal(counts.firstAt(value, lo, hi, accept), first, `firstAt ${value} in [${lo}, ${hi})`);
          }
        };
        changes.forEach(([at, up], i) => {
          const cpu = at % cpuCount;
          if (!up && reference[cpu] === 0) return;
          kept.add(cpu, up ? 1 : -1);
          built.add(cpu, up ? 1 : -1);
          reference[cpu]! += up ? 1 : -1;
          if (i % 25 === 0) check(kept);
        });
        check(kept);
        check(built);
      },
    ),
    { numRuns: 300 },
  );
});
