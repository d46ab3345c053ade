/**
 * Registry of the built-in migration policies: factory, parameters, the migration reasons each
 * one records (docs/model.md, Migration), a one-line summary and where it comes from. docs/policies.md
 * explains each in full; a test keeps the two in step.
 */
import type { Reason } from '../config';
import { periodicPush, PERIODIC_PUSH_PARAMS, workStealing, WORK_STEALING_PARAMS } from './balancing';
import { globalQueue, leastLoaded, pinned, random } from './baseline';
import { cacheAffinity, CACHE_AFFINITY_PARAMS } from './cacheAffinity';
import { energyAware, ENERGY_AWARE_PARAMS } from './energyAware';
import { heterogeneityAware, HETEROGENEITY_PARAMS } from './heterogeneity';
import { linuxCfs, LINUX_CFS_PARAMS } from './linuxCfs';
import { numaAware, NUMA_AWARE_PARAMS } from './numaAware';
import type { ParamSpecs } from './params';
import { powerOfTwo, POWER_OF_TWO_PARAMS, roundRobin } from './placement';
import type { PolicyFactory } from './policy';
import { globalEdf, partitionedEdf } from './realtime';
import { thermalAware, THERMAL_AWARE_PARAMS } from './thermalAware';

export interface PolicyInfo {
  factory: PolicyFactory;
  params: ParamSpecs;
  /** Reasons this policy records on its own (every policy also records fault and maintenance when it evacuates a CPU). */
  reasons: readonly Reason[];
  summary: string;
  source: string;
}

export const POLICY_INFO = {
  pinned: {
    factory: pinned,
    params: {},
    reasons: [],
    summary: 'Places each process round-robin when it arrives and never moves it.',
    source: 'baseline',
  },
  random: {
    factory: random,
    params: {},
    reasons: [],
    summary: 'Places each process on a random allowed CPU and never moves it.',
    source: 'baseline',
  },
  'least-loaded': {
    factory: leastLoaded,
    params: {},
    reasons: [],
    summary: 'Places each arriving process on the CPU with the shortest run queue; never migrates.',
    source: 'baseline (join the shortest queue)',
  },
  'global-queue': {
    factory: globalQueue,
    params: {},
    reasons: ['load-balance'],
    summary: 'One shared run queue: any idle CPU takes the next waiting process, so processes move freely.',
    source: 'M/M/c queue; Linux before 2.6 (O(n) scheduler)',
  },
  'round-robin': {
    factory: roundRobin,
    params: {},
    reasons: ['load-balance'],
    summary: 'Each arrival and each wake-up goes to the next CPU in turn.',
    source: 'classic static assignment',
  },
  'periodic-push': {
    factory: periodicPush,
    params: PERIODIC_PUSH_PARAMS,
    reasons: ['load-balance'],
    summary: 'Sender-initiated: a CPU above the mean load by a threshold pushes waiting work to the least-loaded CPU.',
    source: 'Eager, Lazowska & Zahorjan 1986',
  },
  'work-stealing': {
    factory: workStealing,
    params: WORK_STEALING_PARAMS,
    reasons: ['load-balance'],
    summary: 'Receiver-initiated: an idle CPU steals a waiting process from the busiest queue.',
    source: 'Eager, Lazowska & Zahorjan 1986; Blumofe & Leiserson 1999',
  },
  'power-of-two': {
    factory: powerOfTwo,
    params: POWER_OF_TWO_PARAMS,
    reasons: ['load-balance'],
    summary: 'Sample d random CPUs, take the least loaded (on arrival and wake-up).',
    source: 'Mitzenmacher 2001; Azar, Broder, Karlin & Upfal 1999',
  },
  'linux-cfs': {
    factory: linuxCfs,
    params: LINUX_CFS_PARAMS,
    reasons: ['load-balance', 'cpu-contention'],
    summary:
      'Linux load balancing over SMT/LLC/NUMA domains with cache-hot tasks kept in place, newidle and active balance.',
    source: 'kernel/sched/fair.c, kernel/sched/topology.c',
  },
  'cache-affinity': {
    factory: cacheAffinity,
    params: CACHE_AFFINITY_PARAMS,
    reasons: ['load-balance', 'cache-contention'],
    summary:
      'Moves a process only when the expected gain beats the cache reload cost; separates cache-heavy processes that clog one core.',
    source: 'Thiebaut & Stone 1987; Squillante & Lazowska 1993',
  },
  'numa-aware': {
    factory: numaAware,
    params: NUMA_AWARE_PARAMS,
    reasons: ['numa', 'load-balance'],
    summary: 'Keeps each process on the NUMA node holding its memory, bringing it home when there is room.',
    source: 'Linux automatic NUMA balancing (task_numa_fault)',
  },
  'heterogeneity-aware': {
    factory: heterogeneityAware,
    params: HETEROGENEITY_PARAMS,
    reasons: ['heterogeneity', 'load-balance'],
    summary: 'Heavy work to big cores, light work to little ones; misfit processes move up.',
    source: 'Linux capacity-aware scheduling (misfit tasks)',
  },
  'energy-aware': {
    factory: energyAware,
    params: ENERGY_AWARE_PARAMS,
    reasons: ['energy', 'load-balance'],
    summary:
      'Linux EAS-style placement: picks the CPU that adds the least energy while no CPU is over 80 % utilised; plain balancing once one is.',
    source: 'Linux Documentation/scheduler/sched-energy.rst; kernel/sched/fair.c find_energy_efficient_cpu',
  },
  'thermal-aware': {
    factory: thermalAware,
    params: THERMAL_AWARE_PARAMS,
    reasons: ['thermal'],
    summary: 'Moves work off cores close to their thermal trip point to cooler idle cores before they throttle.',
    source: 'Gomaa, Powell & Vijaykumar, ASPLOS 2004 (heat-and-run)',
  },
  'global-edf': {
    factory: globalEdf,
    params: {},
    reasons: ['deadline'],
    summary: 'One deadline-ordered queue for all CPUs; jobs resume wherever a CPU frees up.',
    source: 'Goossens, Funk & Baruah 2003',
  },
  'partitioned-edf': {
    factory: partitionedEdf,
    params: {},
    reasons: [],
    summary: 'Periodic tasks partitioned first-fit decreasing by utilisation; EDF on each CPU; no migration.',
    source: 'Davis & Burns 2011 (survey); Liu & Layland 1973',
  },
} as const satisfies Record<string, PolicyInfo>;

export type PolicyName = keyof typeof POLICY_INFO;
export const POLICY_NAMES = Object.keys(POLICY_INFO) as PolicyName[];

export const POLICIES: Record<PolicyName, PolicyFactory> = Object.fromEntries(
  Object.entries(POLICY_INFO).map(([name, info]) => [name, info.factory]),
) as Record<PolicyName, PolicyFactory>;

export type {
  CpuEvent,
  PeriodicTaskInfo,
  Policy,
  PolicyActions,
  PolicyContext,
  PolicyFactory,
  SimView,
  ProcessStateName,
} from './policy';
export type { ParamSpec, ParamSpecs } from './params';
