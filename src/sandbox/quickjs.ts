/**
 * Loads the QuickJS WebAssembly module once per thread. The single-file variant embeds the wasm
 * as base64, so it loads the same way in Node worker threads, web workers and the extension
 * host, with no file to locate.
 */
import { newQuickJSWASMModuleFromVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-singlefile-cjs-release-sync';

let loading: Promise<QuickJSWASMModule> | null = null;

export function loadQuickJs(): Promise<QuickJSWASMModule> {
  loading ??= newQuickJSWASMModuleFromVariant(variant);
  return loading;
}
