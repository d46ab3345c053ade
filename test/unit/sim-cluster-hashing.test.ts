/**
 * Consistent hashing with sticky sessions (docs/model.md, "Requests behind a load balancer"):
 * the ring against its definition (a session belongs to the first point clockwise), a server
 * leaving moves exactly its own sessions, each server's share of the ring within the spread
 * theory gives for v virtual nodes (a share of n v uniform points' arcs is Beta(v, (n - 1) v):
 * relative sd sqrt((n v - v) / (v (n v + 1)))), and the balancer's routing in a cluster run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  HashRing,
  mix32,
  sessionPosition,
  simulateCluster,
  SimConfigError,
  type ClusterConfig,
} from '../../src/sim/index';

const names = (n: number) => Array.from({ length: n }, (_, i) => `host-${i}`);

/** The server of position h by the definition: the active point with the least position >= h, else the least of all. */
function owner(ring: HashRing, h: number, active: Uint8Array): number {
  let best = -1;
  let bestPos = Infinity;
  let lowest = -1;
  let lowestPos = Infinity;
  ring.positions.forEach((p, k) => {
    const o = ring.owners[k]!;
    if (active[o] !== 1) return;
    if (p >= h && p < bestPos) [best, bestPos] = [o, p];
    if (p < lowestPos) [lowest, lowestPos] = [o, p];
  });
  return best >= 0 ? best : lowest;
}

test('mix32 is a bijection on its sample and the ring is its definition', () => {
  const seen = new Set<number>();
  for (let s = 0; s < 100_000; s++) seen.add(sessionPosition(s));
  assert.equal(seen.size, 100_000);
  assert.equal(mix32(0), 0);
  const ring = new HashRing(names(7), 20);
  assert.equal(ring.positions.length, 140);
  for (let k = 1; k < ring.positions.length; k++) assert.ok(ring.positions[k - 1]! <= ring.positions[k]!);
  const all = new Uint8Array(7).fill(1);
  const some = Uint8Array.from([1, 0, 1, 1, 0, 1, 1]);
  for (let s = 0; s < 2000; s++) {
    const h = sessionPosition(s);
    assert.equal(ring.lookup(h, all), owner(ring, h, all));
    assert.equal(ring.lookup(h, some), owner(ring, h, some));
  }
  // Positions at the very ends wrap to the first point.
  assert.equal(
    ring.lookup(2 ** 32 - 1, all),
    ring.positions.at(-1) === 2 ** 32 - 1 ? ring.owners.at(-1) : ring.owners[0],
  );
});

test('a server leaving moves exactly the sessions it had, and no other', () => {
  const n = 12;
  const ring = new HashRing(names(n), 100);
  const sessions = 20_000;
  const all = new Uint8Array(n).fill(1);
  const before = Array.from({ length: sessions }, (_, s) => ring.lookup(sessionPosition(s), all));
  for (const gone of [0, 5, 11]) {
    const active = new Uint8Array(n).fill(1);
    active[gone] = 0;
    let moved = 0;
    let its = 0;
    for (let s = 0; s < sessions; s++) {
      const after = ring.lookup(sessionPosition(s), active);
      if (before[s] === gone) {
        its++;
        assert.notEqual(after, gone);
      } else assert.equal(after, before[s], `session ${s} stays`);
      if (after !== before[s]) moved++;
    }
    assert.equal(moved, its);
    assert.ok(its > 0);
  }
});

test("each server's share of the ring is within the bound for v virtual nodes", () => {
  for (const [n, v] of [
    [50, 100],
    [20, 1000],
  ] as const) {
    const shares = new HashRing(names(n), v).shares(n);
    assert.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    const N = n * v;
    const sd = Math.sqrt((N - v) / (v * (N + 1))) / n;
    // Each share within 4 sd of 1/n (a union bound over n servers: a chance of about n x 6e-5 for uniform hashes).
    for (const x of shares) assert.ok(Math.abs(x - 1 / n) < 4 * sd, `${x} vs ${1 / n} ± ${4 * sd}`);
    // And the spread is the theory's: the sample sd of the shares within 35 % of it.
    const m = 1 / n;
    const sample = Math.sqrt(shares.reduce((a, x) => a + (x - m) ** 2, 0) / (n - 1));
    assert.ok(Math.abs(sample / sd - 1) < 0.35, `sd ${sample} vs theory ${sd}`);
  }
});

test('a cluster run with consistent-hash sends each server the requests of its sessions', () => {
  const n = 6;
  const config: ClusterConfig = {
    hosts: [{ machine: { sockets: 1, coresPerSocket: 2 }, count: n }],
    service: {
      name: 'web',
      arrival: { kind: 'poisson', ratePerS: 4000 },
      demand: { kind: 'exp', meanNs: 2e5 },
      balancer: { policy: 'consistent-hash', sessions: 500, replicas: 50 },
    },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fair' },
    durationNs: 2e9,
    seed: 3,
  };
  const ring = new HashRing(names(n), 50);
  const check = (r: ReturnType<typeof simulateCluster>, active: Uint8Array, from = 0) => {
    const owned = new Array<number>(n).fill(0);
    for (let s = 0; s < 500; s++) owned[ring.lookup(sessionPosition(s), active)]!++;
    const total = r.overall.routed - from;
    r.servers.forEach((srv, i) => {
      const p = owned[i]! / 500;
      const expected = total * p;
      // Binomial: within 4 sd.
      const sd = Math.sqrt(total * p * (1 - p));
      assert.ok(
        Math.abs(srv.routed - expected) <= 4 * sd + 1e-9,
        `${srv.host}: ${srv.routed} vs ${expected} ± ${4 * sd}`,
      );
    });
  };
  check(simulateCluster(config), new Uint8Array(n).fill(1));
  // host-2 fails at once (no health checks: the balancer knows): its sessions go to the next servers along the ring.
  const failed = simulateCluster({ ...config, events: [{ kind: 'fail', atNs: 0, host: 'host-2' }] });
  assert.equal(failed.servers[2]!.routed, 0);
  check(failed, Uint8Array.from([1, 1, 0, 1, 1, 1]));
  assert.throws(
    () => simulateCluster({ ...config, service: { ...config.service, balancer: { policy: 'random', sessions: 3 } } }),
    (e: unknown) => e instanceof SimConfigError && e.path === 'service.balancer.sessions',
  );
  assert.throws(
    () =>
      simulateCluster({
        ...config,
        service: { ...config.service, balancer: { policy: 'consistent-hash', replicas: 0 } },
      }),
    (e: unknown) => e instanceof SimConfigError && e.path === 'service.balancer.replicas',
  );
});
