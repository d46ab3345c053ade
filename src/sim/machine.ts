/**
 * Machine topology and hardware costs, with defaults from docs/model.md, Caches, coherence and NUMA (sources in
 * docs/model.md). `resolveMachine` is the single place defaults are applied; the engine only
 * ever sees a ResolvedMachine, whose per-CPU facts are flat arrays indexed by CPU number.
 *
 * CPU numbering: cpu = (socket * coresPerSocket + coreInSocket) * smt + thread, so SMT
 * siblings are adjacent and a socket's CPUs are contiguous.
 */
import type { CoreTypeConfig, MachineConfig, PStateConfig } from './config';
import { DVFS, GOVERNOR, resolveDvfs, type ResolvedDvfs } from './dvfs';
import { SimConfigError } from './errors';
import { EVENT, resolveEvents, type ResolvedMachineEvent } from './events';
import { POWER, resolvePower, type ResolvedPower } from './power';
import { onlySectionKeys, readNumber, type Section } from './spec';
import { resolveThermal, THERMAL, type ResolvedThermal } from './thermal';
import { array, isRecord, optionalRecord, record, str } from './validate';

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
    numa: {
      distances: [
        [10, 20],
        [20, 10],
      ],
    },
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

// ---- the machine's keys (spec.ts) ----------------------------------------------------------

export const PSTATE = {
  freqHz: {
    kind: 'number',
    unit: 'Hz',
    lab: 'freq',
    above: 0,
    required: true,
    doc: 'Clock frequency of this operating point.',
  },
  voltV: {
    kind: 'number',
    unit: 'V',
    lab: 'volt',
    above: 0,
    required: true,
    doc: 'Supply voltage at this operating point.',
  },
} satisfies Section;

const pstates = (defaultText: string, source?: string) =>
  ({
    kind: 'list',
    items: { kind: 'section', keys: PSTATE, doc: 'One operating point.' },
    minItems: 1,
    doc: 'Operating points (DVFS P-states), lowest to highest frequency; work runs at the highest unless a governor or the thermal throttle lowers it.',
    defaultText,
    source,
  }) as const;

export const CORE_TYPE = {
  name: { kind: 'name', doc: 'Name of this kind of core, e.g. big or little.', defaultText: 'type0, type1...' },
  count: { kind: 'number', unit: 'count', min: 1, max: 1024, required: true, doc: 'Cores of this type per socket.' },
  capacity: {
    kind: 'number',
    unit: 'count',
    min: 1,
    max: 4096,
    default: 1024,
    doc: 'Compute capacity at the highest P-state on the 1024 scale (1024 = reference speed).',
  },
  pstates: pstates("the machine's pstates"),
  dynamicCoefficient: {
    kind: 'number',
    unit: 'number',
    min: 0,
    doc: 'Switched capacitance of this type in uW/MHz/V^2 (Cortex-A53: 84-120, A72: 436).',
    defaultText: 'power.dynamicCoefficient',
  },
  staticW: {
    kind: 'number',
    unit: 'W',
    lab: 'static',
    min: 0,
    doc: 'Static power of one core of this type.',
    defaultText: 'power.static',
  },
} satisfies Section;

export const CACHES = {
  lineBytes: {
    kind: 'number',
    unit: 'B',
    lab: 'lineSize',
    min: 8,
    max: 4096,
    default: 64,
    doc: 'Cache line size.',
    source: 'all current x86 and Arm server parts',
  },
  l1dBytes: {
    kind: 'number',
    unit: 'B',
    lab: 'l1d',
    min: 8,
    default: 32 * KiB,
    doc: 'Private L1 data cache per core.',
    source: 'HotSniper base configuration',
  },
  l2Bytes: {
    kind: 'number',
    unit: 'B',
    lab: 'l2',
    min: 8,
    default: 256 * KiB,
    doc: 'Private L2 cache per core (shared by its SMT threads).',
    source: 'HotSniper base configuration',
  },
  llcBytes: {
    kind: 'number',
    unit: 'B',
    lab: 'llc',
    min: 8,
    default: 8 * MiB,
    doc: 'Shared last-level cache per socket.',
    source: 'HotSniper gainestown.cfg',
  },
} satisfies Section;

const XEON_GUIDE = 'Intel Performance Analysis Guide for Core i7 and Xeon 5500';

export const LATENCY = {
  l1Ns: {
    kind: 'number',
    unit: 'ns',
    lab: 'l1',
    min: 0,
    default: 1.3,
    doc: 'L1 hit latency (for reference: hits in the private cache cost no stall in the model).',
    source: `~4 cycles at 3 GHz (${XEON_GUIDE})`,
  },
  l2Ns: {
    kind: 'number',
    unit: 'ns',
    lab: 'l2',
    min: 0,
    default: 4,
    doc: 'L2 hit latency (for reference, as l1).',
    source: `~12 cycles at 3 GHz (${XEON_GUIDE})`,
  },
  llcNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'llc',
    min: 0,
    default: 13,
    doc: 'Hit latency of the local shared LLC.',
    source: `~40 cycles at 3 GHz (${XEON_GUIDE}; AnandTech LMBench tables: L3 34-56 cycles)`,
  },
  modifiedLineNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'modifiedLine',
    min: 0,
    default: 25,
    doc: 'Fetching a line held modified in another core of the same socket.',
    source: `~75 cycles (${XEON_GUIDE})`,
  },
  remoteCacheNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'remoteCache',
    min: 0,
    default: 67,
    doc: 'Fetching a line from a cache of another socket.',
    source: `100-300 cycles (${XEON_GUIDE})`,
  },
  memoryParallelism: {
    kind: 'number',
    unit: 'number',
    min: 1,
    max: 64,
    default: 5,
    doc: 'Misses a core keeps in flight at once; the stall is misses x latency / this.',
    source:
      'calibrated: a migration within a socket re-fetching 256 KiB then costs ~10 us and 1 MiB ~43 us, as measured (9-12 us, 32-50 us)',
  },
} satisfies Section;

export const MEMORY = {
  localNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'local',
    min: 0,
    default: 60,
    doc: 'DRAM latency to the local NUMA node.',
    source: XEON_GUIDE,
  },
  remoteNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'remote',
    min: 0,
    default: 100,
    doc: 'DRAM latency one NUMA hop away (distance 20); at least memory.local.',
    source: `remote/local ~1.7 (${XEON_GUIDE})`,
  },
} satisfies Section;

export const NUMA = {
  distances: {
    kind: 'list',
    items: {
      kind: 'list',
      items: { kind: 'number', unit: 'count', min: 10, max: 255, doc: 'Distance from one node to another.' },
      minItems: 1,
      doc: 'One row of the matrix.',
    },
    minItems: 1,
    doc: 'Sockets x sockets distance matrix, Linux convention: 10 local, 20 one hop; DRAM latency grows linearly from memory.local at 10 to memory.remote at 20.',
    defaultText: '10 on the diagonal, 20 elsewhere',
    source: 'Linux include/linux/topology.h (LOCAL_DISTANCE 10, REMOTE_DISTANCE 20)',
  },
} satisfies Section;

export const MIGRATION = {
  fixedNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'fixed',
    integer: true,
    min: 0,
    default: 1000,
    doc: 'Fixed cost of a migration (IPI, run-queue locks, bookkeeping).',
    source: 'estimate',
  },
  stateBytes: {
    kind: 'number',
    unit: 'B',
    lab: 'state',
    min: 0,
    default: 16 * KiB,
    doc: 'Process state copied on a migration (registers, kernel stack, scheduler entity).',
    source: 'estimate; Linux kernel stacks are 16 KiB on x86-64',
  },
  interconnectBytesPerS: {
    kind: 'number',
    unit: 'B/s',
    lab: 'bandwidth',
    above: 0,
    default: 12.8e9,
    doc: 'Bandwidth for copying that state; cross-socket copies are slowed by NUMA distance / 10.',
    source: 'QPI at 6.4 GT/s, one direction',
  },
} satisfies Section;

export const MACHINE = {
  name: {
    kind: 'name',
    doc: 'Name of the machine, shown with its results.',
    defaultText: 'sockets x cores per socket (x threads with SMT): 2x8, 2x8x2',
  },
  preset: {
    kind: 'enum',
    values: Object.fromEntries(
      Object.entries(MACHINE_PRESETS).map(([n, m]) => [n, `Built-in machine ${m.name ?? n}.`]),
    ),
    doc: 'Start from a built-in machine preset and override the keys given here.',
  },
  sockets: {
    kind: 'number',
    unit: 'count',
    min: 1,
    max: 64,
    default: 1,
    doc: 'Number of sockets (packages); each socket is one NUMA node with its own LLC.',
  },
  coresPerSocket: {
    kind: 'number',
    unit: 'count',
    min: 1,
    max: 1024,
    default: 4,
    doc: 'Cores per socket (ignored when coreTypes is given).',
  },
  smt: {
    kind: 'number',
    unit: 'count',
    min: 1,
    max: 8,
    default: 1,
    doc: 'Hardware threads per core; threads of one core share its L1d and L2.',
  },
  smtShare: {
    kind: 'number',
    unit: 'fraction',
    above: 0,
    max: 1,
    default: 0.625,
    doc: 'Throughput of a thread while its sibling is busy, as a fraction of a lone thread.',
    source: 'estimate: two busy threads give 1.25x one core (typical SMT gain 20-30 %)',
  },
  capacity: CORE_TYPE.capacity,
  pstates: pstates('1.2GHz/0.8V, 2.4GHz/1.0V, 3.2GHz/1.2V', 'estimate: three steps of a generic 3.2 GHz part'),
  coreTypes: {
    kind: 'list',
    items: { kind: 'section', keys: CORE_TYPE, doc: 'One kind of core.' },
    minItems: 1,
    doc: 'Heterogeneous cores (big/little clusters); replaces coresPerSocket, capacity and pstates.',
  },
  caches: { kind: 'section', keys: CACHES, doc: 'Cache sizes.' },
  latency: { kind: 'section', keys: LATENCY, doc: 'Cache and coherence latencies.' },
  memory: { kind: 'section', keys: MEMORY, doc: 'Memory (DRAM) latencies.' },
  numa: { kind: 'section', keys: NUMA, doc: 'NUMA topology.' },
  contextSwitchNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'contextSwitch',
    integer: true,
    min: 0,
    default: 4200,
    doc: 'Direct cost of a context switch (its cache cost is modelled apart).',
    source: 'Li, Ding & Shen, Quantifying the cost of context switch, ExpCS 2007 (4.2-8.7 us)',
  },
  migration: { kind: 'section', keys: MIGRATION, doc: 'Cost of moving a process between CPUs.' },
  power: {
    kind: 'section',
    keys: POWER,
    doc: 'Power model: energy per CPU and per process, idle states, DRAM energy. Present = energy is simulated.',
  },
  thermal: {
    kind: 'section',
    keys: THERMAL,
    doc: 'Lumped RC thermal model per core (HotSpot style), solved exactly between events; implies a power model.',
  },
  governor: GOVERNOR,
  dvfs: { kind: 'section', keys: DVFS, doc: 'DVFS settings used by the governor.' },
  events: {
    kind: 'list',
    items: { kind: 'section', keys: EVENT, doc: 'One event.' },
    doc: 'Faults and maintenance windows.',
    defaultText: 'none',
  },
} satisfies Section;

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
    onlySectionKeys(p, `${path}[${i}]`, PSTATE);
    return {
      freqHz: readNumber(PSTATE.freqHz, p.freqHz, `${path}[${i}].freqHz`),
      voltV: readNumber(PSTATE.voltV, p.voltV, `${path}[${i}].voltV`),
    };
  });
  return states.sort((a, b) => a.freqHz - b.freqHz);
}

function resolveCoreTypes(
  m: Record<string, unknown>,
  path: string,
): { types: ResolvedCoreType[]; perSocket: number[] } {
  if (m.coreTypes === undefined) {
    const cores = readNumber(MACHINE.coresPerSocket, m.coresPerSocket, `${path}.coresPerSocket`);
    const type: ResolvedCoreType = {
      name: 'default',
      capacity: readNumber(MACHINE.capacity, m.capacity, `${path}.capacity`),
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
    onlySectionKeys(t, p, CORE_TYPE);
    const count = readNumber(CORE_TYPE.count, t.count, `${p}.count`);
    types.push({
      name: t.name === undefined ? `type${i}` : str(t.name, `${p}.name`),
      capacity: readNumber(CORE_TYPE.capacity, t.capacity, `${p}.capacity`),
      pstates: resolvePStates(t.pstates ?? m.pstates, `${p}.pstates`),
      ...(t.dynamicCoefficient === undefined
        ? {}
        : {
            dynamicCoefficient: readNumber(
              CORE_TYPE.dynamicCoefficient,
              t.dynamicCoefficient,
              `${p}.dynamicCoefficient`,
            ),
          }),
      ...(t.staticW === undefined ? {} : { staticW: readNumber(CORE_TYPE.staticW, t.staticW, `${p}.staticW`) }),
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
      const v = readNumber(NUMA.distances.items.items, d, `${path}[${a}][${b}]`);
      if (a === b && v !== 10) throw new SimConfigError(`${path}[${a}][${b}]`, 'a node is at distance 10 from itself');
      return v;
    });
  });
}

/** Applies defaults and checks every field. `config` may be partial or undefined. */
export function resolveMachine(config: unknown, path = 'machine'): ResolvedMachine {
  const given = optionalRecord(config, path);
  onlySectionKeys(given, path, MACHINE);
  let m: Record<string, unknown> = given;
  if (given.preset !== undefined) {
    const presetName = str(given.preset, `${path}.preset`);
    const preset = MACHINE_PRESETS[presetName];
    if (!preset)
      throw new SimConfigError(`${path}.preset`, `unknown preset (known: ${Object.keys(MACHINE_PRESETS).join(', ')})`);
    const { preset: _unused, ...rest } = given;
    void _unused;
    m = overlay(preset, rest);
    // A preset's core types win over a plain coresPerSocket override only if the user did not give one.
    if (rest.coresPerSocket !== undefined && rest.coreTypes === undefined) delete m.coreTypes;
  }

  const sockets = readNumber(MACHINE.sockets, m.sockets, `${path}.sockets`);
  const smt = readNumber(MACHINE.smt, m.smt, `${path}.smt`);
  const smtShare = readNumber(MACHINE.smtShare, m.smtShare, `${path}.smtShare`);
  const { types, perSocket } = resolveCoreTypes(m, path);
  const coresPerSocket = perSocket.length;
  const coreCount = sockets * coresPerSocket;
  const cpuCount = coreCount * smt;
  if (cpuCount > 4096) throw new SimConfigError(path, `at most 4096 CPUs (got ${cpuCount})`);

  const caches = optionalRecord(m.caches, `${path}.caches`);
  onlySectionKeys(caches, `${path}.caches`, CACHES);
  const lineBytes = readNumber(CACHES.lineBytes, caches.lineBytes, `${path}.caches.lineBytes`);
  // A cache holds at least one line.
  const atLeastALine = { min: lineBytes };
  const l1dBytes = readNumber(CACHES.l1dBytes, caches.l1dBytes, `${path}.caches.l1dBytes`, atLeastALine);
  const l2Bytes = readNumber(CACHES.l2Bytes, caches.l2Bytes, `${path}.caches.l2Bytes`, atLeastALine);
  const llcBytes = readNumber(CACHES.llcBytes, caches.llcBytes, `${path}.caches.llcBytes`, atLeastALine);

  const lat = optionalRecord(m.latency, `${path}.latency`);
  onlySectionKeys(lat, `${path}.latency`, LATENCY);
  const latency = (key: keyof typeof LATENCY) => readNumber(LATENCY[key], lat[key], `${path}.latency.${key}`);
  const mem = optionalRecord(m.memory, `${path}.memory`);
  onlySectionKeys(mem, `${path}.memory`, MEMORY);
  const localNs = readNumber(MEMORY.localNs, mem.localNs, `${path}.memory.localNs`);
  const remoteNs = readNumber(MEMORY.remoteNs, mem.remoteNs, `${path}.memory.remoteNs`, { min: localNs });

  const numa = optionalRecord(m.numa, `${path}.numa`);
  onlySectionKeys(numa, `${path}.numa`, NUMA);
  const distances = resolveDistances(numa.distances, `${path}.numa.distances`, sockets);
  const dramNs = new Float64Array(sockets * sockets);
  for (let a = 0; a < sockets; a++) {
    for (let b = 0; b < sockets; b++) {
      dramNs[a * sockets + b] = localNs + ((remoteNs - localNs) * (distances[a]![b]! - 10)) / 10;
    }
  }

  const mig = optionalRecord(m.migration, `${path}.migration`);
  onlySectionKeys(mig, `${path}.migration`, MIGRATION);

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
    name:
      m.name === undefined ? `${sockets}x${coresPerSocket}${smt > 1 ? `x${smt}` : ''}` : str(m.name, `${path}.name`),
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
    l1Ns: latency('l1Ns'),
    l2Ns: latency('l2Ns'),
    llcNs: latency('llcNs'),
    modifiedLineNs: latency('modifiedLineNs'),
    remoteCacheNs: latency('remoteCacheNs'),
    memoryParallelism: latency('memoryParallelism'),
    localNs,
    remoteNs,
    distances,
    dramNs,
    contextSwitchNs: readNumber(MACHINE.contextSwitchNs, m.contextSwitchNs, `${path}.contextSwitchNs`),
    migrationFixedNs: readNumber(MIGRATION.fixedNs, mig.fixedNs, `${path}.migration.fixedNs`),
    stateBytes: readNumber(MIGRATION.stateBytes, mig.stateBytes, `${path}.migration.stateBytes`),
    interconnectBytesPerS: readNumber(
      MIGRATION.interconnectBytesPerS,
      mig.interconnectBytesPerS,
      `${path}.migration.interconnectBytesPerS`,
    ),
    power,
    thermal,
    dvfs: resolveDvfs(m.governor, m.dvfs, path, types),
    events: resolveEvents(m.events, `${path}.events`, cpuCount),
  };
}
