/**
 * Cache footprint model (Thiebaut & Stone 1987; docs/model.md, Caches, coherence and NUMA).
 *
 * Two levels are tracked: a private cache per physical core (L2, shared by SMT siblings, L1d
 * inclusive in it) and a shared LLC per socket. A process's footprint in a cache grows to
 * min(working set, cache size) when it runs there; the others' footprints shrink in proportion
 * when the cache overflows (LRU sharing). Squeezing is O(1): each cache keeps its cumulative
 * shrink factor `scale`, and a resident's footprint is stored divided by the scale at the time
 * it was set (actual = stored x scale). Before the factor can underflow, the cache folds it into
 * its residents' stored values (a rare O(residents) pass) and forgets footprints below a
 * thousandth of a line.
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
  /** Footprint lines / scale of that cache when it was set. */
  l2Stored: number;
  /** Position in that cache's resident list. */
  l2Index: number;
  /** Per socket: stored LLC footprint (as above) and position in its resident list (-1 = none). */
  llcStored: number[];
  llcIndex: number[];
  wsLines: number;
}

/**
 * exp(x) - 1, with the call into the runtime skipped where the result is exactly -1 in double
 * precision (exp(x) < 2^-54 for x < -38): a long run touches every missing line.
 */
function expm1(x: number): number {
  return x < -38 ? -1 : Math.expm1(x);
}

/** Fold the scale into the residents before it gets this small. */
const RENORMALISE_BELOW = 1e-100;
/** Footprints below this many lines are forgotten when folding. */
const NEGLIGIBLE_LINES = 1e-3;

/** One cache instance: its residents (for the rare fold) and the running total of their lines. */
class SharedCache {
  scale = 1;
  total = 0;
  readonly residents: CacheResident[] = [];
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
  /** Of reloadLines, those fetched from DRAM (they cost DRAM energy). */
  dramLines: number;
}

export class CacheModel {
  private readonly l2: SharedCache[];
  private readonly llc: SharedCache[];
  readonly out: ReloadCharge = {
    reloadLines: 0,
    coherenceLines: 0,
    reloadNs: 0,
    coherenceNs: 0,
    remotePenaltyNs: 0,
    dramLines: 0,
  };

  constructor(private readonly m: ResolvedMachine) {
    this.l2 = Array.from({ length: m.coreCount }, () => new SharedCache(m.l2Lines));
    this.llc = Array.from({ length: m.sockets }, () => new SharedCache(m.llcLines));
  }

  privateFootprint(p: CacheResident, core: number): number {
    return p.l2Core === core ? p.l2Stored * this.l2[core]!.scale : 0;
  }

  llcFootprint(p: CacheResident, socket: number): number {
    return p.llcIndex[socket]! >= 0 ? p.llcStored[socket]! * this.llc[socket]!.scale : 0;
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
    const touched = w === 0 ? 0 : -expm1(-(memoryIntensity * plannedWorkNs) / w);
    const fPriv = this.privateFootprint(p, core);
    const fLlc = this.llcFootprint(p, socket);
    let coh = Math.min(pendingCoherence, w) * touched;
    let fromLlc = 0;
    let fromDram: number;
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
    out.dramLines = fromDram;
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
    const hit = this.capacityLlcHit(p, cpu);
    const dram = m.dramNs[m.cpuNode[cpu]! * m.sockets + homeNode]!;
    return (hit * m.llcNs + (1 - hit) * dram) / m.memoryParallelism;
  }

  /** Probability that a capacity miss of `p` on `cpu` hits the LLC (the rest go to DRAM). */
  capacityLlcHit(p: CacheResident, cpu: number): number {
    return p.wsLines === 0 ? 1 : Math.min(1, this.llcFootprint(p, this.m.cpuSocket[cpu]!) / p.wsLines);
  }

  /** Drops `p`'s private footprint (its lines go with it on a migration); returns the lines it had. */
  leavePrivate(p: CacheResident): number {
    if (p.l2Core < 0) return 0;
    const c = this.l2[p.l2Core]!;
    const lines = p.l2Stored * c.scale;
    c.total = Math.max(0, c.total - lines);
    const moved = removeResident(c, p.l2Index);
    if (moved !== null) moved.l2Index = p.l2Index;
    p.l2Core = -1;
    p.l2Stored = 0;
    p.l2Index = -1;
    return lines;
  }

  /** Removes every footprint of a finished process. */
  forget(p: CacheResident): void {
    this.leavePrivate(p);
    for (let s = 0; s < this.llc.length; s++) {
      if (p.llcIndex[s]! >= 0) this.leaveLlc(p, s);
    }
  }

  private leaveLlc(p: CacheResident, socket: number): void {
    const c = this.llc[socket]!;
    const index = p.llcIndex[socket]!;
    c.total = Math.max(0, c.total - p.llcStored[socket]! * c.scale);
    const moved = removeResident(c, index);
    if (moved !== null) moved.llcIndex[socket] = index;
    p.llcIndex[socket] = -1;
    p.llcStored[socket] = 0;
  }

  /** Sets `p`'s private footprint on `core` to `target` lines; `current` is its footprint there now. */
  private fillPrivate(p: CacheResident, core: number, target: number, current: number): void {
    if (p.l2Core !== core) {
      this.leavePrivate(p);
      const c = this.l2[core]!;
      p.l2Core = core;
      p.l2Index = c.residents.length;
      c.residents.push(p);
    }
    const c = this.l2[core]!;
    const others = Math.max(0, c.total - current);
    const f = squeeze(c, others, target);
    c.total = others * f + target;
    p.l2Stored = target / c.scale;
    if (c.scale < RENORMALISE_BELOW)
      this.fold(
        c,
        (r) => r.l2Stored,
        (r, v) => (r.l2Stored = v),
        (r) => this.leavePrivate(r),
      );
  }

  private fillLlc(p: CacheResident, socket: number, target: number, current: number): void {
    const c = this.llc[socket]!;
    if (p.llcIndex[socket]! < 0) {
      p.llcIndex[socket] = c.residents.length;
      c.residents.push(p);
    }
    const others = Math.max(0, c.total - current);
    const f = squeeze(c, others, target);
    c.total = others * f + target;
    p.llcStored[socket] = target / c.scale;
    if (c.scale < RENORMALISE_BELOW) {
      this.fold(
        c,
        (r) => r.llcStored[socket]!,
        (r, v) => (r.llcStored[socket] = v),
        (r) => this.leaveLlc(r, socket),
      );
    }
  }

  /** Folds the cache's scale into its residents' stored values and drops negligible footprints. */
  private fold(
    c: SharedCache,
    get: (r: CacheResident) => number,
    set: (r: CacheResident, v: number) => void,
    drop: (r: CacheResident) => void,
  ): void {
    const scale = c.scale;
    const gone: CacheResident[] = [];
    for (const r of c.residents) {
      const lines = get(r) * scale;
      set(r, lines);
      if (lines < NEGLIGIBLE_LINES) gone.push(r);
    }
    c.scale = 1;
    for (const r of gone) drop(r);
  }
}

/** Swap-removes the resident at `index`; returns the resident moved into that slot (whose index the caller updates), if any. */
function removeResident(c: SharedCache, index: number): CacheResident | null {
  const list = c.residents;
  const last = list.pop()!;
  if (index < list.length) {
    list[index] = last;
    return last;
  }
  return null;
}

/** Shrinks everyone in `c` by the factor that makes `others + target` fit; returns the factor. */
function squeeze(c: SharedCache, others: number, target: number): number {
  const room = c.capLines - target;
  if (others <= room || others <= 0) return 1;
  // Never exactly 0 (that would make the scale unusable); 1e-30 of a footprint is nothing, and
  // the fold that follows soon after forgets it.
  const f = Math.max(1e-30, Math.max(0, room) / others);
  c.scale *= f;
  return f;
}
