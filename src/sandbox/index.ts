/**
 * The sandbox for user-written policies (`policy` cells): QuickJS compiled to WebAssembly, with a
 * deterministic step budget per decision (budget.ts) and a memory limit; no file system, network
 * or extension access.
 * Pure TypeScript + wasm: runs in Node worker threads, web workers and the extension host.
 */
export { HOOK_STEPS, TOP_LEVEL_STEPS, WALL_CEILING_MS } from './budget';
export { compilePolicy, DEFAULT_MEMORY_BYTES, type CompiledPolicy, type CompileOptions } from './compile';
export { PolicyCodeError, PolicyRuntimeError, type CodeLocation } from './errors';
export type { PolicyLanguage } from './transpile';
export { loadQuickJs } from './quickjs';
