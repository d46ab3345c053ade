/**
 * Machine topology and hardware costs, with defaults from docs/model.md, Caches, coherence and NUMA (sources in
 * docs/model.md). `resolveMachine` is the single place defaults are applied; the engine only
 * ever sees a ResolvedMachine, whose per-CPU facts are flat arrays indexed by CPU number.
 *
 * CPU numbering: cpu = (socket * coresPerSocket + coreInSocket) * smt + thread, so SMT
 * siblings are adjacent and a socket's CPUs are contiguous.
 */
import type { CoreTypeConfig, MachineConfig, PStateConfig } from './config';
import { resolveDvfs, type ResolvedDvfs } from './dvfs';
import { SimConfigError } from './errors';
import { resolveEvents, type ResolvedMachineEvent } from './events';
import { resolvePower, type ResolvedPower } from './power';
import { resolveThermal, type ResolvedThermal } from './thermal';
import { array, isRecord, num, onlyKeys, optNum, optionalRecord, record, str } from './validate';

const KiB = 1024;
const MiB = 1024 * 1024;

export interface ResolvedCoreType {
  name: string;
  capacity: number;
  /** Power figures of this type when given (machine.power supplies the rest). */
  dynamicCoefficient?: number;
  staticW?: number;
  /** Sorted by frequency, ascending. */
  pstates: PStateConfig[];
}

export interface ResolvedMachine {
  name: string;
  sockets: number;
  coresPerSocket: number;
  smt: number;
  smtShare: number;
  cpuCount: number;
  coreCount: number;
  coreTypes: ResolvedCoreType[];
  /** Per CPU: physical core index (0..coreCount-1), socket, NUMA node, core type index. */
  cpuCore: Int32Array;
  cpuSocket: Int32Array;
  cpuNode: Int32Array;
  cpuType: Int32Array;
  /** Per CPU: capacity / 1024 at the highest P-state (work per ns relative to reference). */
  cpuSpeed: Float64Array;
  lineBytes: number;
  l1dBytes: number;
  l2Bytes: number;
  llcBytes: number;
  l2Lines: number;
  llcLines: number;
  l1Ns: number;
  l2Ns: number;
  llcNs: number;
  modifiedLineNs: number;
  remoteCacheNs: number;
  memoryParallelism: number;
  localNs: number;
  remoteNs: number;
  /** sockets x sockets, row-major. */
  distances: number[][];
  /** DRAM latency from node a to memory on node b: dramNs[a * sockets + b]. */
  dramNs: Float64Array;
  contextSwitchNs: number;
  migrationFixedNs: number;
  stateBytes: number;
  interconnectBytesPerS: number;
  /** Null: energy is not simulated (and costs nothing). */
  power: ResolvedPower | null;
  /** Null: temperature is not simulated. */
  thermal: ResolvedThermal | null;
  dvfs: ResolvedDvfs;
  /** Sorted by time. */
  events: ResolvedMachineEvent[];
}

const DEFAULT_PSTATES: PStateConfig[] = [
  { freqHz: 1.2e9, voltV: 0.8 },
  { freqHz: 2.4e9, voltV: 1.0 },
  { freqHz: 3.2e9, voltV: 1.2 },
];

/** Named machines. Figures are typical of the class of machine (see docs/model.md). */
export const MACHINE_PRESETS: Record<string, MachineConfig> = {
  'laptop-4': {
    name: 'laptop-4',
    sockets: 1,
    coresPerSocket: 4,
    smt: 1,
    caches: { lineBytes: 64, l1dBytes: 48 * KiB, l2Bytes: 1280 * KiB, llcBytes: 12 * MiB },
    memory: { localNs: 80, remoteNs: 80 },
    pstates: [
      { freqHz: 0.8e9, voltV: 0.7 },
      { freqHz: 2.0e9, voltV: 0.9 },
      { freqHz: 3.0e9, voltV: 1.05 },
      { freqHz: 4.2e9, voltV: 1.25 },
    ],
  },
  'server-2x8': {
    name: 'server-2x8',
    sockets: 2,
    coresPerSocket: 8,
    smt: 1,
    caches: { lineBytes: 64, l1dBytes: 32 * KiB, l2Bytes: 256 * KiB, llcBytes: 8 * MiB },
    memory: { localNs: 60, remoteNs: 100 },
    numa: { distances: [[10, 20], [20, 10]] },
  },
  'server-2x8-smt': {
    name: 'server-2x8-smt',
    sockets: 2,
    coresPerSocket: 8,
    smt: 2,
    caches: { lineBytes: 64, l1dBytes: 32 * KiB, l2Bytes: 256 * KiB, llcBytes: 8 * MiB },
    memory: { localNs: 60, remoteNs: 100 },
  },
  'numa-4x4': {
    name: 'numa-4x4',
    sockets: 4,
    coresPerSocket: 4,
    smt: 1,
    caches: { lineBytes: 64, l1dBytes: 32 * KiB, l2Bytes: 512 * KiB, llcBytes: 8 * MiB },
    memory: { localNs: 60, remoteNs: 100 },
    numa: {
      distances: [
        [10, 20, 20, 32],
        [20, 10, 32, 20],
        [20, 32, 10, 20],
        [32, 20, 20, 10],
      ],
    },
  },
  'phone-4+4': {
    name: 'phone-4+4',
    sockets: 1,
    smt: 1,
    coreTypes: [
      {
        name: 'little',
        count: 4,
        capacity: 446,
        // Cortex-A53: 84-120 uW/MHz/V^2 in device trees; its leakage is an estimate.
        dynamicCoefficient: 100,
        staticW: 0.05,
        pstates: [
          { freqHz: 408e6, voltV: 0.8 },
          { freqHz: 816e6, voltV: 0.85 },
          { freqHz: 1200e6, voltV: 0.975 },
          { freqHz: 1416e6, voltV: 1.125 },
        ],
      },
      {
        name: 'big',
        count: 4,
        capacity: 1024,
        // Cortex-A72 (docs/model.md, Energy and DVFS); leakage about HotSniper's 0.27 W per core.
        dynamicCoefficient: 436,
        staticW: 0.27,
        pstates: [
          { freqHz: 408e6, voltV: 0.8 },
          { freqHz: 1008e6, voltV: 0.9 },
          { freqHz: 1416e6, voltV: 1.025 },
          { freqHz: 1800e6, voltV: 1.2 },
        ],
      },
    ],
    caches: { lineBytes: 64, l1dBytes: 32 * KiB, l2Bytes: 512 * KiB, llcBytes: 2 * MiB },
    memory: { localNs: 100, remoteNs: 100 },
  },
};

const MACHINE_KEYS = [
  'preset', 'name', 'sockets', 'coresPerSocket', 'smt', 'smtShare', 'capacity', 'pstates', 'coreTypes',
  'caches', 'latency', 'memory', 'numa', 'contextSwitchNs', 'migration', 'power', 'thermal', 'governor', 'dvfs', 'events',
] as const;

/** Overlay `over` on `base` one level deep for the nested sections, so partial overrides keep preset values. */
function overlay(base: MachineConfig, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isRecord(prev) && isRecord(value) ? { ...prev, ...value } : value;
  }
  return out;
}

function resolvePStates(value: unknown, path: string): PStateConfig[] {
  if (value === undefined) return DEFAULT_PSTATES.map((p) => ({ ...p }));
  const list = array(value, path);
  if (list.length === 0) throw new SimConfigError(path, 'needs at least one P-state');
  const states = list.map((item, i) => {
    const p = record(item, `${path}[${i}]`);
    onlyKeys(p, `${path}[${i}]`, ['freqHz', 'voltV']);
    return {
      freqHz: num(p.freqHz, `${path}[${i}].freqHz`, { above: 0 }),
      voltV: num(p.voltV, `${path}[${i}].voltV`, { above: 0 }),
    };
  });
  return states.sort((a, b) => a.freqHz - b.freqHz);
}

function resolveCoreTypes(m: Record<string, unknown>, path: string): { types: ResolvedCoreType[]; perSocket: number[] } {
  if (m.coreTypes === undefined) {
    const cores = optNum(m.coresPerSocket, `${path}.coresPerSocket`, 4, { integer: true, min: 1, max: 1024 });
    const type: ResolvedCoreType = {
      name: 'default',
      capacity: optNum(m.capacity, `${path}.capacity`, 1024, { above: 0, max: 4096 }),
      pstates: resolvePStates(m.pstates, `${path}.pstates`),
    };
    return { types: [type], perSocket: new Array<number>(cores).fill(0) };
  }
  const list = array(m.coreTypes, `${path}.coreTypes`);
  if (list.length === 0) throw new SimConfigError(`${path}.coreTypes`, 'needs at least one core type');
  const types: ResolvedCoreType[] = [];
  const perSocket: number[] = [];
  list.forEach((item, i) => {
    const p = `${path}.coreTypes[${i}]`;
    const t = record(item, p) as Record<string, unknown> & Partial<CoreTypeConfig>;
    onlyKeys(t, p, ['name', 'count', 'capacity', 'pstates', 'dynamicCoefficient', 'staticW']);
    const count = num(t.count, `${p}.count`, { integer: true, min: 1, max: 1024 });
    types.push({
      name: t.name === undefined ? `type${i}` : str(t.name, `${p}.name`),
      capacity: optNum(t.capacity, `${p}.capacity`, 1024, { above: 0, max: 4096 }),
      pstates: resolvePStates(t.pstates ?? m.pstates, `${p}.pstates`),
      ...(t.dynamicCoefficient === undefined ? {} : { dynamicCoefficient: num(t.dynamicCoefficient, `${p}.dynamicCoefficient`, { min: 0 }) }),
      ...(t.staticW === undefined ? {} : { staticW: num(t.staticW, `${p}.staticW`, { min: 0 }) }),
    });
    for (let k = 0; k < count; k++) perSocket.push(i);
  });
  return { types, perSocket };
}

function resolveDistances(value: unknown, path: string, sockets: number): number[][] {
  if (value === undefined) {
    return Array.from({ length: sockets }, (_, a) => Array.from({ length: sockets }, (_, b) => (a === b ? 10 : 20)));
  }
  const rows = array(value, path);
  if (rows.length !== sockets) throw new SimConfigError(path, `must have ${sockets} rows (one per socket)`);
  return rows.map((row, a) => {
    const cells = array(row, `${path}[${a}]`);
    if (cells.length !== sockets) throw new SimConfigError(`${path}[${a}]`, `must have ${sockets} entries`);
    return cells.map((d, b) => {
      const v = num(d, `${path}[${a}][${b}]`, { min: 10, max: 255 });
      if (a === b && v !== 10) throw new SimConfigError(`${path}[${a}][${b}]`, 'a node is at distance 10 from itself');
      return v;
    });
  });
}

/** Applies defaults and checks every field. `config` may be partial or undefined. */
export function resolveMachine(config: unknown, path = 'machine'): ResolvedMachine {
  const given = optionalRecord(config, path);
  onlyKeys(given, path, MACHINE_KEYS);
  let m: Record<string, unknown> = given;
  if (given.preset !== undefined) {
    const presetName = str(given.preset, `${path}.preset`);
    const preset = MACHINE_PRESETS[presetName];
    if (!preset) throw new SimConfigError(`${path}.preset`, `unknown preset (known: ${Object.keys(MACHINE_PRESETS).join(', ')})`);
    const { preset: _unused, ...rest } = given;
    void _unused;
    m = overlay(preset, rest);
    // A preset's core types win over a plain coresPerSocket override only if the user did not give one.
    if (rest.coresPerSocket !== undefined && rest.coreTypes === undefined) delete m.coreTypes;
  }

  const sockets = optNum(m.sockets, `${path}.sockets`, 1, { integer: true, min: 1, max: 64 });
  const smt = optNum(m.smt, `${path}.smt`, 1, { integer: true, min: 1, max: 8 });
  const smtShare = optNum(m.smtShare, `${path}.smtShare`, 0.625, { above: 0, max: 1 });
  const { types, perSocket } = resolveCoreTypes(m, path);
  const coresPerSocket = perSocket.length;
  const coreCount = sockets * coresPerSocket;
  const cpuCount = coreCount * smt;
  if (cpuCount > 4096) throw new SimConfigError(path, `at most 4096 CPUs (got ${cpuCount})`);

  const caches = optionalRecord(m.caches, `${path}.caches`);
  onlyKeys(caches, `${path}.caches`, ['lineBytes', 'l1dBytes', 'l2Bytes', 'llcBytes']);
  const lineBytes = optNum(caches.lineBytes, `${path}.caches.lineBytes`, 64, { integer: true, min: 8, max: 4096 });
  const l1dBytes = optNum(caches.l1dBytes, `${path}.caches.l1dBytes`, 32 * KiB, { integer: true, min: lineBytes });
  const l2Bytes = optNum(caches.l2Bytes, `${path}.caches.l2Bytes`, 256 * KiB, { integer: true, min: lineBytes });
  const llcBytes = optNum(caches.llcBytes, `${path}.caches.llcBytes`, 8 * MiB, { integer: true, min: lineBytes });

  const lat = optionalRecord(m.latency, `${path}.latency`);
  onlyKeys(lat, `${path}.latency`, ['l1Ns', 'l2Ns', 'llcNs', 'modifiedLineNs', 'remoteCacheNs', 'memoryParallelism']);
  const mem = optionalRecord(m.memory, `${path}.memory`);
  onlyKeys(mem, `${path}.memory`, ['localNs', 'remoteNs']);
  const localNs = optNum(mem.localNs, `${path}.memory.localNs`, 60, { min: 0 });
  const remoteNs = optNum(mem.remoteNs, `${path}.memory.remoteNs`, 100, { min: localNs });

  const numa = optionalRecord(m.numa, `${path}.numa`);
  onlyKeys(numa, `${path}.numa`, ['distances']);
  const distances = resolveDistances(numa.distances, `${path}.numa.distances`, sockets);
  const dramNs = new Float64Array(sockets * sockets);
  for (let a = 0; a < sockets; a++) {
    for (let b = 0; b < sockets; b++) {
      dramNs[a * sockets + b] = localNs + ((remoteNs - localNs) * (distances[a]![b]! - 10)) / 10;
    }
  }

  const mig = optionalRecord(m.migration, `${path}.migration`);
  onlyKeys(mig, `${path}.migration`, ['fixedNs', 'stateBytes', 'interconnectBytesPerS']);

  const cpuCore = new Int32Array(cpuCount);
  const cpuSocket = new Int32Array(cpuCount);
  const cpuNode = new Int32Array(cpuCount);
  const cpuType = new Int32Array(cpuCount);
  const cpuSpeed = new Float64Array(cpuCount);
  for (let cpu = 0; cpu < cpuCount; cpu++) {
    const core = Math.floor(cpu / smt);
    const socket = Math.floor(core / coresPerSocket);
    const type = perSocket[core % coresPerSocket]!;
    cpuCore[cpu] = core;
    cpuSocket[cpu] = socket;
    cpuNode[cpu] = socket;
    cpuType[cpu] = type;
    cpuSpeed[cpu] = types[type]!.capacity / 1024;
  }

  const thermal = resolveThermal(m.thermal, `${path}.thermal`);
  const power = resolvePower(m.power, `${path}.power`, thermal, types);

  return {
    name: m.name === undefined ? `${sockets}x${coresPerSocket}${smt > 1 ? `x${smt}` : ''}` : str(m.name, `${path}.name`),
    sockets,
    coresPerSocket,
    smt,
    smtShare,
    cpuCount,
    coreCount,
    coreTypes: types,
    cpuCore,
    cpuSocket,
    cpuNode,
    cpuType,
    cpuSpeed,
    lineBytes,
    l1dBytes,
    l2Bytes,
    llcBytes,
    l2Lines: Math.floor(l2Bytes / lineBytes),
    llcLines: Math.floor(llcBytes / lineBytes),
    // ~4 / ~12 / ~40 / ~75 / ~200 cycles at 3 GHz (Intel Xeon 5500 performance analysis guide).
    l1Ns: optNum(lat.l1Ns, `${path}.latency.l1Ns`, 1.3, { min: 0 }),
    l2Ns: optNum(lat.l2Ns, `${path}.latency.l2Ns`, 4, { min: 0 }),
    llcNs: optNum(lat.llcNs, `${path}.latency.llcNs`, 13, { min: 0 }),
    modifiedLineNs: optNum(lat.modifiedLineNs, `${path}.latency.modifiedLineNs`, 25, { min: 0 }),
    remoteCacheNs: optNum(lat.remoteCacheNs, `${path}.latency.remoteCacheNs`, 67, { min: 0 }),
    memoryParallelism: optNum(lat.memoryParallelism, `${path}.latency.memoryParallelism`, 5, { min: 1, max: 64 }),
    localNs,
    remoteNs,
    distances,
    dramNs,
    contextSwitchNs: optNum(m.contextSwitchNs, `${path}.contextSwitchNs`, 4200, { integer: true, min: 0 }),
    migrationFixedNs: optNum(mig.fixedNs, `${path}.migration.fixedNs`, 1000, { integer: true, min: 0 }),
    stateBytes: optNum(mig.stateBytes, `${path}.migration.stateBytes`, 16 * KiB, { integer: true, min: 0 }),
    interconnectBytesPerS: optNum(mig.interconnectBytesPerS, `${path}.migration.interconnectBytesPerS`, 12.8e9, { above: 0 }),
    power,
    thermal,
    dvfs: resolveDvfs(m.governor, m.dvfs, path, types),
    events: resolveEvents(m.events, `${path}.events`, cpuCount),
  };
}
