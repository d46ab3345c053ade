/**
 * One spec per concept across the cluster runs: host power (HOST_POWER) and host events
 * (HOST_EVENT, read by readHostEvents) are the same keys, defaults and parser for request
 * clusters and VM clusters; what one kind of run does not model is refused at its path.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  resolveCluster,
  resolveVmCluster,
  SimConfigError,
  type ClusterConfig,
  type VmClusterConfig,
} from '../../src/sim/index';

const S = 1e9;
const GiB = 2 ** 30;

const request = (extra: Partial<ClusterConfig> = {}): ClusterConfig => ({
  hosts: [{ machine: {}, count: 2 }],
  service: { name: 'web', arrival: { kind: 'poisson', ratePerS: 10 }, demand: { kind: 'fixed', valueNs: 1000 } },
  policy: { name: 'pinned' },
  scheduler: { kind: 'fair' },
  durationNs: 10 * S,
  seed: 1,
  ...extra,
});

const vm = (extra: Partial<VmClusterConfig> = {}): VmClusterConfig => ({
  hosts: [{ machine: {}, count: 2, ramBytes: 4 * GiB }],
  vms: [{ name: 'v', vcpus: 1, ramBytes: GiB, dirtyBytesPerS: 0 }],
  policy: { name: 'pinned' },
  scheduler: { kind: 'fair' },
  durationNs: 10 * S,
  seed: 1,
  ...extra,
});

const throwsAt = (f: () => unknown, path: string, reason?: RegExp) =>
  assert.throws(
    f,
    (e: unknown) => e instanceof SimConfigError && e.path === path && (reason === undefined || reason.test(e.reason)),
    path,
  );

test('the same power figures resolve to the same watts and boot time in both kinds of run', () => {
  const power = { idleW: 120, peakW: 300, bootNs: 7 * S };
  const r = resolveCluster(request({ power })).hosts[0]!.power!;
  const v = resolveVmCluster(vm({ hosts: [{ machine: {}, ramBytes: 4 * GiB, power }] })).hosts[0]!.power;
  assert.deepEqual([r.idleW, r.peakW, r.bootNs], [120, 300, 7 * S]);
  assert.deepEqual([v.idleW, v.peakW, v.bootNs], [120, 300, 7 * S]);
  // A boot costs boot x peak in both (a booting server draws about its peak).
  assert.equal(r.bootEnergyJ, 7 * 300);
  assert.equal(v.bootEnergyJ, 7 * 300);
  // Left out, power is the SPECpower pair in both.
  const d = resolveVmCluster(vm()).hosts[0]!.power;
  const rd = resolveCluster(request({ power: {} })).hosts[0]!.power!;
  assert.deepEqual([d.idleW, d.peakW, d.bootNs], [93.7, 135, 60 * S]);
  assert.deepEqual([rd.idleW, rd.peakW, rd.bootNs], [93.7, 135, 60 * S]);
});

test('idle and peak go together; both runs take bootEnergy; bad figures at their paths in both runs', () => {
  for (const p of [{ peakW: 200 }, { idleW: 50 }]) {
    const missing = 'peakW' in p ? 'idleW' : 'peakW';
    throwsAt(() => resolveCluster(request({ power: p })), `power.${missing}`, /together/);
    throwsAt(
      () => resolveVmCluster(vm({ hosts: [{ machine: {}, ramBytes: GiB, power: p }] })),
      `hosts[0].power.${missing}`,
      /together/,
    );
  }
  assert.equal(resolveCluster(request({ power: { bootEnergyJ: 10 } })).hosts[0]!.power!.bootEnergyJ, 10);
  assert.equal(
    resolveVmCluster(vm({ hosts: [{ machine: {}, ramBytes: GiB, power: { bootEnergyJ: 10 } }] })).hosts[0]!.power
      .bootEnergyJ,
    10,
  );
  const bads: [object, string][] = [
    [{ idleW: Number.NaN, peakW: 1 }, 'idleW'],
    [{ idleW: -1, peakW: 1 }, 'idleW'],
    [{ bootNs: 0.5 }, 'bootNs'],
    [{ bootEnergyJ: -1 }, 'bootEnergyJ'],
    [{ watts: 1 }, 'watts'],
  ];
  for (const [power, key] of bads)
    throwsAt(() => resolveVmCluster(vm({ hosts: [{ machine: {}, ramBytes: GiB, power }] })), `hosts[0].power.${key}`);
});

test('host events: one parser, the same errors in both runs; a VM run takes maintenance (for good) and fail only', () => {
  const unknownHost = [{ kind: 'maintenance' as const, atNs: S, host: 'host-9' }];
  throwsAt(() => resolveCluster(request({ events: unknownHost })), 'events[0].host', /no host is named "host-9"/);
  throwsAt(() => resolveVmCluster(vm({ events: unknownHost })), 'events[0].host', /no host is named "host-9"/);
  const typo = [{ kind: 'maintenance', atNs: S, host: 'host-0', when: 1 }] as never;
  throwsAt(() => resolveCluster(request({ events: typo })), 'events[0].when');
  throwsAt(() => resolveVmCluster(vm({ events: typo })), 'events[0].when');
  throwsAt(
    () => resolveVmCluster(vm({ events: [{ kind: 'power-off', atNs: S, host: 'host-0' }] })),
    'events[0].kind',
    /maintenance and fail only/,
  );
  throwsAt(
    () => resolveVmCluster(vm({ events: [{ kind: 'maintenance', atNs: S, host: 'host-0', durationNs: S }] })),
    'events[0].durationNs',
  );
  throwsAt(
    () => resolveVmCluster(vm({ events: [{ kind: 'maintenance', atNs: 11 * S, host: 'host-0' }] })),
    'events[0].atNs',
  );
  throwsAt(
    () => resolveVmCluster(vm({ events: [{ kind: 'maintenance', atNs: 0.5, host: 'host-0' }] })),
    'events[0].atNs',
  );
  const ok = resolveVmCluster(vm({ events: [{ kind: 'maintenance', atNs: 2 * S, host: 'host-1' }] }));
  assert.deepEqual(ok.events, [{ kind: 'maintenance', atNs: 2 * S, host: 'host-1', durationNs: Infinity }]);
  const failing = resolveVmCluster(vm({ events: [{ kind: 'fail', atNs: 2 * S, host: 'host-1', durationNs: S }] }));
  assert.deepEqual(failing.events, [{ kind: 'fail', atNs: 2 * S, host: 'host-1', durationNs: S }]);
});
