/**
 * Loads the QuickJS WebAssembly module once per thread. The single-file variant embeds the wasm
 * as base64, so it loads the same way in Node worker threads, web workers and the extension
 * host, with no file to locate.
 *
 * The module's memory is capped here. QuickJS's own limit (JS_SetMemoryLimit) counts, in this
 * Emscripten build, 8 bytes per allocation whatever its size (malloc_usable_size answers 0), so
 * a policy filling arrays of a million elements would grow the module to its 2 GB maximum.
 * Refusing to grow the WebAssembly memory past the cap makes malloc fail inside QuickJS, which
 * then throws its own "out of memory" at the user's line. One VM runs at a time per thread, so
 * the cap is that VM's.
 *
 * Freeing a runtime in which a stack overflow happened (any unbounded recursion) trips an
 * assertion in this build's JS_FreeRuntime: Emscripten aborts, and what that runtime held is never
 * freed. The module still works, but each such run leaks a little of its capped memory, until no
 * policy at all could start in the thread. So a module that aborted is discarded: VMs created
 * from then on use a fresh one (see discardQuickJs, quickJsFor).
 */
import { newQuickJSWASMModuleFromVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-singlefile-cjs-release-sync';

/** Memory a policy's sandbox may use (the module's memory beyond what it starts with). */
export const DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024;

let loading: Promise<QuickJSWASMModule> | null = null;
/** The newest module loaded, once it has loaded. */
let latest: QuickJSWASMModule | null = null;
const discarded = new WeakSet<QuickJSWASMModule>();

function capMemory(module: QuickJSWASMModule): QuickJSWASMModule {
  const memory = module.getWasmMemory();
  const cap = memory.buffer.byteLength + DEFAULT_MEMORY_BYTES;
  const grow = memory.grow.bind(memory);
  // Emscripten grows memory through this method and treats a throw as "no more memory".
  Object.defineProperty(memory, 'grow', {
    value: (pages: number) => {
      if (memory.buffer.byteLength + pages * 65536 > cap)
        throw new RangeError('the policy sandbox may not use more memory');
      return grow(pages);
    },
  });
  return module;
}

export function loadQuickJs(): Promise<QuickJSWASMModule> {
  loading ??= newQuickJSWASMModuleFromVariant(variant)
    .then(capMemory)
    .then((module) => (latest = module));
  return loading;
}

/** QuickJS aborted inside `module`: from now on new VMs go to a fresh module, whose loading starts now. */
export function discardQuickJs(module: QuickJSWASMModule): void {
  if (discarded.has(module)) return;
  discarded.add(module);
  if (latest !== module) return;
  latest = null;
  loading = null;
  loadQuickJs().catch(() => {
    loading = null;
  });
}

/** The module a new VM should use: the newest one that has not aborted, else `fallback` (until that one has loaded). */
export const quickJsFor = (fallback: QuickJSWASMModule): QuickJSWASMModule =>
  latest !== null && !discarded.has(latest) ? latest : fallback;
