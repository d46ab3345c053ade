/**
 * Workload resolution and arrival generation. Groups are validated once into ResolvedGroup;
 * an ArrivalSource then yields each group's arrival times from the group's own random stream,
 * so arrivals do not depend on the policy (common random numbers).
 */
import type { DistConfig, PhasesConfig, ProcessGroupConfig, WorkloadConfig } from './config';
import { checkDist, sample } from './distributions';
import { SimConfigError } from './errors';
import type { ResolvedMachine } from './machine';
import { Rng } from './rng';
import { given, onlySectionKeys, readNumber, readOptionalNumber, type Section } from './spec';
import { array, num, onlyKeys, optNum, record, str } from './validate';

export interface PeriodicTask {
  periodNs: number;
  wcetNs: number;
  deadlineNs: number;
  offsetNs: number;
}

export type ResolvedArrival =
  | { kind: 'fixed'; atNs: number; everyNs: number }
  | { kind: 'poisson'; meanGapNs: number; startNs: number }
  | { kind: 'trace'; atNs: number[]; demandNs: Array<number | undefined> };

export interface ResolvedGroup {
  index: number;
  name: string;
  /** Infinity for an open stream. */
  count: number;
  arrival: ResolvedArrival;
  demand: DistConfig;
  phases: PhasesConfig | null;
  /** Relative deadline of each non-periodic process; Infinity when none. */
  deadlineNs: number;
  workingSetLines: number;
  dirtyFraction: number;
  memoryIntensity: number;
  weight: number;
  /** Undefined = discipline default. */
  priority: number | undefined;
  /** allowed[cpu] = 1 when the process may run there; null = every CPU. */
  affinity: Uint8Array | null;
  /** Changes of the mask during the run, by time (the order given among equal times). */
  setAffinity: { atNs: number; mask: Uint8Array }[];
  /** Changes each process makes on its own at its `wake`-th wake-up, by wake-up. */
  wakeAffinity: { wake: number; mask: Uint8Array }[];
  /** -1 = first touch (the node of the first CPU it runs on). */
  homeNode: number;
  /** One entry per process for periodic groups, else null. */
  periodic: PeriodicTask[] | null;
}

/** Largest `count` of one group (each live process costs a few hundred bytes). */
export const MAX_GROUP_COUNT = 1_000_000;

/**
 * How many processes a workload creates in a run of `durationNs`: each closed group's count
 * (a trace's length; one for a fixed arrival or a periodic task without a count), and for an
 * open Poisson stream its expected arrivals. All of them may be alive at once, so this bounds
 * the memory a run needs (about 1 KiB per live process).
 */
export function processesUpTo(workload: WorkloadConfig, durationNs: number): number {
  return workload.groups.reduce((total, g) => {
    if (g.count !== undefined) return total + g.count;
    const arrival = g.arrival;
    if (arrival?.kind === 'trace') return total + arrival.records.length;
    if (arrival?.kind === 'poisson' && g.periodic === undefined && g.taskSet === undefined) {
      return total + Math.ceil((arrival.ratePerS * Math.max(0, durationNs - (arrival.startNs ?? 0))) / 1e9);
    }
    return total + 1;
  }, 0);
}

// ---- a workload group's keys (spec.ts) --------------------------------------------------------

export const PHASES = {
  computeNs: {
    kind: 'distribution',
    lab: 'compute',
    required: true,
    doc: 'Length of each compute burst (CPU time at reference speed).',
  },
  sleepNs: {
    kind: 'distribution',
    lab: 'sleep',
    required: true,
    doc: 'Length of each sleep (I/O wait) between bursts.',
  },
} satisfies Section;

export const PERIODIC = {
  periodNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'period',
    integer: true,
    min: 1,
    required: true,
    doc: 'A job is released every period.',
  },
  wcetNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'wcet',
    integer: true,
    min: 1,
    required: true,
    doc: 'Worst-case execution time of each job, at reference speed.',
  },
  deadlineNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'deadline',
    integer: true,
    min: 1,
    doc: 'Relative deadline of each job.',
    defaultText: 'the period',
  },
  offsetNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'offset',
    integer: true,
    min: 0,
    default: 0,
    doc: 'Release time of the first job.',
  },
} satisfies Section;

export const TASK_SET = {
  utilization: {
    kind: 'number',
    unit: 'number',
    above: 0,
    max: 4096,
    required: true,
    doc: 'Total utilisation of the task set (may exceed 1 on several CPUs).',
  },
  periodMinNs: {
    kind: 'number',
    unit: 'ns',
    integer: true,
    min: 1,
    required: true,
    doc: 'Shortest period drawn (log-uniform between the two).',
  },
  periodMaxNs: {
    kind: 'number',
    unit: 'ns',
    integer: true,
    min: 1,
    required: true,
    doc: 'Longest period drawn (at least the shortest).',
  },
} satisfies Section;

/** One change of a group's affinity mask (GROUP.setAffinity). */
const SET_AFFINITY = {
  atNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'at',
    integer: true,
    min: 0,
    doc: 'When the processes change their mask, in simulated time.',
    defaultText: 'give at or onWake',
  },
  onWake: {
    kind: 'number',
    unit: 'count',
    integer: true,
    min: 1,
    doc: 'Instead of at: each process changes its mask when it wakes up for the onWake-th time (a phase change).',
    defaultText: 'give at or onWake',
  },
  cpus: {
    kind: 'list',
    items: { kind: 'number', unit: 'count', min: 0, doc: 'A CPU number.' },
    minItems: 1,
    required: true,
    doc: 'The CPUs they may run on from then.',
  },
} satisfies Section;

export const GROUP = {
  name: { kind: 'name', required: true, doc: 'Name of this group of processes.' },
  count: {
    kind: 'number',
    unit: 'count',
    min: 0,
    max: MAX_GROUP_COUNT,
    doc: 'How many processes (periodic tasks for periodic and taskSet); absent with a poisson arrival = an open stream for the whole run.',
    defaultText: 'an open stream with poisson arrivals, one per record with a trace, else 1',
  },
  arrival: {
    kind: 'arrival',
    doc: 'When processes arrive: all at one time, a Poisson stream, one every interval, or a trace.',
    defaultText: '0s (all at once)',
  },
  demand: { kind: 'distribution', doc: 'CPU time each process needs at reference speed.', defaultText: '10ms' },
  phases: { kind: 'section', keys: PHASES, doc: 'Alternate compute bursts and sleeps until the demand is used up.' },
  deadlineNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'deadline',
    integer: true,
    min: 1,
    doc: 'Relative deadline of each process, counted in deadline statistics.',
    defaultText: 'none',
  },
  workingSetBytes: {
    kind: 'number',
    unit: 'B',
    lab: 'workingSet',
    min: 0,
    max: 2 ** 44,
    default: 64 * 1024,
    doc: 'Memory the process touches repeatedly (0 = no cache effects).',
    source:
      'estimate: a small working set that fits the default 256 KiB L2 four times over, so a migration costs a visible reload (about 3 us) without dominating',
  },
  dirtyFraction: {
    kind: 'number',
    unit: 'fraction',
    lab: 'dirty',
    min: 0,
    max: 1,
    default: 0,
    doc: 'Share of the working set the process writes (dirty lines left in its cache).',
  },
  memoryIntensity: {
    kind: 'number',
    unit: 'number',
    min: 0,
    max: 10,
    default: 0.02,
    doc: 'Accesses leaving L1 per ns of reference-speed compute; drives capacity misses and how much of the working set a short run touches.',
    source: 'estimate: about 7 L1 misses per 1000 instructions at 3 instructions per ns',
  },
  weight: {
    kind: 'number',
    unit: 'count',
    min: 1,
    max: 1_000_000,
    default: 1024,
    doc: 'Weight for the fair scheduler (1024 = nice 0, Linux sched_prio_to_weight).',
  },
  priority: {
    kind: 'number',
    unit: 'count',
    min: 0,
    doc: 'Priority for the priority scheduler: smaller is more urgent.',
    defaultText: 'the period for periodic tasks, else after every periodic task',
  },
  affinity: {
    kind: 'list',
    items: { kind: 'number', unit: 'count', min: 0, doc: 'A CPU number.' },
    minItems: 1,
    doc: 'CPUs the processes may run on.',
    defaultText: 'every CPU',
  },
  setAffinity: {
    kind: 'list',
    items: { kind: 'section', keys: SET_AFFINITY, doc: 'One change of the mask.' },
    // Each change is an event and a mask per CPU: a stranger's lab must not make millions.
    maxItems: 1000,
    doc: "The processes change their affinity mask during the run (sched_setaffinity): from `at` they run only on `cpus`; one outside them asks to move at once, and goes where the policy's place puts it (reason request).",
    defaultText: 'none',
  },
  homeNode: {
    kind: 'number',
    unit: 'count',
    min: 0,
    doc: 'NUMA node holding the process memory.',
    defaultText: 'the node of the first CPU it runs on (first touch)',
  },
  periodic: { kind: 'section', keys: PERIODIC, doc: 'Make each process a periodic real-time task.' },
  taskSet: {
    kind: 'section',
    keys: TASK_SET,
    doc: 'count periodic tasks with total utilisation split by UUniFast and log-uniform periods.',
  },
} satisfies Section;

/**
 * UUniFast (Bini & Buttazzo 2005): n utilisations summing to `total`, uniformly distributed
 * over the simplex.
 */
export function uunifast(n: number, total: number, rng: Rng): number[] {
  const out: number[] = [];
  let sum = total;
  for (let i = 1; i < n; i++) {
    const next = sum * rng.next() ** (1 / (n - i));
    out.push(sum - next);
    sum = next;
  }
  out.push(sum);
  return out;
}

function resolveArrival(
  value: unknown,
  path: string,
  countGiven: boolean,
): { arrival: ResolvedArrival; traceCount: number } {
  if (value === undefined) return { arrival: { kind: 'fixed', atNs: 0, everyNs: 0 }, traceCount: 0 };
  const a = record(value, path);
  switch (a.kind) {
    case 'fixed':
      onlyKeys(a, path, ['kind', 'atNs', 'everyNs']);
      return {
        arrival: {
          kind: 'fixed',
          atNs: num(a.atNs, `${path}.atNs`, { integer: true, min: 0 }),
          everyNs: optNum(a.everyNs, `${path}.everyNs`, 0, { integer: true, min: 0 }),
        },
        traceCount: 0,
      };
    case 'poisson':
      onlyKeys(a, path, ['kind', 'ratePerS', 'startNs']);
      return {
        arrival: {
          kind: 'poisson',
          meanGapNs: 1e9 / num(a.ratePerS, `${path}.ratePerS`, { above: 0, max: 1e9 }),
          startNs: optNum(a.startNs, `${path}.startNs`, 0, { integer: true, min: 0 }),
        },
        traceCount: 0,
      };
    case 'trace': {
      onlyKeys(a, path, ['kind', 'records']);
      const recs = array(a.records, `${path}.records`);
      if (recs.length === 0) throw new SimConfigError(`${path}.records`, 'needs at least one record');
      const rows = recs.map((r, i) => {
        const rec = record(r, `${path}.records[${i}]`);
        onlyKeys(rec, `${path}.records[${i}]`, ['atNs', 'demandNs']);
        return {
          atNs: num(rec.atNs, `${path}.records[${i}].atNs`, { integer: true, min: 0 }),
          demandNs:
            rec.demandNs === undefined
              ? undefined
              : num(rec.demandNs, `${path}.records[${i}].demandNs`, { integer: true, min: 1 }),
        };
      });
      // Stable sort keeps equal-time records in file order.
      rows.sort((x, y) => x.atNs - y.atNs);
      if (countGiven) throw new SimConfigError(`${path}`, 'a trace gives its own count; remove count');
      return {
        arrival: { kind: 'trace', atNs: rows.map((r) => r.atNs), demandNs: rows.map((r) => r.demandNs) },
        traceCount: rows.length,
      };
    }
    default:
      throw new SimConfigError(`${path}.kind`, 'must be one of fixed, poisson, trace');
  }
}

function resolvePeriodic(
  g: Record<string, unknown>,
  path: string,
  count: number,
  seed: number,
  name: string,
): PeriodicTask[] | null {
  if (g.periodic !== undefined && g.taskSet !== undefined)
    throw new SimConfigError(`${path}.taskSet`, 'give either periodic or taskSet, not both');
  if (g.periodic !== undefined) {
    const p = record(g.periodic, `${path}.periodic`);
    onlySectionKeys(p, `${path}.periodic`, PERIODIC);
    const periodNs = readNumber(PERIODIC.periodNs, p.periodNs, `${path}.periodic.periodNs`);
    const task: PeriodicTask = {
      periodNs,
      wcetNs: readNumber(PERIODIC.wcetNs, p.wcetNs, `${path}.periodic.wcetNs`),
      deadlineNs: readOptionalNumber(PERIODIC.deadlineNs, p.deadlineNs, `${path}.periodic.deadlineNs`) ?? periodNs,
      offsetNs: readNumber(PERIODIC.offsetNs, p.offsetNs, `${path}.periodic.offsetNs`),
    };
    return Array.from({ length: count }, () => ({ ...task }));
  }
  if (g.taskSet !== undefined) {
    const t = record(g.taskSet, `${path}.taskSet`);
    onlySectionKeys(t, `${path}.taskSet`, TASK_SET);
    const utilization = readNumber(TASK_SET.utilization, t.utilization, `${path}.taskSet.utilization`);
    const periodMinNs = readNumber(TASK_SET.periodMinNs, t.periodMinNs, `${path}.taskSet.periodMinNs`);
    const periodMaxNs = readNumber(TASK_SET.periodMaxNs, t.periodMaxNs, `${path}.taskSet.periodMaxNs`, {
      min: periodMinNs,
    });
    const rng = new Rng(seed, `taskset:${name}`);
    return uunifast(count, utilization, rng).map((u) => {
      // Log-uniform periods (Emberson, Stafford & Davis 2010), rounded to whole microseconds.
      const raw = Math.exp(Math.log(periodMinNs) + rng.next() * (Math.log(periodMaxNs) - Math.log(periodMinNs)));
      const periodNs = Math.max(1, Math.round(raw / 1000) * 1000 || Math.round(raw));
      return { periodNs, wcetNs: Math.max(1, Math.round(u * periodNs)), deadlineNs: periodNs, offsetNs: 0 };
    });
  }
  return null;
}

function resolvePhases(value: unknown, path: string): PhasesConfig | null {
  if (value === undefined) return null;
  const p = record(value, path);
  onlySectionKeys(p, path, PHASES);
  return { computeNs: checkDist(p.computeNs, `${path}.computeNs`), sleepNs: checkDist(p.sleepNs, `${path}.sleepNs`) };
}

export function resolveWorkload(
  value: unknown,
  machine: ResolvedMachine,
  seed: number,
  path = 'workload',
): ResolvedGroup[] {
  const w = record(value, path);
  onlyKeys(w, path, ['groups']);
  const groups = array(w.groups, `${path}.groups`);
  if (groups.length === 0) throw new SimConfigError(`${path}.groups`, 'needs at least one group');
  const names = new Set<string>();
  return groups.map((item, index) => {
    const p = `${path}.groups[${index}]`;
    const g = record(item, p) as Record<string, unknown> & Partial<ProcessGroupConfig>;
    onlySectionKeys(g, p, GROUP);
    const name = str(g.name, `${p}.name`);
    if (names.has(name)) throw new SimConfigError(`${p}.name`, `duplicate group name "${name}"`);
    names.add(name);
    const isPeriodic = g.periodic !== undefined || g.taskSet !== undefined;
    const countGiven = g.count !== undefined;
    // A closed group's processes can all be alive at once: keep that within memory.
    let count = countGiven ? readNumber(GROUP.count, g.count, `${p}.count`) : Infinity;
    const { arrival, traceCount } = resolveArrival(g.arrival, `${p}.arrival`, countGiven);
    if (arrival.kind === 'trace') count = traceCount;
    if (!countGiven && arrival.kind === 'fixed') count = 1;
    if (isPeriodic) {
      if (g.arrival !== undefined)
        throw new SimConfigError(`${p}.arrival`, 'periodic tasks are released by their period; remove arrival');
      if (g.taskSet !== undefined && !countGiven)
        throw new SimConfigError(`${p}.count`, 'a task set needs a count (number of tasks)');
      if (!countGiven) count = 1;
    }
    const periodic = resolvePeriodic(g, p, count, seed, name);
    let affinity: Uint8Array | null = null;
    if (g.affinity !== undefined) {
      const cpus = array(g.affinity, `${p}.affinity`);
      if (cpus.length === 0) throw new SimConfigError(`${p}.affinity`, 'needs at least one CPU');
      affinity = new Uint8Array(machine.cpuCount);
      cpus.forEach((c, i) => {
        affinity![readNumber(GROUP.affinity.items, c, `${p}.affinity[${i}]`, { max: machine.cpuCount - 1 })] = 1;
      });
    }
    const changeList = g.setAffinity === undefined ? [] : array(g.setAffinity, `${p}.setAffinity`);
    if (changeList.length > GROUP.setAffinity.maxItems)
      throw new SimConfigError(
        `${p}.setAffinity`,
        `at most ${GROUP.setAffinity.maxItems} changes; got ${changeList.length}`,
      );
    const changes = changeList.map((item, i) => {
      const at = `${p}.setAffinity[${i}]`;
      const c = record(item, at);
      onlySectionKeys(c, at, SET_AFFINITY);
      const cpus = array(given(c.cpus, `${at}.cpus`), `${at}.cpus`);
      if (cpus.length === 0) throw new SimConfigError(`${at}.cpus`, 'needs at least one CPU');
      const mask = new Uint8Array(machine.cpuCount);
      cpus.forEach((cpu, k) => {
        mask[readNumber(SET_AFFINITY.cpus.items, cpu, `${at}.cpus[${k}]`, { max: machine.cpuCount - 1 })] = 1;
      });
      if ((c.atNs === undefined) === (c.onWake === undefined))
        throw new SimConfigError(at, 'needs exactly one of at (a time) and onWake (a wake-up count)');
      if (c.onWake !== undefined)
        return { on: 'wake' as const, n: readNumber(SET_AFFINITY.onWake, c.onWake, `${at}.onWake`) as number, mask, i };
      return { on: 'time' as const, n: readNumber(SET_AFFINITY.atNs, c.atNs, `${at}.atNs`) as number, mask, i };
    });
    const byN = (on: 'time' | 'wake') => changes.filter((c) => c.on === on).sort((a, b) => a.n - b.n || a.i - b.i);
    const setAffinity = byN('time').map(({ n, mask }) => ({ atNs: n, mask }));
    const wakeAffinity = byN('wake').map(({ n, mask }) => ({ wake: n, mask }));
    if (wakeAffinity.length > 0 && (g.phases === undefined || isPeriodic))
      throw new SimConfigError(
        `${p}.setAffinity`,
        'onWake needs processes that sleep and wake (phases), not periodic tasks',
      );
    const wsBytes = readNumber(GROUP.workingSetBytes, g.workingSetBytes, `${p}.workingSetBytes`);
    return {
      index,
      name,
      count,
      arrival,
      demand: g.demand === undefined ? { kind: 'fixed', valueNs: 10_000_000 } : checkDist(g.demand, `${p}.demand`),
      phases: resolvePhases(g.phases, `${p}.phases`),
      deadlineNs: readOptionalNumber(GROUP.deadlineNs, g.deadlineNs, `${p}.deadlineNs`) ?? Infinity,
      workingSetLines: Math.ceil(wsBytes / machine.lineBytes),
      dirtyFraction: readNumber(GROUP.dirtyFraction, g.dirtyFraction, `${p}.dirtyFraction`),
      memoryIntensity: readNumber(GROUP.memoryIntensity, g.memoryIntensity, `${p}.memoryIntensity`),
      weight: readNumber(GROUP.weight, g.weight, `${p}.weight`),
      priority: readOptionalNumber(GROUP.priority, g.priority, `${p}.priority`),
      affinity,
      setAffinity,
      wakeAffinity,
      homeNode:
        g.homeNode === undefined
          ? -1
          : readNumber(GROUP.homeNode, g.homeNode, `${p}.homeNode`, { max: machine.sockets - 1 }),
      periodic,
    };
  });
}

/**
 * Yields one group's arrival times in order. Holds its own random stream, so the sequence is
 * fixed by (seed, group name) alone.
 */
export class ArrivalSource {
  private produced = 0;
  private lastNs: number;
  private readonly rng: Rng;
  private readonly demandRng: Rng;

  constructor(
    readonly group: ResolvedGroup,
    seed: number,
  ) {
    this.rng = new Rng(seed, `arrival:${group.name}`);
    this.demandRng = new Rng(seed, `demand:${group.name}`);
    this.lastNs = group.arrival.kind === 'poisson' ? group.arrival.startNs : 0;
  }

  /** Index (within the group) of the process the next call to nextTime() describes. */
  get index(): number {
    return this.produced;
  }

  /** Time of the next arrival, or -1 when the group is exhausted. Advances the source. */
  nextTime(): number {
    const g = this.group;
    if (this.produced >= g.count) return -1;
    const i = this.produced++;
    const a = g.arrival;
    if (g.periodic) return g.periodic[i]!.offsetNs;
    switch (a.kind) {
      case 'fixed':
        return a.atNs + i * a.everyNs;
      case 'poisson':
        this.lastNs += Math.round(this.rng.exp(a.meanGapNs));
        return this.lastNs;
      case 'trace':
        return a.atNs[i]!;
    }
  }

  /** Total demand of the process with group index `i` (drawn in arrival order from the demand stream). */
  demandOf(i: number): number {
    const g = this.group;
    if (g.periodic) return Infinity;
    if (g.arrival.kind === 'trace') {
      const d = g.arrival.demandNs[i];
      if (d !== undefined) return d;
    }
    return sample(g.demand, this.demandRng);
  }
}
