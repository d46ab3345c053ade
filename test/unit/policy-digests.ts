/**
 * The runs that pin every built-in policy's behaviour (not a test file itself): each policy on a
 * 4-CPU and a 64-CPU machine with what the policies react to (big and little cores, SMT, two
 * NUMA nodes, power, heat with a low trip point, a frequency governor, a maintenance window, an
 * affinity mask, a home node, sleeping and long-running work, periodic tasks for EDF). A change
 * that is meant to be a pure speed-up keeps every digest (policy-digests.test.ts).
 */
import type { MachineConfig, SimConfig } from '../../src/sim/index';

const MS = 1e6;
const KiB = 1024;

/**
 * `rich`: power, heat and schedutil (capacities and temperatures change during the run);
 * `plain`: none of them (capacities stay those of the core types, every core at ambient).
 */
export type DigestMachine = 'rich' | 'plain';

function machine(cpus: 4 | 64, kind: DigestMachine): MachineConfig {
  const perType = cpus === 4 ? 2 : 8;
  const events: MachineConfig['events'] = [{ kind: 'maintenance', atNs: 120 * MS, cpu: 1, durationNs: 60 * MS }];
  if (kind === 'plain') {
    return {
      sockets: cpus === 4 ? 1 : 2,
      smt: cpus === 4 ? 1 : 2,
      coreTypes: [
        { name: 'little', count: perType, capacity: 512 },
        { name: 'big', count: perType, capacity: 1024 },
      ],
      events,
    };
  }
  return {
    sockets: cpus === 4 ? 1 : 2,
    smt: cpus === 4 ? 1 : 2,
    coreTypes: [
      { name: 'little', count: perType, capacity: 512 },
      { name: 'big', count: perType, capacity: 1024 },
    ],
    power: {},
    // A low trip point, so cores get hot within the run and thermal-aware has work to move.
    thermal: { throttleC: 55, hysteresisC: 2, capacitanceJPerK: 0.02 },
    governor: 'schedutil',
    events,
  };
}

const REALTIME = new Set(['global-edf', 'partitioned-edf']);

/** `policy` on the machine of `cpus` CPUs for 0.3 s. */
export function digestConfig(policy: string, cpus: 4 | 64, kind: DigestMachine = 'rich'): SimConfig {
  const rt = REALTIME.has(policy);
  const groups: SimConfig['workload']['groups'] = [
    {
      name: 'web',
      arrival: { kind: 'poisson', ratePerS: 60 * cpus },
      demand: { kind: 'exp', meanNs: 4 * MS },
      phases: { computeNs: { kind: 'exp', meanNs: 1 * MS }, sleepNs: { kind: 'exp', meanNs: 3 * MS } },
      workingSetBytes: 256 * KiB,
      dirtyFraction: 0.2,
    },
    {
      name: 'batch',
      count: cpus / 2,
      demand: { kind: 'fixed', valueNs: 150 * MS },
      workingSetBytes: 1024 * KiB,
      weight: 2048,
    },
    {
      name: 'pinned-half',
      count: cpus / 4,
      demand: { kind: 'exp', meanNs: 20 * MS },
      phases: { computeNs: { kind: 'exp', meanNs: 2 * MS }, sleepNs: { kind: 'exp', meanNs: 2 * MS } },
      affinity: Array.from({ length: cpus / 2 }, (_, i) => i),
      homeNode: cpus === 4 ? 0 : 1,
      workingSetBytes: 512 * KiB,
    },
  ];
  if (rt) {
    groups.push({
      name: 'rt',
      count: 2 * cpus,
      taskSet: { utilization: 0.4 * cpus, periodMinNs: 5 * MS, periodMaxNs: 40 * MS },
      workingSetBytes: 64 * KiB,
    });
  }
  return {
    machine: machine(cpus, kind),
    workload: { groups },
    policy: { name: policy },
    scheduler: { kind: rt ? 'edf' : 'fair' },
    durationNs: 300 * MS,
    seed: 3,
  };
}
