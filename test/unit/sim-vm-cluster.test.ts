/**
 * Virtual machines on hosts (src/sim/cluster/vm-cluster-simulation.ts; docs/model.md, "Virtual
 * machines on hosts") against independent references:
 * - steal time: vCPUs within the cores get all they ask (0 steal); 4 busy vCPUs on 2 cores under
 *   round robin each get half a core, so steal equals the CPU time they get;
 * - consolidation saves exactly idle power x the host-seconds powered off (the hosts do the same
 *   work, so the dynamic energy is the same), and the off times are the ends of the moves that
 *   emptied them; under a load that rises later it costs overload time and steal;
 * - a move follows its record: the VM's lost progress is the record's downtime plus its slowdown
 *   loss (within a slice), the source stops running it at the pause;
 * - pre-copy's downtime is far below stop-and-copy's at a low dirty rate, and with CloudSim's 10 %
 *   slowdown s the guest time pre-copy costs crosses stop-and-copy's where the closed form (rounds
 *   M r^i) puts it, r = D / b = 1 - s, and on either side of it the simulation agrees;
 * - maintenance empties the host before it goes down, with reason `maintenance`; overload moves
 *   the VM of least RAM with reason `cpu-contention` and powers a spare on;
 * - MAD's threshold, determinism and the config's error paths.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  medianAbsoluteDeviation,
  overloadThreshold,
  SimConfigError,
  simulateLiveMigration,
  simulateVmCluster,
  HOST_POWER,
  VmClusterSimulation,
  type VmClusterConfig,
  type VmClusterResult,
} from '../../src/sim/index';

const S = 1e9;
const GiB = 2 ** 30;
const MS = 1e6;

/** Hosts of `cores` cores, no context-switch cost, round robin with a 1 ms quantum. */
function cluster(over: Partial<VmClusterConfig> & Pick<VmClusterConfig, 'vms'>, cores = 4, hosts = 2): VmClusterConfig {
  return {
    hosts: [{ count: hosts, machine: { sockets: 1, coresPerSocket: cores, contextSwitchNs: 0 }, ramBytes: 64 * GiB }],
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

test('vCPUs within the cores get all they ask; 4 busy vCPUs on 2 cores each wait as long as they run', () => {
  const roomy = simulateVmCluster(
    cluster({ vms: [{ name: 'a', count: 2, vcpus: 2, ramBytes: GiB, dirtyBytesPerS: 0 }], durationNs: 2 * S }, 4, 1),
  );
  for (const vm of roomy.vms) {
    assert.equal(vm.stealS, 0);
    assert.equal(vm.cpuS, 4);
    assert.equal(vm.workS, vm.offeredS);
  }
  const full = simulateVmCluster(
    cluster(
      {
        overcommit: 2,
        vms: [{ name: 'a', vcpus: 4, ramBytes: GiB, dirtyBytesPerS: 0 }],
        durationNs: 2 * S,
        migration: { overload: 'none' },
      },
      2,
      1,
    ),
  );
  const [vm] = full.vms;
  // Two cores busy the whole run: 4 core-seconds, and the rest of the vCPUs' 8 s of wall time waiting.
  near(full.hosts[0]!.busyS, 4, 1e-9, 'busy core-seconds');
  near(vm!.cpuS, 4, (4 * MS) / S, 'CPU time given (the last pieces of each vCPU may be unfinished)');
  near(vm!.stealS, vm!.cpuS, (4 * MS) / S, 'steal = CPU time under processor sharing');
  assert.equal(full.overloadFraction, 1);
});

/** Three hosts with one small VM each (worst-fit spreads them); with consolidation two are emptied. */
function spread(consolidate: 'on' | 'off', trace?: number[]): VmClusterConfig {
  return {
    ...cluster(
      {
        placement: 'worst-fit',
        overcommit: 2,
        vms: [
          {
            name: 'web',
            count: 3,
            vcpus: 2,
            ramBytes: GiB,
            dirtyBytesPerS: 20e6,
            load: trace === undefined ? { utilization: 0.25 } : { trace, stepNs: 30 * S },
          },
        ],
        migration: { checkIntervalNs: 10 * S, consolidate },
        durationNs: 90 * S,
      },
      4,
      3,
    ),
    hosts: [
      {
        count: 3,
        machine: { sockets: 1, coresPerSocket: 4, contextSwitchNs: 0 },
        ramBytes: 64 * GiB,
        power: { bootNs: 5 * S },
      },
    ],
  };
}

/** When each host was emptied for good: the end of the last move off it. */
function emptiedAt(r: VmClusterResult): Map<string, number> {
  const at = new Map<string, number>();
  for (const m of r.migrations) at.set(m.from, Math.max(at.get(m.from) ?? 0, m.endNs));
  return at;
}

test('consolidation saves exactly idle power x the host-seconds off', () => {
  const base = simulateVmCluster(spread('off'));
  const cons = simulateVmCluster(spread('on'));
  assert.deepEqual(
    base.hosts.map((h) => h.vms.length),
    [1, 1, 1],
  );
  assert.deepEqual(
    cons.hosts.map((h) => [h.state, h.vms.length]),
    [
      ['off', 0],
      ['on', 3],
      ['off', 0],
    ],
  );
  assert.ok(cons.migrations.every((m) => m.reason === 'energy'));
  // Host 0 is emptied at the first check (least loaded, lowest index), host 2 at the second.
  assert.deepEqual(
    cons.migrations.map((m) => [m.vm, m.from, m.to, m.startNs / S]),
    [
      ['web-0', 'host-0', 'host-1', 10],
      ['web-2', 'host-2', 'host-1', 20],
    ],
  );
  const emptied = emptiedAt(cons);
  let offHostS = 0;
  for (const h of cons.hosts) {
    const at = emptied.get(h.host);
    if (at === undefined) continue;
    assert.deepEqual(h.offAtS, [at / S], `${h.host} is powered off when its last VM has left`);
    offHostS += 90 - at / S;
  }
  const idleW = HOST_POWER.idleW.default;
  near(base.idleEnergyJ - cons.idleEnergyJ, idleW * offHostS, 1e-6, 'idle energy saved');
  // The same work is done either way (the load fits), so the dynamic energy is the same.
  near(cons.dynamicEnergyJ, base.dynamicEnergyJ, 1e-6, 'dynamic energy');
  near(base.energyJ - cons.energyJ, idleW * offHostS, 1e-6, 'energy saved');
  assert.equal(cons.bootEnergyJ, 0);
  near(cons.hostsOnMean, (3 * 90 - offHostS) / 90, 1e-12, 'hosts on');
  assert.equal(cons.overloadFraction, 0);
});

test('consolidation costs SLA once the load rises: overload and steal, then a spare is powered on', () => {
  // 25 % for 30 s, then every vCPU busy: 6 vCPUs on one 4-core host.
  const trace = [0.25, 1, 1];
  const base = simulateVmCluster(spread('off', trace));
  const cons = simulateVmCluster(spread('on', trace));
  assert.equal(base.overloadFraction, 0);
  assert.equal(base.stealS, 0);
  assert.ok(cons.overloadFraction > 0);
  assert.ok(cons.stealS > 0);
  // At 30 s host-1 asks for 6 of 4 cores; no host is on to take a VM at or below 0.8, so one is
  // powered on (5 s); at 40 s one VM moves to it, and host-1 (4 of 4) still needs another.
  const up = cons.migrations.filter((m) => m.reason === 'cpu-contention');
  assert.deepEqual(
    up.map((m) => [m.from, m.to, m.startNs / S]),
    [
      ['host-1', 'host-0', 40],
      ['host-1', 'host-2', 50],
    ],
  );
  assert.deepEqual(
    cons.hosts.map((h) => h.boots),
    [1, 0, 1],
  );
  near(cons.bootEnergyJ, 2 * 5 * HOST_POWER.peakW.default, 1e-9, 'two boots at boot x peak');
});

/** One 1 GiB VM with one busy vCPU on host-0, moved to host-1 by maintenance at 2 s. */
function oneMove(method: NonNullable<VmClusterConfig['migration']>['method'], dirtyBytesPerS: number, move = true) {
  return simulateVmCluster(
    cluster({
      // Long enough for 29 live rounds near r = 1.
      durationNs: 40 * S,
      vms: [{ name: 'db', vcpus: 1, ramBytes: GiB, dirtyBytesPerS }],
      migration: { overload: 'none', method },
      events: move ? [{ kind: 'maintenance', atNs: 2 * S, host: 'host-0' }] : [],
    }),
  );
}

test('a move follows its record: the log holds it, the VM loses its downtime and slowdown, the source stops at the pause', () => {
  const method = { kind: 'pre-copy' as const, slowdown: 0.1 };
  const r = oneMove(method, 50e6);
  const still = oneMove(method, 50e6, false);
  const direct = simulateLiveMigration({ vm: { ramBytes: GiB, dirtyBytesPerS: 50e6 }, method });
  assert.equal(r.migrations.length, 1);
  const row = r.migrations[0]!;
  assert.equal(row.reason, 'maintenance');
  assert.equal(row.startNs, 2 * S);
  assert.equal(row.endNs, 2 * S + direct.totalNs);
  assert.equal(row.record.downtimeNs, direct.downtimeNs);
  assert.equal(row.record.pauseStartNs, 2 * S + direct.pauseStartNs);
  assert.deepEqual(
    row.record.rounds.map((x) => [x.bytes, x.startNs - 2 * S, x.durationNs]),
    direct.rounds.map((x) => [x.bytes, x.startNs, x.durationNs]),
  );
  const [vm] = r.vms;
  assert.equal(vm!.downtimeS, direct.downtimeNs / S);
  near(vm!.slowdownLostS, direct.slowdownLostNs / S, 1e-9, 'slowdown loss');
  near(still.vms[0]!.workS - vm!.workS, direct.lostNs / S, MS / S, 'progress lost');
  // host-0 ran the vCPU until the pause, then powered off once the move was over.
  near(r.hosts[0]!.busyS, (2 * S + direct.pauseStartNs) / S, 1e-9, 'source busy until the pause');
  assert.deepEqual(r.hosts[0]!.offAtS, [row.endNs / S]);
  assert.equal(r.hosts[0]!.state, 'off');
  assert.deepEqual(r.hosts[1]!.vms, ['db']);
});

/** Closed form (Clark et al.): guest time lost by pre-copy with slowdown s, and by stop-and-copy. */
function lostClosedForm(dirty: number, s: number) {
  const b = 1.25e9 * 0.5;
  const M = GiB;
  const tail = (256 * 1024) / b + 50e-6;
  const r = dirty / b;
  let n = 1;
  // Live rounds 0..n-1 send M r^i; the paused one sends M r^n, once it fits 300 ms (30 rounds at most).
  while (n < 29 && (M * r ** n) / b + tail > 0.3) n++;
  let live = 0;
  for (let i = 0; i < n; i++) live += (M * r ** i) / b;
  return { pre: s * live + (M * r ** n) / b + tail, stop: M / b + tail, preDowntime: (M * r ** n) / b + tail };
}

test('pre-copy pauses far shorter than stop-and-copy at a low dirty rate', () => {
  const pre = oneMove({ kind: 'pre-copy' }, 20e6);
  const stop = oneMove({ kind: 'stop-and-copy' }, 20e6);
  const cf = lostClosedForm(20e6, 0);
  near(pre.vms[0]!.downtimeS, cf.preDowntime, 1e-6, 'pre-copy downtime');
  near(stop.vms[0]!.downtimeS, cf.stop, 1e-6, 'stop-and-copy downtime');
  assert.ok(pre.vms[0]!.downtimeS * 20 < stop.vms[0]!.downtimeS);
});

test('the cross-over: with a 10 % slowdown, pre-copy costs more guest time than stop-and-copy above a dirty rate the closed form gives', () => {
  const s = 0.1;
  // Bisection on the closed form: below the cross-over pre-copy loses less.
  let lo = 1e6;
  let hi = 0.6e9;
  assert.ok(lostClosedForm(lo, s).pre < lostClosedForm(lo, s).stop);
  assert.ok(lostClosedForm(hi, s).pre > lostClosedForm(hi, s).stop);
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (lostClosedForm(mid, s).pre < lostClosedForm(mid, s).stop) lo = mid;
    else hi = mid;
  }
  const cross = lo;
  // In closed form: s (1 - r^n) / (1 - r) + r^n = 1 exactly when r = 1 - s, whatever the number of
  // rounds n (the CPU-state and latency terms are the same for both): D* = (1 - s) b.
  near(cross, (1 - s) * 0.625e9, 1, 'cross-over dirty rate');
  const still = oneMove({ kind: 'stop-and-copy' }, 0, false).vms[0]!.workS;
  for (const [dirty, preWins] of [
    [0.95 * cross, true],
    [1.05 * cross, false],
  ] as const) {
    const pre = still - oneMove({ kind: 'pre-copy', slowdown: s }, dirty).vms[0]!.workS;
    const stop = still - oneMove({ kind: 'stop-and-copy' }, dirty).vms[0]!.workS;
    const cf = lostClosedForm(dirty, s);
    near(pre, cf.pre, (2 * MS) / S, `pre-copy loss at ${dirty}`);
    near(stop, cf.stop, (2 * MS) / S, `stop-and-copy loss at ${dirty}`);
    assert.equal(pre < stop, preWins, `at ${dirty} B/s: pre-copy ${pre} s, stop-and-copy ${stop} s`);
  }
});

test('maintenance empties the host before it goes down, each VM moved with reason maintenance', () => {
  const r = simulateVmCluster(
    cluster(
      {
        placement: 'first-fit',
        vms: [
          { name: 'a', vcpus: 1, ramBytes: 2 * GiB, dirtyBytesPerS: 10e6, load: { utilization: 0.5 } },
          { name: 'b', vcpus: 2, ramBytes: 1 * GiB, dirtyBytesPerS: 10e6, load: { utilization: 0.5 } },
        ],
        migration: { overload: 'none' },
        events: [{ kind: 'maintenance', atNs: 5 * S, host: 'host-0' }],
      },
      4,
      3,
    ),
  );
  assert.deepEqual(
    r.migrations.map((m) => [m.vm, m.from, m.reason, m.startNs / S]),
    [
      ['a', 'host-0', 'maintenance', 5],
      ['b', 'host-0', 'maintenance', 5],
    ],
  );
  // Two moves share host-0's link: each gets half the migration share.
  assert.deepEqual(
    r.migrations.map((m) => m.share),
    [0.25, 0.25],
  );
  const h0 = r.hosts[0]!;
  assert.equal(h0.maintenance, true);
  assert.equal(h0.state, 'off');
  assert.deepEqual(h0.vms, []);
  assert.deepEqual(h0.offAtS, [Math.max(...r.migrations.map((m) => m.endNs)) / S]);
  // The host ran each VM until its pause and nothing after: its busy time is their work until then.
  const expected = r.migrations.reduce((sum, m) => sum + 0.5 * (m.vm === 'a' ? 1 : 2) * (m.record.pauseStartNs / S), 0);
  near(h0.busyS, expected, (3 * MS) / S, 'source busy time');
  assert.equal(
    r.vms.every((vm) => vm.host !== 'host-0'),
    true,
  );
});

test('overload moves the VM of least RAM first, reason cpu-contention, to a host that stays below the threshold', () => {
  const r = simulateVmCluster(
    cluster(
      {
        placement: 'first-fit',
        vms: [
          { name: 'big', vcpus: 2, ramBytes: 4 * GiB, dirtyBytesPerS: 0, load: { trace: [0.2, 1], stepNs: 5 * S } },
          { name: 'small', vcpus: 2, ramBytes: 1 * GiB, dirtyBytesPerS: 0, load: { trace: [0.2, 1], stepNs: 5 * S } },
        ],
        migration: { checkIntervalNs: 2 * S, threshold: 0.8 },
        durationNs: 10 * S,
      },
      4,
      2,
    ),
  );
  // At 6 s host-0 asks for 4 of 4 cores (> 0.8): moving `small` (1 GiB) leaves 0.5.
  assert.deepEqual(
    r.migrations.map((m) => [m.vm, m.from, m.to, m.reason, m.startNs / S]),
    [['small', 'host-0', 'host-1', 'cpu-contention', 6]],
  );
});

test("MAD: the median absolute deviation, and CloudSim's threshold 1 - s x MAD once 12 samples are in", () => {
  assert.equal(medianAbsoluteDeviation([1, 2, 3, 4, 100]), 1);
  assert.equal(medianAbsoluteDeviation([0.5, 0.5, 0.5, 0.5]), 0);
  const history = [0.5, 0.6, 0.4, 0.5, 0.7, 0.3, 0.5, 0.6, 0.4, 0.5, 0.5];
  assert.equal(overloadThreshold('mad', 0.8, 2.5, history), 0.8, 'static below 12 samples');
  // 12 samples: median 0.5; deviations 0,0.1,0.1,0,0.2,0.2,0,0.1,0.1,0,0,0.1 -> MAD 0.1.
  near(overloadThreshold('mad', 0.8, 2.5, [...history, 0.6]), 1 - 2.5 * 0.1, 1e-12, 'MAD threshold');
  assert.equal(overloadThreshold('none', 0.8, 2.5, history), Infinity);
});

test('deterministic and slicing-invariant; the noise is seeded per VM', () => {
  const noisy = (seed: number) =>
    ({
      ...spread('on'),
      vms: [
        {
          name: 'web',
          count: 3,
          vcpus: 2,
          ramBytes: GiB,
          dirtyBytesPerS: 20e6,
          load: { utilization: 0.3, noise: 0.2, stepNs: S },
        },
      ],
      seed,
    }) satisfies VmClusterConfig;
  const a = simulateVmCluster(noisy(3));
  assert.equal(simulateVmCluster(noisy(3)).digest, a.digest);
  assert.notEqual(simulateVmCluster(noisy(4)).digest, a.digest);
  const sliced = new VmClusterSimulation(noisy(3));
  for (let t = 0; t < sliced.endNs; t += 7_777_777_777) sliced.advance(t);
  sliced.advance(sliced.endNs);
  assert.equal(sliced.result().digest, a.digest);
});

test('config errors name the field', () => {
  const ok = cluster({ vms: [{ name: 'a', vcpus: 1, ramBytes: GiB, dirtyBytesPerS: 0 }] });
  const bad = (over: object, path: string) =>
    assert.throws(
      () => new VmClusterSimulation({ ...ok, ...over } as VmClusterConfig),
      (e: unknown) => e instanceof SimConfigError && e.path === path,
      path,
    );
  bad({ vms: [{ name: 'a', vcpus: 1, ramBytes: GiB, dirtyBytesPerS: -1 }] }, 'vms[0].dirtyBytesPerS');
  bad({ vms: [{ name: 'a', vcpus: 0, ramBytes: GiB, dirtyBytesPerS: 0 }] }, 'vms[0].vcpus');
  bad({ placement: 'random-fit' }, 'placement');
  bad({ migration: { checkIntervalNs: 1.5 * MS } }, 'migration.checkIntervalNs');
  bad({ migration: { method: { kind: 'pre-copy', maxRounds: 0 } } }, 'migration.method.maxRounds');
  bad({ link: { bandwidthBytesPerS: 0 } }, 'link.bandwidthBytesPerS');
  bad({ events: [{ kind: 'maintenance', atNs: S, host: 'nope' }] }, 'events[0].host');
  bad({ hosts: [{ machine: {}, ramBytes: GiB, power: { idleW: 200, peakW: 100 } }] }, 'hosts[0].power.peakW');
});
