// The one table of metric definitions: what each summary metric means, its unit and precision,
// whether it counts finished processes only, which way is better, and where a student reads it.
// Summaries (the notebook's table, the Markdown the CLI prints), comparison tables and charts,
// hovers, completions, validation and docs/lab-format.md all read it, so a metric is explained
// the same way wherever it is shown. Keyed by the simulator's Summary: a metric the simulator
// adds does not typecheck until it is defined here.
import type { Summary } from '../../sim';

/** How a metric's numbers read. */
export type MetricUnit =
  /** A whole number of things. */
  | 'count'
  /** Seconds, shown in s, ms, µs or ns, whichever puts a digit before the point. */
  | 'seconds'
  | 'per-second'
  /** 0..1, shown as a percentage. */
  | 'fraction'
  /** A pure number (an index, a ratio of two like quantities). */
  | 'number'
  | 'joules'
  | 'joule-seconds'
  | 'celsius';

/** Groups in reading order (see summaryGroups): what finished first, then what it cost. */
export type MetricGroup =
  | 'jobs'
  | 'processes'
  | 'finished'
  | 'everyProcess'
  | 'load'
  | 'migrations'
  | 'caches'
  | 'scheduling'
  | 'energy'
  | 'heat'
  | 'faults'
  | 'run';

export interface MetricDefinition {
  /** What it measures, in one or two sentences. */
  meaning: string;
  unit: MetricUnit;
  group: MetricGroup;
  /** Computed over finished processes (completed jobs) only: it says nothing of those that did not finish. */
  finishedOnly?: boolean;
  better?: 'higher' | 'lower';
  /** Shown in a run's main table (the others are behind "All metrics"). */
  key?: boolean;
  /** A breakdown or bookkeeping figure: not offered in compare cells and check expressions. */
  notSelectable?: boolean;
  /** Counts processes, not jobs: meaningless for periodic tasks, which never finish (left out of their main table). */
  processesOnly?: boolean;
  /** Says more than the process counts only when there are periodic tasks (in the main table of their runs only). */
  periodicOnly?: boolean;
}

/**
 * Metrics only VM runs on a cluster have (src/sim/cluster/vm-cluster-simulation.ts
 * VmClusterResult), under the names their summaries give them; a one-machine Summary has none.
 */
export type VmRunMetric =
  | 'hostsOnMeanCount'
  | 'overloadFraction'
  | 'migrationDowntimeS'
  | 'stealS'
  | 'vmsFailed'
  | 'vmRestarts'
  | 'vmsDownAtEnd'
  | 'vmDownS'
  | 'unmetDemandS'
  | 'hostPeakC'
  | 'hotHostS';

/**
 * Metrics only request runs on a cluster have (their overall row, src/lab/notebook/execute.ts
 * clusterRunOutput) that a one-machine Summary has not. Every key of that summary is defined
 * here, so what checks accept and what a run's "known:" list names is one list.
 */
export type ClusterRunMetric = 'routed' | 'slaViolations' | 'slaViolationRatio';

/** Over completed requests: a request run in which none completed leaves them out of its summary. */
export const RESPONSE_METRICS = ['meanResponseS', 'p95ResponseS', 'p99ResponseS'] as const;
export type ResponseMetric = (typeof RESPONSE_METRICS)[number];
/** Why a request run has no response times: what a check or comparison reading one says. */
export const NO_REQUEST_COMPLETED = 'no request completed within the run, so it has no response times';
/** Why a request run has no SLA violations (or no ratio of them). */
export const NO_SLA =
  'its service has no sla: target (or no request was answered or dropped), so nothing is counted against one';
/** Why a one-machine run's response times mean nothing: its summary gives 0 s over no job. */
export const NO_JOB_COMPLETED = 'no job completed within the run, so it has no response times';

export const METRIC_DEFINITIONS: Readonly<Record<keyof Summary | VmRunMetric | ClusterRunMetric, MetricDefinition>> = {
  arrived: { meaning: 'Processes that arrived within the run.', unit: 'count', group: 'processes', key: true },
  routed: {
    meaning: 'Requests the balancer sent to a server within the run (request runs on a cluster).',
    unit: 'count',
    group: 'processes',
    key: true,
  },
  completed: {
    meaning: 'Processes that finished within the run.',
    unit: 'count',
    group: 'processes',
    better: 'higher',
    key: true,
  },
  unfinished: {
    meaning:
      'Processes still running or waiting at the end (periodic tasks never finish: they release jobs until the end).',
    unit: 'count',
    group: 'processes',
    better: 'lower',
    key: true,
  },
  makespanS: {
    meaning: 'Time of the last completion of a process (0 when none completed).',
    unit: 'seconds',
    group: 'finished',
    finishedOnly: true,
    better: 'lower',
    key: true,
    processesOnly: true,
  },
  throughputPerS: {
    meaning: 'Processes finished per second of the run.',
    unit: 'per-second',
    group: 'finished',
    finishedOnly: true,
    better: 'higher',
    key: true,
    processesOnly: true,
  },
  meanResponseS: {
    meaning: 'Mean response (turnaround) time, arrival to completion, of the jobs that completed.',
    unit: 'seconds',
    group: 'finished',
    finishedOnly: true,
    better: 'lower',
    key: true,
  },
  p95ResponseS: {
    meaning: '95th percentile of the response times of the jobs that completed.',
    unit: 'seconds',
    group: 'finished',
    finishedOnly: true,
    better: 'lower',
    key: true,
  },
  p99ResponseS: {
    meaning: '99th percentile of the response times of the jobs that completed.',
    unit: 'seconds',
    group: 'finished',
    finishedOnly: true,
    better: 'lower',
    key: true,
  },
  meanWaitS: {
    meaning: 'Mean time the completed processes spent waiting in run queues.',
    unit: 'seconds',
    group: 'finished',
    finishedOnly: true,
    better: 'lower',
    key: true,
    processesOnly: true,
  },
  jobsReleased: {
    meaning: 'Jobs released within the run: each non-periodic process is one job, each release of a periodic task one.',
    unit: 'count',
    group: 'jobs',
    key: true,
    periodicOnly: true,
  },
  jobsCompleted: {
    meaning: 'Jobs completed: each non-periodic process is one job, each release of a periodic task one.',
    unit: 'count',
    group: 'jobs',
    better: 'higher',
    key: true,
    periodicOnly: true,
  },
  jobsUnfinished: {
    meaning: 'Jobs released and not completed at the end (jobsReleased = jobsCompleted + jobsUnfinished).',
    unit: 'count',
    group: 'jobs',
    better: 'lower',
    key: true,
    periodicOnly: true,
  },
  deadlineMisses: {
    meaning:
      'Jobs that missed their deadline: completed after it, or unfinished at the end with it passed (completing exactly at it meets it).',
    unit: 'count',
    group: 'jobs',
    better: 'lower',
    key: true,
  },
  deadlineMissRatio: {
    meaning: 'Deadline misses over the jobs whose deadline fell within the run.',
    unit: 'fraction',
    group: 'jobs',
    better: 'lower',
    key: true,
  },
  meanSojournS: {
    meaning: 'Mean time in the system of every non-periodic process, unfinished ones counted up to the end of the run.',
    unit: 'seconds',
    group: 'everyProcess',
    better: 'lower',
    key: true,
    processesOnly: true,
  },
  meanInSystem: {
    meaning:
      'Time-averaged number of non-periodic processes in the system (Little: arrival rate x mean time in system).',
    unit: 'number',
    group: 'everyProcess',
  },
  arrivalRatePerS: {
    meaning: 'Measured arrival rate of non-periodic processes.',
    unit: 'per-second',
    group: 'everyProcess',
  },
  meanUtilization: { meaning: 'Mean busy share of the CPUs over the run.', unit: 'fraction', group: 'load', key: true },
  imbalanceCv: {
    meaning: 'Coefficient of variation of per-CPU busy time: 0 is perfectly even.',
    unit: 'number',
    group: 'load',
    better: 'lower',
    key: true,
  },
  imbalanceMaxOverMean: {
    meaning: 'Busy time of the busiest CPU over the mean: 1 is perfectly even.',
    unit: 'number',
    group: 'load',
    better: 'lower',
  },
  jainIndex: {
    meaning: "Jain's fairness index of per-CPU busy time: 1 is perfectly even.",
    unit: 'number',
    group: 'load',
    better: 'higher',
  },
  migrations: {
    meaning: 'Moves of a process to another CPU, all reasons (jobMigrations + taskMigrations).',
    unit: 'count',
    group: 'migrations',
    key: true,
  },
  jobMigrations: {
    meaning: 'Moves of a job that had already run: it resumes on another CPU.',
    unit: 'count',
    group: 'migrations',
  },
  taskMigrations: {
    meaning:
      'Moves of a task between jobs, or of a job that had not run yet: it starts elsewhere than its task last ran.',
    unit: 'count',
    group: 'migrations',
  },
  migrationsByReason: {
    meaning: 'Migrations by the reason the policy gave.',
    unit: 'count',
    group: 'migrations',
    key: true,
    notSelectable: true,
  },
  migrationCostS: {
    meaning: 'Total cost of the migrations: state copy, cache reload and coherence stalls.',
    unit: 'seconds',
    group: 'migrations',
    better: 'lower',
  },
  cacheMisses: {
    meaning: 'Cache lines fetched into the private caches, all causes.',
    unit: 'count',
    group: 'caches',
    better: 'lower',
    key: true,
  },
  cacheMissesByCause: {
    meaning: 'Cache misses by cause: cold, migration, eviction, capacity, coherence.',
    unit: 'count',
    group: 'caches',
    key: true,
    notSelectable: true,
  },
  stallS: {
    meaning: 'Time processes spent stalled on cache misses.',
    unit: 'seconds',
    group: 'caches',
    better: 'lower',
  },
  contextSwitches: {
    meaning: 'Times a CPU switched from one process to another.',
    unit: 'count',
    group: 'scheduling',
    better: 'lower',
    key: true,
  },
  preemptions: {
    meaning: 'Times a running job was stopped with work left so that another one runs on its CPU.',
    unit: 'count',
    group: 'scheduling',
    better: 'lower',
    key: true,
  },
  energyJ: {
    meaning: 'Energy used by all cores and DRAM (machines with a power or thermal model).',
    unit: 'joules',
    group: 'energy',
    better: 'lower',
    key: true,
  },
  energyByCpuJ: {
    meaning: 'Core energy of each CPU (static, dynamic and idle-state transitions).',
    unit: 'joules',
    group: 'energy',
    notSelectable: true,
  },
  dramEnergyJ: {
    meaning: 'Energy of DRAM accesses (machines with a power or thermal model).',
    unit: 'joules',
    group: 'energy',
    better: 'lower',
  },
  edpJs: {
    meaning: 'Energy-delay product: energy x makespan.',
    unit: 'joule-seconds',
    group: 'energy',
    finishedOnly: true,
    better: 'lower',
  },
  peakTempC: {
    meaning: 'Highest core temperature (machines with a thermal model).',
    unit: 'celsius',
    group: 'heat',
    better: 'lower',
    key: true,
  },
  meanTempC: {
    meaning: 'Mean core temperature over cores and time (machines with a thermal model).',
    unit: 'celsius',
    group: 'heat',
    better: 'lower',
  },
  throttledS: {
    meaning: 'Core-seconds with the frequency capped by thermal throttling (machines with a thermal model).',
    unit: 'seconds',
    group: 'heat',
    better: 'lower',
    key: true,
  },
  failures: {
    meaning: 'CPU failures within the run (machines with events).',
    unit: 'count',
    group: 'faults',
    key: true,
  },
  evacuations: {
    meaning: 'Processes moved off failed or maintenance CPUs (machines with events).',
    unit: 'count',
    group: 'faults',
    key: true,
  },
  lostWorkS: {
    meaning: 'Work lost at failures since the last checkpoint, done again (machines with events).',
    unit: 'seconds',
    group: 'faults',
    better: 'lower',
    key: true,
  },
  slaViolations: {
    meaning:
      "Requests answered later than the service's SLA target, plus those dropped (request runs on a cluster whose service has an `sla:`).",
    unit: 'count',
    group: 'faults',
    better: 'lower',
    key: true,
  },
  slaViolationRatio: {
    meaning:
      'SLA violations over the requests answered or dropped within the run (requests still unanswered at the end are not counted).',
    unit: 'fraction',
    group: 'faults',
    better: 'lower',
    key: true,
  },
  requestsDropped: {
    meaning:
      "Requests of a cluster run lost to host events: on a host when it failed or was switched off, or sent to a failed host before the balancer's health checks found it out.",
    unit: 'count',
    group: 'faults',
    better: 'lower',
    key: true,
  },
  hostsOnMeanCount: {
    meaning:
      'Hosts powered on and taking VMs (booting ones not counted), averaged over the run (VM runs on a cluster).',
    unit: 'number',
    group: 'energy',
    better: 'lower',
    key: true,
  },
  overloadFraction: {
    meaning:
      "Share of the hosts' time on spent with more vCPU demand than cores, over all hosts: CloudSim's SLA violation time per active host, SLATAH (VM runs on a cluster).",
    unit: 'fraction',
    group: 'load',
    better: 'lower',
    key: true,
  },
  migrationDowntimeS: {
    meaning: 'Time VMs were paused by their live migrations, summed over every move (VM runs on a cluster).',
    unit: 'seconds',
    group: 'migrations',
    better: 'lower',
    key: true,
  },
  stealS: {
    meaning: "Time VMs' vCPUs waited for a core of their host while they had work (steal time; VM runs on a cluster).",
    unit: 'seconds',
    group: 'scheduling',
    better: 'lower',
    key: true,
  },
  vmsFailed: {
    meaning: 'VMs that went down with a failed host at least once (VM runs with fail events).',
    unit: 'count',
    group: 'faults',
    better: 'lower',
    key: true,
  },
  vmRestarts: {
    meaning: 'HA restarts of VMs that were down, on other hosts or their own once repaired (VM runs with fail events).',
    unit: 'count',
    group: 'faults',
  },
  vmsDownAtEnd: {
    meaning: 'VMs still down at the end of the run: no host had room for them (VM runs with fail events).',
    unit: 'count',
    group: 'faults',
    better: 'lower',
    key: true,
  },
  vmDownS: {
    meaning:
      'Time VMs were down, from their host failing to their restart, summed over VMs (VM runs with fail events).',
    unit: 'seconds',
    group: 'faults',
    better: 'lower',
    key: true,
  },
  unmetDemandS: {
    meaning:
      "vCPU work VMs' loads asked for while they were down, none of it done (vCPU-seconds; VM runs with fail events).",
    unit: 'seconds',
    group: 'faults',
    better: 'lower',
  },
  hostPeakC: {
    meaning: 'Hottest any host got (VM runs with a hotspot policy: the lumped RC host model).',
    unit: 'celsius',
    group: 'heat',
    better: 'lower',
    key: true,
  },
  hotHostS: {
    meaning: 'Host-seconds at or above the hot-spot threshold, summed over hosts (VM runs with a hotspot policy).',
    unit: 'seconds',
    group: 'heat',
    better: 'lower',
    key: true,
  },
  simulatedS: {
    meaning: 'Simulated time the run covered: its duration, or less when every process finished earlier.',
    unit: 'seconds',
    group: 'run',
  },
  events: { meaning: 'Simulation events processed.', unit: 'count', group: 'run', notSelectable: true },
  processRowsOmitted: {
    meaning: 'Completed processes left out of the processes table (it keeps a bounded number of rows).',
    unit: 'count',
    group: 'run',
    notSelectable: true,
  },
  migrationRowsOmitted: {
    meaning: 'Migrations left out of the migrations table (it keeps a bounded number of rows).',
    unit: 'count',
    group: 'run',
    notSelectable: true,
  },
};

export const GROUP_TITLES: Readonly<Record<MetricGroup, string>> = {
  jobs: 'Jobs and deadlines',
  processes: 'What finished',
  finished: 'Over finished processes only',
  everyProcess: 'Over every process',
  load: 'Load',
  migrations: 'Migrations',
  caches: 'Caches',
  scheduling: 'Scheduling',
  energy: 'Energy',
  heat: 'Heat',
  faults: 'Faults',
  run: 'The run',
};

/** What a group is called in a run with periodic tasks, where response times are of jobs and tasks never finish. */
const PERIODIC_TITLES: Partial<Record<MetricGroup, string>> = {
  processes: 'Processes (periodic tasks run until the end)',
  finished: 'Over completed jobs only',
};

/** The definition of a summary key, if it is one. */
export const metricDefinition = (key: string): MetricDefinition | undefined =>
  (METRIC_DEFINITIONS as Readonly<Record<string, MetricDefinition>>)[key];

const UNIT_WORDS: Readonly<Record<MetricUnit, string>> = {
  count: '',
  seconds: 'in seconds',
  'per-second': 'per second',
  fraction: 'a fraction from 0 to 1, shown as a percentage',
  number: 'a pure number',
  joules: 'in joules',
  'joule-seconds': 'in joule-seconds',
  celsius: 'in degrees Celsius',
};

/** The full explanation shown in hovers, titles and the docs: meaning, unit, and what it leaves out. */
export function metricExplanation(key: string): string | undefined {
  const d = metricDefinition(key);
  if (!d) return undefined;
  const unit = UNIT_WORDS[d.unit];
  const parts = [d.meaning, unit ? `${unit.charAt(0).toUpperCase()}${unit.slice(1)}.` : ''];
  if (d.finishedOnly)
    parts.push(
      'Finished processes only: those that did not finish are left out, so a run that finishes less can look better.',
    );
  if (d.better) parts.push(d.better === 'lower' ? 'Lower is better.' : 'Higher is better.');
  return parts.filter(Boolean).join(' ');
}

/** Metrics a compare cell may tabulate and a check expression may read, with their explanations. */
export const SELECTABLE_METRICS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(METRIC_DEFINITIONS)
    .filter(([, d]) => !d.notSelectable)
    .map(([key]) => [key, metricExplanation(key)!]),
);

// ---- reading order -----------------------------------------------------------------------------

/** A summary's processes or jobs that did not finish: what finished-only metrics leave out. */
export function unfinishedCount(summary: Readonly<Record<string, unknown>>): number {
  // Jobs when the simulator counts them (a periodic task never finishes, its jobs do), else processes.
  const jobs = summary.jobsUnfinished;
  if (typeof jobs === 'number') return jobs;
  return periodic(summary) ? 0 : typeof summary.unfinished === 'number' ? summary.unfinished : 0;
}

/**
 * A run with periodic tasks (real-time work): it has jobs that are not processes. Read off the
 * summary, so a summary restored from a record reads the same: more jobs than processes.
 */
export function periodic(summary: Readonly<Record<string, unknown>>): boolean {
  const n = (key: string) => (typeof summary[key] === 'number' ? (summary[key] as number) : 0);
  if (typeof summary.jobsReleased === 'number') return n('jobsReleased') > n('arrived');
  return n('jobsCompleted') > n('completed') || (n('completed') === 0 && n('deadlineMisses') > 0);
}

const GROUP_ORDER: readonly MetricGroup[] = [
  'processes',
  'finished',
  'everyProcess',
  'jobs',
  'load',
  'migrations',
  'caches',
  'scheduling',
  'energy',
  'heat',
  'faults',
  'run',
];
/** Real-time runs lead with their jobs: released, completed and missed. */
const PERIODIC_ORDER: readonly MetricGroup[] = [
  'jobs',
  'processes',
  'finished',
  'everyProcess',
  'load',
  'migrations',
  'caches',
  'scheduling',
  'energy',
  'heat',
  'faults',
  'run',
];

export interface SummaryGroup {
  group: MetricGroup;
  title: string;
  /** Keys present in the summary, in the table's order. */
  keys: string[];
}

/**
 * The summary's keys grouped in the order a student reads them: what finished and what did not
 * (jobs first for real-time runs), then the metrics over finished processes only, then the
 * costs. `key` groups hold the main table's keys; `rest` every other key present (unknown keys,
 * which the table does not define, last).
 */
export function summaryGroups(summary: Readonly<Record<string, unknown>>): {
  key: SummaryGroup[];
  rest: SummaryGroup[];
} {
  const order = periodic(summary) ? PERIODIC_ORDER : GROUP_ORDER;
  const present = Object.keys(summary);
  const definedOrder = Object.keys(METRIC_DEFINITIONS);
  const realtime = periodic(summary);
  const isMain = (d: MetricDefinition) =>
    Boolean(d.key) && !(realtime && d.processesOnly) && !(!realtime && d.periodicOnly);
  const inGroup = (group: MetricGroup, main: boolean) =>
    definedOrder.filter((k) => {
      const d = METRIC_DEFINITIONS[k as keyof Summary];
      return present.includes(k) && d.group === group && isMain(d) === main;
    });
  const title = (group: MetricGroup) => (realtime && PERIODIC_TITLES[group]) || GROUP_TITLES[group];
  const groups = (main: boolean) =>
    order.map((group) => ({ group, title: title(group), keys: inGroup(group, main) })).filter((g) => g.keys.length > 0);
  const rest = groups(false);
  const unknown = present.filter((k) => !metricDefinition(k));
  if (unknown.length > 0) rest.push({ group: 'run', title: 'Other', keys: unknown.sort() });
  return { key: groups(true), rest };
}
