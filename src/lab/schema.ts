// The one declarative description of lab cells. Validation (validate.ts), completions and
// hovers (language.ts) and the user documentation all read from here, so a key documented is
// a key checked is a key completed.

import { MACHINE_PRESETS, POLICY_NAMES as SIM_POLICY_NAMES } from '../sim';
import { POLICY_INFO, type ParamSpec, type ParamSpecs } from '../sim/policies/index';
import type { CellKind } from './markdown';
import { SELECTABLE_METRICS } from './metrics';
import { DIMENSIONS, example, formatQuantity, type Dimension } from './units';

/** What a name in a cell may refer to. */
export type RefTarget = 'machine' | 'workload' | 'run' | 'policy';

export type Schema =
  | ObjectSchema
  | { type: 'list'; items: Schema; minItems?: number; maxItems?: number }
  | { type: 'quantity'; dimension: Dimension; min?: number; max?: number }
  | { type: 'integer'; min?: number; max?: number }
  | { type: 'number'; min?: number; max?: number }
  | { type: 'string' }
  /** A name other cells refer to: letters, digits, `-` and `_`. */
  | { type: 'name' }
  | { type: 'enum'; values: Readonly<Record<string, string>> }
  | { type: 'boolean' }
  | { type: 'distribution' }
  /** `poisson 400/s`, `0s`, `every 10ms`, or a list of times (a trace). */
  | { type: 'arrival' }
  | { type: 'scheduler' }
  /** A stretch of simulated time, `1s..5s`. */
  | { type: 'timeRange' }
  | { type: 'ref'; target: RefTarget }
  /** A policy name, or `{ name: <policy>, <param>: <value>... }`. */
  | { type: 'policy' }
  /** A check expression over run results. */
  | { type: 'expression' }
  /** Any YAML (a raw Vega-Lite spec). */
  | { type: 'json' };

export interface ObjectSchema {
  type: 'object';
  fields: Readonly<Record<string, Field>>;
  /** Exactly one of these keys must be present. */
  exactlyOne?: readonly string[];
}

export interface Field {
  schema: Schema;
  /** One sentence for hovers and docs. */
  doc: string;
  /** Default as a user would write it, shown in hovers. */
  default?: string;
  required?: boolean;
  /** The key in the simulator's config (src/sim/config.ts) when it differs: `l1d` is `l1dBytes`. */
  sim?: string;
}

const q = (dimension: Dimension, min = 0, max?: number): Schema => ({ type: 'quantity', dimension, min, max });
const int = (min: number, max?: number): Schema => ({ type: 'integer', min, max });
const num = (min: number, max?: number): Schema => ({ type: 'number', min, max });
const list = (items: Schema, minItems?: number, maxItems?: number): Schema => ({ type: 'list', items, minItems, maxItems });
const obj = (fields: Record<string, Field>, exactlyOne?: readonly string[]): ObjectSchema => ({ type: 'object', fields, exactlyOne });
type FieldExtra = Pick<Field, 'default' | 'required' | 'sim'>;
const f = (schema: Schema, doc: string, extra: FieldExtra = {}): Field => ({ schema, doc, ...extra });
const name: Field = f({ type: 'name' }, 'The name other cells use to refer to this one.', { required: true });

// ---- names shared with the simulator -------------------------------------------------------

/** The simulator's policy registry is the one list of built-in policy names. */
export const POLICY_NAMES: readonly string[] = SIM_POLICY_NAMES;

interface PolicyDoc {
  doc: string;
  /** Known parameters; undefined = not documented here, any single values are passed through. */
  params?: Readonly<Record<string, Field>>;
}

/** The lab form of a simulator policy parameter: times and fractions are written with units. */
function policyParamField(spec: ParamSpec): Field {
  switch (spec.kind) {
    case 'time':
      return f(q('time', spec.min ?? 0, spec.max), spec.doc, { default: formatQuantity(spec.default, 'time') });
    case 'fraction':
      return f(q('fraction', spec.min ?? 0, spec.max ?? 1), spec.doc, { default: formatQuantity(spec.default, 'fraction') });
    case 'integer':
      return f(int(spec.min ?? Number.MIN_SAFE_INTEGER, spec.max), spec.doc, { default: String(spec.default) });
    case 'number':
      return f(num(spec.min ?? -Infinity, spec.max), spec.doc, { default: String(spec.default) });
    case 'boolean':
      return f({ type: 'boolean' }, spec.doc, { default: String(spec.default) });
  }
}

/**
 * Docs and parameters of policies, keyed by name; only names in POLICY_NAMES are usable. Built-in
 * policies come from the simulator's registry (summary and declared parameters), so the lab
 * validates, completes and documents exactly what the simulator accepts.
 */
const POLICY_DOCS: Readonly<Record<string, PolicyDoc>> = {
  ...Object.fromEntries(
    Object.entries(POLICY_INFO).map(([policy, info]) => [
      policy,
      { doc: info.summary, params: Object.fromEntries(Object.entries(info.params as ParamSpecs).map(([key, spec]) => [key, policyParamField(spec)])) },
    ]),
  ),
};

/** Doc and parameters of a built-in policy (a generic doc for names documented nowhere here). */
export function policyDoc(name: string): PolicyDoc {
  return POLICY_DOCS[name] ?? { doc: `The simulator's ${name} policy.` };
}

export const MACHINE_PRESET_NAMES = Object.keys(MACHINE_PRESETS);

/** Summary metrics usable in compare `metrics:` and check expressions, with their explanations (src/lab/metrics.ts). */
export const METRICS: Readonly<Record<string, string>> = SELECTABLE_METRICS;

export const CHART_KINDS: Readonly<Record<string, string>> = {
  load: 'Busy share of each CPU over time (a heat map: one row per CPU).',
  queues: 'Run-queue length of each CPU over time.',
  'cache-misses': 'Cache misses over time by cause (cold, migration, eviction, capacity, coherence).',
  migrations: 'Migrations over time by reason.',
  energy: 'Power and cumulative energy over time.',
  frequency: 'Frequency of each CPU over time (DVFS).',
  temperature: 'Temperature of each core over time, with the throttle limit.',
  deadlines: 'Deadline misses over time.',
  response: 'Distribution of response times per run.',
};

export const CHART_TABLES: Readonly<Record<string, string>> = {
  series: 'Time series: one row per time bin and CPU.',
  processes: 'One row per process: arrival, finish, response, migrations.',
  migrations: 'One row per migration: time, process, from, to, reason.',
  summary: 'One row per run with the summary metrics.',
};

// ---- cell schemas ----------------------------------------------------------------------------

const pstate = obj({
  freq: f(q('frequency', 1), 'Clock frequency of this operating point, in Hz (e.g. 2.4GHz).', { required: true, sim: 'freqHz' }),
  volt: f(q('voltage', 0.01), 'Supply voltage at this operating point, in volts (e.g. 1.0V).', { required: true, sim: 'voltV' }),
});
const pstates = f(list(pstate, 1), 'Operating points (DVFS P-states), lowest to highest frequency.', { default: '1.2GHz/0.8V, 2.4GHz/1.0V, 3.2GHz/1.2V' });

const machine = obj({
  name,
  // Built-in presets only: a machine cell cannot be the base of another (the simulator knows presets, not cells).
  preset: f(
    { type: 'enum', values: Object.fromEntries(MACHINE_PRESET_NAMES.map((n) => [n, `Built-in machine ${MACHINE_PRESETS[n].name ?? n}.`])) },
    'Start from a built-in machine preset and override the keys given here.',
  ),
  sockets: f(int(1, 64), 'Number of sockets (packages); each socket is one NUMA node with its own LLC.', { default: '1' }),
  coresPerSocket: f(int(1, 256), 'Cores per socket (ignored when coreTypes is given).', { default: '4' }),
  smt: f(int(1, 8), 'Hardware threads per core; threads of one core share its L1d and L2.', { default: '1' }),
  smtShare: f(q('fraction', 0.01, 1), 'Throughput of a thread while its sibling is busy, as a fraction of a lone thread.', { default: '62.5%' }),
  capacity: f(int(1, 4096), 'Compute capacity of a core at its highest P-state on the 1024 scale.', { default: '1024' }),
  pstates,
  coreTypes: f(
    list(
      obj({
        name: f({ type: 'name' }, 'Name of this kind of core, e.g. big or little.'),
        count: f(int(1, 256), 'Cores of this type per socket.', { required: true }),
        capacity: f(int(1, 4096), 'Compute capacity at the highest P-state on the 1024 scale (1024 = reference speed).', { default: '1024' }),
        pstates,
        dynamicCoefficient: f(num(0), 'Switched capacitance of this type in uW/MHz/V^2 (Cortex-A53: 84-120, A72: 436).', { default: 'power.dynamicCoefficient' }),
        static: f(q('power'), 'Static power of one core of this type, in watts.', { default: 'power.static', sim: 'staticW' }),
      }),
      1,
    ),
    'Heterogeneous cores (big/little clusters); replaces coresPerSocket.',
  ),
  caches: f(
    obj({
      lineSize: f(q('bytes', 1), 'Cache line size in bytes.', { default: '64B', sim: 'lineBytes' }),
      l1d: f(q('bytes', 1), 'Private L1 data cache per core, in bytes.', { default: '32KiB', sim: 'l1dBytes' }),
      l2: f(q('bytes', 1), 'Private L2 cache per core, in bytes.', { default: '256KiB', sim: 'l2Bytes' }),
      llc: f(q('bytes', 1), 'Shared last-level cache per socket, in bytes.', { default: '8MiB', sim: 'llcBytes' }),
    }),
    'Cache sizes.',
  ),
  latency: f(
    obj({
      l1: f(q('time'), 'L1 hit latency, in ns.', { default: '1.3ns', sim: 'l1Ns' }),
      l2: f(q('time'), 'L2 hit latency, in ns.', { default: '4ns', sim: 'l2Ns' }),
      llc: f(q('time'), 'Hit latency of the local shared LLC, in ns.', { default: '13ns', sim: 'llcNs' }),
      modifiedLine: f(q('time'), 'Fetching a line held modified in another core of the same socket, in ns.', { default: '25ns', sim: 'modifiedLineNs' }),
      remoteCache: f(q('time'), 'Fetching a line from a cache of another socket, in ns.', { default: '67ns', sim: 'remoteCacheNs' }),
      memoryParallelism: f(num(1), 'Misses a core keeps in flight at once; the stall is misses x latency / this.', { default: '5' }),
    }),
    'Cache and coherence latencies.',
  ),
  memory: f(
    obj({
      local: f(q('time'), 'DRAM latency to the local NUMA node, in ns.', { default: '60ns', sim: 'localNs' }),
      remote: f(q('time'), 'DRAM latency one NUMA hop away (distance 20), in ns.', { default: '100ns', sim: 'remoteNs' }),
    }),
    'Memory (DRAM) latencies.',
  ),
  numa: f(
    obj({
      distances: f(list(list(int(10, 255), 1), 1), 'Sockets x sockets distance matrix, Linux convention: 10 local, 20 one hop.', { default: '10 on the diagonal, 20 elsewhere' }),
    }),
    'NUMA topology.',
  ),
  contextSwitch: f(q('time'), 'Direct cost of a context switch, in ns.', { default: '4.2us', sim: 'contextSwitchNs' }),
  migration: f(
    obj({
      fixed: f(q('time'), 'Fixed cost of a migration (IPI, run-queue locks), in ns.', { default: '1us', sim: 'fixedNs' }),
      state: f(q('bytes'), 'Process state copied on a migration, in bytes.', { default: '16KiB', sim: 'stateBytes' }),
      bandwidth: f(q('bandwidth', 1), 'Interconnect bandwidth for copying that state, in bytes per second.', { default: '12.8GB/s', sim: 'interconnectBytesPerS' }),
    }),
    'Cost of moving a process between CPUs.',
  ),
  power: f(
    obj({
      dynamicCoefficient: f(num(0), 'Switched capacitance C in P = C V^2 f, in uW/MHz/V^2 (Cortex-A72: 436).', { default: '436' }),
      static: f(q('power'), 'Static (leakage) power per core while powered, at ambient temperature, in watts.', { default: '0.3W', sim: 'staticW' }),
      staticPerKelvin: f(num(0), 'Relative rise of static power per kelvin above ambient (0.01 = 1 % per K); needs thermal.', { default: '0', sim: 'staticPerK' }),
      idleStates: f(
        list(
          obj({
            name: f({ type: 'name' }, 'Name of the idle state, e.g. C1.'),
            power: f(q('fraction', 0, 1), 'Power of a core in this state as a fraction of its static power.', { required: true, sim: 'powerFraction' }),
            exit: f(q('time'), 'Time to wake from this state before the core runs again.', { required: true, sim: 'exitNs' }),
            breakEven: f(q('time'), 'Shortest stay for which entering the state saves energy (its transition energy is this x the power saved).', { required: true, sim: 'breakEvenNs' }),
          }),
        ),
        'Idle states (C-states); an idle core enters the deepest one whose break-even its last idle period would have covered. An empty list keeps idle cores at full static power.',
        { default: 'C1 50%/2us/100us, C3 10%/50us/2ms, C6 0%/150us/10ms' },
      ),
      dramAccess: f(q('energy'), 'Energy of one cache line fetched from DRAM, in joules.', { default: '20nJ', sim: 'dramAccessJ' }),
      stallActivity: f(q('fraction', 0, 1), 'Dynamic power of a core stalled on memory, as a fraction of its power while computing.', { default: '30%' }),
    }),
    'Power model: energy per CPU and per process, idle states, DRAM energy.',
  ),
  thermal: f(
    obj({
      ambient: f(q('temperature'), 'Ambient temperature, in degrees Celsius.', { default: '45C', sim: 'ambientC' }),
      resistance: f(q('thermalResistance', 0.001), 'Thermal resistance from a core to ambient, in K/W.', { default: '2K/W', sim: 'resistanceKPerW' }),
      capacitance: f(q('heatCapacity', 0.000001), 'Heat capacity of a core, in J/K.', { default: '0.05J/K', sim: 'capacitanceJPerK' }),
      throttle: f(q('temperature'), 'Trip point: at this temperature the core is throttled to a lower P-state, in degrees Celsius.', { default: '85C', sim: 'throttleC' }),
      hysteresis: f(q('temperature'), 'Throttling is lifted a step once the core is this many degrees below the trip point.', { default: '2C', sim: 'hysteresisC' }),
    }),
    'Lumped RC thermal model per core (HotSpot style), solved exactly between events; implies a power model.',
  ),
  governor: f(
    {
      type: 'enum',
      values: {
        performance: 'Always the highest P-state.',
        powersave: 'Always the lowest P-state.',
        ondemand: 'Jump to the highest P-state when busy, step down when idle.',
        schedutil: 'Frequency follows utilisation with 25 % headroom.',
        userspace: 'A fixed frequency (dvfs.frequency).',
      },
    },
    'DVFS governor choosing each CPU frequency.',
    { default: 'performance' },
  ),
  dvfs: f(
    obj({
      domain: f({ type: 'enum', values: { core: 'Each core has its own frequency.', cluster: 'Cores of one type on one socket share a frequency.' } }, 'Frequency domain.', { default: 'core' }),
      sampling: f(q('time', 0.000001), 'How often ondemand and schedutil re-evaluate utilisation.', { default: '10ms', sim: 'samplingNs' }),
      switchLatency: f(q('time'), 'Time from a governor request until the new frequency applies.', { default: '40us', sim: 'switchLatencyNs' }),
      frequency: f(q('frequency', 1), 'Fixed frequency for the userspace governor (the lowest P-state at or above it).', { sim: 'frequencyHz' }),
      upThreshold: f(q('fraction', 0.01, 1), 'Load above which the ondemand governor jumps to the highest frequency.', { default: '80%' }),
    }),
    'DVFS settings used by the governor.',
  ),
  events: f(
    list(
      obj({
        at: f(q('time'), 'When the event happens, in simulated time.', { required: true, sim: 'atNs' }),
        cpu: f(int(0), 'The CPU affected (CPU numbers count sockets, then cores, then SMT threads).', { required: true }),
        event: f(
          { type: 'enum', values: { fail: 'The CPU fails for good; its processes are evacuated (reason fault).', maintenance: 'The CPU is drained (reason maintenance) and isolated, then returns.' } },
          'What happens to the CPU.',
          { required: true, sim: 'kind' },
        ),
        duration: f(q('time'), 'How long a maintenance window lasts.', { default: 'until the end of the run', sim: 'durationNs' }),
        checkpoint: f(q('time'), 'Failures only: processes checkpoint every this much work; the work since the last checkpoint is lost and redone.', { default: 'nothing lost', sim: 'checkpointNs' }),
      }),
    ),
    'Faults and maintenance windows.',
  ),
});

const dist = (doc: string, extra: FieldExtra = {}) => f({ type: 'distribution' }, doc, extra);

const processGroup = obj({
  name: f({ type: 'name' }, 'Name of this group of processes.', { required: true }),
  count: f(int(1, 1_000_000), 'How many processes; absent with a poisson arrival = an open stream for the whole run.'),
  arrival: f({ type: 'arrival' }, 'When processes arrive: 0s (all at once), poisson 400/s, every 10ms, or a list of times.', { default: '0s' }),
  demand: dist('CPU time each process needs at reference speed: 4ms, exp 4ms, uniform 1ms 3ms, lognormal 4ms 1.5, pareto 1ms 100ms 1.5.', { default: '10ms' }),
  phases: f(
    obj({
      compute: dist('Length of each compute burst.', { required: true, sim: 'computeNs' }),
      sleep: dist('Length of each sleep (I/O wait) between bursts.', { required: true, sim: 'sleepNs' }),
    }),
    'Alternate compute bursts and sleeps until the demand is used up.',
  ),
  deadline: f(q('time'), 'Relative deadline of each process, counted in deadline statistics.', { sim: 'deadlineNs' }),
  workingSet: f(q('bytes'), 'Memory the process touches repeatedly, in bytes.', { default: '64KiB', sim: 'workingSetBytes' }),
  dirty: f(q('fraction', 0, 1), 'Share of the working set the process writes (dirty lines left in its cache).', { default: '0%', sim: 'dirtyFraction' }),
  memoryIntensity: f(num(0), 'Accesses leaving L1 per ns of compute; drives capacity misses.', { default: '0.01' }),
  weight: f(int(1, 100_000), 'Weight for the fair scheduler (1024 = nice 0).', { default: '1024' }),
  priority: f(int(0), 'Priority for the priority scheduler: smaller is more urgent.', { default: 'period for periodic tasks, else lowest' }),
  affinity: f(list(int(0), 1), 'CPUs the processes may run on.', { default: 'all CPUs' }),
  homeNode: f(int(0), 'NUMA node holding the process memory.', { default: 'node of the first CPU it runs on' }),
  periodic: f(
    obj({
      period: f(q('time', 1), 'A job is released every period.', { required: true, sim: 'periodNs' }),
      wcet: f(q('time', 1), 'Worst-case execution time of each job.', { required: true, sim: 'wcetNs' }),
      deadline: f(q('time', 1), 'Relative deadline of each job.', { default: 'the period', sim: 'deadlineNs' }),
      offset: f(q('time'), 'Release time of the first job.', { default: '0s', sim: 'offsetNs' }),
    }),
    'Make each process a periodic real-time task.',
  ),
  uunifast: f(
    obj({
      n: f(int(1, 10_000), 'Number of periodic tasks to generate.', { required: true }),
      utilization: f(num(0.000001), 'Total utilisation of the task set (may exceed 1 on several CPUs).', { required: true }),
      period: f(list(q('time', 1), 2, 2), 'Range [min, max] periods are drawn from (log-uniform).', { required: true }),
    }),
    'Generate a random periodic task set with UUniFast.',
  ),
});

const workload = obj({
  name,
  processes: f(list(processGroup, 1), 'Groups of processes: each entry describes count, arrival and demand.', { required: true, sim: 'groups' }),
});

const scheduler = f({ type: 'scheduler' }, 'Per-CPU dispatcher: fair, fcfs, rr 4ms, edf, priority.', { default: 'fair' });

const WINDOW_DOC =
  'Observation window, e.g. 1s..5s: every summary metric, chart and check covers only this stretch of the run (leave out a warm-up); it must end by the duration.';

const run = obj({
  name,
  machine: f({ type: 'ref', target: 'machine' }, 'The machine cell or preset to run on.', { required: true }),
  workload: f({ type: 'ref', target: 'workload' }, 'The workload cell to run.', { required: true }),
  policy: f({ type: 'policy' }, 'The placement/migration policy: a name, or { name: linux-cfs, migrationCost: 500us }.', { required: true }),
  scheduler,
  duration: f(q('time', 1), 'Simulated time limit; the run ends earlier once every process has finished.', { default: '10s' }),
  window: f({ type: 'timeRange' }, WINDOW_DOC, { default: 'the whole run' }),
  seed: f(int(0, 2 ** 31 - 1), 'Random seed: the same seed gives the same run.', { default: '1' }),
});

const compare = obj({
  name: f({ type: 'name' }, 'Optional name of this comparison.'),
  machine: f({ type: 'ref', target: 'machine' }, 'The machine cell or preset to run on.', { required: true }),
  workload: f({ type: 'ref', target: 'workload' }, 'The workload cell to run.', { required: true }),
  policies: f(list({ type: 'policy' }, 1), 'Policies to compare, each a name or { name, params }.', { required: true }),
  scheduler,
  seeds: f(int(1, 1000), 'Runs per policy with seeds 1..n; results show mean and 95 % confidence interval.', { default: '5' }),
  duration: f(q('time', 1), 'Simulated time limit of each run.', { default: '10s' }),
  window: f({ type: 'timeRange' }, WINDOW_DOC, { default: 'the whole run' }),
  metrics: f(list({ type: 'enum', values: METRICS }, 1), 'Summary metrics to tabulate.', { default: 'meanResponseS, migrations, cacheMisses, energyJ' }),
});

const chart = obj(
  {
    show: f({ type: 'enum', values: CHART_KINDS }, 'Which built-in chart to draw.'),
    runs: f(list({ type: 'ref', target: 'run' }, 1), 'Runs to chart, side by side.'),
    run: f({ type: 'ref', target: 'run' }, 'The run whose table feeds a raw Vega-Lite spec.'),
    table: f({ type: 'enum', values: CHART_TABLES }, 'The result table a raw Vega-Lite spec reads.', { default: 'series' }),
    vegaLite: f({ type: 'json' }, 'A raw Vega-Lite spec; its data is the chosen run table.'),
    title: f({ type: 'string' }, 'Chart title.'),
  },
  ['show', 'vegaLite'],
);

const check = obj({
  expect: f({ type: 'expression' }, 'A condition over results, e.g. runs.cfs.imbalanceCv < runs.pinned.imbalanceCv.', { required: true }),
  message: f({ type: 'string' }, 'Shown when the check fails: say what to look at.'),
});

/** Root schema per YAML cell kind. Params cells are free maps of names (validate.ts). */
export const CELL_SCHEMAS: Readonly<Record<Exclude<CellKind, 'policy' | 'params'>, ObjectSchema>> = { machine, workload, run, compare, chart, check };

/** Grading attributes any cell may carry (see docs/grading.md). */
const GRADING_ATTRIBUTES: Readonly<Record<string, Field>> = {
  id: f({ type: 'name' }, 'Grade id of this cell: checks report under it; release and grade match cells by it.'),
  locked: f({ type: 'boolean' }, 'Protected: grading restores this cell from the instructor source.'),
  hidden: f({ type: 'boolean' }, 'Hidden from students; restored at grading.'),
  solution: f({ type: 'boolean' }, 'Part of the instructor solution; removed from the student version.'),
  checksum: f({ type: 'string' }, 'Checksum of a protected cell, written by release; grading reports tampering.'),
};

/** Info-string attributes each cell kind accepts. */
export const CELL_ATTRIBUTES: Readonly<Record<CellKind, Readonly<Record<string, Field>>>> = {
  machine: GRADING_ATTRIBUTES,
  workload: GRADING_ATTRIBUTES,
  run: GRADING_ATTRIBUTES,
  compare: GRADING_ATTRIBUTES,
  chart: GRADING_ATTRIBUTES,
  params: GRADING_ATTRIBUTES,
  check: {
    ...GRADING_ATTRIBUTES,
    points: f(num(0), 'Points this check is worth.', { default: '1' }),
    message: f({ type: 'string' }, 'Shown when the check fails (the body key message: wins).'),
  },
  policy: {
    ...GRADING_ATTRIBUTES,
    name: f({ type: 'name' }, 'The name runs use for this policy.'),
    lang: f({ type: 'enum', values: { ts: 'TypeScript', js: 'JavaScript' } }, 'Language of the policy code.', { default: 'ts' }),
  },
};

export const CELL_DOCS: Readonly<Record<CellKind, string>> = {
  machine: 'Describes a machine: sockets, cores, caches, P-states, power and thermal model.',
  workload: 'Describes groups of processes: how many, when they arrive, how much CPU and memory they use.',
  policy: 'A placement/migration policy written in code.',
  run: 'Simulates one workload on one machine under one policy.',
  compare: 'Runs several policies over several seeds and tabulates metrics.',
  chart: 'Draws a chart of one or more runs.',
  check: 'A graded condition over run results.',
  params: 'Declares parameters other cells use as $name; the command line may override them.',
};

/** The schema for a key path inside a cell (list items are written "[]"), or undefined. */
export function schemaAt(root: Schema, path: readonly string[]): Schema | undefined {
  let current: Schema | undefined = root;
  for (const segment of path) {
    if (!current) return undefined;
    if (current.type === 'list') current = segment === '[]' ? current.items : undefined;
    else if (current.type === 'object') current = current.fields[segment]?.schema;
    else if (current.type === 'policy' && segment !== '[]') current = policyObjectSchema(undefined).fields[segment]?.schema;
    else return undefined;
  }
  return current;
}

/** The field for the last key of a path, for hovers. */
export function fieldAt(root: Schema, path: readonly string[], policyName?: string): Field | undefined {
  if (path.length === 0) return undefined;
  const parent = schemaAt(root, path.slice(0, -1));
  const key = path[path.length - 1];
  if (parent?.type === 'object') return parent.fields[key];
  if (parent?.type === 'policy') return policyObjectSchema(policyName).fields[key];
  return undefined;
}

/** The object form of a policy value: `name` plus that policy's parameters. */
export function policyObjectSchema(policyName: string | undefined): ObjectSchema {
  const params = policyName ? (policyDoc(policyName).params ?? {}) : Object.assign({}, ...POLICY_NAMES.map((p) => policyDoc(p).params ?? {}));
  return obj({ name: f({ type: 'ref', target: 'policy' }, 'The policy to use.', { required: true }), ...params });
}

/** How a schema reads after "must be": "a whole number from 1 to 64", "a time with a unit, e.g. 4ms". */
export function describeSchema(schema: Schema): string {
  const bounds = (min?: number, max?: number) =>
    min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` of at least ${min}` : max !== undefined ? ` of at most ${max}` : '';
  switch (schema.type) {
    case 'quantity':
      return schema.dimension === 'fraction' ? 'a fraction such as 30% or 0.3' : `a ${DIMENSIONS[schema.dimension].label} with a unit, e.g. ${example(schema.dimension)}`;
    case 'integer':
      return `a whole number${bounds(schema.min, schema.max)}`;
    case 'number':
      return `a number${bounds(schema.min, schema.max)}`;
    case 'enum':
      return `one of ${Object.keys(schema.values).join(', ')}`;
    case 'list':
      return `a list of items, each ${describeSchema(schema.items)}`;
    case 'object':
      return 'a mapping of keys';
    case 'ref':
      return `the name of a ${schema.target}${schema.target === 'machine' ? ' cell or preset' : schema.target === 'policy' ? ' (built-in or policy cell)' : ' cell'}`;
    case 'policy':
      return 'a policy name, or { name: <policy>, <parameter>: <value> }';
    case 'distribution':
      return 'a distribution: 4ms, exp 4ms, uniform 1ms 3ms, lognormal 4ms 1.5 or pareto 1ms 100ms 1.5';
    case 'arrival':
      return 'an arrival: 0s, poisson 400/s, every 10ms, or a list of times';
    case 'scheduler':
      return 'a scheduler: fair, fcfs, rr 4ms, edf or priority';
    case 'timeRange':
      return 'a time range, e.g. 1s..5s';
    case 'expression':
      return 'an expression such as runs.a.migrations > 0';
    case 'json':
      return 'any YAML value';
    case 'name':
      return 'a name (letters, digits, - and _, starting with a letter)';
    case 'string':
      return 'text';
    case 'boolean':
      return 'true or false';
  }
}
