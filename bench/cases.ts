/** Benchmark scenarios (shared by the runner and the per-case child process). */
import type { SimConfig } from '../src/sim/index';

export interface BenchCase {
  name: string;
  describe: string;
  config(durationS: number): SimConfig;
}

const S = 1e9;

const BASE_CASES: BenchCase[] = [
  {
    name: 'edf-4cpu-20tasks',
    describe: '4 CPUs, 20 periodic tasks (UUniFast, U = 3.2, periods 5-100 ms), global EDF',
    config: (d) => ({
      machine: { sockets: 1, coresPerSocket: 4 },
      workload: {
        groups: [
          {
            name: 'rt',
            count: 20,
            taskSet: { utilization: 3.2, periodMinNs: 5e6, periodMaxNs: 100e6 },
            workingSetBytes: 64 * 1024,
          },
        ],
      },
      policy: { name: 'global-queue' },
      scheduler: { kind: 'edf' },
      durationNs: d * S,
      seed: 1,
    }),
  },
  {
    name: 'edf-32cpu-160tasks',
    describe: '32 CPUs (2 sockets), 160 periodic tasks (U = 25.6, periods 5-100 ms), global EDF',
    config: (d) => ({
      machine: { sockets: 2, coresPerSocket: 16 },
      workload: {
        groups: [
          {
            name: 'rt',
            count: 160,
            taskSet: { utilization: 25.6, periodMinNs: 5e6, periodMaxNs: 100e6 },
            workingSetBytes: 64 * 1024,
          },
        ],
      },
      policy: { name: 'global-queue' },
      scheduler: { kind: 'edf' },
      durationNs: d * S,
      seed: 1,
    }),
  },
  {
    name: 'open-64cpu-poisson',
    describe:
      '64 CPUs (2 sockets x 32), open Poisson stream 3333/s (about 200,000 processes per 60 s), exp demand 12 ms, 256 KiB working sets, fair + least-loaded',
    config: (d) => ({
      machine: { sockets: 2, coresPerSocket: 32 },
      workload: {
        groups: [
          {
            name: 'web',
            arrival: { kind: 'poisson', ratePerS: 3333 },
            demand: { kind: 'exp', meanNs: 12e6 },
            workingSetBytes: 256 * 1024,
            dirtyFraction: 0.2,
          },
        ],
      },
      policy: { name: 'least-loaded' },
      scheduler: { kind: 'fair' },
      durationNs: d * S,
      seed: 1,
    }),
  },
];

/**
 * The same case with power and heat switched on (machine `power:` and `thermal:` with their
 * defaults: idle states, DRAM energy, RC temperature per core, throttling at 85 C). The
 * governor stays `performance`, so the work is the same and the rows measure what energy and
 * temperature accounting cost.
 */
function withPowerAndHeat(c: BenchCase): BenchCase {
  return {
    name: `${c.name}+heat`,
    describe: `${c.name} with power and heat on (default power and thermal models)`,
    config: (d) => {
      const cfg = c.config(d);
      return { ...cfg, machine: { ...cfg.machine, power: {}, thermal: {} } };
    },
  };
}

export const CASES: BenchCase[] = [...BASE_CASES, ...BASE_CASES.map(withPowerAndHeat)];
