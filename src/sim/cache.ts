/**
 * Cache footprint model (Thiebaut & Stone 1987; MODEL.md section 2).
 *
 * Two levels are tracked: a private cache per physical core (L2, shared by SMT siblings, L1d
 * inclusive in it) and a shared LLC per socket. A process's footprint in a cache grows to
 * min(working set, cache size) when it runs there; the others' footprints shrink in proportion
 * when the cache overflows (LRU sharing). Squeezing is O(1): each cache keeps the log of its
 * cumulative shrink factor, and a resident's footprint is stored as log(lines) minus that log
 * at the time it was set (actual = exp(stored + logScale)). Logs keep the factor from
 * underflowing however many squeezes a long run makes; footprints that shrink to nothing read 0.
 *
 * When a process is dispatched the lines it needs but the cache lacks are charged at once as
 * misses, each with the latency of where the line comes from (another core's cache when it was
 * left dirty there, the local LLC, local or remote DRAM), divided by the core's memory-level
 * parallelism. A working set larger than the private cache gets no reuse from it, so its reload
 * happens at LLC level and its private-cache misses are continuous capacity misses instead.
 */
import type { ResolvedMachine } from './machine';

/** Per-process cache state the model reads and writes (lives on the engine's process record). */
export interface CacheResident {
  /** Core whose private cache holds a footprint, -1 for none. */
  l2Core: number;
  /** log(lines) - logScale of the cache at the time it was set. */
  l2Stored: number;
  /** Per socket, stored LLC footprint in the same log form (-Infinity = none). */
  llcStored: Float64Array;
  wsLines: number;
}

/** Smallest squeeze factor: keeps logScale finite when one process fills a whole cache. */
const MIN_SQUEEZE = 1e-12;

class SharedCache {
  logScale = 0;
  total = 0;
  constructor(readonly capLines: number) {}
}

/** Where the lines of one dispatch came from and what they cost (filled by CacheModel.charge). */
export interface ReloadCharge {
  /** Lines fetched from LLC or DRAM (the caller attributes them to cold, migration or eviction). */
  reloadLines: number;
  /** Dirty lines transferred from the previous core's cache. */
  coherenceLines: number;
  reloadNs: number;
  coherenceNs: number;
  /** Extra stall because DRAM lines came from a remote node (part of reloadNs). */
  remotePenaltyNs: number;
}

export class CacheModel {
  private readonly l2: SharedCache[];
  private readonly llc: SharedCache[];
  readonly out: ReloadCharge = { reloadLines: 0, coherenceLines: 0, reloadNs: 0, coherenceNs: 0, remotePenaltyNs: 0 };

  constructor(private readonly m: ResolvedMachine) {
    this.l2 = Array.from({ length: m.coreCount }, () => new SharedCache(m.l2Lines));
    this.llc = Array.from({ length: m.sockets }, () => new SharedCache(m.llcLines));
  }

  privateFootprint(p: CacheResident, core: number): number {
    return p.l2Core === core ? Math.exp(p.l2Stored + this.l2[core]!.logScale) : 0;
  }

  llcFootprint(p: CacheResident, socket: number): number {
    return Math.exp(p.llcStored[socket]! + this.llc[socket]!.logScale);
  }

  privateOccupancy(core: number): number {
    return this.l2[core]!.total;
  }

  llcOccupancy(socket: number): number {
    return this.llc[socket]!.total;
  }

  /**
   * Charges the reload of process `p` dispatched on `cpu` for a run of about `plannedWorkNs`
   * (reference ns) and grows its footprints there. Lines are re-fetched as they are touched:
   * with `memoryIntensity` accesses per reference ns spread over the working set, a run touches
   * a fraction 1 - exp(-accesses / ws) of the missing lines (Thiebaut & Stone's footprint
   * growth), so a short run after a switch pays only for what it uses. `pendingCoherence`
   * dirty lines wait in the cache of a core on socket `coherenceSocket`.
   */
  charge(
    p: CacheResident,
    cpu: number,
    pendingCoherence: number,
    coherenceSocket: number,
    homeNode: number,
    plannedWorkNs: number,
    memoryIntensity: number,
  ): ReloadCharge {
    const m = this.m;
    const core = m.cpuCore[cpu]!;
    const socket = m.cpuSocket[cpu]!;
    const w = p.wsLines;
    const out = this.out;
    const touched = w === 0 ? 0 : -Math.expm1(-(memoryIntensity * plannedWorkNs) / w);
    const fPriv = this.privateFootprint(p, core);
    const fLlc = this.llcFootprint(p, socket);
    let coh = Math.min(pendingCoherence, w) * touched;
    let fromLlc = 0;
    let fromDram = 0;
    let newPriv: number;
    if (w <= m.l2Lines) {
      const fetched = Math.max(0, w - fPriv) * touched;
      coh = Math.min(coh, fetched);
      const rest = fetched - coh;
      fromLlc = w === 0 ? 0 : rest * Math.min(1, fLlc / w);
      fromDram = rest - fromLlc;
      newPriv = Math.min(w, fPriv + fetched);
    } else {
      // No reuse from the private cache: reload happens at LLC level; the private cache is
      // filled with streaming data all the same (which is what squeezes co-runners out).
      const fetched = Math.max(0, Math.min(w, m.llcLines) - fLlc) * touched;
      coh = Math.min(coh, fetched);
      fromDram = fetched - coh;
      newPriv = m.l2Lines;
    }
    const dram = m.dramNs[m.cpuNode[cpu]! * m.sockets + homeNode]!;
    const mlp = m.memoryParallelism;
    out.reloadLines = fromLlc + fromDram;
    out.coherenceLines = coh;
    out.reloadNs = (fromLlc * m.llcNs + fromDram * dram) / mlp;
    out.coherenceNs = (coh * (coherenceSocket === socket ? m.modifiedLineNs : m.remoteCacheNs)) / mlp;
    out.remotePenaltyNs = (fromDram * (dram - m.localNs)) / mlp;
    this.fillPrivate(p, core, newPriv, fPriv);
    this.fillLlc(p, socket, Math.min(w, m.llcLines, fLlc + fromDram + coh), fLlc);
    return out;
  }

  /**
   * Continuous misses while running with a working set larger than the private cache, per ns
   * of reference-speed work (random access: hit ratio = cache / working set).
   */
  capacityMissesPerRefNs(wsLines: number, memoryIntensity: number): number {
    const cap = this.m.l2Lines;
    return wsLines > cap ? memoryIntensity * (1 - cap / wsLines) : 0;
  }

  /**
   * Average stall of one capacity miss of `p` on `cpu`: it hits the LLC with the probability
   * that the line is in the process's LLC footprint there, else goes to DRAM on its home node.
   */
  capacityMissNs(p: CacheResident, cpu: number, homeNode: number): number {
    const m = this.m;
    const socket = m.cpuSocket[cpu]!;
    const hit = p.wsLines === 0 ? 1 : Math.min(1, this.llcFootprint(p, socket) / p.wsLines);
    const dram = m.dramNs[m.cpuNode[cpu]! * m.sockets + homeNode]!;
    return (hit * m.llcNs + (1 - hit) * dram) / m.memoryParallelism;
  }

  /** Drops `p`'s private footprint (its lines go with it on a migration); returns the lines it had. */
  leavePrivate(p: CacheResident): number {
    if (p.l2Core < 0) return 0;
    const c = this.l2[p.l2Core]!;
    const lines = Math.exp(p.l2Stored + c.logScale);
    c.total = Math.max(0, c.total - lines);
    p.l2Core = -1;
    p.l2Stored = 0;
    return lines;
  }

  /** Removes every footprint of a finished process. */
  forget(p: CacheResident): void {
    this.leavePrivate(p);
    for (let s = 0; s < this.llc.length; s++) {
      const stored = p.llcStored[s]!;
      if (stored !== -Infinity) {
        const c = this.llc[s]!;
        c.total = Math.max(0, c.total - Math.exp(stored + c.logScale));
        p.llcStored[s] = -Infinity;
      }
    }
  }

  /** Sets `p`'s private footprint on `core` to `target` lines; `current` is its footprint there now. */
  private fillPrivate(p: CacheResident, core: number, target: number, current: number): void {
    if (p.l2Core !== core) this.leavePrivate(p);
    const c = this.l2[core]!;
    const others = Math.max(0, c.total - current);
    const f = squeeze(c, others, target);
    p.l2Core = core;
    p.l2Stored = Math.log(target) - c.logScale;
    c.total = others * f + target;
  }

  private fillLlc(p: CacheResident, socket: number, target: number, current: number): void {
    const c = this.llc[socket]!;
    const others = Math.max(0, c.total - current);
    const f = squeeze(c, others, target);
    p.llcStored[socket] = Math.log(target) - c.logScale;
    c.total = others * f + target;
  }
}

/** Shrinks everyone in `c` by the factor that makes `others + target` fit; returns the factor. */
function squeeze(c: SharedCache, others: number, target: number): number {
  const room = c.capLines - target;
  if (others <= room || others <= 0) return 1;
  const f = Math.max(MIN_SQUEEZE, room / others);
  c.logScale += Math.log(f);
  return f;
}
