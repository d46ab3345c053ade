/**
 * The machine as a hook call sees it, in memory the host and the VM share (sharedBuffer.ts):
 * written by the host before the call (and again after the moves a hook batched are applied),
 * read by the prelude without calling the host. The hook's result and its batched moves travel
 * back in the same memory. The layout is decided here only: the buffer's header holds every
 * block's offset, and the prelude reads them from there.
 *
 * Layout, in 32-bit words (the float blocks are 8-byte aligned and indexed in 64-bit words):
 *   header (HEADER_WORDS): the hook, its arguments, its result, the batched move count, the
 *     number of queued processes, a "replaced" flag, then the block offsets and capacities;
 *   per CPU (cpuCount words each): load, running process (-1 idle), queue length, online (1/0),
 *     whether the running process may run anywhere (1/0), the call subject's affinity mask;
 *   queue starts (cpuCount + 1 words): CPU c's waiting processes are entries [start[c], start[c+1]);
 *   queue entries (queueCapacity words each block): process, may run anywhere (1/0), its CPU;
 *   batched moves (moveCapacity words each block): process, target CPU, reason index;
 *   floats: now, then per CPU capacity, frequency (Hz) and temperature (degrees C).
 * The queue blocks and the speeds are written only once the policy has asked for them (Want).
 *
 * Nothing here is trusted on the way back: the result and the moves are numbers the host checks
 * like any other answer of the VM, and counts are clamped to the blocks' capacities.
 */
import type { QuickJSContext, QuickJSHandle, QuickJSWASMModule } from 'quickjs-emscripten-core';
import type { SimView } from '../sim';
import { SharedBuffer } from './sharedBuffer';

/** Header words, by index. */
export const Word = {
  hook: 0,
  a: 1,
  b: 2,
  result: 3,
  moves: 4,
  queued: 5,
  /** Set (in the old buffer) when the host moved to a bigger one: the prelude asks for it. */
  replaced: 6,
  cpuCount: 7,
  queueCapacity: 8,
  moveCapacity: 9,
  load: 10,
  running: 11,
  queueLength: 12,
  online: 13,
  runningAnywhere: 14,
  mask: 15,
  queueStart: 16,
  queueProc: 17,
  queueAnywhere: 18,
  queueCpu: 19,
  moveProc: 20,
  moveCpu: 21,
  moveReason: 22,
  /** Float blocks, in 64-bit words. */
  now: 23,
  capacity: 24,
  frequency: 25,
  temperature: 26,
  /** What the prelude has asked for so far (Want bits); the host writes only those parts. */
  wants: 27,
} as const;

/**
 * The parts of the snapshot a policy may never read, written only once it has: the queues (the
 * queue entries and the running processes' masks, for view.queued, isAllowed and batched moves)
 * and the speeds (capacity, frequency, temperature). The prelude asks the first time a hook
 * needs one; from then on the host writes it before every call. Loads, running processes, queue
 * lengths and online flags are always written.
 */
export const Want = { queues: 1, speeds: 2 } as const;

export const HEADER_WORDS = 32;

/** Moves a hook can batch before the prelude hands them to the host mid-call. */
export const MOVE_CAPACITY = 64;

interface Layout {
  words: Record<keyof typeof Word, number>;
  bytes: number;
}

function layout(n: number, queueCapacity: number): Layout {
  let at = HEADER_WORDS;
  const take = (words: number) => {
    const start = at;
    at += words;
    return start;
  };
  const load = take(n);
  const running = take(n);
  const queueLength = take(n);
  const online = take(n);
  const runningAnywhere = take(n);
  const mask = take(n);
  const queueStart = take(n + 1);
  const queueProc = take(queueCapacity);
  const queueAnywhere = take(queueCapacity);
  const queueCpu = take(queueCapacity);
  const moveProc = take(MOVE_CAPACITY);
  const moveCpu = take(MOVE_CAPACITY);
  const moveReason = take(MOVE_CAPACITY);
  // Floats after the words, in 64-bit units.
  const f = Math.ceil(at / 2);
  const words = {
    hook: 0,
    a: 0,
    b: 0,
    result: 0,
    moves: 0,
    queued: 0,
    replaced: 0,
    wants: 0,
    cpuCount: n,
    queueCapacity,
    moveCapacity: MOVE_CAPACITY,
    load,
    running,
    queueLength,
    online,
    runningAnywhere,
    mask,
    queueStart,
    queueProc,
    queueAnywhere,
    queueCpu,
    moveProc,
    moveCpu,
    moveReason,
    now: f,
    capacity: f + 1,
    frequency: f + 1 + n,
    temperature: f + 1 + 2 * n,
  };
  return { words, bytes: 8 * (f + 1 + 3 * n) };
}

/** One VM's snapshot: the shared buffer, grown when the queues outgrow it. */
export class Snapshot {
  private buffer: SharedBuffer;
  private at: Layout['words'];
  constructor(
    private readonly module: QuickJSWASMModule,
    private readonly context: QuickJSContext,
    private readonly n: number,
  ) {
    const l = layout(n, Math.max(64, 4 * n));
    this.buffer = this.make(l);
    this.at = l.words;
  }

  private make(l: Layout): SharedBuffer {
    const buffer = new SharedBuffer(this.module, this.context, l.bytes);
    const w = buffer.i32;
    // The offsets and sizes: the prelude reads them from here (the flags start at 0).
    for (const [key, index] of Object.entries(Word)) w[index] = l.words[key as keyof typeof Word];
    return buffer;
  }

  /** A new handle on the current buffer, for the prelude's request (it asks first, and after `replaced`); the library frees it. */
  adopted(): QuickJSHandle {
    return this.buffer.handle.dup();
  }

  /** Starts a call: its hook code, time and arguments; no result and no moves yet. */
  begin(hook: number, nowNs: number, a: number, b: number): void {
    const w = this.buffer.i32;
    w[Word.hook] = hook;
    w[Word.a] = a;
    w[Word.b] = b;
    w[Word.result] = -1;
    w[Word.moves] = 0;
    this.buffer.f64[this.at.now] = nowNs;
  }

  /** Per-CPU state, and the queues and speeds if wanted, as `v` shows them now. */
  write(v: SimView): void {
    const n = this.n;
    const wants = this.buffer.i32[Word.wants]!;
    if ((wants & Want.queues) !== 0) {
      let queued = 0;
      for (let cpu = 0; cpu < n; cpu++) queued += v.queueLength(cpu);
      if (queued > this.at.queueCapacity) this.grow(queued);
    }
    const w = this.buffer.i32;
    const at = this.at;
    for (let cpu = 0; cpu < n; cpu++) {
      w[at.load + cpu] = v.load(cpu);
      w[at.running + cpu] = v.running(cpu);
      w[at.queueLength + cpu] = v.queueLength(cpu);
      w[at.online + cpu] = v.online(cpu) ? 1 : 0;
    }
    if ((wants & Want.queues) !== 0) this.writeQueues(v);
    if ((wants & Want.speeds) !== 0) {
      const f = this.buffer.f64;
      for (let cpu = 0; cpu < n; cpu++) {
        f[at.capacity + cpu] = v.capacity(cpu);
        f[at.frequency + cpu] = v.frequencyHz(cpu);
        f[at.temperature + cpu] = v.temperatureC(cpu);
      }
    }
  }

  private writeQueues(v: SimView): void {
    const w = this.buffer.i32;
    const at = this.at;
    let entry = 0;
    for (let cpu = 0; cpu < this.n; cpu++) {
      w[at.queueStart + cpu] = entry;
      for (const h of v.queued(cpu)) {
        w[at.queueProc + entry] = h;
        w[at.queueAnywhere + entry] = v.affinity(h) === null ? 1 : 0;
        w[at.queueCpu + entry] = cpu;
        entry++;
      }
      const running = w[at.running + cpu]!;
      w[at.runningAnywhere + cpu] = running >= 0 && v.affinity(running) === null ? 1 : 0;
    }
    w[at.queueStart + this.n] = entry;
    w[Word.queued] = entry;
  }

  /** The affinity mask of the call's subject (place, placeOnWake): 1 where it may run. */
  mask(v: SimView, h: number): void {
    const mask = v.affinity(h);
    const w = this.buffer.i32;
    for (let cpu = 0; cpu < this.n; cpu++) w[this.at.mask + cpu] = mask === null || mask[cpu] === 1 ? 1 : 0;
  }

  /** A bigger buffer with the current header (the per-CPU blocks are written next); the VM is told through `replaced`. */
  private grow(queued: number): void {
    const l = layout(this.n, Math.max(queued, 2 * this.at.queueCapacity));
    const old = this.buffer;
    const next = this.make(l);
    const from = old.i32;
    const to = next.i32;
    for (const key of ['hook', 'a', 'b', 'result', 'moves', 'wants'] as const) to[Word[key]] = from[Word[key]];
    to.set(from.subarray(this.at.mask, this.at.mask + this.n), l.words.mask);
    to.set(from.subarray(this.at.moveProc, this.at.moveReason + MOVE_CAPACITY), l.words.moveProc);
    next.f64[l.words.now] = old.f64[this.at.now];
    from[Word.replaced] = 1;
    // The VM holds its own reference to the old buffer until it takes the new one: the host never writes the old one again.
    old.dispose();
    this.buffer = next;
    this.at = l.words;
  }

  /** What the hook answered (the prelude writes it; -1 when it did not). */
  result(): number {
    return this.buffer.i32[Word.result]!;
  }

  /** The batched moves as [process, cpu, reason index] triples, and none left batched. */
  takeMoves(): number[] {
    const w = this.buffer.i32;
    const count = Math.min(Math.max(w[Word.moves]!, 0), MOVE_CAPACITY);
    w[Word.moves] = 0;
    const out: number[] = [];
    for (let i = 0; i < count; i++)
      out.push(w[this.at.moveProc + i]!, w[this.at.moveCpu + i]!, w[this.at.moveReason + i]!);
    return out;
  }

  /** Whether the prelude left moves batched (read without taking them). */
  hasMoves(): boolean {
    return this.buffer.i32[Word.moves] !== 0;
  }

  dispose(): void {
    this.buffer.dispose();
  }
}
