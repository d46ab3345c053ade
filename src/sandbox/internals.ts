/**
 * The one place that reaches past quickjs-emscripten's public API, into a context's protected
 * members (its context pointer, memory helpers and module, as in quickjs-emscripten-core 0.32),
 * for the two things the hot path of a hook call needs and the public API cannot do cheaply:
 *
 * - an ArrayBuffer over memory the host chose (the public newArrayBuffer copies into a block it
 *   keeps to itself): the shared snapshot, sharedBuffer.ts;
 * - a call into the VM with no argument array to allocate and no result wrappers: the public
 *   callFunction mallocs an argument array and builds two objects on every call.
 *
 * A library version without these members fails here, when a VM is made, with a clear message;
 * sharedBuffer.ts also checks that the buffer it makes really is shared.
 */
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core';

interface Ffi {
  QTS_NewArrayBuffer(ctx: number, ptr: number, bytes: number): number;
  QTS_Call(ctx: number, fn: number, self: number, argc: number, argv: number): number;
  QTS_ResolveException(ctx: number, value: number): number;
  QTS_FreeValuePointer(ctx: number, value: number): void;
}

interface Protected {
  ctx: { value: number };
  memory: { heapValueHandle(ptr: number): QuickJSHandle };
  module: { _malloc(bytes: number): number };
  ffi: Ffi;
}

export interface ContextInternals {
  /** malloc in the module's memory (0 when the capped memory is full). */
  malloc(bytes: number): number;
  /** An ArrayBuffer in the VM over `bytes` at `ptr`, which it then owns (QuickJS frees it with the buffer). */
  arrayBufferAt(ptr: number, bytes: number): QuickJSHandle;
  /** Calls `fn` with no arguments and `this` undefined: null when it returned (its value freed), else what it threw. */
  call(fn: QuickJSHandle): QuickJSHandle | null;
}

export function contextInternals(context: QuickJSContext): ContextInternals {
  const c = context as unknown as Partial<Protected>;
  const ffi = c.ffi;
  if (
    typeof c.ctx?.value !== 'number' ||
    typeof c.memory?.heapValueHandle !== 'function' ||
    typeof c.module?._malloc !== 'function' ||
    typeof ffi?.QTS_NewArrayBuffer !== 'function' ||
    typeof ffi.QTS_Call !== 'function' ||
    typeof ffi.QTS_ResolveException !== 'function' ||
    typeof ffi.QTS_FreeValuePointer !== 'function'
  )
    throw new Error("the policy sandbox needs quickjs-emscripten-core 0.32's context internals (internals.ts)");
  const { ctx, memory, module } = c as Protected;
  const undefinedValue = context.undefined.value as unknown as number;
  return {
    malloc: (bytes) => module._malloc(bytes),
    arrayBufferAt: (ptr, bytes) => memory.heapValueHandle(ffi.QTS_NewArrayBuffer(ctx.value, ptr, bytes)),
    call(fn) {
      // As QuickJSContext.callFunction does it, less the argument array and the result objects.
      const result = ffi.QTS_Call(ctx.value, fn.value as unknown as number, undefinedValue, 0, 0);
      const error = ffi.QTS_ResolveException(ctx.value, result);
      ffi.QTS_FreeValuePointer(ctx.value, result);
      return error ? memory.heapValueHandle(error) : null;
    },
  };
}
