/**
 * One run's instance of a user policy: a fresh QuickJS runtime (its own memory limit) holding
 * the prelude and the user's script, bridged to the simulator's Policy interface. Each hook
 * call gets a CPU-time budget; anything that goes wrong becomes a PolicyRuntimeError naming the
 * hook, the simulated time and the user's line.
 */
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten-core';
import { REASONS, type Reason } from '../sim/config';
import type { CpuEvent, Policy, PolicyActions, PolicyContext, SimView } from '../sim/policies/policy';
import { PolicyCodeError, PolicyRuntimeError, type CodeLocation } from './errors';
import { HookCode, HostOp, PRELUDE, PRELUDE_FILE, REASON_BITS, SNAPSHOT_HEADER, snapshotLength, type HookName } from './prelude';

export interface SandboxLimits {
  /** Wall-clock budget of one hook call (the VM is interrupted past it). */
  cpuBudgetMs: number;
  /** Memory limit of the policy's QuickJS runtime. */
  memoryBytes: number;
}

/** What the user's code declared (read once at compile time). */
export interface PolicyDescription {
  name: string | null;
  params: Record<string, number | string | boolean>;
  balanceIntervalNs: number | null;
  hooks: HookName[];
}

/** The compiled script and where its hooks are defined (for errors with no user frame on the stack). */
export interface PolicyScript {
  name: string;
  /** The script QuickJS runs (lines match the user's code). */
  script: string;
  fileName: string;
  hookLines: Partial<Record<HookName, number>>;
}

const STACK_OVERFLOW_BYTES = 512 * 1024;

/** Clock for the CPU-time budget: wall time is the only clock JS has; it never affects results. */
const clock: () => number = () => performance.now();

interface Vm {
  runtime: QuickJSRuntime;
  context: QuickJSContext;
  /** Deadline of the current call (clock() ms), Infinity between calls. */
  deadline: { at: number };
}

/** Creates a runtime + context with the prelude evaluated and the host bridge bound to `host`. */
export function newVm(
  module: QuickJSWASMModule,
  limits: SandboxLimits,
  setup: object,
  host: (op: number, a: number, b: number, c: number) => HostValue,
): Vm {
  const runtime = module.newRuntime();
  runtime.setMemoryLimit(limits.memoryBytes);
  runtime.setMaxStackSize(STACK_OVERFLOW_BYTES);
  const deadline = { at: Infinity };
  runtime.setInterruptHandler(() => clock() > deadline.at);
  const context = runtime.newContext();
  const hostFn = context.newFunction('__host', (op, a, b, c) =>
    toHandle(context, host(context.getNumber(op), a ? context.getNumber(a) : 0, b ? context.getNumber(b) : 0, c ? context.getNumber(c) : 0)),
  );
  context.setProp(context.global, '__host', hostFn);
  hostFn.dispose();
  const setupHandle = context.newString(JSON.stringify(setup));
  context.setProp(context.global, '__setup', setupHandle);
  setupHandle.dispose();
  const result = context.evalCode(PRELUDE, PRELUDE_FILE);
  if (result.error) {
    const detail = JSON.stringify(context.dump(result.error));
    result.error.dispose();
    throw new Error(`sandbox prelude failed: ${detail}`);
  }
  result.value.dispose();
  return { runtime, context, deadline };
}

/** What a host operation answers: a fact, an error message (strings), nothing, or a snapshot. */
type HostValue = number | boolean | string | undefined | ArrayBuffer;

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
  return vm.newArrayBuffer(v);
}

/** The machine facts the prelude's view.machine exposes (static for the run). */
function machineSetup(ctx: PolicyContext): object {
  const m = ctx.machine;
  return {
    name: m.name,
    cpuCount: m.cpuCount,
    sockets: m.sockets,
    coresPerSocket: m.coresPerSocket,
    smt: m.smt,
    lineBytes: m.lineBytes,
    l1dBytes: m.l1dBytes,
    l2Bytes: m.l2Bytes,
    llcBytes: m.llcBytes,
    coreTypes: m.coreTypes.map((t) => ({ name: t.name, capacity: t.capacity, pstates: t.pstates.map((p) => ({ freqHz: p.freqHz, voltV: p.voltV })) })),
    cpus: Array.from({ length: m.cpuCount }, (_, cpu) => ({
      cpu,
      socket: m.cpuSocket[cpu]!,
      core: m.cpuCore[cpu]!,
      node: m.cpuNode[cpu]!,
      coreType: m.coreTypes[m.cpuType[cpu]!]!.name,
    })),
  };
}

/** Evaluates the user's script in `vm`; errors come back as PolicyCodeError with the user's line. */
export function evaluateScript(vm: QuickJSContext, s: PolicyScript, budgetMs: number): void {
  const result = vm.evalCode(s.script, s.fileName, { type: 'global', strict: true });
  if (result.error) {
    const err = dumpError(vm, result.error);
    result.error.dispose();
    const reason = isInterrupt(err) ? `the code outside the hooks ran longer than the CPU-time budget of ${budgetMs} ms (an endless loop?)` : describeError(err);
    throw new PolicyCodeError(s.name, reason, locate(err, s.fileName));
  }
  result.value.dispose();
}

interface DumpedError {
  name: string;
  message: string;
  stack: string;
  lineNumber?: number;
}

function dumpError(vm: QuickJSContext, handle: QuickJSHandle): DumpedError {
  const d: unknown = vm.dump(handle);
  if (d !== null && typeof d === 'object') {
    const o = d as Record<string, unknown>;
    return {
      name: typeof o.name === 'string' ? o.name : 'Error',
      message: typeof o.message === 'string' ? o.message : String(d),
      stack: typeof o.stack === 'string' ? o.stack : '',
      ...(typeof o.lineNumber === 'number' ? { lineNumber: o.lineNumber } : {}),
    };
  }
  return { name: 'Error', message: `threw ${JSON.stringify(d)}`, stack: '' };
}

const SANDBOX_GLOBALS = /^'?(process|require|fetch|globalThis\.process|XMLHttpRequest|WebSocket|importScripts|Deno|Bun|setTimeout|setInterval)'? is not defined$/;

/** QuickJS's error when the interrupt handler stopped it (the CPU-time budget ran out). */
function isInterrupt(e: DumpedError): boolean {
  return e.name === 'InternalError' && e.message === 'interrupted';
}

function describeError(e: DumpedError): string {
  if (e.name === 'InternalError' && e.message === 'out of memory') return 'ran out of memory';
  if (e.name === 'InternalError' && e.message === 'stack overflow') return 'stack overflow (unbounded recursion?)';
  const base = `${e.name}: ${e.message}`;
  if (e.name === 'ReferenceError' && SANDBOX_GLOBALS.test(e.message)) {
    return `${base} (policy code runs in a sandbox: no process, require, fetch, timers, file system or network; use the view and act.migrate)`;
  }
  return base;
}

/** The first frame of the user's file in a QuickJS stack ("at place (policy.ts:12:7)"). */
function locate(e: DumpedError, fileName: string): CodeLocation | null {
  const escaped = fileName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}:(\\d+)(?::(\\d+))?`).exec(e.stack);
  if (match) return { line: Number(match[1]), column: match[2] ? Number(match[2]) : 0 };
  if (e.lineNumber !== undefined) return { line: e.lineNumber, column: 0 };
  return null;
}

/** Creates the per-run VM and the Policy that drives it. */
export function instantiate(
  module: QuickJSWASMModule,
  s: PolicyScript,
  desc: PolicyDescription,
  limits: SandboxLimits,
  ctx: PolicyContext,
  params: Record<string, number | string | boolean>,
): Policy & { readonly logs: readonly string[] } {
  const n = ctx.machine.cpuCount;
  const H = SNAPSHOT_HEADER;
  const MASK = H + 7 * n;
  const QSTART = H + 8 * n;
  const QAREA = QSTART + n + 1;
  // Grown when the queues hold more than fits; only the used part is copied into the VM.
  let snap = new Float64Array(snapshotLength(n, 64));
  // Set on every call: the view and actions of the call in progress.
  let view: SimView | null = null;
  let act: PolicyActions | null = null;
  let disposed = false;

  /** Fills the per-CPU blocks and queues of the snapshot (the header and the subject's mask are set by call()). */
  function takeSnapshot(v: SimView): ArrayBuffer {
    let queued = 0;
    for (let cpu = 0; cpu < n; cpu++) queued += v.queueLength(cpu);
    const length = snapshotLength(n, queued);
    if (length > snap.length) {
      const bigger = new Float64Array(Math.max(length, 2 * snap.length));
      bigger.set(snap.subarray(0, QAREA));
      snap = bigger;
    }
    let at = 0;
    for (let cpu = 0; cpu < n; cpu++) {
      snap[QSTART + cpu] = at;
      for (const h of v.queued(cpu)) {
        snap[QAREA + at] = h;
        snap[QAREA + at + 1] = v.affinity(h) === null ? 1 : 0;
        at += 2;
      }
    }
    snap[QSTART + n] = at;
    for (let cpu = 0; cpu < n; cpu++) {
      snap[H + cpu] = v.load(cpu);
      snap[H + n + cpu] = v.running(cpu);
      snap[H + 2 * n + cpu] = v.queueLength(cpu);
      snap[H + 3 * n + cpu] = v.online(cpu) ? 1 : 0;
      snap[H + 4 * n + cpu] = v.capacity(cpu);
      snap[H + 5 * n + cpu] = v.frequencyHz(cpu);
      snap[H + 6 * n + cpu] = v.temperatureC(cpu);
    }
    return snap.buffer.slice(0, length * 8) as ArrayBuffer;
  }

  function fillSubjectMask(v: SimView, h: number): void {
    const mask = v.affinity(h);
    for (let cpu = 0; cpu < n; cpu++) snap[MASK + cpu] = mask === null || mask[cpu] === 1 ? 1 : 0;
  }

  function host(op: number, a: number, b: number, c: number): HostValue {
    const v = view!;
    if (op === HostOp.utilization) return v.utilization(a);
    if (op === HostOp.snapshot) return takeSnapshot(v);
    const alive = Number.isInteger(a) && a >= 0 && v.alive(a);
    if (op === HostOp.alive) return alive;
    if (!alive) return op === HostOp.migrate ? `${a} is not a live process` : undefined;
    switch (op) {
      case HostOp.pid: return v.pidOf(a);
      case HostOp.group: return v.groupOf(a);
      case HostOp.indexInGroup: return v.indexInGroup(a);
      case HostOp.state: return v.stateOf(a);
      case HostOp.cpuOf: return v.cpuOf(a);
      case HostOp.lastCpu: return v.lastCpuOf(a);
      case HostOp.allowed: return v.isAllowed(a, b);
      case HostOp.weight: return v.weightOf(a);
      case HostOp.workingSetBytes: return v.workingSetLines(a) * v.machine.lineBytes;
      case HostOp.privateFootprintBytes: return v.privateFootprintLines(a, b) * v.machine.lineBytes;
      case HostOp.llcFootprintBytes: return v.llcFootprintLines(a, b) * v.machine.lineBytes;
      case HostOp.homeNode: return v.homeNodeOf(a);
      case HostOp.lastRanNs: return v.lastRanNs(a);
      case HostOp.runNs: return v.runNs(a);
      case HostOp.sleepNs: return v.sleepNs(a);
      case HostOp.periodNs: return v.periodNs(a);
      case HostOp.wcetNs: return v.wcetNs(a);
      case HostOp.deadlineNs: return v.deadlineNs(a);
      case HostOp.migrate: return migrate(v, a, b, REASONS[c]!);
    }
    return undefined;
  }

  /** act.migrate: undefined when done; an impossible move is the user's mistake, reported (never silently dropped). */
  function migrate(v: SimView, p: number, cpu: number, reason: Reason): HostValue {
    if (act === null) return 'moves can only be made in balance, onIdle and onCpuEvent (place and placeOnWake return a CPU instead)';
    const pid = v.pidOf(p);
    const state = v.stateOf(p);
    const at = v.cpuOf(p);
    if (state === 'transit') return `process ${p} (pid ${pid}) is already moving to CPU ${at}`;
    if (at === cpu) return `process ${p} (pid ${pid}) is already on CPU ${cpu}`;
    if (!v.online(cpu)) return `CPU ${cpu} is offline`;
    if (!v.isAllowed(p, cpu)) return `CPU ${cpu} is outside the affinity mask of process ${p} (pid ${pid})`;
    if (!act!.migrate(p, cpu, reason)) return `the simulator refused to move process ${p} (pid ${pid}) to CPU ${cpu}`;
    return undefined;
  }

  const vm = newVm(module, limits, {
    seed: [ctx.rng.int(0x7fffffff) + 1, ctx.rng.int(0x7fffffff) + 1],
    reasons: REASONS,
    machine: machineSetup(ctx),
    distances: ctx.machine.distances,
    params,
  }, host);
  const { context, runtime, deadline } = vm;
  try {
    deadline.at = clock() + limits.cpuBudgetMs;
    evaluateScript(context, s, limits.cpuBudgetMs);
  } catch (e) {
    dispose();
    throw e;
  } finally {
    deadline.at = Infinity;
  }
  const callFn = context.getProp(context.global, '__ml_call');
  const policyName = s.name;
  let lastWakeReason: Reason = 'load-balance';
  let finalLogs: readonly string[] = [];

  function readLogs(): string[] {
    const h = context.getProp(context.global, '__ml_logs');
    const logs = context.dump(h) as string[];
    h.dispose();
    return logs;
  }

  function dispose(): void {
    if (disposed) return;
    disposed = true;
    try {
      finalLogs = readLogs();
    } catch {
      // A runtime that ran out of memory may not manage even this; the logs are a convenience.
    }
    if (callFn?.alive) callFn.dispose();
    context.dispose();
    runtime.dispose();
  }

  /** Runs one hook; returns its numeric result. */
  function call(hook: HookName, v: SimView, a: PolicyActions | null, x: number, y: number): number {
    if (disposed) throw new PolicyRuntimeError(policyName, hook, v.nowNs, 'the policy was already stopped by an earlier error', null);
    view = v;
    act = a;
    snap[0] = HookCode[hook];
    snap[1] = v.nowNs;
    snap[2] = x;
    snap[3] = y;
    if (hook === 'place' || hook === 'placeOnWake') fillSubjectMask(v, x);
    const arg = context.newArrayBuffer(takeSnapshot(v));
    deadline.at = clock() + limits.cpuBudgetMs;
    const result = context.callFunction(callFn, context.undefined, arg);
    deadline.at = Infinity;
    arg.dispose();
    view = null;
    act = null;
    if (result.error) {
      const err = dumpError(context, result.error);
      result.error.dispose();
      const reason = isInterrupt(err) ? `ran longer than its CPU-time budget of ${limits.cpuBudgetMs} ms (an endless loop?)` : describeError(err);
      const location = locate(err, s.fileName) ?? (s.hookLines[hook] !== undefined ? { line: s.hookLines[hook], column: 0 } : null);
      dispose();
      throw new PolicyRuntimeError(policyName, hook, v.nowNs, reason, location);
    }
    const out = context.getNumber(result.value);
    result.value.dispose();
    return out;
  }

  const has = new Set(desc.hooks);
  const policy: Policy & { readonly logs: readonly string[] } = {
    name: policyName,
    place: (v, h) => call('place', v, null, h, 0),
    ...(has.has('placeOnWake')
      ? {
          placeOnWake: (v: SimView, h: number) => {
            const code = call('placeOnWake', v, null, h, 0);
            lastWakeReason = REASONS[code % REASON_BITS]!;
            return Math.floor(code / REASON_BITS);
          },
          wakeReason: () => lastWakeReason,
        }
      : {}),
    ...(has.has('balance') && desc.balanceIntervalNs !== null
      ? { balanceIntervalNs: desc.balanceIntervalNs, balance: (v: SimView, a: PolicyActions) => void call('balance', v, a, 0, 0) }
      : {}),
    ...(has.has('onIdle') ? { onIdle: (v: SimView, a: PolicyActions, cpu: number) => void call('onIdle', v, a, cpu, 0) } : {}),
    // Always present: without a user hook the prelude evacuates an offline CPU.
    onCpuEvent: (v: SimView, a: PolicyActions, e: CpuEvent) =>
      void call('onCpuEvent', v, a, e.kind === 'online' ? 1 : e.cause === 'maintenance' ? 2 : 0, e.cpu),
    dispose,
    /** What the policy printed with console.log (first 200 lines), kept after the run ends. */
    get logs(): readonly string[] {
      return disposed ? finalLogs : readLogs();
    },
  };
  return policy;
}

/** Reads what definePolicy registered (null when the code never called it). */
export function describe(vm: QuickJSContext): PolicyDescription | null {
  const result = vm.evalCode('globalThis.__ml_describe()', 'describe.js');
  if (result.error) {
    result.error.dispose();
    return null;
  }
  const raw: unknown = vm.dump(result.value);
  result.value.dispose();
  return typeof raw === 'string' ? (JSON.parse(raw) as PolicyDescription) : null;
}
