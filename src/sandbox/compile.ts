/**
 * compilePolicy: user code from a `policy` cell -> a PolicyFactory the simulator runs like a
 * built-in policy. Compiling checks the code once (syntax, top-level errors, the definePolicy
 * call) and reads what it declares; each run then gets its own sandbox (see sandboxPolicy.ts).
 */
import type { QuickJSWASMModule } from 'quickjs-emscripten-core';
import { SimConfigError } from '../sim';
import type { PolicyFactory } from '../sim';
import { REASONS } from '../sim';
import { HOOK_STEPS, WALL_CEILING_MS } from './budget';
import { PolicyCodeError } from './errors';
import { HOOK_NAMES, type HookName } from './prelude';
import { DEFAULT_MEMORY_BYTES, loadQuickJs, quickJsFor } from './quickjs';
import { describe, instantiate, type PolicyDescription } from './sandboxPolicy';
import { toScript, type PolicyLanguage } from './transpile';
import { evaluateScript, newVm, type PolicyScript, type SandboxLimits } from './vm';

export interface CompileOptions {
  /** The policy's name (the policy cell's name): run and compare cells refer to it. */
  name: string;
  /** Steps one decision (one hook call) may take; default HOOK_STEPS (see budget.ts). */
  hookSteps?: number;
  /** Memory limit of the policy's sandbox; default 64 MiB. */
  memoryBytes?: number;
  /** The last-resort wall-clock ceiling of one call, in ms; default WALL_CEILING_MS (tests shorten it). */
  wallCeilingMs?: number;
}

export { DEFAULT_MEMORY_BYTES };

export interface CompiledPolicy {
  name: string;
  /** The params the code declares, with their defaults (a run's policy.params override them). */
  params: Readonly<Record<string, number | string | boolean>>;
  /** The hooks the code defines. */
  hooks: readonly HookName[];
  balanceIntervalNs: number | null;
  /** For SimOptions.policy. Each call (each run) creates a fresh sandbox, freed when the run ends. */
  factory: PolicyFactory;
}

/** Line where each hook is defined (method, property or function syntax): where to point when a hook returns something invalid. */
function findHookLines(code: string): Partial<Record<HookName, number>> {
  const lines = code.split('\n');
  const out: Partial<Record<HookName, number>> = {};
  for (const hook of HOOK_NAMES) {
    const re = new RegExp(`(^|[\\s,{])${hook}\\s*(\\(|:|=)`);
    const i = lines.findIndex((l) => re.test(l));
    if (i >= 0) out[hook] = i + 1;
  }
  return out;
}

/** Setup for the compile-time check: the code's top level must not need a real machine. */
const CHECK_SETUP = {
  seed: [1, 2],
  reasons: REASONS,
  machine: {
    name: 'check',
    cpuCount: 1,
    sockets: 1,
    coresPerSocket: 1,
    smt: 1,
    lineBytes: 64,
    l1dBytes: 0,
    l2Bytes: 0,
    llcBytes: 0,
    coreTypes: [],
    cpus: [{ cpu: 0, socket: 0, core: 0, node: 0, coreType: 'default' }],
  },
  distances: [[10]],
  params: {},
};

function check(module: QuickJSWASMModule, s: PolicyScript, limits: SandboxLimits): PolicyDescription {
  const vm = newVm(module, limits, CHECK_SETUP, () => undefined);
  try {
    evaluateScript(vm, s);
    const desc = describe(vm);
    if (desc === null) {
      throw new PolicyCodeError(
        s.name,
        'the code never calls definePolicy({ place(view, p) { ... } }); see docs/writing-policies.md',
        null,
      );
    }
    return desc;
  } finally {
    vm.dispose();
  }
}

export async function compilePolicy(
  code: string,
  lang: PolicyLanguage,
  options: CompileOptions,
): Promise<CompiledPolicy> {
  const limits: SandboxLimits = {
    hookSteps: options.hookSteps ?? HOOK_STEPS,
    memoryBytes: options.memoryBytes ?? DEFAULT_MEMORY_BYTES,
    wallCeilingMs: options.wallCeilingMs ?? WALL_CEILING_MS,
  };
  const s: PolicyScript = {
    name: options.name,
    script: toScript(code, lang, options.name),
    fileName: `${options.name}.policy.${lang}`,
    hookLines: findHookLines(code),
  };
  const module = await loadQuickJs();
  const desc = check(module, s, limits);
  const defaults = Object.freeze({ ...desc.params });
  const factory: PolicyFactory = (ctx) => {
    const params: Record<string, number | string | boolean> = { ...defaults };
    for (const [key, value] of Object.entries(ctx.params)) {
      if (!(key in defaults)) {
        const known = Object.keys(defaults);
        throw new SimConfigError(
          `${ctx.path}.params.${key}`,
          `policy ${options.name} has no parameter ${key} (${known.length ? `known: ${known.join(', ')}` : 'it declares none'})`,
        );
      }
      if (typeof value !== typeof defaults[key]) {
        throw new SimConfigError(
          `${ctx.path}.params.${key}`,
          `expected a ${typeof defaults[key]}, like the default ${JSON.stringify(defaults[key])}`,
        );
      }
      params[key] = value;
    }
    // A fresh module if this one aborted since (quickjs.ts).
    return instantiate(quickJsFor(module), s, desc, limits, ctx, params);
  };
  return {
    name: options.name,
    params: defaults,
    hooks: desc.hooks,
    balanceIntervalNs: desc.balanceIntervalNs,
    factory,
  };
}
