/**
 * The requests a cluster has routed to its hosts and not heard back about: each one's arrival
 * time at the balancer (for its response time) and its host, in one pool of slots shared by all
 * hosts. A request's slot is the token its host is given (Simulation.inject), so a completion
 * finds its arrival without a lookup, and a slot is reused once its request is answered or lost.
 *
 * Why not a Map per host from a request's number to its arrival: with a thousand hosts the maps'
 * hash tables, grown and rehashed as requests come and go, were about 15 % of the live heap and
 * a few cache misses per request; the pool is as large as the most requests ever in flight at
 * once, whatever the simulated time. Slots never reach a run's result: a host's built-in policy
 * sees a request's token only as its index in its group (view.indexInGroup), which no built-in
 * policy reads for a non-periodic process.
 */
export class InFlight {
  private arrivalNs = new Float64Array(64);
  /** Per slot: its request's host, or -1 while the slot is free. */
  private hostOf = new Int32Array(64).fill(-1);
  /** Free slots, a stack (the lowest on top at first): the slot freed last is reused first. */
  private free = Int32Array.from({ length: 64 }, (_, k) => 63 - k);
  private freeCount = 64;
  /** Per host: its requests in flight. */
  readonly count: Float64Array;

  constructor(hosts: number) {
    this.count = new Float64Array(hosts);
  }

  /** Slots in the pool: twice the most requests in flight at once at most (64 at least). */
  get capacity(): number {
    return this.hostOf.length;
  }

  /** A request routed to `host`, arrived at `atNs`: its slot (its token on the host). */
  add(host: number, atNs: number): number {
    if (this.freeCount === 0) this.grow();
    const slot = this.free[--this.freeCount]!;
    this.arrivalNs[slot] = atNs;
    this.hostOf[slot] = host;
    this.count[host]!++;
    return slot;
  }

  /** The request in `slot` was answered: its arrival time (the slot is free again). */
  take(slot: number): number {
    const host = this.hostOf[slot]!;
    this.count[host]!--;
    this.hostOf[slot] = -1;
    this.free[this.freeCount++] = slot;
    return this.arrivalNs[slot]!;
  }

  /** `host` went down: its requests will never be answered. Frees their slots; returns how many. */
  drop(host: number): number {
    const n = this.count[host]!;
    if (n === 0) return 0;
    for (let slot = 0; slot < this.hostOf.length; slot++) {
      if (this.hostOf[slot] !== host) continue;
      this.hostOf[slot] = -1;
      this.free[this.freeCount++] = slot;
    }
    this.count[host] = 0;
    return n;
  }

  /** Twice the slots (the new ones free, the lowest on top). */
  private grow(): void {
    const old = this.hostOf.length;
    const size = old * 2;
    const arrivalNs = new Float64Array(size);
    arrivalNs.set(this.arrivalNs);
    const hostOf = new Int32Array(size).fill(-1);
    hostOf.set(this.hostOf);
    const free = new Int32Array(size);
    // Every old slot is taken (the pool grows only when none is free).
    for (let k = 0; k < old; k++) free[k] = size - 1 - k;
    this.arrivalNs = arrivalNs;
    this.hostOf = hostOf;
    this.free = free;
    this.freeCount = old;
  }
}
