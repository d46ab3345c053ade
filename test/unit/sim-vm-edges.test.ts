/**
 * Edges of a VM run (src/sim/cluster/vm-cluster-simulation.ts) against closed forms:
 * - a load trace's step may be far shorter than the slice: nothing is kept per step, so 1e10 steps
 *   of 1 us cost nothing, and the work offered is the trace read at each slice; a noisy trace draws
 *   each step's noise in turn (steps no slice falls in included) and refuses more than
 *   MAX_NOISY_STEPS steps at load.stepNs;
 * - a move that has not ended when the run does is reported unfinished: its VM on the source, its
 *   downtime min(run end, pause end) - pause start, its bytes those sent by the end;
 * - a host in maintenance whose VM needs a spare moves it the instant the spare is on (maintenance
 *   time + boot time), not at the next check.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MAX_NOISY_STEPS,
  Rng,
  SimConfigError,
  simulateLiveMigration,
  simulateVmCluster,
  VmClusterSimulation,
  type VmClusterConfig,
} from '../../src/sim/index';

const S = 1e9;
const GiB = 2 ** 30;
const MACHINE = { sockets: 1, coresPerSocket: 4, contextSwitchNs: 0 };

function base(over: Partial<VmClusterConfig> & Pick<VmClusterConfig, 'vms'>): VmClusterConfig {
  return {
    hosts: [{ count: 2, machine: MACHINE, ramBytes: 64 * GiB }],
    sliceNs: S,
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'rr', quantumNs: 1e6 },
    durationNs: 20 * S,
    seed: 1,
    ...over,
  };
}

const near = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tolerance ${tol})`);

test('a trace of 1e10 steps of 1 us runs in constant memory: the work offered is the trace at each slice', () => {
  // 10,000 slices of 1 s: the one at 0 reads step 0 (10 %), every later one a step >= 1 (90 %).
  const r = simulateVmCluster(
    base({
      durationNs: 10_000 * S,
      vms: [{ name: 'db', vcpus: 1, ramBytes: GiB, dirtyBytesPerS: 0, load: { trace: [0.1, 0.9], stepNs: 1000 } }],
      migration: { overload: 'none' },
    }),
  );
  near(r.vms[0]!.offeredS, 0.1 + 0.9 * 9999, 1e-6, 'offered vCPU-seconds');
});

test('a noisy trace draws every step in turn, skipped ones included, and refuses too many steps at load.stepNs', () => {
  const stepNs = 0.3 * S;
  const noise = 0.2;
  const r = simulateVmCluster(
    base({
      vms: [{ name: 'web', vcpus: 2, ramBytes: GiB, dirtyBytesPerS: 0, load: { utilization: 0.5, noise, stepNs } }],
      migration: { overload: 'none' },
      seed: 7,
    }),
  );
  // Reference: step k's utilisation is the k-th normal draw of stream load:web; slice j (at j s)
  // reads step floor(j s / 0.3 s), so steps between slices are drawn and dropped.
  const rng = new Rng(7, 'load:web');
  const steps: number[] = [];
  for (let k = 0; k <= Math.floor((19 * S) / stepNs); k++)
    steps.push(Math.min(1, Math.max(0, 0.5 + noise * rng.normal())));
  let offeredNs = 0;
  for (let j = 0; j < 20; j++) offeredNs += 2 * Math.round(steps[Math.floor((j * S) / stepNs)]! * S);
  assert.equal(r.vms[0]!.offeredS, offeredNs / S);
  // Slicing does not change it.
  const cfg = base({
    vms: [{ name: 'web', vcpus: 2, ramBytes: GiB, dirtyBytesPerS: 0, load: { utilization: 0.5, noise, stepNs } }],
    migration: { overload: 'none' },
    seed: 7,
  });
  const sliced = new VmClusterSimulation(cfg);
  for (let t = 0; t < sliced.endNs; t += 3_333_333_333) sliced.advance(t);
  sliced.advance(sliced.endNs);
  assert.equal(sliced.result().digest, r.digest);

  const tooMany = base({
    vms: [{ name: 'web', vcpus: 1, ramBytes: GiB, dirtyBytesPerS: 0, load: { utilization: 0.5, noise, stepNs: 1 } }],
  });
  assert.ok(20 * S > MAX_NOISY_STEPS);
  assert.throws(
    () => new VmClusterSimulation(tooMany),
    (e: unknown) => e instanceof SimConfigError && e.path === 'vms[0].load.stepNs',
  );
  // Exactly MAX_NOISY_STEPS steps is accepted.
  new VmClusterSimulation({
    ...tooMany,
    vms: [{ ...tooMany.vms[0]!, load: { utilization: 0.5, noise, stepNs: (20 * S) / MAX_NOISY_STEPS } }],
  });
});

/** One 1 GiB VM moved off host-0 by maintenance at 2 s, stop-and-copy over a 10 MB/s link. */
function slowMove(durationNs: number, method: 'stop-and-copy' | 'pre-copy' = 'stop-and-copy', dirtyBytesPerS = 0) {
  return base({
    durationNs,
    link: { bandwidthBytesPerS: 10e6 },
    vms: [{ name: 'db', vcpus: 1, ramBytes: GiB, dirtyBytesPerS, load: { utilization: 0.5 } }],
    migration: { overload: 'none', method: { kind: method } },
    events: [{ kind: 'maintenance', atNs: 2 * S, host: 'host-0' }],
  });
}

test('a move unfinished at the end: the VM is on its source, its downtime and bytes only within the run', () => {
  const direct = simulateLiveMigration({
    vm: { ramBytes: GiB, dirtyBytesPerS: 0 },
    link: { bandwidthBytesPerS: 10e6, migrationShare: 0.5 },
    method: { kind: 'stop-and-copy' },
  });
  // Stop-and-copy pauses at once and sends 1 GiB at 5 MB/s: 214 s, far past the 20 s run.
  assert.equal(direct.pauseStartNs, 0);
  assert.ok(direct.totalNs > 200 * S);
  const r = simulateVmCluster(slowMove(20 * S));
  const [row] = r.migrations;
  assert.equal(r.migrations.length, 1);
  assert.equal(row!.finished, false);
  assert.equal(row!.endNs, 2 * S + direct.totalNs, 'the planned end is kept');
  // Paused from 2 s to the end of the run: 18 s of downtime, no more.
  assert.equal(row!.downtimeInRunNs, 18 * S);
  assert.equal(r.vms[0]!.downtimeS, 18);
  assert.equal(r.migrationDowntimeS, 18);
  // 18 s of one round sent at a constant rate (its bytes over its duration: 5 MB/s).
  near(row!.sentBytes, 18 * 5e6, 2, 'bytes sent by the end');
  assert.ok(Number.isInteger(row!.sentBytes));
  assert.equal(r.vms[0]!.host, 'host-0');
  assert.deepEqual(
    r.hosts.map((h) => h.vms),
    [['db'], []],
  );
  assert.equal(r.hosts[0]!.state, 'on', 'the source still holds the VM');
  // Slicing does not change it.
  const sliced = new VmClusterSimulation(slowMove(20 * S));
  for (let t = 0; t < sliced.endNs; t += 1_234_567_891) sliced.advance(t);
  sliced.advance(sliced.endNs);
  assert.equal(sliced.result().digest, r.digest);

  // Long enough for it to end: the whole record counts, the VM is on its target.
  const done = simulateVmCluster(slowMove(2 * S + direct.totalNs + S));
  const d = done.migrations[0]!;
  assert.equal(d.finished, true);
  assert.equal(d.downtimeInRunNs, direct.downtimeNs);
  assert.equal(d.sentBytes, direct.totalBytes);
  assert.equal(done.vms[0]!.downtimeS, direct.downtimeNs / S);
  assert.equal(done.vms[0]!.host, 'host-1');

  // Pre-copy with the dirty rate at the move's rate never converges: its pause is after the run.
  const never = simulateVmCluster(slowMove(20 * S, 'pre-copy', 5e6));
  assert.ok(never.migrations[0]!.record.pauseStartNs > 20 * S);
  assert.equal(never.migrations[0]!.downtimeInRunNs, 0);
  assert.equal(never.migrationDowntimeS, 0);
  assert.equal(never.vms[0]!.host, 'host-0');
});

/** host-0 with the VM, a spare off with boot time `bootNs`; maintenance on host-0 at 10 s. */
function spare(bootNs: number): VmClusterConfig {
  return base({
    durationNs: 30 * S,
    hosts: [
      { count: 1, machine: MACHINE, ramBytes: 64 * GiB },
      { count: 1, machine: MACHINE, ramBytes: 64 * GiB, off: true, name: 'spare', power: { bootNs } },
    ],
    vms: [{ name: 'db', vcpus: 1, ramBytes: GiB, dirtyBytesPerS: 0, load: { utilization: 0.5 } }],
    // The default check interval (300 s) is far past the run: only the boot can start the move.
    migration: { overload: 'none' },
    events: [{ kind: 'maintenance', atNs: 10 * S, host: 'host-0' }],
  });
}

test('maintenance that needs a spare: the move starts at maintenance time + boot time exactly', () => {
  for (const bootNs of [0, 3 * S, 7_500_000_001]) {
    const r = simulateVmCluster(spare(bootNs));
    assert.deepEqual(
      r.migrations.map((m) => [m.vm, m.from, m.to, m.reason, m.startNs]),
      [['db', 'host-0', 'spare-0', 'maintenance', 10 * S + bootNs]],
      `boot ${bootNs} ns`,
    );
    assert.equal(r.hosts[1]!.boots, 1);
    assert.equal(r.migrations[0]!.finished, true);
    assert.equal(r.vms[0]!.host, 'spare-0');
    assert.deepEqual(r.hosts[0]!.offAtS, [r.migrations[0]!.endNs / S]);
    const sliced = new VmClusterSimulation(spare(bootNs));
    for (let t = 0; t < sliced.endNs; t += 2_718_281_828) sliced.advance(t);
    sliced.advance(sliced.endNs);
    assert.equal(sliced.result().digest, r.digest, `boot ${bootNs} ns, sliced`);
  }
});

test('two hosts into maintenance at one instant: their VMs go to the third host, none to the other one leaving', () => {
  const vm = (name: string) => ({ name, vcpus: 1, ramBytes: GiB, dirtyBytesPerS: 0, load: { utilization: 0.2 } });
  const config = base({
    hosts: [{ count: 3, machine: MACHINE, ramBytes: 64 * GiB }],
    // Worst fit spreads them: one VM on each host, host-2 included.
    placement: 'worst-fit',
    vms: [vm('a'), vm('b'), vm('c')],
    migration: { overload: 'none' },
    events: [
      { kind: 'maintenance', atNs: 5 * S, host: 'host-0' },
      { kind: 'maintenance', atNs: 5 * S, host: 'host-1' },
    ],
  });
  const r = simulateVmCluster(config);
  assert.deepEqual(r.migrations.map((m) => [m.from, m.to, m.startNs]).sort(), [
    ['host-0', 'host-2', 5 * S],
    ['host-1', 'host-2', 5 * S],
  ]);
  assert.deepEqual(
    r.vms.map((v) => v.host),
    ['host-2', 'host-2', 'host-2'],
  );
});
