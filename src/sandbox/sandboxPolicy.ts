/**
 * One run's instance of a user policy: a fresh VM (vm.ts: its own memory limit and step
 * budget) holding the prelude and the user's script, bridged to the simulator's Policy
 * interface. The host checks everything that comes back (CPU numbers, reasons, process
 * handles, the declared interval) itself: the prelude checks first to blame the user's line,
 * but it runs in the same VM as the user's code. Anything that goes wrong becomes a
 * PolicyRuntimeError naming the hook, the simulated time and the user's line.
 */
import type { QuickJSWASMModule } from 'quickjs-emscripten-core';
import { REASONS, type Reason } from '../sim';
import type { CpuEvent, Policy, PolicyActions, PolicyContext, SimView } from '../sim';
import { PolicyRuntimeError } from './errors';
import { HookCode, HostOp, HOOK_NAMES, LOG_LINE_CHARS, LOG_LINES, REASON_BITS, type HookName } from './prelude';
import { Snapshot } from './snapshot';
import {
  describeFailure,
  evaluateScript,
  locate,
  newVm,
  type HostArg,
  type HostValue,
  type PolicyScript,
  type SandboxLimits,
  type Vm,
} from './vm';

/** What the user's code declared (read once at compile time, checked by the host). */
export interface PolicyDescription {
  name: string | null;
  params: Record<string, number | string | boolean>;
  balanceIntervalNs: number | null;
  hooks: HookName[];
}

/** A run's policy instance: a Policy that also keeps what the code printed. */
export type SandboxedPolicy = Policy & { readonly logs: readonly string[] };

/** What definePolicy registered, as the prelude reported it; null when the code never called it. */
export function describe(vm: Vm): PolicyDescription | null {
  const entry = vm.enter('describe', 10_000);
  if (!entry.ok || typeof entry.value !== 'string') return null;
  return checkDescription(JSON.parse(entry.value));
}

const PARAM_NAME = /^[A-Za-z_$][\w$-]{0,63}$/;

/** The prelude's description, checked again here: only what a definePolicy call can declare gets through. */
function checkDescription(raw: unknown): PolicyDescription {
  const bad = (why: string): never => {
    throw new Error(`the policy's description is invalid: ${why}`);
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return bad('not an object');
  const d = raw as Record<string, unknown>;
  const name = d.name === null || typeof d.name === 'string' ? d.name : bad('name');
  const interval = d.balanceIntervalNs;
  if (!(interval === null || (typeof interval === 'number' && interval >= 1000 && interval <= 1e15)))
    bad('balanceIntervalNs must be >= 1000 ns');
  const hooks = Array.isArray(d.hooks) ? d.hooks : bad('hooks');
  if (!hooks.every((h): h is HookName => HOOK_NAMES.includes(h as HookName)) || !hooks.includes('place')) bad('hooks');
  if ((interval !== null) !== hooks.includes('balance')) bad('balance and balanceIntervalNs go together');
  const params: Record<string, number | string | boolean> = {};
  const rawParams = d.params;
  if (rawParams === null || typeof rawParams !== 'object' || Array.isArray(rawParams)) return bad('params');
  for (const [key, value] of Object.entries(rawParams)) {
    if (!PARAM_NAME.test(key)) bad(`params: "${key.slice(0, 40)}" is not a parameter name`);
    if (!(
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value))
    ))
      bad(`params.${key}`);
    params[key] = value;
  }
  return {
    name: name as string | null,
    params,
    balanceIntervalNs: interval as number | null,
    hooks: hooks as HookName[],
  };
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
    coreTypes: m.coreTypes.map((t) => ({
      name: t.name,
      capacity: t.capacity,
      pstates: t.pstates.map((p) => ({ freqHz: p.freqHz, voltV: p.voltV })),
    })),
    cpus: Array.from({ length: m.cpuCount }, (_, cpu) => ({
      cpu,
      socket: m.cpuSocket[cpu]!,
      core: m.cpuCore[cpu]!,
      node: m.cpuNode[cpu]!,
      coreType: m.coreTypes[m.cpuType[cpu]!]!.name,
    })),
  };
}

/** What console.log printed, capped here too (the prelude's own cap is the user's to undo). */
class LogBuffer {
  readonly lines: string[] = [];
  dropped = 0;
  /** A line to keep; past the cap, anything (the prelude sends 0) is a line counted, not kept. */
  add(line: HostArg): void {
    if (this.lines.length >= LOG_LINES) {
      this.dropped++;
      return;
    }
    if (typeof line !== 'string') return;
    const kept =
      line.length > LOG_LINE_CHARS
        ? `${line.slice(0, LOG_LINE_CHARS)}… (line cut at ${LOG_LINE_CHARS} characters)`
        : line;
    // Printed in terminals and logs: no escape sequences or carriage returns of the policy's.
    this.lines.push(kept.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\ufffd'));
  }
  get all(): readonly string[] {
    return this.dropped > 0
      ? [...this.lines, `… ${this.dropped} more lines not kept (the first ${LOG_LINES} are)`]
      : this.lines;
  }
}

const isIndex = (x: HostArg, below: number): x is number =>
  typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < below;

/** Creates the per-run VM and the Policy that drives it. */
export function instantiate(
  module: QuickJSWASMModule,
  s: PolicyScript,
  desc: PolicyDescription,
  limits: SandboxLimits,
  ctx: PolicyContext,
  params: Record<string, number | string | boolean>,
): SandboxedPolicy {
  const n = ctx.machine.cpuCount;
  const sockets = ctx.machine.sockets;
  // Set on every call: the view and actions of the call in progress.
  let view: SimView | null = null;
  let act: PolicyActions | null = null;
  /** Set during a call when a move the prelude batched was refused after all: the call then fails. */
  let refused: string | null = null;
  let disposed = false;
  const logs = new LogBuffer();

  /** The host side of `__host(op, a, b, c)`: every argument checked, whatever the prelude passed. */
  function host(op: HostArg, a: HostArg, b: HostArg, c: HostArg): HostValue {
    const v = view;
    // Moves the hook batched since its last host call come first, in order: what follows sees them.
    const applied = v !== null && snapshot.hasMoves();
    if (applied) applyMoves(v);
    if (op === HostOp.log) return void logs.add(a);
    if (op === HostOp.buffer) return snapshot.adopted();
    if (v === null) return undefined;
    // The moves are applied; the prelude may also ask for a part of the snapshot it had not read.
    if (op === HostOp.flush) return void (applied || snapshot.write(v));
    if (op === HostOp.utilization) return isIndex(a, n) ? v.utilization(a) : undefined;
    const alive = isLive(v, a);
    if (op === HostOp.alive) return alive;
    if (!alive) return op === HostOp.migrate ? `${String(a)} is not a live process` : undefined;
    const p = a as number;
    switch (op) {
      case HostOp.pid:
        return v.pidOf(p);
      case HostOp.group:
        return v.groupOf(p);
      case HostOp.indexInGroup:
        return v.indexInGroup(p);
      case HostOp.state:
        return v.stateOf(p);
      case HostOp.cpuOf:
        return v.cpuOf(p);
      case HostOp.lastCpu:
        return v.lastCpuOf(p);
      case HostOp.allowed:
        return isIndex(b, n) ? v.isAllowed(p, b) : undefined;
      case HostOp.weight:
        return v.weightOf(p);
      case HostOp.workingSetBytes:
        return v.workingSetLines(p) * v.machine.lineBytes;
      case HostOp.privateFootprintBytes:
        return isIndex(b, n) ? v.privateFootprintLines(p, b) * v.machine.lineBytes : undefined;
      case HostOp.llcFootprintBytes:
        return isIndex(b, sockets) ? v.llcFootprintLines(p, b) * v.machine.lineBytes : undefined;
      case HostOp.homeNode:
        return v.homeNodeOf(p);
      case HostOp.lastRanNs:
        return v.lastRanNs(p);
      case HostOp.runNs:
        return v.runNs(p);
      case HostOp.sleepNs:
        return v.sleepNs(p);
      case HostOp.periodNs:
        return v.periodNs(p);
      case HostOp.wcetNs:
        return v.wcetNs(p);
      case HostOp.deadlineNs:
        return v.deadlineNs(p);
      case HostOp.migrate: {
        const error = checkedMove(v, p, b, c);
        // The snapshot shows the move at once (the prelude reads it in place).
        if (error === undefined) snapshot.write(v);
        return error;
      }
    }
    return undefined;
  }

  const isLive = (v: SimView, a: HostArg): a is number =>
    typeof a === 'number' && Number.isInteger(a) && a >= 0 && v.alive(a);

  /** A move of live process `p` to `cpu` for reason index `r`, every argument checked: undefined when done, else why not. */
  function checkedMove(v: SimView, p: number, cpu: HostArg, r: HostArg): string | undefined {
    if (!isIndex(cpu, n)) return `${String(cpu)} is not a CPU (this machine has CPUs 0..${n - 1})`;
    if (!isIndex(r, REASONS.length)) return `no valid reason was given (one of ${REASONS.join(', ')})`;
    return migrate(v, p, cpu, REASONS[r]!);
  }

  /**
   * The moves the prelude batched, applied in the order they were made, then the snapshot
   * rewritten. The prelude batches only moves the snapshot shows the simulator will take; one it
   * refuses all the same is checked exactly like a move made on the spot, and fails the call.
   */
  function applyMoves(v: SimView): void {
    const moves = snapshot.takeMoves();
    if (act === null || refused !== null) return;
    for (let i = 0; i < moves.length; i += 3) {
      const p = moves[i]!;
      const error = isLive(v, p) ? checkedMove(v, p, moves[i + 1], moves[i + 2]) : `${p} is not a live process`;
      if (error !== undefined) {
        refused = `act.migrate: ${error}`;
        break;
      }
    }
    snapshot.write(v);
  }

  /** act.migrate: undefined when done; an impossible move is the user's mistake, reported (never silently dropped). */
  function migrate(v: SimView, p: number, cpu: number, reason: Reason): string | undefined {
    if (act === null)
      return 'moves can only be made in balance, onIdle and onCpuEvent (place and placeOnWake return a CPU instead)';
    const pid = v.pidOf(p);
    const state = v.stateOf(p);
    const at = v.cpuOf(p);
    if (state === 'transit') return `process ${p} (pid ${pid}) is already moving to CPU ${at}`;
    if (at === cpu) return `process ${p} (pid ${pid}) is already on CPU ${cpu}`;
    if (!v.online(cpu)) return `CPU ${cpu} is offline`;
    if (!v.isAllowed(p, cpu)) return `CPU ${cpu} is outside the affinity mask of process ${p} (pid ${pid})`;
    if (!act.migrate(p, cpu, reason)) return `the simulator refused to move process ${p} (pid ${pid}) to CPU ${cpu}`;
    return undefined;
  }

  const vm = newVm(
    module,
    limits,
    {
      seed: [ctx.rng.int(0x7fffffff) + 1, ctx.rng.int(0x7fffffff) + 1],
      reasons: REASONS,
      machine: machineSetup(ctx),
      distances: ctx.machine.distances,
      params,
    },
    host,
  );
  let snapshot: Snapshot;
  try {
    snapshot = new Snapshot(module, vm.context, n);
    vm.keep(snapshot);
    evaluateScript(vm, s);
  } catch (e) {
    dispose();
    throw e;
  }
  const policyName = s.name;
  let lastWakeReason: Reason = 'load-balance';

  function dispose(): void {
    if (disposed) return;
    disposed = true;
    vm.dispose();
  }

  /** Fails the run: the hook, the simulated time, the user's line. */
  function fail(hook: HookName, v: SimView, reason: string, location: ReturnType<typeof locate>): never {
    dispose();
    throw new PolicyRuntimeError(
      policyName,
      hook,
      v.nowNs,
      reason,
      location ?? (s.hookLines[hook] !== undefined ? { line: s.hookLines[hook], column: 0 } : null),
    );
  }

  /** Runs one hook; returns its numeric result (already checked by the prelude, not trusted for it). */
  function call(hook: HookName, v: SimView, a: PolicyActions | null, x: number, y: number): number {
    if (disposed)
      throw new PolicyRuntimeError(
        policyName,
        hook,
        v.nowNs,
        'the policy was already stopped by an earlier error',
        null,
      );
    view = v;
    act = a;
    refused = null;
    snapshot.begin(HookCode[hook], v.nowNs, x, y);
    snapshot.write(v);
    if (hook === 'place' || hook === 'placeOnWake') snapshot.mask(v, x);
    let failure;
    try {
      failure = vm.call(limits.hookSteps);
      // The moves still batched when the hook returned (a failed hook's do not matter: the run stops).
      if (failure === null && snapshot.hasMoves()) applyMoves(v);
    } finally {
      view = null;
      act = null;
    }
    if (failure !== null)
      fail(hook, v, describeFailure(failure, limits.hookSteps, limits.wallCeilingMs), locate(failure, s.fileName));
    if (refused !== null) fail(hook, v, refused, null);
    return snapshot.result();
  }

  /** A CPU a placement hook chose, checked here: a whole number, a CPU of this machine, online and allowed. */
  function placement(hook: 'place' | 'placeOnWake', v: SimView, h: number, cpu: number): number {
    const mask = v.affinity(h);
    if (!isIndex(cpu, n))
      fail(hook, v, `${hook}() returned ${String(cpu)} for process ${h}; return a CPU number 0..${n - 1}`, null);
    if (!v.online(cpu)) fail(hook, v, `${hook}() returned CPU ${cpu} for process ${h}, but that CPU is offline`, null);
    if (mask !== null && mask[cpu] !== 1)
      fail(hook, v, `${hook}() returned CPU ${cpu} for process ${h}, outside its affinity mask`, null);
    return cpu;
  }

  const has = new Set(desc.hooks);
  const policy: SandboxedPolicy = {
    name: policyName,
    place: (v, h) => placement('place', v, h, call('place', v, null, h, 0)),
    ...(has.has('placeOnWake')
      ? {
          placeOnWake: (v: SimView, h: number) => {
            const code = call('placeOnWake', v, null, h, 0);
            const r = code % REASON_BITS;
            if (!Number.isInteger(code) || code < 0 || r >= REASONS.length)
              fail('placeOnWake', v, 'placeOnWake() gave no valid CPU and reason', null);
            lastWakeReason = REASONS[r]!;
            return placement('placeOnWake', v, h, Math.floor(code / REASON_BITS));
          },
          wakeReason: () => lastWakeReason,
        }
      : {}),
    ...(has.has('balance') && desc.balanceIntervalNs !== null
      ? {
          balanceIntervalNs: desc.balanceIntervalNs,
          balance: (v: SimView, a: PolicyActions) => void call('balance', v, a, 0, 0),
        }
      : {}),
    ...(has.has('onIdle')
      ? { onIdle: (v: SimView, a: PolicyActions, cpu: number) => void call('onIdle', v, a, cpu, 0) }
      : {}),
    // Always present: without a user hook the prelude evacuates an offline CPU.
    onCpuEvent: (v: SimView, a: PolicyActions, e: CpuEvent) =>
      void call('onCpuEvent', v, a, e.kind === 'online' ? 1 : e.cause === 'maintenance' ? 2 : 0, e.cpu),
    dispose,
    /** What the policy printed with console.log (the first LOG_LINES lines), kept after the run ends. */
    get logs(): readonly string[] {
      return logs.all;
    },
  };
  return policy;
}
