/**
 * VM placement policies (src/sim/cluster/vm-placement.ts; docs/model.md, "Virtual machines on
 * hosts") against placements computed by hand, and first-fit-decreasing against a brute-force
 * optimum: over random small instances on identical hosts (vCPUs the only binding capacity, so
 * it is one-dimensional bin packing), FFD never uses more than 11/9 OPT + 6/9 hosts (Dosa 2007,
 * tight), never fewer than OPT, and every placement respects both capacities.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chooseHost,
  decreasingOrder,
  fits,
  hostsUsed,
  placeAll,
  vcpuSlots,
  VM_PLACEMENTS,
  type HostCapacity,
  type VmPlacementName,
  type VmSize,
} from '../../src/sim/index';

/** A small seeded generator of the test's own (Park-Miller), so the cases are the same every run. */
function lcg(seed: number): { int(n: number): number } {
  let x = seed;
  return { int: (n) => (x = (x * 48271) % 2147483647) % n };
}

const GiB = 2 ** 30;
const host = (vcpuSlots: number, ramGiB: number): HostCapacity => ({ vcpuSlots, ramBytes: ramGiB * GiB });
const vm = (vcpus: number, ramGiB: number): VmSize => ({ vcpus, ramBytes: ramGiB * GiB });

test('vCPU slots are cores x overcommit, rounded down', () => {
  assert.equal(vcpuSlots(4, 1), 4);
  assert.equal(vcpuSlots(4, 1.5), 6);
  assert.equal(vcpuSlots(6, 1.1), 6);
  assert.equal(vcpuSlots(10, 0.3), 3);
});

test('fits checks both capacities', () => {
  assert.equal(fits(host(4, 8), vm(2, 4), vm(2, 4)), true);
  assert.equal(fits(host(4, 8), vm(2, 4), vm(3, 1)), false);
  assert.equal(fits(host(4, 8), vm(0, 7), vm(1, 2)), false);
});

// Hosts of 8, 4 and 6 slots (16 GiB each); VMs of 3, 4, 2, 5, 2 vCPUs (2 GiB each).
// By hand:
//  first-fit:  3->h0 (5 left), 4->h0 (1), 2->h1 (2), 5->h2 (1), 2->h1 (0)      => [0,0,1,2,1]
//  best-fit:   3: after h0 5, h1 1, h2 3 -> h1;  4: h0 4, h2 2 -> h2;  2: h0 6, h1 -1 (no), h2 0 -> h2;
//              5: h0 3 -> h0;  2: h0 1 -> h0                                     => [1,2,2,0,0]
//  worst-fit:  3: h0 (5);  4: h0 1, h1 0, h2 2 -> h2;  2: h0 3, h1 2, h2 0 -> h0 (3);
//              5: none has 5 left? h0 3 slots no, h1 4 no, h2 2 no -> unplaced;  2: h0 1, h1 2 -> h1 => [0,2,0,-1,1]
//  ffd:        order 5,4,3,2,2: 5->h0 (3), 4->h1 (0), 3->h0 (0), 2->h2 (4), 2->h2 (2) => by VM [0,1,2,0,2]
const HOSTS = [host(8, 16), host(4, 16), host(6, 16)];
const VMS = [vm(3, 2), vm(4, 2), vm(2, 2), vm(5, 2), vm(2, 2)];
const BY_HAND: Record<VmPlacementName, number[]> = {
  'first-fit': [0, 0, 1, 2, 1],
  'best-fit': [1, 2, 2, 0, 0],
  'worst-fit': [0, 2, 0, -1, 1],
  'first-fit-decreasing': [0, 1, 2, 0, 2],
};

test('each policy places the hand-worked example as computed by hand', () => {
  for (const policy of Object.keys(VM_PLACEMENTS) as VmPlacementName[])
    assert.deepEqual(placeAll(policy, HOSTS, VMS).hostOf, BY_HAND[policy], policy);
});

test('ties: best-fit breaks on RAM left, then on the lower index; worst-fit the other way on RAM', () => {
  const hosts = [host(4, 8), host(4, 6), host(4, 6)];
  const used = hosts.map(() => vm(0, 0));
  assert.equal(chooseHost('best-fit', hosts, used, vm(2, 1)), 1);
  assert.equal(chooseHost('worst-fit', hosts, used, vm(2, 1)), 0);
  assert.equal(
    chooseHost('first-fit', hosts, used, vm(2, 1), (h) => h !== 0),
    1,
  );
  assert.equal(chooseHost('best-fit', hosts, used, vm(5, 1)), -1);
});

test('RAM binds: a VM with slots free but no RAM goes elsewhere', () => {
  const r = placeAll('first-fit', [host(8, 4), host(8, 16)], [vm(1, 3), vm(1, 3), vm(1, 3)]);
  assert.deepEqual(r.hostOf, [0, 1, 1]);
  assert.deepEqual(r.used, [vm(1, 3), vm(2, 6)]);
});

test('decreasing order: vCPUs, then RAM, then the given order', () => {
  assert.deepEqual(decreasingOrder([vm(2, 1), vm(4, 1), vm(2, 3), vm(4, 1)]), [1, 3, 2, 0]);
});

/** The fewest identical hosts of `cap` slots that hold `sizes` (exhaustive search with symmetry breaking). */
function optimumBins(sizes: number[], cap: number): number {
  const items = [...sizes].sort((a, b) => b - a);
  let best = items.length;
  const loads: number[] = [];
  const go = (i: number): void => {
    if (loads.length >= best) return;
    if (i === items.length) {
      best = loads.length;
      return;
    }
    const seen = new Set<number>();
    for (let b = 0; b < loads.length; b++) {
      if (loads[b]! + items[i]! > cap || seen.has(loads[b]!)) continue;
      seen.add(loads[b]!);
      loads[b]! += items[i]!;
      go(i + 1);
      loads[b]! -= items[i]!;
    }
    loads.push(items[i]!);
    go(i + 1);
    loads.pop();
  };
  go(0);
  return best;
}

test('first-fit-decreasing is within 11/9 OPT + 6/9 hosts of a brute-force optimum (random small cases)', () => {
  const rng = lcg(17);
  let worse = 0;
  for (let trial = 0; trial < 300; trial++) {
    const cap = 10 + rng.int(11);
    const n = 6 + rng.int(7);
    // Sizes from a fifth to a half of a host: where FFD can go wrong.
    const sizes = Array.from(
      { length: n },
      () => Math.ceil(cap / 5) + rng.int(Math.floor(cap / 2) - Math.ceil(cap / 5) + 1),
    );
    // Enough identical hosts for one VM each; RAM never binds.
    const hosts = sizes.map(() => host(cap, 1024));
    const vms = sizes.map((s) => vm(s, 1));
    const opt = optimumBins(sizes, cap);
    for (const policy of Object.keys(VM_PLACEMENTS) as VmPlacementName[]) {
      const r = placeAll(policy, hosts, vms);
      assert.ok(
        r.hostOf.every((h) => h >= 0),
        `${policy}: every VM placed`,
      );
      r.used.forEach((u, h) => assert.ok(u.vcpus <= hosts[h]!.vcpuSlots && u.ramBytes <= hosts[h]!.ramBytes));
      assert.ok(hostsUsed(r.hostOf) >= opt, `${policy} cannot beat the optimum`);
    }
    const ffd = hostsUsed(placeAll('first-fit-decreasing', hosts, vms).hostOf);
    assert.ok(9 * ffd <= 11 * opt + 6, `FFD ${ffd} > 11/9 x ${opt} + 6/9 for ${sizes} in ${cap}`);
    if (ffd > opt) worse++;
  }
  // The bound is not vacuous here: FFD is sometimes above the optimum.
  assert.ok(worse > 0);
});

test('the classic FFD worst case: 11 hosts where 9 suffice (the ratio 11/9)', () => {
  // Dosa's family for OPT = 9: 6 x (1/2 + e), 6 x (1/4 + 2e), 6 x (1/4 + e), 12 x (1/4 - 2e) at a
  // scale where e = 1 and a bin holds 120: 61, 32, 31, 28. OPT packs 6 x {61, 31, 28}, 3 x
  // {32, 32, 28, 28}; FFD opens 6 x {61, 32}, 2 x {31, 31, 31}, 3 x {28, 28, 28, 28}: 11.
  const sizes = [...Array(6).fill(61), ...Array(6).fill(32), ...Array(6).fill(31), ...Array(12).fill(28)];
  const hosts = sizes.map(() => host(120, 1024));
  const ffd = hostsUsed(
    placeAll(
      'first-fit-decreasing',
      hosts,
      sizes.map((s) => vm(s, 1)),
    ).hostOf,
  );
  assert.equal(ffd, 11);
  // First-fit in the given order (the largest first already) is FFD here; worst-fit spreads.
  assert.equal(
    hostsUsed(
      placeAll(
        'first-fit',
        hosts,
        sizes.map((s) => vm(s, 1)),
      ).hostOf,
    ),
    11,
  );
});
