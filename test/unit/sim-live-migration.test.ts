/**
 * Live migration of one VM (docs/model.md, "Live migration of a virtual machine") against closed
 * forms: pre-copy with a constant dirty rate D and migration rate B (r = D / B < 1) sends
 * M (1 - r^(n+1)) / (1 - r) over n + 1 rounds and its downtime is the last round's size over B
 * plus the CPU state over B plus the latency; stop-and-copy's downtime is M / B (plus the same
 * two terms); post-copy's is the CPU state over B plus the latency, and it sends M once. Then
 * the round limit when r >= 1, the writable working set, auto-converge, CloudSim's model as a
 * special case, input validation, and properties over random parameters.
 *
 * The figures are chosen so that every transfer is a whole number of nanoseconds and every dirty
 * amount a whole number of bytes (a rate of 1e9 B/s sends one byte per nanosecond; powers of two
 * over 2^27 B/s give whole seconds), so the closed forms hold exactly, not within a tolerance.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  AUTO_CONVERGE,
  LIVE_MIGRATION_LINK,
  LIVE_MIGRATION_VM,
  POST_COPY,
  PRE_COPY,
  SimConfigError,
  simulateLiveMigration,
  type LiveMigrationConfig,
  type LiveMigrationRecord,
  type PreCopyConfig,
} from '../../src/sim/index';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
/** One byte per nanosecond. */
const GB_PER_S = 1e9;

/** A link that gives the migration all of `bytesPerS`, with the given latency. */
const link = (bandwidthBytesPerS: number, latencyNs = 0) => ({ bandwidthBytesPerS, migrationShare: 1, latencyNs });

/** Time to send `bytes` at `bytesPerS`, in nanoseconds. */
const ns = (bytes: number, bytesPerS: number) => (bytes * 1e9) / bytesPerS;

/** The closed form of pre-copy's memory sent over rounds 0..n: M (1 - r^(n+1)) / (1 - r). */
const preCopyBytes = (M: number, r: number, n: number) => (M * (1 - r ** (n + 1))) / (1 - r);

/** The index n of the paused round: the first i >= 1 with M r^i / B + C / B + L <= target (in seconds and ns). */
function convergingRound(M: number, r: number, B: number, C: number, L: number, targetNs: number): number {
  let i = 1;
  while (ns(M * r ** i, B) + ns(C, B) + L > targetNs) i++;
  return i;
}

test('pre-copy with r = 1/4 sends M (1 - r^(n+1)) / (1 - r) over n + 1 rounds; downtime = last round / B', () => {
  const M = GiB;
  const r = 1 / 4;
  const targetNs = MiB; // 1.05 ms: M r^i / B fits from i = 5 on
  const rec = simulateLiveMigration({
    vm: { ramBytes: M, dirtyBytesPerS: r * GB_PER_S, cpuStateBytes: 0 },
    link: link(GB_PER_S),
    method: { kind: 'pre-copy', maxDowntimeNs: targetNs },
  });
  const n = convergingRound(M, r, GB_PER_S, 0, 0, targetNs);
  assert.equal(n, 5);
  assert.equal(rec.rounds.length, n + 1);
  assert.deepEqual(
    rec.rounds.map((x) => x.bytes),
    Array.from({ length: n + 1 }, (_, i) => M * r ** i),
  );
  assert.deepEqual(
    rec.rounds.map((x) => x.phase),
    [...Array<string>(n).fill('live'), 'paused'],
  );
  assert.equal(rec.memoryBytes, preCopyBytes(M, r, n));
  assert.equal(rec.memoryBytes, (2 ** 32 - 2 ** 20) / 3);
  assert.equal(rec.downtimeNs, ns(M * r ** n, GB_PER_S));
  assert.equal(rec.pauseStartNs, ns(preCopyBytes(M, r, n - 1), GB_PER_S));
  assert.equal(rec.totalNs, ns(rec.memoryBytes, GB_PER_S));
  assert.equal(rec.converged, true);
  assert.equal(rec.stop, 'converged');
  assert.ok(rec.downtimeNs <= targetNs);
});

test("pre-copy at QEMU's defaults (300 ms target) over 128 MiB/s: 1 GiB at 32 MiB/s converges in round 3", () => {
  const M = GiB;
  const B = 128 * MiB;
  const r = 1 / 4;
  const rec = simulateLiveMigration({
    vm: { ramBytes: M, dirtyBytesPerS: r * B, cpuStateBytes: 0 },
    link: link(B),
    method: { kind: 'pre-copy' },
  });
  const n = convergingRound(M, r, B, 0, 0, 300e6);
  assert.equal(n, 3);
  // Round i takes 8 s / 4^i: 8, 2, 0.5 s live, then 0.125 s paused.
  assert.deepEqual(
    rec.rounds.map((x) => x.durationNs),
    [8e9, 2e9, 0.5e9, 0.125e9],
  );
  assert.deepEqual(
    rec.rounds.map((x) => x.startNs),
    [0, 8e9, 10e9, 10.5e9],
  );
  assert.equal(rec.memoryBytes, preCopyBytes(M, r, n));
  assert.equal(rec.downtimeNs, 125e6);
  assert.equal(rec.totalNs, 10.625e9);
});

test('the downtime adds the CPU state over B and the latency, and the target counts them too', () => {
  const M = GiB;
  const r = 1 / 2;
  const C = 2 ** 16;
  const L = 50_000;
  const targetNs = 2 ** 22 + C + L; // M r^i fits from i = 8 (2^22 B) on, with C and L, exactly at the bound
  const rec = simulateLiveMigration({
    vm: { ramBytes: M, dirtyBytesPerS: r * GB_PER_S, cpuStateBytes: C },
    link: link(GB_PER_S, L),
    method: { kind: 'pre-copy', maxDowntimeNs: targetNs },
  });
  const n = convergingRound(M, r, GB_PER_S, C, L, targetNs);
  assert.equal(n, 8);
  assert.equal(rec.rounds.length, n + 1);
  assert.equal(rec.memoryBytes, preCopyBytes(M, r, n));
  assert.equal(rec.cpuStateBytes, C);
  assert.equal(rec.totalBytes, preCopyBytes(M, r, n) + C);
  assert.equal(rec.downtimeNs, M * r ** n + C + L);
  assert.equal(rec.downtimeNs, targetNs);
  assert.equal(rec.totalNs, rec.memoryBytes + C + L);
  assert.equal(rec.link.busyNs, rec.memoryBytes + C);
  // One nanosecond less and round 8 no longer fits: round 9 (2^21 B) does.
  const tighter = simulateLiveMigration({
    vm: { ramBytes: M, dirtyBytesPerS: r * GB_PER_S, cpuStateBytes: C },
    link: link(GB_PER_S, L),
    method: { kind: 'pre-copy', maxDowntimeNs: targetNs - 1 },
  });
  assert.equal(tighter.rounds.length, n + 2);
  assert.equal(tighter.downtimeNs, 2 ** 21 + C + L);
});

test('stop-and-copy: downtime M / B (plus C / B and the latency), the whole move', () => {
  const M = GiB;
  const B = 128 * MiB;
  const bare = simulateLiveMigration({
    vm: { ramBytes: M, dirtyBytesPerS: 64 * MiB, cpuStateBytes: 0 },
    link: link(B),
    method: { kind: 'stop-and-copy' },
  });
  assert.equal(bare.downtimeNs, ns(M, B));
  assert.equal(bare.downtimeNs, 8e9);
  assert.equal(bare.totalNs, bare.downtimeNs);
  assert.equal(bare.pauseStartNs, 0);
  assert.equal(bare.memoryBytes, M);
  assert.deepEqual(
    bare.rounds.map((x) => [x.phase, x.bytes]),
    [['paused', M]],
  );
  assert.equal(bare.stop, 'stop-and-copy');
  assert.equal(bare.lostNs, bare.downtimeNs);

  const C = 2 ** 20;
  const full = simulateLiveMigration({
    vm: { ramBytes: M, dirtyBytesPerS: 64 * MiB, cpuStateBytes: C },
    link: link(B, 70_000),
    method: { kind: 'stop-and-copy' },
  });
  assert.equal(full.downtimeNs, ns(M, B) + ns(C, B) + 70_000);
  assert.equal(full.totalBytes, M + C);
});

test('r >= 1: rounds never shrink, non-convergence is reported at the round limit, then stop-and-copy of the rest', () => {
  const M = GiB;
  const C = 2 ** 16;
  for (const r of [1, 1.5]) {
    const rec = simulateLiveMigration({
      vm: { ramBytes: M, dirtyBytesPerS: r * GB_PER_S, cpuStateBytes: C },
      link: link(GB_PER_S, 1000),
      method: { kind: 'pre-copy', maxRounds: 5 },
    });
    assert.equal(rec.converged, false);
    assert.equal(rec.stop, 'round-limit');
    assert.equal(rec.rounds.length, 5);
    // Never more dirty than there is RAM: every round is all of it.
    assert.deepEqual(
      rec.rounds.map((x) => x.bytes),
      [M, M, M, M, M],
    );
    assert.equal(rec.rounds[4]!.phase, 'paused');
    const stopCopy = simulateLiveMigration({
      vm: { ramBytes: M, dirtyBytesPerS: r * GB_PER_S, cpuStateBytes: C },
      link: link(GB_PER_S, 1000),
      method: { kind: 'stop-and-copy' },
    });
    assert.equal(rec.downtimeNs, stopCopy.downtimeNs);
    assert.equal(rec.downtimeNs, M + C + 1000);
    assert.equal(rec.totalNs, 5 * M + C + 1000);
    assert.equal(rec.memoryBytes, 5 * M);
  }
  // The default limit is Xen's 30 rounds.
  const xen = simulateLiveMigration({
    vm: { ramBytes: M, dirtyBytesPerS: 2 * GB_PER_S },
    link: link(GB_PER_S),
    method: { kind: 'pre-copy' },
  });
  assert.equal(xen.rounds.length, PRE_COPY.maxRounds.default);
  assert.equal(xen.stop, 'round-limit');
});

test('a writable working set: rounds shrink to W, not to 0 (r >= 1), and converge when W fits the target', () => {
  const M = GiB;
  const r = 2;
  const stuck = simulateLiveMigration({
    vm: { ramBytes: M, dirtyBytesPerS: r * GB_PER_S, wwsBytes: 512 * MiB, cpuStateBytes: 0 },
    link: link(GB_PER_S),
    method: { kind: 'pre-copy', maxRounds: 6 },
  });
  assert.deepEqual(
    stuck.rounds.map((x) => x.bytes),
    [M, 512 * MiB, 512 * MiB, 512 * MiB, 512 * MiB, 512 * MiB],
  );
  assert.equal(stuck.stop, 'round-limit');
  assert.equal(stuck.downtimeNs, 512 * MiB); // W / B, not M / B

  const fits = simulateLiveMigration({
    vm: { ramBytes: M, dirtyBytesPerS: r * GB_PER_S, wwsBytes: 16 * MiB, cpuStateBytes: 0 },
    link: link(GB_PER_S),
    method: { kind: 'pre-copy' },
  });
  assert.deepEqual(
    fits.rounds.map((x) => x.bytes),
    [M, 16 * MiB],
  );
  assert.equal(fits.stop, 'converged');
  assert.equal(fits.downtimeNs, 16 * MiB);

  // r < 1 with W < r M: round 1 is W, then W r^(i-1).
  const shrinking = simulateLiveMigration({
    vm: { ramBytes: M, dirtyBytesPerS: 0.5 * GB_PER_S, wwsBytes: 64 * MiB, cpuStateBytes: 0 },
    link: link(GB_PER_S),
    method: { kind: 'pre-copy', maxDowntimeNs: 4 * MiB },
  });
  assert.deepEqual(
    shrinking.rounds.map((x) => x.bytes),
    [M, 64 * MiB, 32 * MiB, 16 * MiB, 8 * MiB, 4 * MiB],
  );
});

test("auto-converge throttles the dirty rate in QEMU's steps and converges where plain pre-copy does not", () => {
  const M = GiB;
  const D = 1.2 * GB_PER_S;
  const vm = { ramBytes: M, dirtyBytesPerS: D, cpuStateBytes: 0 };
  const plain = simulateLiveMigration({ vm, link: link(GB_PER_S), method: { kind: 'pre-copy' } });
  assert.equal(plain.converged, false);
  assert.equal(plain.maxThrottle, 0);

  const auto = simulateLiveMigration({
    vm,
    link: link(GB_PER_S),
    method: { kind: 'pre-copy', onNonConvergence: 'auto-converge' },
  });
  assert.equal(auto.converged, true);
  assert.equal(auto.stop, 'converged');
  assert.ok(auto.downtimeNs <= 300e6);
  // Each pair of unproductive rounds (dirtied > 50 % of what was sent) raises the throttle:
  // 20 %, then +10 %. The ratio D (1 - throttle) / B is 1.2, 0.96, 0.84, 0.72, 0.6: all unproductive.
  const expected = [0, 0, 0.2, 0.2, 0.3, 0.3, 0.4, 0.4, 0.5];
  const live = auto.rounds.filter((x) => x.phase === 'live');
  assert.equal(live.length, expected.length);
  live.forEach((x, i) => {
    assert.ok(Math.abs(x.throttle - expected[i]!) < 1e-12, `round ${i}: throttle ${x.throttle}`);
    assert.ok(Math.abs(x.dirtyBytesPerS - D * (1 - expected[i]!)) < 1e-3);
    assert.ok(Math.abs(x.slowdown - expected[i]!) < 1e-12, 'the throttle is the guest slowdown');
  });
  // Round i+1 is what round i left dirty: min(M, S_i x D (1 - throttle_i) / B), to the byte.
  for (let i = 0; i + 1 < auto.rounds.length; i++) {
    const s = auto.rounds[i]!;
    const reference = Math.min(M, (s.bytes * s.dirtyBytesPerS) / GB_PER_S);
    assert.ok(Math.abs(auto.rounds[i + 1]!.bytes - reference) <= 0.5, `round ${i + 1}`);
  }
  assert.ok(Math.abs(auto.maxThrottle - 0.5) < 1e-12);
  // The throttle costs the guest: it loses 20 % of two rounds, 30 % of two...
  const lost = live.reduce((sum, x) => sum + x.durationNs * x.throttle, 0);
  assert.equal(auto.slowdownLostNs, Math.round(lost));
  assert.equal(auto.lostNs, auto.downtimeNs + auto.slowdownLostNs);
});

test('auto-converge cannot beat a throttle cap that leaves r >= 1: the round limit still stops it', () => {
  const rec = simulateLiveMigration({
    vm: { ramBytes: GiB, dirtyBytesPerS: 4 * GB_PER_S, cpuStateBytes: 0 },
    link: link(GB_PER_S),
    method: { kind: 'pre-copy', onNonConvergence: 'auto-converge', maxRounds: 12, autoConverge: { max: 0.5 } },
  });
  assert.equal(rec.stop, 'round-limit');
  assert.ok(Math.abs(rec.maxThrottle - 0.5) < 1e-12);
  assert.equal(rec.rounds.length, 12);
});

test('post-copy: downtime = CPU state / B + latency; M is sent once, the working set first; the slowdown falls with what is missing', () => {
  const M = GiB;
  const W = 256 * MiB;
  const C = 2 ** 18;
  const L = 50_000;
  const rec = simulateLiveMigration({
    vm: { ramBytes: M, dirtyBytesPerS: 5 * GB_PER_S, wwsBytes: W, cpuStateBytes: C },
    link: link(GB_PER_S, L),
    method: { kind: 'post-copy' },
  });
  assert.equal(rec.downtimeNs, ns(C, GB_PER_S) + L);
  assert.equal(rec.memoryBytes, M);
  assert.equal(rec.totalBytes, M + C);
  assert.deepEqual(
    rec.rounds.map((x) => [x.phase, x.bytes, x.startNs, x.durationNs]),
    [
      ['demand', W, C, W],
      ['background', M - W, C + W, M - W],
    ],
  );
  assert.equal(rec.totalNs, C + M + L);
  // Slowdown 1 at resume, falling linearly to 0 as W arrives: W / B / 2 lost.
  assert.equal(rec.slowdownLostNs, W / 2);
  assert.equal(rec.meanSlowdown, W / 2 / M);
  assert.equal(rec.stop, 'post-copy');

  // Faults pulling at half the rate: the working set takes twice as long, the rest is unchanged.
  const slowPull = simulateLiveMigration({
    vm: { ramBytes: M, dirtyBytesPerS: 0, wwsBytes: W, cpuStateBytes: C },
    link: link(GB_PER_S, L),
    method: { kind: 'post-copy', pullBytesPerS: 0.5 * GB_PER_S, faultSlowdown: 0.5 },
  });
  assert.equal(slowPull.rounds[0]!.durationNs, 2 * W);
  assert.equal(slowPull.totalNs, C + 2 * W + (M - W) + L);
  assert.equal(slowPull.slowdownLostNs, (0.5 * 2 * W) / 2);
  assert.equal(slowPull.downtimeNs, rec.downtimeNs);

  // Without a working set the whole RAM is pulled on demand.
  const noWws = simulateLiveMigration({
    vm: { ramBytes: M, dirtyBytesPerS: 0, cpuStateBytes: C },
    link: link(GB_PER_S, L),
    method: { kind: 'post-copy' },
  });
  assert.deepEqual(
    noWws.rounds.map((x) => x.phase),
    ['demand'],
  );
  assert.equal(noWws.slowdownLostNs, M / 2);
});

test("CloudSim's model is pre-copy with nothing dirtied: time RAM / (bandwidth x share), with a 10 % slowdown", () => {
  const M = 1e9;
  const B = 2e9;
  const rec = simulateLiveMigration({
    vm: { ramBytes: M, dirtyBytesPerS: 0, cpuStateBytes: 0 },
    link: { bandwidthBytesPerS: B, latencyNs: 0 },
    method: { kind: 'pre-copy', slowdown: 0.1 },
  });
  const share = LIVE_MIGRATION_LINK.migrationShare.default;
  assert.equal(share, 0.5);
  assert.equal(rec.totalNs, ns(M, B * share));
  assert.equal(rec.downtimeNs, 0);
  assert.equal(rec.meanSlowdown, 0.1);
  assert.equal(rec.slowdownLostNs, 0.1 * rec.totalNs);
  assert.deepEqual(rec.link, { bytesPerS: B * share, shareOfLink: share, busyNs: rec.totalNs, bytes: M });
});

test('the migration rate is bandwidth x share, capped by maxMigrationBytesPerS', () => {
  const vm = { ramBytes: GiB, dirtyBytesPerS: 0, cpuStateBytes: 0 };
  const method = { kind: 'stop-and-copy' } as const;
  const capped = simulateLiveMigration({
    vm,
    link: { bandwidthBytesPerS: 1.25e9, maxMigrationBytesPerS: 128 * MiB, latencyNs: 0 },
    method,
  });
  assert.equal(capped.downtimeNs, 8e9);
  assert.equal(capped.link.bytesPerS, 128 * MiB);
  const shared = simulateLiveMigration({ vm, link: { bandwidthBytesPerS: 4 * 128 * MiB, latencyNs: 0 }, method });
  assert.equal(shared.downtimeNs, 4e9);
  assert.equal(shared.link.shareOfLink, 0.5);
});

test('invalid input is refused with a SimConfigError naming the field', () => {
  const ok: LiveMigrationConfig = { vm: { ramBytes: GiB, dirtyBytesPerS: 0 }, method: { kind: 'pre-copy' } };
  const cases: [unknown, string, RegExp][] = [
    [{ ...ok, vm: { dirtyBytesPerS: 0 } }, 'vm.ramBytes', /required/],
    [{ ...ok, vm: { ramBytes: 1.5, dirtyBytesPerS: 0 } }, 'vm.ramBytes', /integer/],
    [{ ...ok, vm: { ramBytes: GiB } }, 'vm.dirtyBytesPerS', /required/],
    [{ ...ok, vm: { ramBytes: GiB, dirtyBytesPerS: -1 } }, 'vm.dirtyBytesPerS', /at least 0/],
    [{ ...ok, vm: { ramBytes: GiB, dirtyBytesPerS: 0, wwsBytes: 2 * GiB } }, 'vm.wwsBytes', /at most/],
    [{ ...ok, vm: { ramBytes: GiB, dirtyBytesPerS: 0, ram: 1 } }, 'vm.ram', /unknown field/],
    [{ ...ok, link: { migrationShare: 0 } }, 'link.migrationShare', /greater than 0/],
    [{ ...ok, link: { bandwidthBytesPerS: Infinity } }, 'link.bandwidthBytesPerS', /finite/],
    [{ ...ok, link: { latencyNs: 0.5 } }, 'link.latencyNs', /integer/],
    [{ ...ok, method: { kind: 'live' } }, 'method.kind', /one of pre-copy, post-copy, stop-and-copy/],
    [{ ...ok, method: { kind: 'pre-copy', maxRounds: 0 } }, 'method.maxRounds', /at least 1/],
    [{ ...ok, method: { kind: 'pre-copy', autoConverge: {} } }, 'method.autoConverge', /auto-converge/],
    [
      {
        ...ok,
        method: { kind: 'pre-copy', onNonConvergence: 'auto-converge', autoConverge: { initial: 0.6, max: 0.5 } },
      },
      'method.autoConverge.initial',
      /at most 0.5/,
    ],
    [{ ...ok, method: { kind: 'post-copy', pullBytesPerS: 1e12 } }, 'method.pullBytesPerS', /at most/],
    [{ ...ok, method: { kind: 'stop-and-copy', maxRounds: 3 } }, 'method.maxRounds', /unknown field/],
    [{ ...ok, method: { kind: 'post-copy', maxDowntimeNs: 3 } }, 'method.maxDowntimeNs', /unknown field/],
    [{ ...ok, extra: 1 }, 'migration.extra', /unknown field/],
    [
      { ...ok, vm: { ramBytes: 2 ** 50, dirtyBytesPerS: 0 }, link: { bandwidthBytesPerS: 1 } },
      'link.bandwidthBytesPerS',
      /too low/,
    ],
  ];
  for (const [config, path, reason] of cases) {
    assert.throws(
      () => simulateLiveMigration(config as LiveMigrationConfig),
      (e: unknown) => e instanceof SimConfigError && e.path === path && reason.test(e.reason),
      `${path} ${reason}`,
    );
  }
});

// Properties over random parameters.

const vmArb = fc.integer({ min: 1, max: 2 ** 34 }).chain((ramBytes) =>
  fc.record(
    {
      ramBytes: fc.constant(ramBytes),
      dirtyBytesPerS: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 4e9, noNaN: true })),
      wwsBytes: fc.integer({ min: 1, max: ramBytes }),
      cpuStateBytes: fc.integer({ min: 0, max: 2 ** 22 }),
    },
    { requiredKeys: ['ramBytes', 'dirtyBytesPerS'] },
  ),
);
const linkArb = fc.record({
  bandwidthBytesPerS: fc.double({ min: 1e7, max: 1e11, noNaN: true }),
  migrationShare: fc.double({ min: 0.05, max: 1, noNaN: true }),
  latencyNs: fc.integer({ min: 0, max: 1_000_000 }),
});
const preCopyArb: fc.Arbitrary<PreCopyConfig> = fc.record({
  kind: fc.constant('pre-copy' as const),
  maxDowntimeNs: fc.integer({ min: 0, max: 2e9 }),
  maxRounds: fc.integer({ min: 1, max: 40 }),
  onNonConvergence: fc.constantFrom('stop-and-copy' as const, 'auto-converge' as const),
  slowdown: fc.constantFrom(0, 0.1),
});
const methodArb = fc.oneof(
  preCopyArb,
  fc.record({ kind: fc.constant('post-copy' as const), faultSlowdown: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.constant({ kind: 'stop-and-copy' as const }),
);
const configArb: fc.Arbitrary<LiveMigrationConfig> = fc.record({ vm: vmArb, link: linkArb, method: methodArb });

function checkInvariants(config: LiveMigrationConfig, rec: LiveMigrationRecord): void {
  const M = config.vm.ramBytes;
  // Everything is sent at least once; post-copy and stop-and-copy send each page exactly once.
  assert.ok(rec.memoryBytes >= M);
  if (config.method.kind !== 'pre-copy') assert.equal(rec.memoryBytes, M);
  if (config.method.kind !== 'post-copy') assert.equal(rec.rounds[0]!.bytes, M);
  for (const round of rec.rounds) {
    assert.ok(Number.isSafeInteger(round.bytes) && round.bytes >= 0 && round.bytes <= M);
    assert.ok(Number.isSafeInteger(round.durationNs) && round.durationNs >= 0);
  }
  // Rounds follow each other without a gap; the link is busy for them and the CPU state.
  for (let i = 1; i < rec.rounds.length; i++)
    assert.equal(rec.rounds[i]!.startNs, rec.rounds[i - 1]!.startNs + rec.rounds[i - 1]!.durationNs);
  assert.equal(rec.link.busyNs + (config.link?.latencyNs ?? 0), rec.totalNs);
  assert.equal(rec.totalBytes, rec.memoryBytes + rec.cpuStateBytes);
  assert.ok(Number.isSafeInteger(rec.totalNs) && Number.isSafeInteger(rec.downtimeNs));
  assert.ok(rec.downtimeNs <= rec.totalNs);
  assert.ok(rec.lostNs >= rec.downtimeNs && rec.lostNs <= rec.totalNs);
  assert.ok(rec.meanSlowdown >= 0 && rec.meanSlowdown <= 1);
  if (config.method.kind === 'pre-copy') {
    const method = config.method;
    if (rec.converged) assert.ok(rec.downtimeNs <= method.maxDowntimeNs!, 'converged within the target');
    else assert.equal(rec.rounds.length, method.maxRounds);
    const W = config.vm.wwsBytes ?? M;
    for (const round of rec.rounds.slice(1)) assert.ok(round.bytes <= W, 'never more dirty than the working set');
    assert.equal(rec.rounds.filter((x) => x.phase === 'paused').length, 1);
    assert.equal(rec.rounds[rec.rounds.length - 1]!.phase, 'paused');
    // The dirty rate never rises.
    for (let i = 1; i < rec.rounds.length - 1; i++)
      assert.ok(rec.rounds[i]!.dirtyBytesPerS <= rec.rounds[i - 1]!.dirtyBytesPerS);
    // Pre-copy never pauses longer than stop-and-copy.
    const stopCopy = simulateLiveMigration({ ...config, method: { kind: 'stop-and-copy' } });
    assert.ok(rec.downtimeNs <= stopCopy.downtimeNs);
  }
}

test('property: bytes conserved, rounds contiguous, downtime <= total time, converged pre-copy within its target', () => {
  fc.assert(
    fc.property(configArb, (config) => {
      const rec = simulateLiveMigration(config);
      checkInvariants(config, rec);
      assert.deepEqual(simulateLiveMigration(config), rec, 'deterministic');
    }),
    { numRuns: 400 },
  );
});

test('property: a faster link never makes a move longer or heavier (pre-copy without auto-converge, stop-and-copy, post-copy)', () => {
  // Auto-converge is left out: a faster link throttles the guest less, so later rounds may grow.
  // Pre-copy's downtime is left out too: a faster link may converge a round earlier with a larger rest.
  const plain = fc.oneof(
    preCopyArb.map((m) => ({ ...m, onNonConvergence: 'stop-and-copy' as const })),
    methodArb.filter((m) => m.kind !== 'pre-copy'),
  );
  fc.assert(
    fc.property(
      fc.record({ vm: vmArb, link: linkArb, method: plain }),
      fc.double({ min: 1, max: 100, noNaN: true }),
      (config, factor) => {
        const slow = simulateLiveMigration(config);
        const faster = {
          ...config,
          link: { ...config.link, bandwidthBytesPerS: config.link!.bandwidthBytesPerS! * factor },
        };
        const fast = simulateLiveMigration(faster);
        assert.ok(fast.totalNs <= slow.totalNs, 'total time');
        assert.ok(fast.memoryBytes <= slow.memoryBytes, 'bytes');
        assert.ok(fast.rounds.length <= slow.rounds.length, 'rounds');
        if (config.method.kind !== 'pre-copy') assert.ok(fast.downtimeNs <= slow.downtimeNs, 'downtime');
        else if (fast.rounds.length === slow.rounds.length) assert.ok(fast.downtimeNs <= slow.downtimeNs);
      },
    ),
    { numRuns: 300 },
  );
});

test('docs/model.md documents every live-migration parameter', () => {
  const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/model.md'), 'utf8');
  const start = doc.indexOf('## Live migration of a virtual machine');
  assert.ok(start >= 0, 'the section exists');
  const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
  for (const keys of [LIVE_MIGRATION_VM, LIVE_MIGRATION_LINK, PRE_COPY, AUTO_CONVERGE, POST_COPY])
    for (const key of Object.keys(keys))
      assert.ok(new RegExp(`[\`.]${key}[\`.]`).test(section), `${key} is in the section's table`);
});
