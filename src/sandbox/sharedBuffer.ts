/**
 * Memory the host and one VM both see: a block malloc'ed in the QuickJS module's WebAssembly
 * memory and wrapped, without a copy, as an ArrayBuffer inside the VM (internals.ts). The host
 * writes and reads it through typed arrays over the WebAssembly memory, so a hook call hands
 * over the machine's state, and hands back its result and its moves, with no copy and no host
 * call. Every buffer made is checked once: the VM must see what the host wrote (a library that
 * copies fails here, loudly, never by writing somewhere else).
 *
 * The VM's ArrayBuffer owns the block (QuickJS frees it when the ArrayBuffer is collected). The
 * host keeps a handle on it for as long as it writes there, so the block cannot be freed under
 * it; user code never gets a reference (the prelude keeps it in its closure).
 */
import type { QuickJSContext, QuickJSHandle, QuickJSWASMModule } from 'quickjs-emscripten-core';
import { contextInternals } from './internals';

export class SharedBuffer {
  /** The VM's ArrayBuffer over the block (the host's handle: pass it to the VM, dispose it last). */
  readonly handle: QuickJSHandle;
  private readonly ptr: number;
  // The module's WebAssembly.Memory (typed by what is used: this layer has no WebAssembly typings).
  private readonly memory: { readonly buffer: ArrayBufferLike };
  private i32view: Int32Array;
  private f64view: Float64Array;

  /** A block of `bytes` (a multiple of 8), zeroed. */
  constructor(
    module: QuickJSWASMModule,
    context: QuickJSContext,
    readonly bytes: number,
  ) {
    const c = contextInternals(context);
    this.memory = module.getWasmMemory();
    this.ptr = c.malloc(bytes);
    // malloc answers 0 when the capped memory cannot grow (quickjs.ts); Emscripten's malloc aligns to 8.
    if (this.ptr === 0 || this.ptr % 8 !== 0) throw new Error("the policy sandbox's memory is full");
    this.handle = c.arrayBufferAt(this.ptr, bytes);
    this.i32view = new Int32Array(this.memory.buffer, this.ptr, bytes / 4);
    this.f64view = new Float64Array(this.memory.buffer, this.ptr, bytes / 8);
    this.i32view.fill(0);
    this.checkShared(context);
  }

  /** The block as 32-bit integers (a fresh view after the WebAssembly memory grew). */
  get i32(): Int32Array {
    if (this.i32view.length === 0) this.remap();
    return this.i32view;
  }

  /** The block as 64-bit floats. */
  get f64(): Float64Array {
    if (this.f64view.length === 0) this.remap();
    return this.f64view;
  }

  /** A grown WebAssembly memory has a new ArrayBuffer (the old views are detached, length 0); the address stays. */
  private remap(): void {
    this.i32view = new Int32Array(this.memory.buffer, this.ptr, this.bytes / 4);
    this.f64view = new Float64Array(this.memory.buffer, this.ptr, this.bytes / 8);
  }

  /** What the host wrote is what the VM's ArrayBuffer holds: read back through the library's own (copying) accessor. */
  private checkShared(context: QuickJSContext): void {
    const probe = [0x5eed, this.ptr | 0, this.bytes | 0];
    this.i32.set(probe);
    const copy = context.getArrayBuffer(this.handle);
    try {
      const seen = new Int32Array(copy.value.slice(0, 12).buffer);
      if (copy.value.length !== this.bytes || probe.some((x, i) => seen[i] !== x))
        throw new Error("the sandbox's shared buffer is not shared with the VM (quickjs-emscripten changed)");
    } finally {
      copy.dispose();
    }
    this.i32.fill(0, 0, probe.length);
  }

  dispose(): void {
    if (this.handle.alive) this.handle.dispose();
  }
}
