/**
 * The cluster of issue 17's benchmark (bench/cluster.ts): 1,000 hosts of 32 cores each behind
 * one balancer, an open Poisson stream of requests sized for 60 % utilisation. Shared by the
 * runner (to describe it) and the child process that runs it (bench/cluster-case.ts).
 */
import type { BalancerPolicyName, ClusterConfig } from '../src/sim/index';

const S = 1e9;

export const HOSTS = 1000;
/** server-2x8 (2 sockets, NUMA, its caches) widened to 16 cores a socket: a common 32-core 2-socket server. */
export const MACHINE = { preset: 'server-2x8', coresPerSocket: 16 } as const;
export const CORES = 32;
export const UTILISATION = 0.6;
/**
 * Mean CPU time of a request (exponential). Each request costs the simulator a few events, so
 * at 60 % of 32,000 cores the arrival rate, and with it the cost of a simulated hour, is
 * 0.6 x 32,000 / demand: 5 s (a compute request: inference, rendering, a report) keeps an hour
 * to minutes of wall time; 10 ms web requests would be 1.92 million a second.
 */
export const DEMAND_S = 5;
export const RATE_PER_S = (UTILISATION * HOSTS * CORES) / DEMAND_S;

/**
 * Run to completion on each host (fcfs) with least-loaded placement: a request's few events are
 * its arrival, its dispatch and its completion. The fair scheduler would add a slice end every
 * 2.8 ms of CPU time even on an otherwise idle core (about 7 million events per simulated second
 * at this load), and least-loaded has no periodic balance tick on an idle host.
 */
export function clusterConfig(policy: BalancerPolicyName, durationS: number, hosts = HOSTS): ClusterConfig {
  return {
    hosts: [{ count: hosts, machine: { ...MACHINE } }],
    service: {
      name: 'api',
      arrival: { kind: 'poisson', ratePerS: (RATE_PER_S * hosts) / HOSTS },
      demand: { kind: 'exp', meanNs: DEMAND_S * S },
      workingSetBytes: 256 * 1024,
      balancer: policy === 'power-of-d' ? { policy, d: 2 } : { policy },
    },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fcfs' },
    durationNs: durationS * S,
    seed: 1,
  };
}

export const DESCRIBE = `${HOSTS.toLocaleString('en')} hosts x ${CORES} cores (server-2x8 with 16 cores a socket: 2 sockets, NUMA), one service: Poisson ${RATE_PER_S.toLocaleString('en')} requests/s, exponential demand of mean ${DEMAND_S} s (${UTILISATION * 100} % of the cluster's cores), 256 KiB working sets; fcfs + least-loaded on every host`;
