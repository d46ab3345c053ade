/**
 * Seeded randomness with independent streams per purpose. A stream is identified by a name
 * (e.g. `arrival:web`, `demand:web`, `proc:web:17`, `policy`), hashed together with the run
 * seed, so draws for arrivals and demands never depend on what the policy did: the same
 * workload and seed give the same processes under every policy (common random numbers).
 *
 * Generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, PractRand-clean),
 * seeded through splitmix32; pure 32-bit integer arithmetic, identical on every platform.
 */

/** FNV-1a over UTF-16 code units: the identity of a stream name. */
export function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** One splitmix32 step: advances `state` and returns a mixed output (as [next state, output] via the holder). */
const mix = { state: 0, out: 0 };
function splitmix32(state: number): void {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  mix.state = next;
  mix.out = z >>> 0;
}

export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(seed: number, stream: string) {
    this.reseed(seed, stream);
  }

  /** Re-initialises in place (lets the engine recycle per-process generators without allocating). */
  reseed(seed: number, stream: string): void {
    this.reseedHashed(seed, hashName(stream), 0);
  }

  /**
   * Seeds the stream numbered `index` within the family named by `nameHash` (from hashName):
   * e.g. one stream per process of a group, without building a string per process.
   */
  reseedHashed(seed: number, nameHash: number, index: number): void {
    // Fold both halves of a 53-bit seed so seeds that differ only above bit 32 still differ.
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    const s = (nameHash ^ lo ^ Math.imul(hi, 0x9e3779b1)) | 0;
    // Mix the index in through one splitmix step of its own so neighbouring indexes decorrelate.
    splitmix32((s + Math.imul(index, 0x632be5ab)) | 0);
    splitmix32((mix.state ^ mix.out) | 0);
    this.a = mix.out;
    splitmix32(mix.state);
    this.b = mix.out;
    splitmix32(mix.state);
    this.c = mix.out;
    splitmix32(mix.state);
    this.d = mix.out | 1;
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Exponential with the given mean. Uses 1 - u so the argument of log is never 0. */
  exp(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Standard normal (Box-Muller, one output per call so the draw count per sample is fixed at two). */
  normal(): number {
    const u1 = 1 - this.next();
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
