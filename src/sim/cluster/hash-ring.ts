/**
 * Consistent hashing (Karger et al. 1997) for the balancer's sticky sessions (docs/model.md,
 * "Requests behind a load balancer"): every server has `replicas` points (virtual nodes) on a
 * ring of 2^32 positions, a session hashes to a position and belongs to the first point at or
 * after it, clockwise, whose server is in the pool. Taking a server out moves exactly the
 * sessions that were its own, each to the next server along the ring; nobody else's.
 *
 * The hash is fixed here (FNV-1a over a name, MurmurHash3's 32-bit finaliser over integers),
 * so a ring depends on nothing but the servers' names, and is the same on every platform.
 */

/** MurmurHash3's finaliser: a bijection of 32-bit integers that mixes every bit into every bit. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a (32 bits) over a string's UTF-16 code units. */
export function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Session `s`'s position on the ring (distinct sessions, distinct positions: mix32 is a bijection). */
export function sessionPosition(s: number): number {
  return mix32(s + 0x9e3779b9);
}

export class HashRing {
  /** The points' positions, ascending. */
  readonly positions: Uint32Array;
  /** The server of each point. */
  readonly owners: Int32Array;

  constructor(names: readonly string[], replicas: number) {
    const points: [number, number][] = [];
    names.forEach((name, server) => {
      const base = hashName(name);
      for (let r = 0; r < replicas; r++) points.push([mix32(base ^ mix32(r + 1)), server]);
    });
    // Equal positions (rare): the lower server index first, so the ring is the same whatever the order of insertion.
    points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.positions = Uint32Array.from(points, (p) => p[0]);
    this.owners = Int32Array.from(points, (p) => p[1]);
  }

  /** The server of position `h`: the first point at or after it (clockwise, wrapping) whose server is active. */
  lookup(h: number, active: ArrayLike<number>): number {
    const pos = this.positions;
    let lo = 0;
    let hi = pos.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pos[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    for (let k = 0; k < pos.length; k++) {
      const owner = this.owners[(lo + k) % pos.length]!;
      if (active[owner] === 1) return owner;
    }
    return -1;
  }

  /** Each server's share of the ring (positions it would receive) with every server active. */
  shares(servers: number): number[] {
    const share = new Array<number>(servers).fill(0);
    const pos = this.positions;
    const m = pos.length;
    for (let k = 0; k < m; k++) {
      // Point k receives the arc from the point before it (exclusive) up to itself.
      const prev = k === 0 ? pos[m - 1]! - 2 ** 32 : pos[k - 1]!;
      share[this.owners[k]!]! += (pos[k]! - prev) / 2 ** 32;
    }
    return share;
  }
}
