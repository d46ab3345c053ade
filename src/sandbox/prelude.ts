/**
 * The script evaluated inside each QuickJS context before the user's code. It builds the
 * student API (src/policy-api/migration-lab-policy.d.ts: definePolicy, the view, act.migrate)
 * on top of two things the host provides:
 *
 * - a snapshot of per-CPU state passed with every hook call as one Float64Array (SNAPSHOT_FIELDS
 *   blocks of cpuCount numbers), because each call from QuickJS out to the host costs
 *   microseconds, while reading a typed array inside QuickJS costs nanoseconds;
 * - `__host(op, a, b, c)` for per-process facts and for migrate, which returns a fresh snapshot.
 *
 * Every check that can blame the user's code (a bad CPU number, a dead process, an impossible
 * move) throws here, inside the VM, so the error's stack runs through the user's line.
 */

/**
 * Snapshot layout (one Float64Array per hook call): a header [hook code, nowNs, a, b], then the
 * per-CPU blocks in SNAPSHOT_FIELDS order (cpuCount numbers each), then the affinity mask of the
 * call's subject process (1 = allowed) so place() loops need no host call to check it, then
 * cpuCount + 1 offsets into the queue area, which lists each CPU's waiting processes as
 * [handle, may run anywhere (1/0)] pairs: view.queued and isAllowed on them need no host call.
 */
export const SNAPSHOT_HEADER = 4;
export const SNAPSHOT_FIELDS = ['load', 'running', 'queueLength', 'online', 'capacity', 'frequencyHz', 'temperatureC'] as const;

/** Length of a snapshot with `queued` waiting processes in all. */
export function snapshotLength(cpuCount: number, queued: number): number {
  return SNAPSHOT_HEADER + (SNAPSHOT_FIELDS.length + 1) * cpuCount + cpuCount + 1 + 2 * queued;
}

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
  queued: 18,
  utilization: 19,
  migrate: 20,
  indexInGroup: 21,
  snapshot: 22,
} as const;

/** Hook codes for __ml_call. */
export const HookCode = { place: 0, placeOnWake: 1, balance: 2, onIdle: 3, onCpuEvent: 4 } as const;
export type HookName = keyof typeof HookCode;

/** Reasons fit in 4 bits: place results come back as cpu * 16 + reason index. */
export const REASON_BITS = 16;

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

  const OP = ${JSON.stringify(HostOp)};
  const REASONS = Object.freeze(setup.reasons.slice());
  const n = setup.machine.cpuCount;
  const sockets = setup.machine.sockets;
  const H = ${SNAPSHOT_HEADER};
  const LOAD = H, RUNNING = H + n, QUEUE = H + 2 * n, ONLINE = H + 3 * n, CAPACITY = H + 4 * n, FREQUENCY = H + 5 * n, TEMPERATURE = H + 6 * n, MASK = H + 7 * n;
  const QSTART = H + 8 * n, QAREA = QSTART + n + 1;
  let snap = new Float64Array(QAREA);
  /** After a move the snapshot is out of date; the next read of per-CPU state fetches a fresh one. */
  let stale = false;
  function fresh() {
    if (stale) {
      const header = snap.subarray(0, H);
      const mask = snap.subarray(MASK, MASK + n);
      const next = new Float64Array(host(OP.snapshot));
      next.set(header, 0);
      next.set(mask, MASK);
      snap = next;
      stale = false;
    }
    return snap;
  }
  let now = 0;
  /** The process the current hook is about (place, placeOnWake), -1 for the others. */
  let subject = -1;
  /** Processes seen in this call (through view.queued) whose affinity allows every CPU. */
  const anywhere = new Set();

  const logs = [];
  globalThis.console = Object.freeze({
    log(...args) {
      if (logs.length < 200) logs.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    },
  });
  globalThis.__ml_logs = logs;

  function cpuArg(cpu, what) {
    // (cpu >>> 0) === cpu: a whole number >= 0 (cheaper than Number.isInteger in QuickJS).
    if ((cpu >>> 0) !== cpu || cpu >= n) {
      throw new RangeError(what + ': ' + String(cpu) + ' is not a CPU (this machine has CPUs 0..' + (n - 1) + ')');
    }
    return cpu;
  }
  function socketArg(socket, what) {
    if (!Number.isInteger(socket) || socket < 0 || socket >= sockets) {
      throw new RangeError(what + ': ' + String(socket) + ' is not a socket (this machine has sockets 0..' + (sockets - 1) + ')');
    }
    return socket;
  }
  /** A per-process query; the host answers undefined for a handle that names no live process. */
  function ask(op, p, b, what) {
    const v = host(op, p, b);
    if (v === undefined) throw new RangeError(what + ': ' + String(p) + ' is not a live process');
    return v;
  }

  const cpuIds = Object.freeze(Array.from({ length: n }, (_, i) => i));
  const m = setup.machine;
  const machine = Object.freeze({
    name: m.name,
    cpuCount: n,
    sockets: m.sockets,
    coresPerSocket: m.coresPerSocket,
    smt: m.smt,
    lineBytes: m.lineBytes,
    l1dBytes: m.l1dBytes,
    l2Bytes: m.l2Bytes,
    llcBytes: m.llcBytes,
    coreTypes: Object.freeze(m.coreTypes.map((t) => Object.freeze(t))),
    cpus: Object.freeze(m.cpus.map((c) => Object.freeze(c))),
  });

  const view = Object.freeze({
    get nowNs() { return now; },
    machine,
    cpuCount: n,
    cpus: cpuIds,
    params: Object.freeze(setup.params),
    load(cpu) { return (stale ? fresh() : snap)[LOAD + cpuArg(cpu, 'view.load')]; },
    running(cpu) { return (stale ? fresh() : snap)[RUNNING + cpuArg(cpu, 'view.running')]; },
    queueLength(cpu) { return (stale ? fresh() : snap)[QUEUE + cpuArg(cpu, 'view.queueLength')]; },
    idle(cpu) { return (stale ? fresh() : snap)[LOAD + cpuArg(cpu, 'view.idle')] === 0; },
    online(cpu) { return (stale ? fresh() : snap)[ONLINE + cpuArg(cpu, 'view.online')] === 1; },
    capacity(cpu) { return (stale ? fresh() : snap)[CAPACITY + cpuArg(cpu, 'view.capacity')]; },
    frequencyHz(cpu) { return (stale ? fresh() : snap)[FREQUENCY + cpuArg(cpu, 'view.frequencyHz')]; },
    temperatureC(cpu) { return (stale ? fresh() : snap)[TEMPERATURE + cpuArg(cpu, 'view.temperatureC')]; },
    utilization(cpu) { return host(OP.utilization, cpuArg(cpu, 'view.utilization')); },
    queued(cpu) {
      cpuArg(cpu, 'view.queued');
      if (stale) fresh();
      const out = [];
      for (let i = QAREA + snap[QSTART + cpu], end = QAREA + snap[QSTART + cpu + 1]; i < end; i += 2) {
        out.push(snap[i]);
        if (snap[i + 1] === 1) anywhere.add(snap[i]);
      }
      return out;
    },
    distance(a, b) { return setup.distances[m.cpus[cpuArg(a, 'view.distance')].node][m.cpus[cpuArg(b, 'view.distance')].node]; },
    alive(p) { return host(OP.alive, p) === true; },
    pidOf(p) { return ask(OP.pid, p, 0, 'view.pidOf'); },
    groupOf(p) { return ask(OP.group, p, 0, 'view.groupOf'); },
    indexInGroup(p) { return ask(OP.indexInGroup, p, 0, 'view.indexInGroup'); },
    stateOf(p) { return ask(OP.state, p, 0, 'view.stateOf'); },
    cpuOf(p) { return ask(OP.cpuOf, p, 0, 'view.cpuOf'); },
    lastCpuOf(p) { return ask(OP.lastCpu, p, 0, 'view.lastCpuOf'); },
    isAllowed(p, cpu) {
      cpuArg(cpu, 'view.isAllowed');
      if (p === subject) return snap[MASK + cpu] === 1;
      return anywhere.has(p) || ask(OP.allowed, p, cpu, 'view.isAllowed');
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

  const act = Object.freeze({
    migrate(p, cpu, reason) {
      const r = REASONS.indexOf(reason);
      if (r < 0) throw new TypeError('act.migrate: reason ' + JSON.stringify(reason) + ' is not one of ' + REASONS.join(', '));
      const error = host(OP.migrate, p, cpuArg(cpu, 'act.migrate'), r);
      if (error !== undefined) throw new Error('act.migrate: ' + error);
      stale = true;
    },
  });

  let definition = null;
  const HOOKS = ['place', 'placeOnWake', 'balance', 'onIdle', 'onCpuEvent'];
  globalThis.definePolicy = function definePolicy(def) {
    if (definition !== null) throw new Error('definePolicy: a policy cell defines one policy; definePolicy was called twice');
    if (def === null || typeof def !== 'object') throw new TypeError('definePolicy: pass an object with the hooks, e.g. definePolicy({ place(view, p) { return 0; } })');
    for (const key of Object.keys(def)) {
      if (!HOOKS.includes(key) && key !== 'name' && key !== 'params' && key !== 'balanceIntervalNs') {
        throw new TypeError('definePolicy: unknown key "' + key + '" (known: name, params, balanceIntervalNs, ' + HOOKS.join(', ') + ')');
      }
    }
    if (typeof def.place !== 'function') throw new TypeError('definePolicy: place(view, p) is required: it returns the CPU for a new process');
    for (const h of HOOKS) if (def[h] !== undefined && typeof def[h] !== 'function') throw new TypeError('definePolicy: ' + h + ' must be a function');
    if (def.balanceIntervalNs !== undefined && !(def.balanceIntervalNs >= 1000)) throw new RangeError('definePolicy: balanceIntervalNs must be a number of nanoseconds >= 1000');
    if (def.balanceIntervalNs !== undefined && typeof def.balance !== 'function') throw new TypeError('definePolicy: balanceIntervalNs is set but there is no balance(view, act) hook');
    if (def.balance !== undefined && def.balanceIntervalNs === undefined) throw new TypeError('definePolicy: balance(view, act) needs balanceIntervalNs, how often it runs (e.g. 4e6 for every 4 ms)');
    definition = def;
    return def;
  };
  globalThis.exports = {};
  globalThis.REASONS = REASONS;

  /** What the host needs to know about the definition once the user's code has run. */
  globalThis.__ml_describe = function () {
    if (definition === null) return null;
    const params = definition.params ?? {};
    return JSON.stringify({
      name: typeof definition.name === 'string' ? definition.name : null,
      params,
      balanceIntervalNs: definition.balanceIntervalNs ?? null,
      hooks: HOOKS.filter((h) => typeof definition[h] === 'function'),
    });
  };

  function checkPlacement(hook, p, cpu) {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= n) {
      throw new RangeError(hook + ' returned ' + JSON.stringify(cpu) + ' for process ' + p + '; return a CPU number 0..' + (n - 1));
    }
    if (fresh()[ONLINE + cpu] !== 1) throw new RangeError(hook + ' returned CPU ' + cpu + ' for process ' + p + ', but that CPU is offline');
    if (snap[MASK + cpu] !== 1) throw new RangeError(hook + ' returned CPU ' + cpu + ' for process ' + p + ', outside its affinity mask');
    return cpu;
  }

  /** Default reaction to a CPU going offline: move everything on it to the least-loaded allowed online CPU. */
  function evacuate(cpu, reason) {
    const victims = [];
    const r = fresh()[RUNNING + cpu];
    if (r >= 0) victims.push(r);
    for (const p of view.queued(cpu)) victims.push(p);
    for (const p of victims) {
      let best = -1;
      for (let c = 0; c < n; c++) {
        if (c === cpu || fresh()[ONLINE + c] !== 1 || host(OP.allowed, p, c) !== true) continue;
        if (best < 0 || snap[LOAD + c] < snap[LOAD + best]) best = c;
      }
      if (best >= 0) act.migrate(p, best, reason);
    }
  }

  /** The host's single entry point: run one hook on a fresh snapshot (its header says which). */
  globalThis.__ml_call = function (buffer) {
    snap = new Float64Array(buffer);
    stale = false;
    const hook = snap[0];
    now = snap[1];
    const a = snap[2];
    const b = snap[3];
    subject = hook === ${HookCode.place} || hook === ${HookCode.placeOnWake} ? a : -1;
    anywhere.clear();
    const d = definition;
    switch (hook) {
      case ${HookCode.place}:
        return checkPlacement('place()', a, d.place(view, a));
      case ${HookCode.placeOnWake}: {
        const out = d.placeOnWake(view, a);
        if (out !== null && typeof out === 'object') {
          const r = REASONS.indexOf(out.reason);
          if (r < 0) throw new TypeError('placeOnWake() returned reason ' + JSON.stringify(out.reason) + ', not one of ' + REASONS.join(', '));
          return checkPlacement('placeOnWake()', a, out.cpu) * ${REASON_BITS} + r;
        }
        return checkPlacement('placeOnWake()', a, out) * ${REASON_BITS} + REASONS.indexOf('load-balance');
      }
      case ${HookCode.balance}:
        d.balance(view, act);
        return 0;
      case ${HookCode.onIdle}:
        d.onIdle(view, act, a);
        return 0;
      case ${HookCode.onCpuEvent}: {
        const event = a === 1 ? Object.freeze({ kind: 'online', cpu: b }) : Object.freeze({ kind: 'offline', cpu: b, cause: a === 2 ? 'maintenance' : 'fault' });
        if (typeof d.onCpuEvent === 'function') d.onCpuEvent(view, act, event);
        else if (event.kind === 'offline') evacuate(b, event.cause);
        return 0;
      }
    }
    return 0;
  };
})();
`;
