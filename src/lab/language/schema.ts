// The one declarative description of lab cells. Validation (validateCell.ts), completions and
// hovers (editorHelp.ts) and the user documentation all read from here, so a key documented is
// a key checked is a key completed. The keys the simulator reads (machine, workload group, run)
// are derived from the simulator's own parameter spec (src/sim/spec.ts), so their units,
// defaults and bounds are the simulator's; only the lab's own keys are written here.

import {
  BALANCER,
  GROUP,
  HOST_EVENT,
  HOST_POWER,
  CLUSTER_LINK,
  LIVE_MIGRATION_METHOD,
  LIVE_MIGRATION_VM,
  MACHINE,
  MAX_VM_HOSTS,
  MAX_VMS,
  POST_COPY,
  PRE_COPY,
  MAX_HOSTS,
  MACHINE_PRESETS,
  POLICY_NAMES as SIM_POLICY_NAMES,
  RUN,
  SCHEDULER,
  REQUEST_LINK,
  SERVICE,
  TASK_SET,
  VM_CLUSTER,
  VM_LOAD,
  VM_MIGRATION,
  type KeySpec,
  type Section,
  type Unit,
} from '../../sim';
import { MISS_CAUSES, POLICY_INFO, REASONS, type ParamSpec, type ParamSpecs, type Summary } from '../../sim';
import type { CellKind } from '../document/markdown';
import { SELECTABLE_METRICS } from '../outputs/metrics';
import { DIMENSIONS, example, formatQuantity, type Dimension } from './units';

/** What a name in a cell may refer to. */
export type RefTarget = 'machine' | 'workload' | 'cluster' | 'service' | 'vms' | 'run' | 'policy';

export type Schema =
  | ObjectSchema
  | { type: 'list'; items: Schema; minItems?: number; maxItems?: number }
  /** `above`: exclusive lower bound; `integer`: a whole number of the base unit (whole nanoseconds, whole bytes). */
  | { type: 'quantity'; dimension: Dimension; min?: number; above?: number; max?: number; integer?: boolean }
  | { type: 'integer'; min?: number; above?: number; max?: number }
  | { type: 'number'; min?: number; above?: number; max?: number }
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
  /**
   * What a key brings with it when present: the keys it needs, and the keys that do not go with
   * it (a run on a `machine` needs a `workload` and a `policy`; a run on a `cluster` takes neither).
   */
  with?: Readonly<
    Record<string, { requires?: readonly string[]; requiresOneOf?: readonly string[]; forbids?: readonly string[] }>
  >;
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
const list = (items: Schema, minItems?: number, maxItems?: number): Schema => ({
  type: 'list',
  items,
  minItems,
  maxItems,
});
const obj = (fields: Record<string, Field>, exactlyOne?: readonly string[]): ObjectSchema => ({
  type: 'object',
  fields,
  exactlyOne,
});
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
      return f({ type: 'quantity', dimension: 'time', min: spec.min ?? 0, max: spec.max, integer: true }, spec.doc, {
        default: formatQuantity(spec.default, 'time'),
      });
    case 'fraction':
      return f(q('fraction', spec.min ?? 0, spec.max ?? 1), spec.doc, {
        default: formatQuantity(spec.default, 'fraction'),
      });
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
      {
        doc: info.summary,
        params: Object.fromEntries(
          Object.entries(info.params as ParamSpecs).map(([key, spec]) => [key, policyParamField(spec)]),
        ),
      },
    ]),
  ),
};

// ---- fields derived from the simulator's parameter spec ------------------------------------

/** The lab dimension of each simulator unit (null: a plain number). */
const DIMENSION_OF: Readonly<Record<Unit, Dimension | null>> = {
  ns: 'time',
  B: 'bytes',
  Hz: 'frequency',
  V: 'voltage',
  W: 'power',
  J: 'energy',
  C: 'temperature',
  'K/W': 'thermalResistance',
  'J/K': 'heatCapacity',
  'B/s': 'bandwidth',
  '/s': 'rate',
  fraction: 'fraction',
  count: null,
  number: null,
};

/** How the lab writes a simulator key's value. */
export function schemaOfKey(spec: KeySpec): Schema {
  switch (spec.kind) {
    case 'number': {
      const dimension = DIMENSION_OF[spec.unit];
      const whole = spec.integer === true || spec.unit === 'count' || spec.unit === 'B';
      const bounds = { min: spec.min, above: spec.above, max: spec.max };
      if (dimension !== null) return { type: 'quantity', dimension, ...bounds, integer: whole };
      return { type: whole ? 'integer' : 'number', ...bounds };
    }
    case 'enum':
      return { type: 'enum', values: spec.values };
    case 'name':
      return { type: 'name' };
    case 'list':
      return { type: 'list', items: schemaOfKey(spec.items), minItems: spec.minItems, maxItems: spec.maxItems };
    case 'section':
      return obj(fieldsOf(spec.keys));
    case 'distribution':
    case 'arrival':
      return { type: spec.kind };
  }
}

/** A simulator key's default as a lab writes it (its words when it is not a constant). */
function defaultOfKey(spec: KeySpec): string | undefined {
  if (spec.kind === 'number' && spec.default !== undefined) {
    const dimension = DIMENSION_OF[spec.unit];
    return dimension === null ? String(spec.default) : formatQuantity(spec.default, dimension);
  }
  if (spec.kind === 'enum' && spec.default !== undefined) return spec.default;
  return spec.defaultText;
}

/** The lab field of the simulator key `simKey`. */
export function fieldOfKey(simKey: string, spec: KeySpec): Field {
  const extra: FieldExtra = { default: defaultOfKey(spec), required: spec.required };
  if (spec.lab !== undefined && spec.lab !== simKey) extra.sim = simKey;
  return f(schemaOfKey(spec), spec.doc, extra);
}

/** A simulator section's keys as lab fields, by their lab names. */
function fieldsOf(section: Section): Record<string, Field> {
  return Object.fromEntries(
    Object.entries(section).map(([simKey, spec]) => [spec.lab ?? simKey, fieldOfKey(simKey, spec)]),
  );
}

/** Doc and parameters of a built-in policy (a generic doc for names documented nowhere here). */
export function policyDoc(name: string): PolicyDoc {
  return POLICY_DOCS[name] ?? { doc: `The simulator's ${name} policy.` };
}

export const MACHINE_PRESET_NAMES = Object.keys(MACHINE_PRESETS);

/** Summary metrics usable in compare `metrics:` and check expressions, with their explanations (src/lab/outputs/metrics.ts). */
export const METRICS: Readonly<Record<string, string>> = SELECTABLE_METRICS;

/**
 * Breakdowns a check expression may read one part of (`runs.cfs.migrationsByReason.numa`,
 * `runs.cfs.cacheMissesByCause["coherence"]`): the noun for one part and the parts there are.
 * Compare cells cannot tabulate them (a table cell holds one number).
 */
export const CHECK_BREAKDOWNS: Readonly<Partial<Record<keyof Summary, { part: string; parts: readonly string[] }>>> = {
  migrationsByReason: { part: 'reason', parts: REASONS },
  cacheMissesByCause: { part: 'cause', parts: MISS_CAUSES },
};

export const CHART_KINDS: Readonly<Record<string, string>> = {
  load: 'Busy share of each CPU over time (a heat map: one row per CPU).',
  queues: 'Run-queue length of each CPU over time.',
  'cache-misses': 'Cache misses over time by cause (cold, migration, eviction, capacity, coherence).',
  migrations: 'Migrations over time by reason.',
  timeline:
    'Which process ran on each CPU when, with each move drawn between CPUs; and the most migrated processes: where they ran, waited and slept.',
  'migration-cost':
    'The price of moving over the run, by component: state copy, reload misses, dirty lines from the old cache, remote memory.',
  energy: 'Power and cumulative energy over time.',
  frequency: 'Frequency of each CPU over time (DVFS).',
  temperature: 'Temperature of each core over time, with the throttle limit.',
  deadlines: 'Deadline misses over time.',
  response: 'Distribution of response times per run.',
  sweep: 'A metric against a swept parameter: mean and 95 % interval over seeds, one line per policy.',
  'live-migrations':
    'VM runs: one bar per live migration, its rounds stacked along time (live, paused, pulled on demand), the downtime marked.',
  downtime: 'VM runs: the downtime of each live migration, one mark per move, one row per run (log scale).',
  'host-energy': "VM runs: each host's energy, split into idle power, what its load added and its boots.",
  'hosts-on': 'VM runs: how many hosts were on, and booting, over the run.',
  'host-load':
    "VM and request runs: a heat map of each host's load over time (its VMs' demand, or its requests' busy cores, over its cores), one row per host.",
  'host-temperature':
    "VM runs with a hotspot policy: a heat map of each host's mean temperature over time, one row per host.",
  'response-by-server':
    'Request runs on a cluster: the response time on each server and overall (mean, p95, p99), one panel per run.',
};

/** The charts drawn from VM runs (their moves, hosts and energy), not from one-machine runs. */
export const VM_CHARTS: readonly string[] = [
  'live-migrations',
  'downtime',
  'host-energy',
  'hosts-on',
  'host-load',
  'host-temperature',
];

/** The charts drawn from request runs on a cluster (host-load draws VM runs too). */
export const CLUSTER_CHARTS: readonly string[] = ['response-by-server', 'host-load'];

export const CHART_TABLES: Readonly<Record<string, string>> = {
  series: 'Time series: one row per time bin and CPU.',
  processes: 'One row per process: arrival, finish, response, migrations.',
  migrations: 'One row per migration: time, process, from, to, reason.',
  summary: 'One row per run with the summary metrics.',
};

// ---- cell schemas ----------------------------------------------------------------------------

// The name of a machine cell is the machine's name in the simulator too.
const machine = obj({ ...fieldsOf(MACHINE), name });

/** A lab group is the simulator's, with `uunifast` (count and task set in one) in place of `taskSet`. */
const { taskSet: _taskSet, ...groupFields } = fieldsOf(GROUP);
void _taskSet;
const processGroup = obj({
  ...groupFields,
  uunifast: f(
    obj({
      n: f({ type: 'integer', min: 1, max: GROUP.count.max }, 'Number of periodic tasks to generate.', {
        required: true,
      }),
      utilization: fieldOfKey('utilization', TASK_SET.utilization),
      period: f(
        { type: 'list', items: schemaOfKey(TASK_SET.periodMinNs), minItems: 2, maxItems: 2 },
        'Range [min, max] periods are drawn from (log-uniform).',
        { required: true },
      ),
    }),
    'Generate a random periodic task set with UUniFast (Bini & Buttazzo 2005).',
  ),
});

const workload = obj({
  name,
  processes: f(list(processGroup, 1), 'Groups of processes: each entry describes count, arrival and demand.', {
    required: true,
    sim: 'groups',
  }),
});

const scheduler = f(
  { type: 'scheduler' },
  'Per-CPU dispatcher (who runs next on one CPU): fair, fcfs, rr 4ms, edf, priority.',
  { default: SCHEDULER.kind.default },
);
const duration = fieldOfKey('durationNs', RUN.durationNs);

const WINDOW_DOC =
  'Observation window, e.g. 1s..5s: every summary metric, chart and check covers only this stretch of the run (leave out a warm-up); it must end by the duration.';

const run: ObjectSchema = {
  ...obj(
    {
      name,
      machine: f({ type: 'ref', target: 'machine' }, 'The machine cell or preset to run on (or cluster:).'),
      workload: f({ type: 'ref', target: 'workload' }, 'The workload cell to run.'),
      policy: f(
        { type: 'policy' },
        'The placement/migration policy: a name, or { name: linux-cfs, migrationCost: 500us }.',
      ),
      scheduler,
      cluster: f(
        { type: 'ref', target: 'cluster' },
        "The cluster cell to run on, instead of machine: (its hosts run the cluster's policy and scheduler).",
      ),
      service: f(
        { type: 'ref', target: 'service' },
        "The service cell whose requests the cluster's balancer routes to its hosts.",
      ),
      balancer: f(
        obj(fieldsOf(BALANCER)),
        "On a cluster, the balancer instead of the service's own: the same requests (their times and demands are drawn from streams named after the service) routed another way.",
        { default: "the service's" },
      ),
      vms: f(
        list({ type: 'ref', target: 'vms' }, 1),
        "The vms cells whose virtual machines run on the cluster's hosts, instead of service: (their VMs together, placed and moved by the first cell's policies).",
      ),
      duration,
      window: f({ type: 'timeRange' }, WINDOW_DOC, { default: 'the whole run' }),
      seed: fieldOfKey('seed', RUN.seed),
    },
    ['machine', 'cluster'],
  ),
  with: {
    machine: { requires: ['workload', 'policy'], forbids: ['service', 'balancer', 'vms'] },
    // A cluster's hosts take their policy and scheduler from the cluster cell; a window is not
    // kept by a cluster run (its results cover the whole run). It runs a service's requests or
    // VMs, not both (the requests would have to reach the VMs, which is not modelled).
    cluster: { requiresOneOf: ['service', 'vms'], forbids: ['workload', 'policy', 'scheduler', 'window'] },
    vms: { forbids: ['service', 'balancer'] },
  },
};

// A cluster's hosts are machine cells or presets; a service's keys are the simulator's own
// (src/sim/cluster/cluster-config.ts SERVICE, its balancer's BALANCER).
const clusterHost = obj({
  machine: f({ type: 'ref', target: 'machine' }, 'The machine cell or preset each of these hosts is.', {
    required: true,
  }),
  count: f(
    int(1, MAX_HOSTS),
    `How many hosts of this kind; in all, a request run takes at most ${MAX_HOSTS}, a VM run ${MAX_VM_HOSTS}.`,
    { default: '1' },
  ),
  name: f({ type: 'name' }, 'Its hosts are named <name>-0, <name>-1...', { default: 'host' }),
  power: f(obj(fieldsOf(HOST_POWER)), "These hosts' power figures, instead of the cluster's.", {
    default: "the cluster's",
  }),
  // What VM runs read of a host (VmHostConfig): its memory, which VMs' RAM may not exceed, and
  // whether it starts powered off as a spare.
  ram: f(
    { type: 'quantity', dimension: 'bytes', above: 0, integer: true },
    "Each host's memory (a VM run needs it: a VM's RAM is never overcommitted).",
    { sim: 'ramBytes', default: 'none: request runs do not model memory' },
  ),
  network: f(
    obj(fieldsOf(REQUEST_LINK)),
    "These hosts' link latency, instead of the cluster's network: (request runs; a VM run's hosts share one link).",
    { sim: 'link', default: "the cluster's" },
  ),
  off: f({ type: 'boolean' }, 'These hosts start powered off: spares a VM run may power on (request runs refuse it).', {
    default: 'false',
  }),
});

const cluster = obj({
  name,
  hosts: f(list(clusterHost, 1), 'Kinds of hosts: each entry a machine and how many of it.', { required: true }),
  policy: f(
    { type: 'policy' },
    'The placement/migration policy every host runs on its own CPUs: a built-in name, or { name, params }.',
    { required: true },
  ),
  scheduler,
  power: f(
    obj(fieldsOf(HOST_POWER)),
    "Every host's power, P = idle + (peak - idle) x utilisation, and boot time, for hosts whose machine has no power model of its own.",
    { default: 'none: energy only from machines with a power model' },
  ),
  network: f(
    obj(fieldsOf(CLUSTER_LINK)),
    "Each host's link to a non-blocking switch: VM runs' live migrations use all of it; request runs its latency only (each request and its response cross it once), 0 when not given.",
    { sim: 'link', default: 'the defaults of its keys' },
  ),
  events: f(
    list(obj(fieldsOf(HOST_EVENT))),
    'Host failures, maintenance windows, power-offs and power-ons, each { event, at, host, duration }.',
    { default: 'none' },
  ),
});

const service = obj(fieldsOf(SERVICE));

// A vms cell's keys are the simulator's (src/sim/cluster/vm-config.ts VM_CLUSTER, VM_MIGRATION,
// VM_LOAD; a VM's RAM and dirty-page model LIVE_MIGRATION_VM, its move PRE_COPY / POST_COPY).
const vmEntry = obj({
  name: f({ type: 'name' }, 'Its VMs are named <name>-0, <name>-1... (just <name> without a count).', {
    required: true,
  }),
  count: f(int(1, MAX_VMS), 'How many VMs of this kind.', { default: '1' }),
  vcpus: f(int(1, 1024), 'Virtual CPUs of each VM: each takes a vCPU slot on its host.', { required: true }),
  ...fieldsOf(LIVE_MIGRATION_VM),
  load: f(obj(fieldsOf(VM_LOAD)), 'CPU load of each vCPU: a utilisation or a trace of them.', {
    default: 'utilization: 100%',
  }),
});

const migrationMethod = obj({
  kind: fieldOfKey('kind', { ...LIVE_MIGRATION_METHOD, default: 'pre-copy' }),
  ...fieldsOf(PRE_COPY),
  ...fieldsOf(POST_COPY),
});

const vms = obj({
  name,
  ...fieldsOf(VM_CLUSTER),
  migration: f(
    obj({
      ...fieldsOf(VM_MIGRATION),
      method: f(
        migrationMethod,
        "How a VM moves: { kind: pre-copy | post-copy | stop-and-copy } and that method's keys.",
        { default: 'pre-copy' },
      ),
    }),
    'When and why VMs move (overload, consolidation) and how (the live-migration method).',
    { default: 'the defaults of its keys' },
  ),
  vms: f(list(vmEntry, 1), 'Kinds of VMs: each entry vCPUs, RAM, dirty rate, load and how many.', { required: true }),
});

const compare: ObjectSchema = {
  ...obj(
    {
      name: f({ type: 'name' }, 'Optional name of this comparison.'),
      machine: f({ type: 'ref', target: 'machine' }, 'The machine cell or preset to run on (or runs:).'),
      workload: f({ type: 'ref', target: 'workload' }, 'The workload cell to run.'),
      policies: f(list({ type: 'policy' }, 1), 'Policies to compare, each a name or { name, params }.'),
      runs: f(
        list({ type: 'ref', target: 'run' }, 1),
        'Instead of machine:, cluster run cells to compare (all request runs or all VM runs), each run as written with seeds 1..n.',
      ),
      scheduler,
      seeds: f(
        int(1, 1000),
        'Runs per policy (or run) with seeds 1..n; results show mean and 95 % confidence interval.',
        {
          default: '5',
        },
      ),
      duration: {
        ...duration,
        doc: 'Simulated time limit of each run (a run whose processes have all finished ends at its last completion).',
      },
      window: f({ type: 'timeRange' }, WINDOW_DOC, { default: 'the whole run' }),
      metrics: f(list({ type: 'enum', values: METRICS }, 1), 'Summary metrics to tabulate.', {
        default:
          'meanResponseS, migrations, cacheMisses, energyJ; over request runs meanResponseS, p95ResponseS, p99ResponseS; over VM runs energyJ, hostsOnMeanCount, migrations, migrationDowntimeS',
      }),
    },
    ['machine', 'runs'],
  ),
  with: {
    machine: { requires: ['workload', 'policies'] },
    // The runs say their cluster, requests or VMs, duration and scheduler; a compare over them
    // varies only the seed.
    runs: { forbids: ['workload', 'policies', 'scheduler', 'duration', 'window'] },
  },
};

const chart = obj(
  {
    show: f({ type: 'enum', values: CHART_KINDS }, 'Which built-in chart to draw.'),
    runs: f(list({ type: 'ref', target: 'run' }, 1), 'Runs to chart, side by side.'),
    run: f({ type: 'ref', target: 'run' }, 'The run whose table feeds a raw Vega-Lite spec.'),
    table: f({ type: 'enum', values: CHART_TABLES }, 'The result table a raw Vega-Lite spec reads.', {
      default: 'series',
    }),
    vegaLite: f({ type: 'json' }, 'A raw Vega-Lite spec; its data is the chosen run table.'),
    title: f({ type: 'string' }, 'Chart title.'),
    param: f({ type: 'name' }, 'With show: sweep, the parameter (declared in a params cell) to sweep.'),
    values: f(
      list({ type: 'json' }, 2),
      'With show: sweep, the values to give the parameter, as you would write them in the params cell.',
    ),
    seeds: f(int(1, 1000), 'With show: sweep, runs per value with seeds 1..n, for the mean and its 95 % interval.', {
      default: '5',
    }),
    metric: f({ type: 'enum', values: METRICS }, 'With show: sweep, the summary metric to plot.', {
      default: 'meanResponseS',
    }),
    span: f({ type: 'timeRange' }, 'With show: timeline, the stretch of the run to show, e.g. 2s..2.2s.', {
      default: 'from the start, as far as the log goes',
    }),
  },
  ['show', 'vegaLite'],
);

const check = obj({
  expect: f({ type: 'expression' }, 'A condition over results, e.g. runs.cfs.imbalanceCv < runs.pinned.imbalanceCv.', {
    required: true,
  }),
  message: f({ type: 'string' }, 'Shown when the check fails: say what to look at.'),
});

/** Root schema per YAML cell kind. Params cells are free maps of names (validateCell.ts). */
export const CELL_SCHEMAS: Readonly<Record<Exclude<CellKind, 'policy' | 'params'>, ObjectSchema>> = {
  machine,
  workload,
  cluster,
  service,
  vms,
  run,
  compare,
  chart,
  check,
};

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
  cluster: GRADING_ATTRIBUTES,
  service: GRADING_ATTRIBUTES,
  vms: GRADING_ATTRIBUTES,
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
    lang: f({ type: 'enum', values: { ts: 'TypeScript', js: 'JavaScript' } }, 'Language of the policy code.', {
      default: 'ts',
    }),
  },
};

export const CELL_DOCS: Readonly<Record<CellKind, string>> = {
  machine: 'Describes a machine: sockets, cores, caches, P-states, power and thermal model.',
  workload: 'Describes groups of processes: how many, when they arrive, how much CPU and memory they use.',
  cluster: 'Describes hosts, each a machine cell or preset with a count, and the policy they all run.',
  service: 'Describes requests behind a load balancer: their arrival, demand, working set and the routing policy.',
  vms: 'Describes virtual machines for a cluster: vCPUs, RAM, dirty rate and load, their placement and migration policies.',
  policy: 'A placement/migration policy written in code.',
  run: "Simulates one workload on one machine under one policy, or a service's requests or VMs on a cluster.",
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
    else if (current.type === 'policy' && segment !== '[]')
      current = policyObjectSchema(undefined).fields[segment]?.schema;
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
  const params = policyName
    ? (policyDoc(policyName).params ?? {})
    : Object.assign({}, ...POLICY_NAMES.map((p) => policyDoc(p).params ?? {}));
  return obj({ name: f({ type: 'ref', target: 'policy' }, 'The policy to use.', { required: true }), ...params });
}

/** How a schema reads after "must be": "a whole number from 1 to 64", "a time with a unit, e.g. 4ms". */
export function describeSchema(schema: Schema): string {
  const bounds = (min?: number, max?: number, above?: number) => {
    if (above !== undefined)
      return max !== undefined ? ` greater than ${above} and at most ${max}` : ` greater than ${above}`;
    return min !== undefined && max !== undefined
      ? ` from ${min} to ${max}`
      : min !== undefined
        ? ` of at least ${min}`
        : max !== undefined
          ? ` of at most ${max}`
          : '';
  };
  switch (schema.type) {
    case 'quantity': {
      if (schema.dimension === 'fraction') return 'a fraction such as 30% or 0.3';
      const whole = schema.integer && schema.dimension === 'time' ? ' in whole nanoseconds' : '';
      const label = DIMENSIONS[schema.dimension].label;
      return `${/^[aeiou]/.test(label) ? 'an' : 'a'} ${label}${whole} with a unit, e.g. ${example(schema.dimension)}`;
    }
    case 'integer':
      return `a whole number${bounds(schema.min, schema.max, schema.above)}`;
    case 'number':
      return `a number${bounds(schema.min, schema.max, schema.above)}`;
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
