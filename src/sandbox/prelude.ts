/**
 * The script evaluated inside each QuickJS context before the user's code. It builds the
 * student API (src/policy-api/migration-lab-policy.d.ts: definePolicy, the view, act.migrate)
 * on top of two things the host provides:
 *
 * - the snapshot (snapshot.ts): the machine's per-CPU state and every run queue, in memory the
 *   host writes before each hook call and the VM reads in place, because each call from QuickJS
 *   out to the host costs microseconds, while reading a typed array inside QuickJS costs
 *   nanoseconds. The hook's answer and the moves it batched go back the same way;
 * - `__host(op, a, b, c)` for per-process facts, for moves the snapshot cannot vouch for, and
 *   to hand over batched moves when the hook reads the machine again.
 *
 * Every check that can blame the user's code (a bad CPU number, a dead process, an impossible
 * move) throws here, inside the VM, so the error's stack runs through the user's line.
 */
import { HEADER_WORDS, Want, Word } from './snapshot';

/** Host operations, by code (an integer is cheaper to pass than a name). */
export const HostOp = {
  alive: 0,
  pid: 1,
  group: 2,
  state: 3,
  cpuOf: 4,
  lastCpu: 5,
  allowed: 6,
  weight: 7,
  workingSetBytes: 8,
  privateFootprintBytes: 9,
  llcFootprintBytes: 10,
  homeNode: 11,
  lastRanNs: 12,
  runNs: 13,
  sleepNs: 14,
  periodNs: 15,
  wcetNs: 16,
  deadlineNs: 17,
  utilization: 19,
  migrate: 20,
  indexInGroup: 21,
  flush: 22,
  log: 23,
  buffer: 24,
} as const;

/** Hook codes for the prelude's call(). */
export const HookCode = { place: 0, placeOnWake: 1, balance: 2, onIdle: 3, onCpuEvent: 4 } as const;
export type HookName = keyof typeof HookCode;
export const HOOK_NAMES = Object.keys(HookCode) as HookName[];

/** Reasons fit in 4 bits: place results come back as cpu * 16 + reason index. */
export const REASON_BITS = 16;

/** What console.log keeps: lines per run and characters per line (the host caps again). */
export const LOG_LINES = 200;
export const LOG_LINE_CHARS = 1000;

export const PRELUDE_FILE = 'migration-lab-prelude.js';

export const PRELUDE = String.raw`
'use strict';
(function () {
  const host = globalThis.__host;
  const setup = JSON.parse(globalThis.__setup);
  delete globalThis.__host;
  delete globalThis.__setup;
  // Determinism: no wall clock, and Math.random is a seeded stream (xorshift128+ on 32-bit halves).
  delete globalThis.Date;
  let s0 = setup.seed[0] | 0, s1 = setup.seed[1] | 0;
  Math.random = function random() {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    s1 = x;
    return ((s0 + s1) >>> 0) / 4294967296;
  };

  // The intrinsics this prelude relies on, taken before any user code runs; lockDown() below
  // freezes them all, so user code can neither replace them nor reach this closure through them.
  const freeze = Object.freeze;
  const getPrototypeOf = Object.getPrototypeOf;
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const defineProperty = Object.defineProperty;
  const ownKeys = Reflect.ownKeys;
  const apply = Reflect.apply;
  const isInteger = Number.isInteger;
  const stringify = JSON.stringify;
  const toText = String;
  // Constructors too: the global object stays writable (the user's own declarations live on it),
  // so the prelude never looks a global up again once user code has run.
  const F64 = Float64Array;
  const I32 = Int32Array;
  const SetOf = Set;
  const RangeErr = RangeError;
  const TypeErr = TypeError;
  const Err = Error;

  const OP = ${JSON.stringify(HostOp)};
  const W = ${JSON.stringify(Word)};
  const WANT_QUEUES = ${Want.queues}, WANT_SPEEDS = ${Want.speeds};
  const REASONS = freeze(setup.reasons.slice());
  const n = setup.machine.cpuCount;
  const sockets = setup.machine.sockets;

  // The snapshot (snapshot.ts): one buffer the host writes before each call, read here through
  // views over its blocks; the prelude asks the host for it at the first call and whenever the
  // host replaced it with a bigger one. None of these views is ever handed to user code
  // (queued() copies), so only the host changes them. Until the first call (the user's top
  // level may log), the header is a scratch one that says "replaced".
  let I = new I32(${HEADER_WORDS}), LOADS = null, RUNS = null, QLENS = null, ONLINES = null, RUN_ANYWHERE = null, MASK = null;
  let QSTARTS = null, QPROCS = null, QANYWHERE = null, QCPUS = null, MOVE_PROCS = null, MOVE_CPUS = null, MOVE_REASONS = null;
  let CAPACITIES = null, FREQUENCIES = null, TEMPERATURES = null, F = null, NOW = 0, MOVE_CAPACITY = 0;
  I[W.replaced] = 1;
  /** The parts of the snapshot asked for so far (snapshot.ts, Want): the host writes only those. */
  let wants = 0;
  function adopt(buffer) {
    I = new I32(buffer);
    I[W.wants] = wants;
    F = new F64(buffer);
    const block = (at) => new I32(buffer, 4 * I[at], n);
    LOADS = block(W.load);
    RUNS = block(W.running);
    QLENS = block(W.queueLength);
    ONLINES = block(W.online);
    RUN_ANYWHERE = block(W.runningAnywhere);
    MASK = block(W.mask);
    QSTARTS = new I32(buffer, 4 * I[W.queueStart], n + 1);
    const q = I[W.queueCapacity];
    QPROCS = new I32(buffer, 4 * I[W.queueProc], q);
    QANYWHERE = new I32(buffer, 4 * I[W.queueAnywhere], q);
    QCPUS = new I32(buffer, 4 * I[W.queueCpu], q);
    MOVE_CAPACITY = I[W.moveCapacity];
    MOVE_PROCS = new I32(buffer, 4 * I[W.moveProc], MOVE_CAPACITY);
    MOVE_CPUS = new I32(buffer, 4 * I[W.moveCpu], MOVE_CAPACITY);
    MOVE_REASONS = new I32(buffer, 4 * I[W.moveReason], MOVE_CAPACITY);
    NOW = I[W.now];
    CAPACITIES = new F64(buffer, 8 * I[W.capacity], n);
    FREQUENCIES = new F64(buffer, 8 * I[W.frequency], n);
    TEMPERATURES = new F64(buffer, 8 * I[W.temperature], n);
  }

  /**
   * Moves batched in this call and not yet given to the host. While there are some, the snapshot
   * is out of date: every read of the machine first hands them over (flush), so a hook sees the
   * effect of its own moves exactly as if each had been made on the spot.
   */
  let pending = 0;
  /** True during balance, onIdle and onCpuEvent: the hooks that may move (act is theirs). */
  let moving = false;
  /**
   * Every host call: the host first applies the batched moves (and rewrites the snapshot), so
   * none are pending after it; a buffer it outgrew says so, and the new one is fetched.
   */
  function hostCall(op, a, b, c) {
    I[W.moves] = pending;
    const answer = host(op, a, b, c);
    pending = 0;
    if (I[W.replaced] !== 0) adopt(host(OP.buffer));
    return answer;
  }
  /** Hands the batched moves over; the host rewrites the snapshot. */
  function flush() {
    hostCall(OP.flush);
  }
  /** As flush, asking for that part of the snapshot too (the first time a hook reads it). */
  function fresh(part) {
    wants |= part;
    I[W.wants] = wants;
    hostCall(OP.flush);
  }
  let now = 0;
  /** The process the current hook is about (place, placeOnWake); NaN (equal to nothing) for the others. */
  let subject = NaN;

  /** One log argument as text; whatever user code hides in it (toJSON, getters) runs under the hook's budget. */
  function logText(a) {
    if (typeof a === 'string') return a;
    try {
      const json = stringify(a);
      if (typeof json === 'string') return json;
    } catch (e) {}
    try {
      return toText(a);
    } catch (e) {
      return '[value that cannot be printed]';
    }
  }
  /** A value in a message: strings quoted, as JSON would. */
  const quote = (x) => (typeof x === 'string' ? stringify(x) : logText(x));
  let logged = 0;
  const console = freeze({
    log(...args) {
      // Past the cap a line is only counted (the host says how many were not kept); a line is
      // sent one character longer than the cap, so that the host can say it was cut.
      if (logged >= ${LOG_LINES}) return void hostCall(OP.log, 0);
      logged++;
      let line = '';
      for (let i = 0; i < args.length && line.length <= ${LOG_LINE_CHARS}; i++) line += (i > 0 ? ' ' : '') + logText(args[i]);
      hostCall(OP.log, line.length > ${LOG_LINE_CHARS} ? line.slice(0, ${LOG_LINE_CHARS} + 1) : line);
    },
  });

  function badCpu(cpu, what) {
    throw new RangeErr(what + ': ' + toText(cpu) + ' is not a CPU (this machine has CPUs 0..' + (n - 1) + ')');
  }
  function cpuArg(cpu, what) {
    // (cpu >>> 0) === cpu: a whole number >= 0 (cheaper than Number.isInteger in QuickJS).
    if ((cpu >>> 0) !== cpu || cpu >= n) badCpu(cpu, what);
    return cpu;
  }
  function socketArg(socket, what) {
    if (!isInteger(socket) || socket < 0 || socket >= sockets) {
      throw new RangeErr(what + ': ' + toText(socket) + ' is not a socket (this machine has sockets 0..' + (sockets - 1) + ')');
    }
    return socket;
  }
  /** A per-process query; the host answers undefined for a handle that names no live process. */
  function ask(op, p, b, what) {
    const v = hostCall(op, p, b);
    if (v === undefined) throw new RangeErr(what + ': ' + toText(p) + ' is not a live process');
    return v;
  }
  /** Where the snapshot has p waiting: its entry, or -1 (p running, elsewhere, or not a handle). */
  function queueEntry(p) {
    if ((wants & WANT_QUEUES) === 0) fresh(WANT_QUEUES);
    const total = I[W.queued];
    // lastIndexOf from the last entry in use: entries past it are left over from earlier calls.
    return total > 0 ? QPROCS.lastIndexOf(p, total - 1) : -1;
  }
  /** True when the snapshot shows p waiting or running, with a mask that allows every CPU. */
  function mayRunAnywhere(p) {
    if (!(p >= 0)) return false;
    const e = queueEntry(p);
    if (e >= 0) return QANYWHERE[e] === 1;
    const cpu = RUNS.indexOf(p);
    return cpu >= 0 && RUN_ANYWHERE[cpu] === 1;
  }
  /**
   * True when the simulator is sure to take the move of p to cpu, judged from the snapshot: p
   * waits or runs on another CPU, its mask allows every CPU, it is not already moving in this
   * call's batch, and cpu is online (moves change none of these for other processes). Any other
   * move, a mistake included, goes to the host at once, which answers exactly as it always did.
   */
  function sureMove(p, cpu) {
    if (!(p >= 0) || ONLINES[cpu] !== 1) return false;
    let at;
    const e = queueEntry(p);
    if (e >= 0) {
      if (QANYWHERE[e] !== 1) return false;
      at = QCPUS[e];
    } else {
      at = RUNS.indexOf(p);
      if (at < 0 || RUN_ANYWHERE[at] !== 1) return false;
    }
    return at !== cpu && (pending === 0 || MOVE_PROCS.lastIndexOf(p, pending - 1) < 0);
  }

  const cpuIds = freeze(Array.from({ length: n }, (_, i) => i));
  const m = setup.machine;
  const machine = freeze({
    name: m.name,
    cpuCount: n,
    sockets: m.sockets,
    coresPerSocket: m.coresPerSocket,
    smt: m.smt,
    lineBytes: m.lineBytes,
    l1dBytes: m.l1dBytes,
    l2Bytes: m.l2Bytes,
    llcBytes: m.llcBytes,
    coreTypes: freeze(m.coreTypes.map((t) => freeze({ name: t.name, capacity: t.capacity, pstates: freeze(t.pstates.map((p) => freeze(p))) }))),
    cpus: freeze(m.cpus.map((c) => freeze(c))),
  });

  const view = freeze({
    get nowNs() { return now; },
    machine,
    cpuCount: n,
    cpus: cpuIds,
    params: freeze(setup.params),
    // The check is written out in each reader (no cpuArg call): these are the calls hooks make most.
    load(cpu) {
      if ((cpu >>> 0) !== cpu || cpu >= n) badCpu(cpu, 'view.load');
      if (pending !== 0) flush();
      return LOADS[cpu];
    },
    running(cpu) {
      if ((cpu >>> 0) !== cpu || cpu >= n) badCpu(cpu, 'view.running');
      if (pending !== 0) flush();
      return RUNS[cpu];
    },
    queueLength(cpu) {
      if ((cpu >>> 0) !== cpu || cpu >= n) badCpu(cpu, 'view.queueLength');
      if (pending !== 0) flush();
      return QLENS[cpu];
    },
    idle(cpu) {
      if ((cpu >>> 0) !== cpu || cpu >= n) badCpu(cpu, 'view.idle');
      if (pending !== 0) flush();
      return LOADS[cpu] === 0;
    },
    online(cpu) {
      if ((cpu >>> 0) !== cpu || cpu >= n) badCpu(cpu, 'view.online');
      if (pending !== 0) flush();
      return ONLINES[cpu] === 1;
    },
    capacity(cpu) {
      if ((cpu >>> 0) !== cpu || cpu >= n) badCpu(cpu, 'view.capacity');
      if (pending !== 0 || (wants & WANT_SPEEDS) === 0) fresh(WANT_SPEEDS);
      return CAPACITIES[cpu];
    },
    frequencyHz(cpu) {
      if ((cpu >>> 0) !== cpu || cpu >= n) badCpu(cpu, 'view.frequencyHz');
      if (pending !== 0 || (wants & WANT_SPEEDS) === 0) fresh(WANT_SPEEDS);
      return FREQUENCIES[cpu];
    },
    temperatureC(cpu) {
      if ((cpu >>> 0) !== cpu || cpu >= n) badCpu(cpu, 'view.temperatureC');
      if (pending !== 0 || (wants & WANT_SPEEDS) === 0) fresh(WANT_SPEEDS);
      return TEMPERATURES[cpu];
    },
    utilization(cpu) { return hostCall(OP.utilization, cpuArg(cpu, 'view.utilization')); },
    queued(cpu) {
      if ((cpu >>> 0) !== cpu || cpu >= n) badCpu(cpu, 'view.queued');
      if (pending !== 0 || (wants & WANT_QUEUES) === 0) fresh(WANT_QUEUES);
      const out = [];
      for (let i = QSTARTS[cpu], end = QSTARTS[cpu + 1]; i < end; i++) out.push(QPROCS[i]);
      return out;
    },
    distance(a, b) { return setup.distances[m.cpus[cpuArg(a, 'view.distance')].node][m.cpus[cpuArg(b, 'view.distance')].node]; },
    alive(p) { return hostCall(OP.alive, p) === true; },
    pidOf(p) { return ask(OP.pid, p, 0, 'view.pidOf'); },
    groupOf(p) { return ask(OP.group, p, 0, 'view.groupOf'); },
    indexInGroup(p) { return ask(OP.indexInGroup, p, 0, 'view.indexInGroup'); },
    stateOf(p) { return ask(OP.state, p, 0, 'view.stateOf'); },
    cpuOf(p) { return ask(OP.cpuOf, p, 0, 'view.cpuOf'); },
    lastCpuOf(p) { return ask(OP.lastCpu, p, 0, 'view.lastCpuOf'); },
    isAllowed(p, cpu) {
      if ((cpu >>> 0) !== cpu || cpu >= n) badCpu(cpu, 'view.isAllowed');
      if (p === subject) return MASK[cpu] === 1;
      // Masks do not change during a call: a batched move does not make this answer stale.
      return mayRunAnywhere(p) || ask(OP.allowed, p, cpu, 'view.isAllowed');
    },
    weightOf(p) { return ask(OP.weight, p, 0, 'view.weightOf'); },
    workingSetBytes(p) { return ask(OP.workingSetBytes, p, 0, 'view.workingSetBytes'); },
    privateFootprintBytes(p, cpu) { return ask(OP.privateFootprintBytes, p, cpuArg(cpu, 'view.privateFootprintBytes'), 'view.privateFootprintBytes'); },
    llcFootprintBytes(p, socket) { return ask(OP.llcFootprintBytes, p, socketArg(socket, 'view.llcFootprintBytes'), 'view.llcFootprintBytes'); },
    homeNodeOf(p) { return ask(OP.homeNode, p, 0, 'view.homeNodeOf'); },
    lastRanNs(p) { return ask(OP.lastRanNs, p, 0, 'view.lastRanNs'); },
    runNs(p) { return ask(OP.runNs, p, 0, 'view.runNs'); },
    sleepNs(p) { return ask(OP.sleepNs, p, 0, 'view.sleepNs'); },
    periodNs(p) { return ask(OP.periodNs, p, 0, 'view.periodNs'); },
    wcetNs(p) { return ask(OP.wcetNs, p, 0, 'view.wcetNs'); },
    deadlineNs(p) { return ask(OP.deadlineNs, p, 0, 'view.deadlineNs'); },
  });

  const act = freeze({
    migrate(p, cpu, reason) {
      const r = REASONS.indexOf(reason);
      if (r < 0) throw new TypeErr('act.migrate: reason ' + quote(reason) + ' is not one of ' + REASONS.join(', '));
      if ((cpu >>> 0) !== cpu || cpu >= n) badCpu(cpu, 'act.migrate');
      if (moving && sureMove(p, cpu)) {
        // Batched: the host applies it after the hook returns, or at the next read of the machine.
        if (pending === MOVE_CAPACITY) flush();
        MOVE_PROCS[pending] = p;
        MOVE_CPUS[pending] = cpu;
        MOVE_REASONS[pending] = r;
        pending++;
        return;
      }
      const error = hostCall(OP.migrate, p, cpu, r);
      if (error !== undefined) throw new Err('act.migrate: ' + error);
    },
  });

  // The methods too (lockDown below freezes only what the global object reaches): user code may
  // not hang anything on them either.
  for (const o of [view, act]) {
    const keys = ownKeys(o);
    for (let i = 0; i < keys.length; i++) {
      const d = getOwnPropertyDescriptor(o, keys[i]);
      if (typeof d.value === 'function') freeze(d.value);
      if (d.get !== undefined) freeze(d.get);
    }
  }

  // ---- the definition: read once, while the user's top level runs (under its budget) ----------

  const HOOKS = freeze(['place', 'placeOnWake', 'balance', 'onIdle', 'onCpuEvent']);
  const KEYS = freeze(['name', 'params', 'balanceIntervalNs', 'place', 'placeOnWake', 'balance', 'onIdle', 'onCpuEvent']);
  /** The object passed to definePolicy (hooks are called with it as this), its hooks and what it declares. */
  let definition = null;
  let hooks = null;
  let described = null;

  /** The params a definition declares, copied: whole numbers, strings and booleans only. */
  function copyParams(raw) {
    const out = {};
    if (raw === undefined) return out;
    if (raw === null || typeof raw !== 'object') throw new TypeErr('definePolicy: params must be an object of defaults, e.g. params: { threshold: 2 }');
    const names = ownKeys(raw);
    for (let i = 0; i < names.length; i++) {
      const key = names[i];
      if (typeof key !== 'string') throw new TypeErr('definePolicy: params keys must be names');
      const value = raw[key];
      const ok = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && value - value === 0);
      if (!ok) throw new TypeErr('definePolicy: params.' + key + ' must be a number, a string or a boolean');
      defineProperty(out, key, { value, enumerable: true });
    }
    return out;
  }

  function definePolicy(def) {
    if (definition !== null) throw new Err('definePolicy: a policy cell defines one policy; definePolicy was called twice');
    if (def === null || typeof def !== 'object') throw new TypeErr('definePolicy: pass an object with the hooks, e.g. definePolicy({ place(view, p) { return 0; } })');
    const keys = ownKeys(def);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (typeof key !== 'string' || KEYS.indexOf(key) < 0) {
        throw new TypeErr('definePolicy: unknown key "' + toText(key) + '" (known: ' + KEYS.join(', ') + ')');
      }
    }
    // Each property is read exactly once: a getter or a Proxy cannot answer differently later.
    const found = {};
    for (let i = 0; i < HOOKS.length; i++) {
      const h = HOOKS[i];
      const fn = def[h];
      if (fn !== undefined && typeof fn !== 'function') throw new TypeErr('definePolicy: ' + h + ' must be a function');
      if (fn !== undefined) found[h] = fn;
    }
    if (found.place === undefined) throw new TypeErr('definePolicy: place(view, p) is required: it returns the CPU for a new process');
    const interval = def.balanceIntervalNs;
    const name = def.name;
    const params = copyParams(def.params);
    if (interval !== undefined && !(typeof interval === 'number' && interval >= 1000 && interval <= 1e15)) throw new RangeErr('definePolicy: balanceIntervalNs must be a number of nanoseconds >= 1000');
    if (interval !== undefined && found.balance === undefined) throw new TypeErr('definePolicy: balanceIntervalNs is set but there is no balance(view, act) hook');
    if (found.balance !== undefined && interval === undefined) throw new TypeErr('definePolicy: balance(view, act) needs balanceIntervalNs, how often it runs (e.g. 4e6 for every 4 ms)');
    definition = def;
    hooks = freeze(found);
    described = stringify({
      name: typeof name === 'string' ? name : null,
      params,
      balanceIntervalNs: interval === undefined ? null : interval,
      hooks: HOOKS.filter((h) => found[h] !== undefined),
    });
    return def;
  }

  function checkPlacement(hook, p, cpu) {
    if (!isInteger(cpu) || cpu < 0 || cpu >= n) {
      throw new RangeErr(hook + ' returned ' + quote(cpu) + ' for process ' + p + '; return a CPU number 0..' + (n - 1));
    }
    if (ONLINES[cpu] !== 1) throw new RangeErr(hook + ' returned CPU ' + cpu + ' for process ' + p + ', but that CPU is offline');
    if (MASK[cpu] !== 1) throw new RangeErr(hook + ' returned CPU ' + cpu + ' for process ' + p + ', outside its affinity mask');
    return cpu;
  }

  /** Default reaction to a CPU going offline: move everything on it to the least-loaded allowed online CPU. */
  function evacuate(cpu, reason) {
    const victims = [];
    const r = view.running(cpu);
    if (r >= 0) victims.push(r);
    const queued = view.queued(cpu);
    for (let i = 0; i < queued.length; i++) victims.push(queued[i]);
    for (let i = 0; i < victims.length; i++) {
      const p = victims[i];
      let best = -1;
      for (let c = 0; c < n; c++) {
        if (c === cpu || !view.online(c) || !(mayRunAnywhere(p) || hostCall(OP.allowed, p, c) === true)) continue;
        if (best < 0 || view.load(c) < view.load(best)) best = c;
      }
      if (best >= 0) act.migrate(p, best, reason);
    }
  }

  /** The hook's answer, as a number the host checks again. */
  function decide(hook, a, b) {
    switch (hook) {
      case ${HookCode.place}:
        return checkPlacement('place()', a, apply(hooks.place, definition, [view, a]));
      case ${HookCode.placeOnWake}: {
        const out = apply(hooks.placeOnWake, definition, [view, a]);
        if (out !== null && typeof out === 'object') {
          const cpu = out.cpu;
          const reason = out.reason;
          const r = REASONS.indexOf(reason);
          if (r < 0) throw new TypeErr('placeOnWake() returned reason ' + quote(reason) + ', not one of ' + REASONS.join(', '));
          return checkPlacement('placeOnWake()', a, cpu) * ${REASON_BITS} + r;
        }
        return checkPlacement('placeOnWake()', a, out) * ${REASON_BITS} + REASONS.indexOf('load-balance');
      }
      case ${HookCode.balance}:
        apply(hooks.balance, definition, [view, act]);
        return 0;
      case ${HookCode.onIdle}:
        apply(hooks.onIdle, definition, [view, act, a]);
        return 0;
      case ${HookCode.onCpuEvent}: {
        const event = a === 1 ? freeze({ kind: 'online', cpu: b }) : freeze({ kind: 'offline', cpu: b, cause: a === 2 ? 'maintenance' : 'fault' });
        if (hooks.onCpuEvent !== undefined) apply(hooks.onCpuEvent, definition, [view, act, event]);
        else if (event.kind === 'offline') evacuate(b, event.cause);
        return 0;
      }
    }
    return 0;
  }

  /**
   * Runs one hook on the snapshot the host just wrote (its header says which hook, with what).
   * The answer goes into the header, the moves still batched stay in theirs, for the host to apply.
   */
  function call() {
    if (I[W.replaced] !== 0) adopt(host(OP.buffer));
    const hook = I[W.hook];
    const a = I[W.a];
    const b = I[W.b];
    now = F[NOW];
    pending = 0;
    subject = hook === ${HookCode.place} || hook === ${HookCode.placeOnWake} ? a : NaN;
    moving = hook === ${HookCode.balance} || hook === ${HookCode.onIdle} || hook === ${HookCode.onCpuEvent};
    try {
      I[W.result] = decide(hook, a, b);
    } finally {
      moving = false;
      I[W.moves] = pending;
    }
  }

  /** What a thrown value says, as JSON [name, message, stack, line]: read here, under a budget, never by the host. */
  function describeError(e) {
    let name = 'Error', message = '', stack = '', line = -1;
    if ((typeof e === 'object' && e !== null) || typeof e === 'function') {
      try { const v = e.name; if (typeof v === 'string') name = v; } catch (x) {}
      try { const v = e.message; if (typeof v === 'string') message = v; } catch (x) {}
      try { const v = e.stack; if (typeof v === 'string') stack = v; } catch (x) {}
      try { const v = e.lineNumber; if (typeof v === 'number') line = v; } catch (x) {}
    } else {
      message = 'threw ' + logText(e);
    }
    return stringify([name.slice(0, 200), message.slice(0, 2000), stack.slice(0, 4000), line]);
  }

  /**
   * Freezes every object reachable from the global object and the intrinsics that no global
   * names (iterator and generator prototypes...): user code cannot change what built-ins do,
   * neither for itself nor for this prelude.
   *
   * The first VM of a QuickJS module walks the whole graph (every property descriptor: about two
   * milliseconds) and records the way it went, as a plan: each object it froze, reached from an
   * earlier one by a prototype, a property value, a getter or a setter, with its number of own
   * keys. Every context of a module starts with the same built-ins, so later VMs get the plan
   * (setup.lockPlan, from the host, which read it from a VM before any user code ran) and only
   * follow it, checking each object's key count on the way; at the first difference they walk
   * the whole graph after all.
   */
  function lockDown(plan) {
    const roots = [
      globalThis,
      getPrototypeOf(function* () {}),
      getPrototypeOf(async function () {}),
      getPrototypeOf(async function* () {}),
      getPrototypeOf((function* () {})()),
      getPrototypeOf((async function* () {})()),
      [][Symbol.iterator](),
      new Map()[Symbol.iterator](),
      new SetOf()[Symbol.iterator](),
      ''[Symbol.iterator](),
      /x/[Symbol.matchAll](''),
      (function () { return arguments; })(),
    ];
    if (plan !== null && follow(roots, plan)) return null;
    return walk(roots);
  }
  // Keys in a plan: 's' + a string key, or 'y' + the name of a well-known symbol (Symbol.iterator...).
  const symbolNames = new Map();
  const namedSymbols = new Map();
  for (const name of Object.getOwnPropertyNames(Symbol)) {
    const s = Symbol[name];
    if (typeof s === 'symbol') {
      symbolNames.set(s, name);
      namedSymbols.set(name, s);
    }
  }
  /** The whole walk; returns the plan of it (null if a key cannot be written down). */
  function walk(roots) {
    const seen = new SetOf();
    let plan = [];
    // Stack entries of four: the value, the index of the object it was reached from (-1 - i for
    // root i), how (0 prototype, 1 property value, 2 getter, 3 setter) and the key.
    const stack = [];
    for (let i = roots.length - 1; i >= 0; i--) stack.push(roots[i], -1 - i, -1, '');
    while (stack.length > 0) {
      const key = stack.pop();
      const how = stack.pop();
      const from = stack.pop();
      const o = stack.pop();
      if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) continue;
      const index = seen.size;
      seen.add(o);
      // The global object stays open for the user's own top-level declarations.
      if (o !== globalThis) freeze(o);
      const keys = ownKeys(o);
      if (plan !== null) {
        const name = typeof key === 'symbol' ? symbolNames.get(key) : key;
        if (name === undefined) plan = null;
        else plan.push(from, how, (typeof key === 'symbol' ? 'y' : 's') + name, keys.length);
      }
      stack.push(getPrototypeOf(o), index, 0, '');
      for (let i = 0; i < keys.length; i++) {
        const d = getOwnPropertyDescriptor(o, keys[i]);
        if (d === undefined) continue;
        if ('value' in d) stack.push(d.value, index, 1, keys[i]);
        else stack.push(d.get, index, 2, keys[i], d.set, index, 3, keys[i]);
      }
    }
    return plan;
  }
  /** Follows a plan: true when every object was where the plan says, with as many own keys, and is frozen. */
  function follow(roots, plan) {
    const objects = [];
    try {
      for (let j = 0; j + 3 < plan.length; j += 4) {
        const from = plan[j], how = plan[j + 1], code = plan[j + 2], count = plan[j + 3];
        const key = code[0] === 'y' ? namedSymbols.get(code.slice(1)) : code.slice(1);
        let o;
        if (from < 0) o = roots[-1 - from];
        else {
          const p = objects[from];
          o = how === 0 ? getPrototypeOf(p) : how === 1 ? p[key] : how === 2 ? getOwnPropertyDescriptor(p, key).get : getOwnPropertyDescriptor(p, key).set;
        }
        if (o === null || (typeof o !== 'object' && typeof o !== 'function') || ownKeys(o).length !== count) return false;
        objects.push(o);
        if (o !== globalThis) freeze(o);
      }
    } catch (e) {
      return false;
    }
    return objects.length > 0;
  }

  const fixed = (name, value) => defineProperty(globalThis, name, { value, writable: false, enumerable: false, configurable: false });
  fixed('definePolicy', definePolicy);
  fixed('console', console);
  fixed('REASONS', REASONS);
  const lockPlan = lockDown(setup.lockPlan === undefined ? null : setup.lockPlan);
  // After the lock-down: the module shim the transpiled code writes to is the user's own.
  globalThis.exports = {};

  // The host's handle on the prelude: the completion value of this script, on no global.
  return freeze({
    call,
    describeError,
    /** The plan of the whole walk this VM made (JSON), or null when it followed one. */
    lockPlan() {
      return lockPlan === null ? null : stringify(lockPlan);
    },
    describe() {
      return described;
    },
  });
})();
`;
