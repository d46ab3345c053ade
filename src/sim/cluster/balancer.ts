/**
 * The balancer of a service (docs/model.md, "Requests behind a load balancer"): which server
 * each request goes to, at its arrival, by policy. It keeps its own count of each server's
 * unanswered requests (least-connections, power-of-d) and its own random stream (random,
 * power-of-d); join-shortest-queue asks the cluster for each server's load now. What a policy
 * needs of the servers' state it names in `needs`, so the cluster brings only those servers up
 * to the arrival instant (the others are advanced lazily).
 */
import type { Rng } from '../rng';
import type { EnumKey, Section } from '../spec';
import { HashRing, sessionPosition } from './hash-ring';

export const BALANCER_POLICIES = [
  'round-robin',
  'weighted-round-robin',
  'random',
  'least-connections',
  'join-shortest-queue',
  'power-of-d',
  'consistent-hash',
] as const;
export type BalancerPolicyName = (typeof BALANCER_POLICIES)[number];

/** The balancer's health checks (spec.ts). */
export const HEALTH = {
  intervalNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'interval',
    integer: true,
    above: 0,
    required: true,
    doc: 'Time between two health checks of every server (the first at 0).',
  },
  detectionNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'detection',
    integer: true,
    min: 0,
    default: 0,
    doc: 'How long a server must have been failing before a check finds it down (missed checks times the interval, typically).',
  },
} satisfies Section;

export interface ResolvedHealth {
  intervalNs: number;
  detectionNs: number;
}

/**
 * When the balancer learns of a change at `atNs` that takes `delayNs` to show: at the first
 * health check at or after atNs + delayNs (checks at every multiple of the interval).
 */
export function detectionAt(atNs: number, delayNs: number, health: ResolvedHealth): number {
  return Math.ceil((atNs + delayNs) / health.intervalNs) * health.intervalNs;
}

/** A service's balancer keys (spec.ts). */
export const BALANCER = {
  policy: {
    kind: 'enum',
    values: {
      'round-robin': 'Each server in turn, in host order.',
      'weighted-round-robin':
        "Each server in proportion to its capacity (the sum of its CPUs' speeds), interleaved smoothly (nginx's smooth weighted round-robin).",
      random: 'A server drawn uniformly at random.',
      'least-connections':
        "The server with the fewest of the balancer's requests still unanswered (ties: the lowest index).",
      'join-shortest-queue':
        'The server with the fewest processes in its system now (waiting, running, asleep or moving; its own workload included; ties: the lowest index).',
      'power-of-d':
        'd distinct servers drawn at random; the one with the fewest unanswered requests wins (ties: the lowest index). Mitzenmacher 2001.',
      'consistent-hash':
        'Sticky sessions: each request belongs to one of `sessions` sessions (drawn at random), and each session to the first server clockwise from it on a hash ring with `replicas` points per server; a server leaving moves only its own sessions. Karger et al. 1997.',
    } satisfies Record<BalancerPolicyName, string>,
    default: 'round-robin',
    doc: 'How the balancer picks the server of each request at its arrival.',
  } satisfies EnumKey,
  d: {
    kind: 'number',
    unit: 'count',
    min: 1,
    default: 2,
    doc: 'With power-of-d, how many servers are sampled per request (at most the number of servers).',
    source: 'Mitzenmacher 2001: two choices already give an exponential improvement over one',
  },
  sessions: {
    kind: 'number',
    unit: 'count',
    min: 1,
    default: 1000,
    doc: 'With consistent-hash, how many client sessions the requests come from (each request one of them, uniformly at random).',
  },
  replicas: {
    kind: 'number',
    unit: 'count',
    min: 1,
    max: 10_000,
    default: 100,
    doc: "With consistent-hash, the points (virtual nodes) of each server on the ring: a server's share of the sessions is within about 1/sqrt(replicas) of 1/n.",
    source: 'Karger et al. 1997; a share is Beta(v, (n - 1) v) for uniform hashes: relative sd sqrt((1 - 1/n) / v)',
  },
  health: {
    kind: 'section',
    keys: HEALTH,
    doc: 'Health checks: a failed server is taken out of the pool at the first check at or after its failure plus the detection time; until then requests sent to it are dropped.',
    defaultText: 'failures are known at once',
  },
} satisfies Section;

export interface ResolvedBalancer {
  policy: BalancerPolicyName;
  /** power-of-d only (else 1). */
  d: number;
  /** consistent-hash only: the sessions and each server's points on the ring. */
  sessions?: number;
  replicas?: number;
  /** Absent: the balancer knows of a failure the instant it happens. */
  health?: ResolvedHealth;
}

/** What the balancer reads of the servers; the cluster brings each server it asks about up to now. */
export interface BalancerHost {
  /** Server `i`'s load now (join-shortest-queue): the cluster advances it to the arrival first. */
  loadOf(i: number): number;
  /** Server `i` is about to be read (power-of-d's sampled servers): advance it to the arrival. */
  bringUp(i: number): void;
}

export class Balancer {
  /** Per server: the balancer's requests routed to it and not answered yet. */
  readonly connections: Float64Array;
  private next = 0;
  /** weighted-round-robin: each server's running credit (smooth WRR). */
  private readonly credit: Float64Array;
  private readonly totalWeight: number;
  /** power-of-d: a permutation of the servers, the first d entries of which are the draw. */
  private readonly order: Int32Array;
  /** Per server: 1 while in the pool (the balancer routes to it), 0 once taken out. */
  private readonly active: Uint8Array;
  private activeCount: number;
  /** consistent-hash: the ring of the servers' points. */
  private readonly ring: HashRing | null;

  constructor(
    private readonly cfg: ResolvedBalancer,
    /** Per server: its weight for weighted-round-robin (its capacity). */
    private readonly weights: readonly number[],
    private readonly rng: Rng,
    /** Per server: its host's name (its points on a consistent-hash ring). */
    names: readonly string[] = [],
  ) {
    const n = weights.length;
    this.connections = new Float64Array(n);
    this.credit = new Float64Array(n);
    this.totalWeight = weights.reduce((a, b) => a + b, 0);
    this.order = Int32Array.from({ length: n }, (_, i) => i);
    this.active = new Uint8Array(n).fill(1);
    this.activeCount = n;
    this.ring = cfg.policy === 'consistent-hash' ? new HashRing(names, cfg.replicas!) : null;
  }

  /**
   * Takes server `i` out of the pool or puts it back. While every server is in, each policy
   * routes exactly as it always did; with some out, it routes among the others as if they were
   * all there is (round-robin's turn skips them, random draws among the rest...).
   */
  setActive(i: number, on: boolean): void {
    if ((this.active[i] === 1) === on) return;
    this.active[i] = on ? 1 : 0;
    this.activeCount += on ? 1 : -1;
    // A server back in starts with no credit and no requests of its own.
    this.credit[i] = 0;
  }

  /** The servers in the pool. */
  get poolSize(): number {
    return this.activeCount;
  }

  /**
   * Server `i`'s requests are gone (its host went down): none of them will be answered but the
   * `onTheirWay` responses it sent before, still on the network to the balancer.
   */
  forget(i: number, onTheirWay = 0): void {
    this.connections[i] = onTheirWay;
  }

  /**
   * Whether routing reads every server's state at the arrival instant (the cluster then advances
   * every server to it first): least-connections and join-shortest-queue.
   */
  get readsAll(): boolean {
    return this.cfg.policy === 'least-connections' || this.cfg.policy === 'join-shortest-queue';
  }

  /** The server of the next request; -1 when the pool is empty. */
  route(host: BalancerHost): number {
    const n = this.weights.length;
    if (this.activeCount === 0) return -1;
    switch (this.cfg.policy) {
      case 'round-robin': {
        let i = this.next;
        while (this.active[i] === 0) i = (i + 1) % n;
        this.next = (i + 1) % n;
        return i;
      }
      case 'weighted-round-robin':
        return this.smoothWeighted();
      case 'random':
        return this.activeCount === n ? this.rng.int(n) : this.nthActive(this.rng.int(this.activeCount));
      case 'least-connections':
        return this.fewest(n, (i) => this.connections[i]!);
      case 'join-shortest-queue':
        return this.fewest(n, (i) => host.loadOf(i));
      case 'power-of-d':
        return this.powerOfD(host);
      case 'consistent-hash':
        return this.ring!.lookup(sessionPosition(this.rng.int(this.cfg.sessions!)), this.active);
    }
  }

  /** A request routed to `i` was answered. */
  answered(i: number): void {
    this.connections[i]!--;
  }

  /** A request was routed to `i`. */
  routed(i: number): void {
    this.connections[i]!++;
  }

  /** The `k`-th server in the pool, in host order. */
  private nthActive(k: number): number {
    let i = 0;
    for (; ; i++) if (this.active[i] === 1 && k-- === 0) return i;
  }

  /** The lowest-indexed server in the pool with the least `of`. */
  private fewest(n: number, of: (i: number) => number): number {
    let best = -1;
    let least = Infinity;
    for (let i = 0; i < n; i++) {
      if (this.active[i] === 0) continue;
      const v = of(i);
      if (best < 0 || v < least) {
        least = v;
        best = i;
      }
    }
    return best;
  }

  /**
   * Smooth weighted round-robin (nginx, ngx_http_upstream_get_peer): every server gains its
   * weight, the one with the most credit (lowest index among equals) is picked and pays the
   * total. Over any Σw consecutive picks with whole weights, server i gets exactly w_i of them,
   * spread out rather than in bursts.
   */
  private smoothWeighted(): number {
    const credit = this.credit;
    let best = -1;
    let total = this.totalWeight;
    if (this.activeCount < credit.length) {
      total = 0;
      for (let i = 0; i < credit.length; i++) if (this.active[i] === 1) total += this.weights[i]!;
    }
    for (let i = 0; i < credit.length; i++) {
      if (this.active[i] === 0) continue;
      credit[i]! += this.weights[i]!;
      if (best < 0 || credit[i]! > credit[best]!) best = i;
    }
    credit[best]! -= total;
    return best;
  }

  /**
   * d distinct servers by a partial Fisher-Yates shuffle of `order` (d draws from the stream per
   * request, whatever the state), then the one with the fewest unanswered requests, the lowest
   * index among equals. Only the sampled servers are brought up to the arrival.
   */
  private powerOfD(host: BalancerHost): number {
    const order = this.order;
    let n = order.length;
    if (this.activeCount < n) {
      // Draw among the pool only: its servers first in `order`, the others after them.
      let m = 0;
      for (let j = 0; j < n; j++) {
        const i = order[j]!;
        if (this.active[i] === 1) {
          order[j] = order[m]!;
          order[m++] = i;
        }
      }
      n = m;
    }
    let best = -1;
    const d = Math.min(this.cfg.d, n);
    for (let k = 0; k < d; k++) {
      const j = k + this.rng.int(n - k);
      const i = order[j]!;
      order[j] = order[k]!;
      order[k] = i;
      host.bringUp(i);
      const c = this.connections[i]!;
      if (best < 0 || c < this.connections[best]! || (c === this.connections[best]! && i < best)) best = i;
    }
    return best;
  }
}
