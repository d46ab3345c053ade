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
 */
import { newQuickJSWASMModuleFromVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-singlefile-cjs-release-sync';

/** Memory a policy's sandbox may use (the module's memory beyond what it starts with). */
export const DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024;

let loading: Promise<QuickJSWASMModule> | null = null;

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
  loading ??= newQuickJSWASMModuleFromVariant(variant).then(capMemory);
  return loading;
}
