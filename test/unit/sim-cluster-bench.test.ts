/**
 * What issue 17's cluster benchmark (bench/cluster.ts) relies on, checked on small runs:
 * - a cluster of multi-core hosts shaped like the benchmark's gives the same result whether it
 *   is run in one call or advanced in slices (the benchmark samples memory between slices), and
 *   the same config and seed give the same result twice;
 * - the response-time percentiles, kept in bounded memory (a log-bucketed histogram of 1 %
 *   buckets), are within 0.5 % of the exact ones, sorted from a tiny exact simulator of the same
 *   requests (one-CPU FCFS servers behind round-robin: Lindley's recursion), and the mean and
 *   the counts are exact.
 * The pool of in-flight requests behind it is checked in sim-in-flight.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ClusterSimulation,
  Rng,
  simulateCluster,
  type BalancerPolicyName,
  type ClusterConfig,
  type ClusterResult,
} from '../../src/sim/index';

const S = 1e9;

/** The benchmark's shape at a small scale: 32-core 2-socket hosts, fcfs + least-loaded, 60 % load. */
function benchLike(policy: BalancerPolicyName, hosts: number, durationS: number, seed: number): ClusterConfig {
  const demandNs = 0.2 * S;
  return {
    hosts: [{ count: hosts, machine: { preset: 'server-2x8', coresPerSocket: 16 } }],
    service: {
      name: 'api',
      arrival: { kind: 'poisson', ratePerS: (0.6 * hosts * 32 * S) / demandNs },
      demand: { kind: 'exp', meanNs: demandNs },
      workingSetBytes: 256 * 1024,
      balancer: policy === 'power-of-d' ? { policy, d: 2 } : { policy },
    },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fcfs' },
    durationNs: durationS * S,
    seed,
  };
}

function sliced(config: ClusterConfig, cuts: number[]): ClusterResult {
  const sim = new ClusterSimulation(config);
  for (const t of cuts) sim.advance(t);
  sim.advance(sim.endNs);
  return sim.result();
}

test('the benchmark-shaped cluster gives the same result in one call, in ten slices and in uneven slices', () => {
  for (const policy of ['power-of-d', 'random', 'join-shortest-queue'] as const) {
    const config = benchLike(policy, 6, 4, 17);
    const whole = simulateCluster(config);
    assert.ok(whole.overall.completed > 2000, `${policy}: enough requests (${whole.overall.completed})`);
    assert.deepEqual(simulateCluster(config), whole, `${policy}: same config and seed, same result`);
    const end = config.durationNs;
    // As bench/cluster-case.ts samples: ten equal slices on whole ns.
    const tenths = Array.from({ length: 10 }, (_, k) => Math.round((end * (k + 1)) / 10));
    assert.deepEqual(sliced(config, tenths), whole, `${policy}: ten slices`);
    // Uneven cuts, some on odd ns, one repeated, one past the end.
    const uneven = [1, 7_777_777, 7_777_777, 0.5 * S + 3, 1.25 * S, 3.999_999_999 * S, end + S];
    assert.deepEqual(sliced(config, uneven), whole, `${policy}: uneven slices`);
    assert.notEqual(simulateCluster({ ...config, seed: 18 }).digest, whole.digest, `${policy}: the seed matters`);
  }
});

/**
 * The same requests as the cluster draws them (its documented streams: Poisson gaps rounded to
 * whole ns from `arrival:<service>`, demands from `demand:<service>`), each to server k mod n
 * (round-robin), each server one CPU serving in arrival order: a request completes at
 * max(its arrival, the previous completion there) + its demand. The response times of those
 * completed by the end, per server.
 */
function exactResponses(n: number, ratePerS: number, meanNs: number, endNs: number, seed: number): number[][] {
  const arrivals = new Rng(seed, 'arrival:web');
  const demands = new Rng(seed, 'demand:web');
  const out: number[][] = Array.from({ length: n }, () => []);
  const free = new Array<number>(n).fill(0);
  const gap = 1e9 / ratePerS;
  for (let t = Math.round(arrivals.exp(gap)), k = 0; t < endNs; t += Math.round(arrivals.exp(gap)), k++) {
    const demand = Math.max(1, Math.round(demands.exp(meanNs)));
    const i = k % n;
    free[i] = Math.max(t, free[i]!) + demand;
    if (free[i]! <= endNs) out[i]!.push(free[i]! - t);
  }
  return out;
}

/** The ceil(q n)-th smallest value (the rank the histogram's quantile uses). */
const nearestRank = (sorted: number[], q: number) => sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;

test('response-time percentiles in bounded memory are within 0.5 % of an exact sort; the mean and counts are exact', () => {
  const n = 4;
  const meanNs = 1e6;
  const ratePerS = (0.85 * n * S) / meanNs;
  const endNs = 20 * S;
  const seed = 11;
  const config: ClusterConfig = {
    hosts: [{ count: n, machine: { sockets: 1, coresPerSocket: 1, contextSwitchNs: 0 } }],
    service: {
      name: 'web',
      arrival: { kind: 'poisson', ratePerS },
      demand: { kind: 'exp', meanNs },
      // No cache effects: a request's service time is its demand exactly.
      workingSetBytes: 0,
      memoryIntensity: 0,
      balancer: { policy: 'round-robin' },
    },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fcfs' },
    durationNs: endNs,
    seed,
  };
  const result = simulateCluster(config);
  const exact = exactResponses(n, ratePerS, meanNs, endNs, seed);
  // The histogram's buckets are 1 % wide and it answers with a bucket's geometric middle.
  const BOUND = 0.005;
  const check = (
    what: string,
    got: { completed: number; meanResponseS: number; p95ResponseS: number; p99ResponseS: number },
    xs: number[],
  ) => {
    const sorted = [...xs].sort((a, b) => a - b);
    assert.equal(got.completed, sorted.length, `${what}: completed`);
    const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
    assert.ok(
      Math.abs(got.meanResponseS * S - mean) <= 1e-9 * mean,
      `${what}: mean ${got.meanResponseS * S} vs ${mean}`,
    );
    for (const [q, value] of [
      [0.95, got.p95ResponseS],
      [0.99, got.p99ResponseS],
    ] as const) {
      const want = nearestRank(sorted, q);
      const error = Math.abs(value * S - want) / want;
      assert.ok(error <= BOUND, `${what}: p${q * 100} ${value * S} vs exact ${want} (relative error ${error})`);
    }
  };
  assert.ok(exact.flat().length > 50_000, 'enough requests for a p99 of hundreds of them');
  result.servers.forEach((server, i) => check(server.host, server, exact[i]!));
  check('overall', result.overall, exact.flat());
  // The p99 is far from the mean here (queueing at 85 %): the bound is not met by accident.
  assert.ok(result.overall.p99ResponseS > 2 * result.overall.meanResponseS);
});
