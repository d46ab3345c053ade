/**
 * Thermal hot spots of VM hosts (src/sim/cluster/vm-hotspot.ts; docs/model.md, "Thermal hot
 * spots") against closed forms:
 * - a host at constant power P = idle + (peak - idle) d / cores heats as the RC step response
 *   T(t) = Ta + P R (1 - e^{-t/RC}), checked at several instants; its time at or above a
 *   threshold Th within a run of length t is t - t*, t* = -RC ln(1 - (Th - Ta) / (P R));
 * - under the policy a hot host sheds VMs (reason thermal, largest demand first, to the coolest
 *   host that stays below the threshold), so its peak and time hot fall, at the cost of moves;
 *   `migrate: off` only watches;
 * - a run without the section is as before; bad values are errors at their path.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SimConfigError, simulateVmCluster, VmClusterSimulation, type VmClusterConfig } from '../../src/sim/index';

const S = 1e9;
const GiB = 2 ** 30;
const IDLE = 100;
const PEAK = 200;
const R = 0.34;
const C = 340;
const TA = 25;

function cluster(
  over: Partial<VmClusterConfig> & Pick<VmClusterConfig, 'vms'>,
  hotspot: NonNullable<VmClusterConfig['migration']>['hotspot'],
  hosts = 1,
): VmClusterConfig {
  return {
    hosts: [
      {
        count: hosts,
        machine: { sockets: 1, coresPerSocket: 4, contextSwitchNs: 0 },
        ramBytes: 64 * GiB,
        power: { idleW: IDLE, peakW: PEAK },
      },
    ],
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'rr', quantumNs: 1e6 },
    seed: 1,
    durationNs: 100 * S,
    ...over,
    migration: { overload: 'none', checkIntervalNs: 10 * S, ...over.migration, ...(hotspot ? { hotspot } : {}) },
  };
}

const near = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tolerance ${tol})`);

test('a host at constant power heats as Ta + P R (1 - e^{-t/RC}); its time hot is t - t*', () => {
  // One VM of 2 vCPUs at 50 %: 1 core of 4 busy, P = 100 + 100 x 1/4 = 125 W, settling at 67.5 C.
  const P = IDLE + ((PEAK - IDLE) * 1) / 4;
  const th = 60;
  const tStar = -R * C * Math.log(1 - (th - TA) / (P * R));
  for (const seconds of [30, 100, 250, 400]) {
    const r = simulateVmCluster(
      cluster(
        {
          durationNs: seconds * S,
          vms: [{ name: 'a', vcpus: 2, ramBytes: GiB, dirtyBytesPerS: 0, load: { utilization: 0.5 } }],
        },
        { thresholdC: th, migrate: 'off' },
      ),
    );
    const heat = r.hosts[0]!.thermal!;
    const expected = TA + P * R * (1 - Math.exp(-seconds / (R * C)));
    near(heat.temperatureC, expected, 1e-9, `T(${seconds} s)`);
    // Rising all the way: the peak is the end.
    near(heat.peakC, expected, 1e-9, `peak at ${seconds} s`);
    near(heat.hotS, Math.max(0, seconds - tStar), 1e-6, `time at or above ${th} C in ${seconds} s`);
    assert.equal(r.migrations.length, 0);
    assert.deepEqual(r.hotspot, { peakC: heat.peakC, hotS: heat.hotS });
  }
});

/** Three VMs busy on host-0 of three hosts (first fit): it settles at 25 + 175 x 0.34 = 84.5 C. */
const hotRack = (migrate: 'on' | 'off') =>
  cluster(
    {
      durationNs: 400 * S,
      vms: [{ name: 'a', count: 3, vcpus: 1, ramBytes: GiB, dirtyBytesPerS: 0, load: { utilization: 1 } }],
    },
    { thresholdC: 70, migrate },
    3,
  );

test('a hot host sheds VMs under the policy: its peak and time hot fall, at the cost of two thermal moves', () => {
  const watched = simulateVmCluster(hotRack('off'));
  const policed = simulateVmCluster(hotRack('on'));
  const P = IDLE + ((PEAK - IDLE) * 3) / 4;
  const tStar = -R * C * Math.log(1 - (70 - TA) / (P * R));
  // Watched: host-0 runs its three VMs to the end, hot from t* on.
  near(watched.hosts[0]!.thermal!.hotS, 400 - tStar, 1e-6, 'time hot without moves');
  assert.equal(watched.migrations.length, 0);
  // Policed: at the first check at or after t* (163 s: 170 s) host-0 gives a-0 to host-1 (coolest,
  // 125 W settles at 67.5 C < 70), then a-1 to host-2 (host-1 with two would settle at 76 C); with
  // one VM left host-0 settles at 67.5 C, below the threshold, so a-2 stays.
  const firstCheck = Math.ceil(tStar / 10) * 10;
  assert.deepEqual(
    policed.migrations.map((m) => [m.vm, m.from, m.to, m.reason, m.startNs / S]),
    [
      ['a-0', 'host-0', 'host-1', 'thermal', firstCheck],
      ['a-1', 'host-0', 'host-2', 'thermal', firstCheck],
    ],
  );
  const hot0 = policed.hosts[0]!.thermal!;
  assert.ok(hot0.hotS < watched.hosts[0]!.thermal!.hotS / 4, `time hot ${hot0.hotS} s`);
  assert.ok(hot0.peakC < watched.hosts[0]!.thermal!.peakC);
  assert.ok(policed.hotspot!.hotS < watched.hotspot!.hotS);
  // The targets never reach the threshold (they settle at 67.5 C).
  assert.equal(policed.hosts[1]!.thermal!.hotS, 0);
  assert.equal(policed.hosts[2]!.thermal!.hotS, 0);
  assert.ok(policed.hosts[1]!.thermal!.peakC < 67.5);
});

test('hot-spot runs give the same digest however sliced; a run without the section is as before', () => {
  const config = hotRack('on');
  const whole = simulateVmCluster(config);
  for (const stepNs of [7e6, 3.3e9]) {
    const sim = new VmClusterSimulation(config);
    for (let t = stepNs; !sim.done; t += stepNs) sim.advance(t);
    assert.equal(sim.result().digest, whole.digest);
  }
  const plain = simulateVmCluster(
    cluster({ vms: [{ name: 'a', vcpus: 1, ramBytes: GiB, dirtyBytesPerS: 0 }], durationNs: S }, undefined),
  );
  assert.equal(plain.hotspot, undefined);
  assert.equal(plain.hosts[0]!.thermal, undefined);
});

test('bad hot-spot values are errors at their path', () => {
  const bad = (hotspot: unknown, path: string) =>
    assert.throws(
      () =>
        simulateVmCluster(
          cluster(
            { vms: [{ name: 'a', vcpus: 1, ramBytes: GiB, dirtyBytesPerS: 0 }] },
            hotspot as NonNullable<VmClusterConfig['migration']>['hotspot'],
          ),
        ),
      (e: unknown) => e instanceof SimConfigError && e.path === path,
      JSON.stringify(hotspot),
    );
  bad({}, 'migration.hotspot.thresholdC');
  bad({ thresholdC: 20 }, 'migration.hotspot.thresholdC');
  bad({ thresholdC: 70, ambientC: 80 }, 'migration.hotspot.thresholdC');
  bad({ thresholdC: 70, resistanceKPerW: 0 }, 'migration.hotspot.resistanceKPerW');
  bad({ thresholdC: 70, capacitanceJPerK: -1 }, 'migration.hotspot.capacitanceJPerK');
  bad({ thresholdC: 70, migrate: 'maybe' }, 'migration.hotspot.migrate');
  bad({ thresholdC: 70, colour: 'red' }, 'migration.hotspot.colour');
  bad({ thresholdC: Number.NaN }, 'migration.hotspot.thresholdC');
});
