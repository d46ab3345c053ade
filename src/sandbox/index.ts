/**
 * The sandbox for user-written policies (`policy` cells): QuickJS compiled to WebAssembly, with a
 * CPU-time budget per decision and a memory limit; no file system, network or extension access.
 * Pure TypeScript + wasm: runs in Node worker threads, web workers and the extension host.
 */
export { compilePolicy, DEFAULT_CPU_BUDGET_MS, DEFAULT_MEMORY_BYTES, type CompiledPolicy, type CompileOptions } from './compile';
export { PolicyCodeError, PolicyRuntimeError, type CodeLocation } from './errors';
export type { PolicyLanguage } from './transpile';
export { loadQuickJs } from './quickjs';
