/**
 * Host failures in VM runs (src/sim/cluster/vm-cluster-simulation.ts; docs/model.md, "Host
 * failures and HA restart") against closed forms:
 * - a host failing at t with k VMs of demand u, room elsewhere, restart delay d: each VM is down
 *   exactly d and restarted once (reason fault) where first fit puts it; the failed host's energy
 *   is idle x t + (peak - idle) x busy / cores with busy = k u t, then nothing; the work the VMs
 *   lost is u d each (vCPU work asked for while down), the run's unmet demand k u d;
 * - with no room elsewhere the VM waits: repaired after D and booted in B, its host takes it
 *   back at t + D + B, so it is down D + B; never repaired, it is down to the end; with a
 *   powered-off spare, HA powers it on at the restart and the VM is down d + B;
 * - a move cut short at c sent exactly bandwidth x share x (c - start) bytes: the source failing
 *   takes the VM down with it; the target failing before the switch leaves it on the source;
 *   post-copy past the switch loses the VM with the target;
 * - the digest is the same however the run is sliced; misuse of events is an error at its path.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SimConfigError, simulateVmCluster, VmClusterSimulation, type VmClusterConfig } from '../../src/sim/index';

const S = 1e9;
const GiB = 2 ** 30;
const MS = 1e6;
const IDLE = 100;
const PEAK = 200;
const BOOT = 5 * S;

/** `hosts` hosts of 4 cores with round figures of power, no context-switch cost, round robin. */
function cluster(over: Partial<VmClusterConfig> & Pick<VmClusterConfig, 'vms'>, hosts = 3): VmClusterConfig {
  return {
    hosts: [
      {
        count: hosts,
        machine: { sockets: 1, coresPerSocket: 4, contextSwitchNs: 0 },
        ramBytes: 64 * GiB,
        power: { idleW: IDLE, peakW: PEAK, bootNs: BOOT },
      },
    ],
    sliceNs: MS,
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'rr', quantumNs: MS },
    durationNs: 20 * S,
    seed: 1,
    ...over,
  };
}

const near = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tolerance ${tol})`);

// Half-busy vCPUs: each slice's piece ends mid-slice, so a failure on a slice boundary finds no
// work in flight and what is lost is exactly the work asked for while down.
const U = 0.5;

test('a host failing with room elsewhere: each VM down exactly the restart delay, energy idle x t + dynamic, then 0', () => {
  const t = 5 * S;
  const d = 2 * S;
  const k = 2;
  const r = simulateVmCluster(
    cluster({
      vms: [{ name: 'a', count: k, vcpus: 1, ramBytes: GiB, dirtyBytesPerS: 0, load: { utilization: U } }],
      migration: { overload: 'none', restartDelayNs: d },
      events: [{ kind: 'fail', atNs: t, host: 'host-0' }],
    }),
  );
  // First fit put both on host-0, and puts both on host-1 at the restart.
  assert.deepEqual(
    r.failures!.restartLog.map((x) => [x.vm, x.from, x.to, x.reason, x.downAtNs, x.atNs]),
    [
      ['a-0', 'host-0', 'host-1', 'fault', t, t + d],
      ['a-1', 'host-0', 'host-1', 'fault', t, t + d],
    ],
  );
  for (const vm of r.vms) {
    assert.equal(vm.downS, d / S);
    assert.equal(vm.restarts, 1);
    assert.equal(vm.host, 'host-1');
    near(vm.offeredS - vm.workS, (U * d) / S, 1e-9, `${vm.vm}: work lost = demand x d`);
  }
  const f = r.failures!;
  assert.deepEqual([f.vmsFailed, f.restarts, f.vmsDownAtEnd, f.movesCut], [k, k, 0, 0]);
  assert.equal(f.downS, (k * d) / S);
  near(f.unmetDemandS, (k * U * d) / S, 1e-9, 'unmet demand k u d');
  const h0 = r.hosts[0]!;
  assert.equal(h0.state, 'failed');
  assert.equal(h0.failures, 1);
  assert.equal(h0.onS, t / S);
  assert.deepEqual(h0.powerStates, [
    { atS: 0, state: 'on' },
    { atS: t / S, state: 'failed' },
  ]);
  // Busy core-seconds k u t: the two vCPUs' work until the failure, nothing after it.
  near(h0.busyS, (k * U * t) / S, 1e-9, 'busy until the failure');
  near(h0.energyJ, (IDLE * t) / S + ((PEAK - IDLE) * k * U * t) / S / 4, 1e-6, 'energy: P_idle t + dynamic, then 0');
  // No move was made: a restart is not a live migration.
  assert.equal(r.migrations.length, 0);
});

test('no room elsewhere: the VM waits for its host, back after repair + boot; never repaired, down to the end', () => {
  const t = 5 * S;
  const repair = 7 * S;
  const end = 30 * S;
  const run = (durationNs?: number) =>
    simulateVmCluster(
      cluster(
        {
          durationNs: end,
          // Each VM fills a host (4 vCPUs on 4 cores): a failed host's VM fits nowhere else.
          vms: [{ name: 'big', count: 2, vcpus: 4, ramBytes: GiB, dirtyBytesPerS: 0, load: { utilization: U } }],
          migration: { overload: 'none', restartDelayNs: S },
          events: [{ kind: 'fail', atNs: t, host: 'host-0', ...(durationNs === undefined ? {} : { durationNs }) }],
        },
        2,
      ),
    );
  const back = run(repair);
  const vm = back.vms[0]!;
  assert.equal(vm.downS, (repair + BOOT) / S, 'down for repair + boot');
  assert.equal(vm.host, 'host-0');
  assert.deepEqual(
    back.failures!.restartLog.map((x) => [x.to, x.atNs]),
    [['host-0', t + repair + BOOT]],
  );
  const h0 = back.hosts[0]!;
  assert.deepEqual(
    h0.powerStates.map((p) => [p.atS, p.state]),
    [
      [0, 'on'],
      [t / S, 'failed'],
      [(t + repair) / S, 'booting'],
      [(t + repair + BOOT) / S, 'on'],
    ],
  );
  assert.equal(h0.boots, 1);
  assert.equal(h0.incarnations!.length, 2);
  // Up 0..t and from t + repair + boot to the end, at 4 u busy cores; one boot at peak power.
  const upNs = t + (end - t - repair - BOOT);
  near(h0.onS, upNs / S, 1e-9, 'time on');
  near(
    h0.energyJ,
    (IDLE * upNs) / S + ((PEAK - IDLE) * 4 * U * upNs) / S / 4 + (PEAK * BOOT) / S,
    1e-6,
    'energy: idle and load while up, the boot at peak',
  );
  const lost = run();
  assert.equal(lost.vms[0]!.host, '');
  assert.equal(lost.vms[0]!.downS, (end - t) / S);
  assert.equal(lost.vms[0]!.restarts, 0);
  assert.deepEqual([lost.failures!.vmsDownAtEnd, lost.failures!.restarts], [1, 0]);
  near(lost.failures!.unmetDemandS, (4 * U * (end - t)) / S, 1e-9, 'unmet demand to the end');
  assert.equal(lost.hosts[0]!.onS, t / S);
});

/** One 1 GiB VM on host-0 moved to host-1 by maintenance at 2 s over a 1 GB/s link (half for moves); a failure at `cutNs`. */
function cutMove(kind: 'pre-copy' | 'post-copy', failed: string, cutNs: number) {
  return simulateVmCluster(
    cluster(
      {
        durationNs: 10 * S,
        link: { bandwidthBytesPerS: 1e9, latencyNs: 0 },
        vms: [{ name: 'db', vcpus: 1, ramBytes: GiB, dirtyBytesPerS: 0, load: { utilization: U } }],
        migration: { overload: 'none', restartDelayNs: S, method: { kind } },
        events: [
          { kind: 'maintenance', atNs: 2 * S, host: 'host-0' },
          { kind: 'fail', atNs: cutNs, host: failed },
        ],
      },
      2,
    ),
  );
}

test('a move cut short sends bandwidth x (cut - start); the source failing takes the VM down, the target failing leaves it on the source', () => {
  const start = 2 * S;
  const cut = 2.5 * S;
  // The move's share: half of 1 GB/s; its first round (all of RAM, 2.15 s) is under way at the cut.
  const sent = (1e9 * 0.5 * (cut - start)) / S;
  const src = cutMove('pre-copy', 'host-0', cut);
  const row = src.migrations[0]!;
  assert.deepEqual([row.cutNs, row.outcome, row.finished, row.sentBytes], [cut, 'source-failed', false, sent]);
  assert.equal(row.downtimeInRunNs, 0);
  // Down with its source, restarted on host-1 (now empty of the move's reservation) after 1 s.
  assert.equal(src.vms[0]!.downS, 1);
  assert.equal(src.vms[0]!.host, 'host-1');
  assert.deepEqual(
    src.failures!.restartLog.map((x) => [x.from, x.to, x.atNs]),
    [['host-0', 'host-1', cut + S]],
  );
  assert.equal(src.failures!.movesCut, 1);

  const dst = cutMove('pre-copy', 'host-1', cut);
  const row2 = dst.migrations[0]!;
  assert.deepEqual([row2.cutNs, row2.outcome, row2.sentBytes], [cut, 'target-failed', sent]);
  // It never left host-0 (in maintenance, with nowhere else to go): it ran the whole run.
  assert.equal(dst.vms[0]!.host, 'host-0');
  assert.equal(dst.vms[0]!.downS, 0);
  near(dst.vms[0]!.workS, dst.vms[0]!.offeredS, 1e-9, 'no work lost');
  assert.deepEqual(dst.hosts[0]!.vms, ['db']);
});

test('post-copy past the switch: the target failing loses the VM (its pages were split between the hosts)', () => {
  const cut = 2.5 * S;
  const r = cutMove('post-copy', 'host-1', cut);
  const row = r.migrations[0]!;
  assert.deepEqual([row.cutNs, row.outcome, row.finished], [cut, 'target-failed', false]);
  // The demand round started after the CPU state went over, pulling pages at the move's share.
  const demand = row.record.rounds.find((x) => x.phase === 'demand')!;
  assert.equal(row.sentBytes, Math.floor((demand.bytes * (cut - demand.startNs)) / demand.durationNs));
  near(row.sentBytes, (1e9 * 0.5 * (cut - demand.startNs)) / S, 1, 'bandwidth x time pulling');
  // host-0 is in maintenance and host-1 failed: nowhere to restart it, so it stays down.
  assert.equal(r.vms[0]!.host, '');
  assert.equal(r.vms[0]!.downS, (10 * S - cut) / S);
  assert.equal(r.failures!.vmsDownAtEnd, 1);
  // host-0, emptied by the loss, is powered off (maintenance).
  assert.equal(r.hosts[0]!.state, 'off');
});

test('a run with failures has the same digest however it is sliced', () => {
  const config = cluster({
    durationNs: 12 * S,
    vms: [
      {
        name: 'a',
        count: 3,
        vcpus: 2,
        ramBytes: GiB,
        dirtyBytesPerS: 20e6,
        load: { trace: [0.3, 0.9], stepNs: 3 * S, noise: 0.1 },
      },
    ],
    migration: { checkIntervalNs: S, restartDelayNs: 1500 * MS },
    events: [
      { kind: 'maintenance', atNs: 2 * S, host: 'host-2' },
      { kind: 'fail', atNs: 2300 * MS, host: 'host-0', durationNs: 3 * S },
      { kind: 'fail', atNs: 7 * S, host: 'host-1' },
    ],
  });
  const whole = simulateVmCluster(config);
  assert.ok(whole.failures!.vmsFailed > 0);
  for (const stepNs of [7 * MS, 333 * MS, 2 * S]) {
    const sim = new VmClusterSimulation(config);
    for (let t = stepNs; !sim.done; t += stepNs) sim.advance(t);
    assert.equal(sim.result().digest, whole.digest, `sliced every ${stepNs} ns`);
  }
});

test('a run without fail events has no failure fields (its result is as before)', () => {
  const r = simulateVmCluster(
    cluster({ vms: [{ name: 'a', vcpus: 1, ramBytes: GiB, dirtyBytesPerS: 0 }], durationNs: S }),
  );
  assert.equal(r.failures, undefined);
  assert.equal(r.vms[0]!.downS, undefined);
  assert.equal(r.hosts[0]!.incarnations, undefined);
});

test('misused fail events are errors at their path', () => {
  const bad = (events: VmClusterConfig['events'], path: string, reason: RegExp) =>
    assert.throws(
      () => simulateVmCluster(cluster({ vms: [{ name: 'a', vcpus: 1, ramBytes: GiB, dirtyBytesPerS: 0 }], events })),
      (e: unknown) => e instanceof SimConfigError && e.path === path && reason.test(e.reason),
    );
  bad([{ kind: 'fail', atNs: S, host: 'host-9' }], 'events[0].host', /no host/);
  bad(
    [
      { kind: 'fail', atNs: S, host: 'host-0' },
      { kind: 'fail', atNs: 2 * S, host: 'host-0' },
    ],
    'events[1].atNs',
    /never repaired/,
  );
  // Repaired at 3 s, booting until 8 s: it cannot fail at 6 s.
  bad(
    [
      { kind: 'fail', atNs: S, host: 'host-0', durationNs: 2 * S },
      { kind: 'fail', atNs: 6 * S, host: 'host-0' },
    ],
    'events[1].atNs',
    /booting until 8000000000 ns/,
  );
  bad([{ kind: 'fail', atNs: 30 * S, host: 'host-0' }], 'events[0].atNs', /at most the duration/);
  bad([{ kind: 'power-off', atNs: S, host: 'host-0' }], 'events[0].kind', /maintenance and fail only/);
  bad([{ kind: 'fail', atNs: S, host: 'host-0', durationNs: 0 }], 'events[0].durationNs', /./);
  assert.throws(
    () =>
      simulateVmCluster(
        cluster({
          vms: [{ name: 'a', vcpus: 1, ramBytes: GiB, dirtyBytesPerS: 0 }],
          migration: { restartDelayNs: -1 },
        }),
      ),
    (e: unknown) => e instanceof SimConfigError && e.path === 'migration.restartDelayNs',
  );
  // Fails at 6 s after a repair at 3 s and a boot to 8 s is refused; at 8 s it is up again.
  simulateVmCluster(
    cluster({
      vms: [{ name: 'a', vcpus: 1, ramBytes: GiB, dirtyBytesPerS: 0 }],
      events: [
        { kind: 'fail', atNs: S, host: 'host-0', durationNs: 2 * S },
        { kind: 'fail', atNs: 8 * S, host: 'host-0' },
      ],
    }),
  );
});

test('no room but a spare: HA powers it on at the restart, so the VM is down the delay plus the boot', () => {
  const t = 5 * S;
  const d = 2 * S;
  const r = simulateVmCluster({
    ...cluster({
      durationNs: 30 * S,
      vms: [{ name: 'big', count: 2, vcpus: 4, ramBytes: GiB, dirtyBytesPerS: 0, load: { utilization: U } }],
      migration: { overload: 'none', restartDelayNs: d },
      events: [{ kind: 'fail', atNs: t, host: 'host-0' }],
    }),
    hosts: [
      {
        count: 2,
        machine: { sockets: 1, coresPerSocket: 4, contextSwitchNs: 0 },
        ramBytes: 64 * GiB,
        power: { idleW: IDLE, peakW: PEAK, bootNs: BOOT },
      },
      {
        name: 'spare',
        machine: { sockets: 1, coresPerSocket: 4, contextSwitchNs: 0 },
        ramBytes: 64 * GiB,
        power: { idleW: IDLE, peakW: PEAK, bootNs: BOOT },
        off: true,
      },
    ],
  });
  assert.deepEqual(
    r.failures!.restartLog.map((x) => [x.vm, x.to, x.atNs]),
    [['big-0', 'spare-0', t + d + BOOT]],
  );
  assert.equal(r.vms[0]!.downS, (d + BOOT) / S);
  const spare = r.hosts[2]!;
  assert.deepEqual(
    spare.powerStates.map((p) => [p.atS, p.state]),
    [
      [0, 'off'],
      [(t + d) / S, 'booting'],
      [(t + d + BOOT) / S, 'on'],
    ],
  );
  near(r.failures!.unmetDemandS, (4 * U * (d + BOOT)) / S, 1e-9, 'unmet demand while down');
});
