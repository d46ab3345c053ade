/**
 * A request server's load over a run in LOAD_BINS bins (load-bins.ts), what the host-load heat
 * map draws of request runs: its busy cores over its cores while it is up, where a server's busy
 * cores are min(requests on it, its cores): the requests that have reached it and are not done,
 * each on a core of its own while there are cores enough. That is exactly its busy CPUs when the
 * host runs nothing but the service's requests and a context switch costs nothing (the measure
 * the autoscaler reads, autoscaler.ts); a host's own workload is not counted.
 */
import { LoadBins } from './load-bins';

export class ServerLoad {
  private readonly bins: LoadBins;
  private requests = 0;
  /** Since when the server has had `requests` (while up), or -1 while it is down. */
  private sinceNs = -1;

  constructor(
    durationNs: number,
    private readonly cores: number,
  ) {
    this.bins = new LoadBins(durationNs);
  }

  /** Up from `t` (with nothing on it yet). */
  up(t: number): void {
    if (this.sinceNs >= 0) return;
    this.requests = 0;
    this.sinceNs = t;
  }

  /** Down from `t`: what was on it is gone. */
  down(t: number): void {
    if (this.sinceNs < 0) return;
    this.flush(t);
    this.sinceNs = -1;
    this.requests = 0;
  }

  /** Its requests change by `delta` at `t` (one reached it: +1, one is done: -1), at times in order. */
  changed(t: number, delta: number): void {
    if (this.sinceNs < 0) return;
    this.flush(t);
    this.requests += delta;
  }

  /** The bins up to `endNs` (each {atS, load, on}: load the mean busy share of its cores while up). */
  series(endNs: number): { atS: number; load: number; on: number }[] {
    if (this.sinceNs >= 0) this.flush(endNs);
    return this.bins.series(endNs, this.cores);
  }

  private flush(t: number): void {
    if (t > this.sinceNs) this.bins.add(this.sinceNs, t, Math.min(this.requests, this.cores));
    this.sinceNs = t;
  }
}
