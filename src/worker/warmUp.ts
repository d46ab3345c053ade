// The job a pool gives each worker it starts before any run is asked for (RunHost.prepare):
// a short simulation that loads the worker's bundle and has V8 compile the engine, the cache
// model, a fair scheduler, a migrating policy and the result and digest code. The first run a
// user starts then finds a worker that is already up and warm instead of paying for both.
import type { SimConfig } from '../sim';
import type { Job } from './protocol';

/** Mixed compute and sleeping processes on four CPUs under least-loaded placement, 0.5 s of simulated time
 * (about 60 ms of a cold worker's CPU time). */
const WARM_UP_CONFIG: SimConfig = {
  seed: 1,
  durationNs: 500e6,
  machine: { preset: 'laptop-4' },
  policy: { name: 'least-loaded' },
  scheduler: { kind: 'fair' },
  workload: {
    groups: [
      {
        name: 'compute',
        arrival: { kind: 'poisson', ratePerS: 400 },
        demand: { kind: 'exp', meanNs: 4e6 },
        workingSetBytes: 512 * 1024,
      },
      {
        name: 'interactive',
        count: 8,
        demand: { kind: 'fixed', valueNs: 50e6 },
        phases: { computeNs: { kind: 'exp', meanNs: 1e6 }, sleepNs: { kind: 'exp', meanNs: 2e6 } },
      },
    ],
  },
};

export const WARM_UP_JOB: Job = { kind: 'simulate', config: WARM_UP_CONFIG, reply: 'result', progress: false };
