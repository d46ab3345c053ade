/**
 * One QuickJS VM for user policy code: a runtime with its own memory limit and budget
 * (budget.ts), the prelude evaluated in it, and the only ways the host enters it. Every entry
 * runs under the armed budget, and nothing that comes back is trusted: values are read by type
 * (a number is read only if it is a number, so no valueOf or toJSON runs on the host's behalf)
 * and a thrown value is described by the prelude, inside the VM, under a budget of its own.
 */
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten-core';
import { Budget, PRELUDE_STEPS, REPORT_STEPS, stopMessage, TOP_LEVEL_STEPS, type Stop } from './budget';
import { PolicyCodeError, type CodeLocation } from './errors';
import { PRELUDE, PRELUDE_FILE } from './prelude';
import { contextInternals } from './internals';
import { discardQuickJs } from './quickjs';

export interface SandboxLimits {
  /** Steps one hook call may take (see budget.ts). */
  hookSteps: number;
  /** Memory limit of the policy's QuickJS runtime. */
  memoryBytes: number;
  /** The last-resort wall-clock ceiling of one entry (budget.ts), in ms. */
  wallCeilingMs: number;
}

/** The compiled script and where its hooks are defined (for errors with no user frame on the stack). */
export interface PolicyScript {
  name: string;
  /** The script QuickJS runs (lines match the user's code). */
  script: string;
  fileName: string;
  hookLines: Partial<Record<string, number>>;
}

/**
 * QuickJS's own stack limit, well below what the host gives the WebAssembly frames: each QuickJS
 * call also takes room on the host's native stack (about 1 MB in a Node process), and if that runs
 * out first the host throws through the middle of QuickJS's C code, which leaves the runtime
 * inconsistent (see `broken` below). At 256 KiB a recursion of about 1,500 calls ends in
 * QuickJS's "stack overflow", at the user's line, from any host thread.
 */
const STACK_OVERFLOW_BYTES = 256 * 1024;

/** What a host operation answers: a fact, an error message (strings), nothing, or a value of the VM's own (its handle, which the library frees). */
export type HostValue = number | boolean | string | undefined | QuickJSHandle;

/** An argument the VM passed to the host: a number or a string, anything else is nothing. */
export type HostArg = number | string | undefined;

/** How an entry ended: a number, or what went wrong. */
export type Entry = { ok: true; value: number | string | undefined } | { ok: false; failure: Failure };

export interface Failure {
  /** Set when the budget stopped it (then name and message are QuickJS's "interrupted"). */
  stop: Stop | null;
  name: string;
  message: string;
  stack: string;
  lineNumber?: number;
}

export interface Vm {
  runtime: QuickJSRuntime;
  context: QuickJSContext;
  budget: Budget;
  /** Calls the prelude's describe() with `steps` to spend. */
  enter(fn: 'describe', steps: number): Entry;
  /** Calls the prelude's call() (one hook) with `steps` to spend; null when it returned. */
  call(steps: number): Failure | null;
  /** Something holding a value of this VM (a handle), disposed before the VM is. */
  keep(resource: { dispose(): void }): void;
  /** Evaluates code (the user's script) with `steps` to spend. */
  evaluate(code: string, fileName: string, steps: number): Entry;
  dispose(): void;
}

/** Creates a runtime + context with the prelude evaluated and the host bridge bound to `host`. */
export function newVm(
  module: QuickJSWASMModule,
  limits: SandboxLimits,
  setup: object,
  host: (op: HostArg, a: HostArg, b: HostArg, c: HostArg) => HostValue,
): Vm {
  const runtime = module.newRuntime();
  runtime.setMemoryLimit(limits.memoryBytes);
  runtime.setMaxStackSize(STACK_OVERFLOW_BYTES);
  const budget = new Budget(limits.wallCeilingMs);
  runtime.setInterruptHandler(budget.interrupt);
  const context = runtime.newContext();
  /**
   * True once the host threw through QuickJS's C code (its native stack ran out, or the module
   * trapped): the runtime's state is no longer consistent, so nothing more is run or freed in it,
   * and the module is discarded (quickjs.ts) for the VMs that come after.
   */
  let broken = false;
  const breakDown = (error: unknown): Failure => {
    broken = true;
    discardQuickJs(module);
    const overflow = error instanceof RangeError && /call stack/i.test(error.message);
    return {
      stop: budget.stopped,
      name: 'InternalError',
      message: overflow ? 'stack overflow' : `the sandbox's engine failed (${String(error).slice(0, 200)})`,
      stack: '',
    };
  };
  /** Frees the VM; a QuickJS abort while freeing discards the module instead of failing the caller. */
  const free = () => {
    if (broken) return;
    try {
      if (context.alive) context.dispose();
      if (runtime.alive) runtime.dispose();
    } catch {
      discardQuickJs(module);
    }
  };

  /** A value the VM handed over, read without running any of its code. */
  const arg = (h: QuickJSHandle | undefined): HostArg => {
    if (h === undefined) return undefined;
    const type = context.typeof(h);
    if (type === 'number') return context.getNumber(h);
    if (type === 'string') return context.getString(h);
    return undefined;
  };
  const hostFn = context.newFunction('__host', (op, a, b, c) =>
    toHandle(context, host(arg(op), arg(a), arg(b), arg(c))),
  );
  context.setProp(context.global, '__host', hostFn);
  hostFn.dispose();
  // The lock-down plan of this module's first VM (prelude.ts, lockDown): later VMs only follow it.
  const setupHandle = context.newString(JSON.stringify({ ...setup, lockPlan: lockPlans.get(module) ?? null }));
  context.setProp(context.global, '__setup', setupHandle);
  setupHandle.dispose();

  const prelude = budget.spend(PRELUDE_STEPS, () => context.evalCode(PRELUDE, PRELUDE_FILE));
  if (prelude.error) {
    prelude.error.dispose();
    free();
    throw new Error(`the sandbox's prelude failed${budget.stopped ? ` (${budget.stopped})` : ''}`);
  }
  // Hook calls skip the library's per-call allocations (internals.ts).
  const fast = contextInternals(context);
  // The prelude's functions, held by the host only (the prelude object is frozen, with no getters).
  const api = prelude.value;
  const functions = {
    call: context.getProp(api, 'call'),
    describe: context.getProp(api, 'describe'),
    describeError: context.getProp(api, 'describeError'),
  };
  if (!lockPlans.has(module)) {
    // Read now, before any user code has run in this VM: the plan is the prelude's own walk.
    const plan = readPlan(context, budget, api);
    if (plan !== null) lockPlans.set(module, plan);
  }
  api.dispose();

  /** What a thrown value says, asked of the prelude (never read by the host: it may be a Proxy). */
  function failure(error: QuickJSHandle): Failure {
    // When the budget stopped the VM, the value thrown is QuickJS's own uncatchable error, whose
    // stack still tells where the user's code was.
    const stop = budget.stopped;
    let described;
    try {
      described = budget.spend(REPORT_STEPS, () =>
        context.callFunction(functions.describeError, context.undefined, error),
      );
    } catch (e) {
      return breakDown(e);
    }
    error.dispose();
    const unreadable: Failure = { stop, name: 'Error', message: 'threw a value that cannot be read', stack: '' };
    if (described.error) {
      described.error.dispose();
      return unreadable;
    }
    const text = arg(described.value);
    described.value.dispose();
    try {
      const [name, message, stack, line] = JSON.parse(String(text)) as unknown[];
      if (
        typeof name === 'string' &&
        typeof message === 'string' &&
        typeof stack === 'string' &&
        typeof line === 'number'
      ) {
        return { stop, name, message, stack, ...(line >= 1 && Number.isInteger(line) ? { lineNumber: line } : {}) };
      }
    } catch {
      // fall through: the prelude always answers JSON, so this is not its answer
    }
    return unreadable;
  }

  /** Runs one entry into QuickJS and reads how it ended. */
  function settle(run: () => ReturnType<QuickJSContext['evalCode']>): Entry {
    if (broken) return { ok: false, failure: breakDown(new Error('an earlier call broke this sandbox')) };
    let result;
    try {
      result = run();
    } catch (error) {
      return { ok: false, failure: breakDown(error) };
    }
    if (result.error) return { ok: false, failure: failure(result.error) };
    const value = arg(result.value);
    result.value.dispose();
    return { ok: true, value };
  }

  let disposed = false;
  const kept: { dispose(): void }[] = [];
  return {
    runtime,
    context,
    budget,
    enter(fn, steps) {
      return settle(() => budget.spend(steps, () => context.callFunction(functions[fn], context.undefined)));
    },
    call(steps) {
      if (broken) return breakDown(new Error('an earlier call broke this sandbox'));
      let thrown;
      try {
        // The answer is in the snapshot (snapshot.ts): the returned value is not even looked at.
        thrown = budget.spend(steps, () => fast.call(functions.call));
      } catch (error) {
        return breakDown(error);
      }
      return thrown === null ? null : failure(thrown);
    },
    keep(resource) {
      kept.push(resource);
    },
    evaluate(code, fileName, steps) {
      return settle(() =>
        budget.spend(steps, () => context.evalCode(code, fileName, { type: 'global', strict: true })),
      );
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      if (!broken) {
        for (const resource of kept) resource.dispose();
        for (const handle of Object.values(functions)) if (handle.alive) handle.dispose();
      }
      free();
    },
  };
}

/** Per QuickJS module, the plan its first VM's lock-down recorded (every context of a module starts alike). */
const lockPlans = new WeakMap<QuickJSWASMModule, unknown[]>();

/** The prelude's recorded lock-down plan, if it made one: an array of numbers and strings, or null. */
function readPlan(context: QuickJSContext, budget: Budget, api: QuickJSHandle): unknown[] | null {
  const fn = context.getProp(api, 'lockPlan');
  try {
    const result = budget.spend(REPORT_STEPS, () => context.callFunction(fn, context.undefined));
    if (result.error) {
      result.error.dispose();
      return null;
    }
    const text = context.typeof(result.value) === 'string' ? context.getString(result.value) : null;
    result.value.dispose();
    const plan: unknown = text === null ? null : JSON.parse(text);
    return Array.isArray(plan) && plan.every((x) => typeof x === 'number' || typeof x === 'string') ? plan : null;
  } finally {
    fn.dispose();
  }
}

function toHandle(vm: QuickJSContext, v: HostValue): QuickJSHandle {
  switch (typeof v) {
    case 'number':
      return vm.newNumber(v);
    case 'boolean':
      return v ? vm.true : vm.false;
    case 'string':
      return vm.newString(v);
    case 'undefined':
      return vm.undefined;
  }
  return v;
}

const SANDBOX_GLOBALS =
  /^'?(process|require|fetch|globalThis\.process|XMLHttpRequest|WebSocket|importScripts|Deno|Bun|setTimeout|setInterval)'? is not defined$/;

/** A failure as the user reads it; `what` names an entry its context does not name already ("the code outside the hooks"). */
export function describeFailure(f: Failure, steps: number, wallCeilingMs: number, what?: string): string {
  if (f.stop !== null) return stopMessage(f.stop, steps, wallCeilingMs, what);
  if (f.name === 'InternalError' && f.message === 'out of memory') return 'ran out of memory';
  if (f.name === 'InternalError' && f.message === 'stack overflow') return 'stack overflow (unbounded recursion?)';
  const base = `${f.name}: ${f.message}`;
  if (f.name === 'ReferenceError' && SANDBOX_GLOBALS.test(f.message)) {
    return `${base} (policy code runs in a sandbox: no process, require, fetch, timers, file system or network; use the view and act.migrate)`;
  }
  if (f.name === 'TypeError' && /read-only|not extensible|frozen/i.test(f.message)) {
    return `${base} (the sandbox's built-in objects are frozen: define your own helpers instead of changing them)`;
  }
  return base;
}

/** The first frame of the user's file in a QuickJS stack ("at place (policy.ts:12:7)"). */
export function locate(f: Failure, fileName: string): CodeLocation | null {
  const escaped = fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}:(\\d+)(?::(\\d+))?`).exec(f.stack);
  if (match) return { line: Number(match[1]), column: match[2] ? Number(match[2]) : 0 };
  if (f.lineNumber !== undefined) return { line: f.lineNumber, column: 0 };
  return null;
}

/** Evaluates the user's script in `vm`; errors come back as PolicyCodeError with the user's line. */
export function evaluateScript(vm: Vm, s: PolicyScript): void {
  const entry = vm.evaluate(s.script, s.fileName, TOP_LEVEL_STEPS);
  if (!entry.ok) {
    const reason = describeFailure(
      entry.failure,
      TOP_LEVEL_STEPS,
      vm.budget.wallCeilingMs,
      'the code outside the hooks',
    );
    throw new PolicyCodeError(s.name, reason, locate(entry.failure, s.fileName));
  }
}
