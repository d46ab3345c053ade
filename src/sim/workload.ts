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

const GROUP_KEYS = [
  'name', 'count', 'arrival', 'demand', 'phases', 'deadlineNs', 'workingSetBytes', 'dirtyFraction',
  'memoryIntensity', 'weight', 'priority', 'affinity', 'homeNode', 'periodic', 'taskSet',
] as const;

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

function resolveArrival(value: unknown, path: string, countGiven: boolean): { arrival: ResolvedArrival; traceCount: number } {
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
          demandNs: rec.demandNs === undefined ? undefined : num(rec.demandNs, `${path}.records[${i}].demandNs`, { integer: true, min: 1 }),
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

function resolvePeriodic(g: Record<string, unknown>, path: string, count: number, seed: number, name: string): PeriodicTask[] | null {
  if (g.periodic !== undefined && g.taskSet !== undefined) throw new SimConfigError(`${path}.taskSet`, 'give either periodic or taskSet, not both');
  if (g.periodic !== undefined) {
    const p = record(g.periodic, `${path}.periodic`);
    onlyKeys(p, `${path}.periodic`, ['periodNs', 'wcetNs', 'deadlineNs', 'offsetNs']);
    const periodNs = num(p.periodNs, `${path}.periodic.periodNs`, { integer: true, min: 1 });
    const task: PeriodicTask = {
      periodNs,
      wcetNs: num(p.wcetNs, `${path}.periodic.wcetNs`, { integer: true, min: 1 }),
      deadlineNs: optNum(p.deadlineNs, `${path}.periodic.deadlineNs`, periodNs, { integer: true, min: 1 }),
      offsetNs: optNum(p.offsetNs, `${path}.periodic.offsetNs`, 0, { integer: true, min: 0 }),
    };
    return Array.from({ length: count }, () => ({ ...task }));
  }
  if (g.taskSet !== undefined) {
    const t = record(g.taskSet, `${path}.taskSet`);
    onlyKeys(t, `${path}.taskSet`, ['utilization', 'periodMinNs', 'periodMaxNs']);
    const utilization = num(t.utilization, `${path}.taskSet.utilization`, { above: 0, max: 4096 });
    const periodMinNs = num(t.periodMinNs, `${path}.taskSet.periodMinNs`, { integer: true, min: 1 });
    const periodMaxNs = num(t.periodMaxNs, `${path}.taskSet.periodMaxNs`, { integer: true, min: periodMinNs });
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
  onlyKeys(p, path, ['computeNs', 'sleepNs']);
  return { computeNs: checkDist(p.computeNs, `${path}.computeNs`), sleepNs: checkDist(p.sleepNs, `${path}.sleepNs`) };
}

export function resolveWorkload(value: unknown, machine: ResolvedMachine, seed: number, path = 'workload'): ResolvedGroup[] {
  const w = record(value, path);
  onlyKeys(w, path, ['groups']);
  const groups = array(w.groups, `${path}.groups`);
  if (groups.length === 0) throw new SimConfigError(`${path}.groups`, 'needs at least one group');
  const names = new Set<string>();
  return groups.map((item, index) => {
    const p = `${path}.groups[${index}]`;
    const g = record(item, p) as Record<string, unknown> & Partial<ProcessGroupConfig>;
    onlyKeys(g, p, GROUP_KEYS);
    const name = str(g.name, `${p}.name`);
    if (names.has(name)) throw new SimConfigError(`${p}.name`, `duplicate group name "${name}"`);
    names.add(name);
    const isPeriodic = g.periodic !== undefined || g.taskSet !== undefined;
    const countGiven = g.count !== undefined;
    // A closed group's processes can all be alive at once: keep that within memory.
    let count = countGiven ? num(g.count, `${p}.count`, { integer: true, min: 0, max: MAX_GROUP_COUNT }) : Infinity;
    const { arrival, traceCount } = resolveArrival(g.arrival, `${p}.arrival`, countGiven);
    if (arrival.kind === 'trace') count = traceCount;
    if (!countGiven && arrival.kind === 'fixed') count = 1;
    if (isPeriodic) {
      if (g.arrival !== undefined) throw new SimConfigError(`${p}.arrival`, 'periodic tasks are released by their period; remove arrival');
      if (g.taskSet !== undefined && !countGiven) throw new SimConfigError(`${p}.count`, 'a task set needs a count (number of tasks)');
      if (!countGiven) count = 1;
    }
    const periodic = resolvePeriodic(g, p, count, seed, name);
    let affinity: Uint8Array | null = null;
    if (g.affinity !== undefined) {
      const cpus = array(g.affinity, `${p}.affinity`);
      if (cpus.length === 0) throw new SimConfigError(`${p}.affinity`, 'needs at least one CPU');
      affinity = new Uint8Array(machine.cpuCount);
      cpus.forEach((c, i) => {
        affinity![num(c, `${p}.affinity[${i}]`, { integer: true, min: 0, max: machine.cpuCount - 1 })] = 1;
      });
    }
    const wsBytes = optNum(g.workingSetBytes, `${p}.workingSetBytes`, 0, { integer: true, min: 0, max: 2 ** 44 });
    return {
      index,
      name,
      count,
      arrival,
      demand: g.demand === undefined ? { kind: 'fixed', valueNs: 10_000_000 } : checkDist(g.demand, `${p}.demand`),
      phases: resolvePhases(g.phases, `${p}.phases`),
      deadlineNs: optNum(g.deadlineNs, `${p}.deadlineNs`, Infinity, { integer: true, min: 1 }),
      workingSetLines: Math.ceil(wsBytes / machine.lineBytes),
      dirtyFraction: optNum(g.dirtyFraction, `${p}.dirtyFraction`, 0, { min: 0, max: 1 }),
      memoryIntensity: optNum(g.memoryIntensity, `${p}.memoryIntensity`, 0.02, { min: 0, max: 10 }),
      weight: optNum(g.weight, `${p}.weight`, 1024, { above: 0, max: 1e9 }),
      priority: g.priority === undefined ? undefined : num(g.priority, `${p}.priority`),
      affinity,
      homeNode: optNum(g.homeNode, `${p}.homeNode`, -1, { integer: true, min: 0, max: machine.sockets - 1 }),
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

  constructor(readonly group: ResolvedGroup, seed: number) {
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
