/** Validates a whole SimConfig into the resolved form the engine runs on. */
import type { SchedulerKind } from './config';
import { SimConfigError } from './errors';
import { resolveMachine, type ResolvedMachine } from './machine';
import { POLICY_NAMES, type PolicyName } from './policies/index';
import { given, onlySectionKeys, readEnum, readNumber, readOptionalNumber, type Section } from './spec';
import { resolveWorkload, type ResolvedGroup } from './workload';
import { isRecord, oneOf, onlyKeys, optionalRecord, record, str } from './validate';

export interface ResolvedConfig {
  machine: ResolvedMachine;
  groups: ResolvedGroup[];
  /** A built-in policy name, or any name when the caller supplies its own policy. */
  policy: { name: PolicyName | string; params: Record<string, number | string | boolean> };
  scheduler: { kind: SchedulerKind; quantumNs: number | undefined };
  durationNs: number;
  seed: number;
  maxBins: number;
  maxProcessRows: number;
  maxMigrationRows: number;
  timelineSegments: number;
  timelineFromNs: number;
}

/** CPUs x bins across all series (about 220 MiB of series at most). */
const MAX_SERIES_POINTS = 4_000_000;

/** About 11.6 simulated days: far beyond any lab, well inside exact integer doubles. */
const MAX_DURATION_NS = 1e15;

/** A run's own keys (spec.ts); durationNs and seed are required by the simulator's API, these defaults are what a lab run uses when they are left out. */
export const RUN = {
  durationNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'duration',
    integer: true,
    min: 1,
    max: MAX_DURATION_NS,
    default: 10e9,
    doc: 'Simulated time limit; a run whose processes have all finished ends at its last completion instead.',
  },
  seed: {
    kind: 'number',
    unit: 'count',
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    default: 1,
    doc: 'Random seed: the same seed gives the same run.',
  },
} satisfies Section;

export const SCHEDULER = {
  kind: {
    kind: 'enum',
    values: {
      fair: 'Weighted fair share (CFS-like): the smallest virtual runtime runs next, for one slice.',
      fcfs: 'First come, first served: a process runs until it blocks or finishes.',
      rr: 'Round robin with a quantum.',
      edf: 'Earliest (absolute) deadline first, preemptive.',
      priority:
        'Fixed priority (smaller is more urgent; a periodic task defaults to its period: rate-monotonic), preemptive.',
    } satisfies Record<SchedulerKind, string>,
    default: 'fair',
    doc: 'Per-CPU dispatcher: who runs next on one CPU.',
  },
  quantumNs: {
    kind: 'number',
    unit: 'ns',
    integer: true,
    min: 1,
    doc: 'rr: the quantum; fair: the base slice.',
    defaultText: 'rr: 10ms; fair: 0.7ms x (1 + floor(log2(min(CPUs, 8))))',
    source: 'Linux EEVDF base slice, scaled by 1 + ilog2(min(CPUs, 8)) (kernel/sched/fair.c, get_update_sysctl_factor)',
  },
} satisfies Section;

/** How much of a run the result lists (simulator API only). */
export const OUTPUT = {
  maxBins: {
    kind: 'number',
    unit: 'count',
    min: 2,
    max: 100_000,
    doc: 'Upper bound on points per time series (even).',
    defaultText: '1000, fewer on machines with more than 4,000 CPUs',
  },
  maxProcessRows: {
    kind: 'number',
    unit: 'count',
    min: 0,
    max: 10_000_000,
    default: 10_000,
    doc: 'Completed processes listed in the per-process table (unfinished ones always are).',
  },
  maxMigrationRows: {
    kind: 'number',
    unit: 'count',
    min: 0,
    max: 10_000_000,
    default: 10_000,
    doc: 'Migration log rows kept (the summary counts every migration).',
  },
  timelineSegments: {
    kind: 'number',
    unit: 'count',
    min: 0,
    max: 1_000_000,
    default: 0,
    doc: 'Spans (run, wait, sleep) and moves of the timeline log kept, the first ones from its start (0: no log).',
  },
  timelineFromNs: {
    kind: 'number',
    unit: 'ns',
    integer: true,
    min: 0,
    max: 1e15,
    default: 0,
    doc: 'Where the timeline log starts (within a window, at its start at the earliest).',
  },
} satisfies Section;

/** `customPolicy`: the caller brings its own policy, so policy.name is just a label. */
export function resolveConfig(config: unknown, customPolicy = false): ResolvedConfig {
  const c = record(config, 'config');
  onlyKeys(c, 'config', ['machine', 'workload', 'policy', 'scheduler', ...Object.keys(RUN), ...Object.keys(OUTPUT)]);
  const durationNs = readNumber(RUN.durationNs, given(c.durationNs, 'durationNs'), 'durationNs');
  const seed = readNumber(RUN.seed, given(c.seed, 'seed'), 'seed');
  const machine = resolveMachine(c.machine, 'machine');
  const groups = resolveWorkload(c.workload, machine, seed, 'workload');

  const p = record(c.policy, 'policy');
  onlyKeys(p, 'policy', ['name', 'params']);
  const name = customPolicy ? str(p.name, 'policy.name') : oneOf(p.name, 'policy.name', POLICY_NAMES);
  const params = optionalRecord(p.params, 'policy.params');
  for (const [key, value] of Object.entries(params)) {
    if (!['number', 'string', 'boolean'].includes(typeof value) || isRecord(value)) {
      throw new SimConfigError(`policy.params.${key}`, 'must be a number, string or boolean');
    }
  }

  const s = record(c.scheduler, 'scheduler');
  onlySectionKeys(s, 'scheduler', SCHEDULER);
  const kind = readEnum<SchedulerKind>(SCHEDULER.kind, given(s.kind, 'scheduler.kind'), 'scheduler.kind');
  const quantumNs = readOptionalNumber(SCHEDULER.quantumNs, s.quantumNs, 'scheduler.quantumNs');
  if (quantumNs !== undefined && kind !== 'rr' && kind !== 'fair') {
    throw new SimConfigError('scheduler.quantumNs', `only rr and fair use a quantum (kind is ${kind})`);
  }

  // Series memory is CPUs x bins x 7 numbers: bound it, and shrink the default for huge machines.
  const maxSeriesBins = 2 * Math.floor(MAX_SERIES_POINTS / machine.cpuCount / 2);
  const maxBins =
    c.maxBins === undefined
      ? Math.min(1000, maxSeriesBins)
      : readNumber(OUTPUT.maxBins, c.maxBins, 'maxBins', { max: maxSeriesBins });
  if (maxBins % 2 !== 0) throw new SimConfigError('maxBins', 'must be even (bins merge in pairs)');
  return {
    machine,
    groups,
    policy: { name, params: params as Record<string, number | string | boolean> },
    scheduler: { kind, quantumNs },
    durationNs,
    seed,
    maxBins,
    maxProcessRows: readNumber(OUTPUT.maxProcessRows, c.maxProcessRows, 'maxProcessRows'),
    maxMigrationRows: readNumber(OUTPUT.maxMigrationRows, c.maxMigrationRows, 'maxMigrationRows'),
    timelineSegments: readNumber(OUTPUT.timelineSegments, c.timelineSegments, 'timelineSegments'),
    timelineFromNs: readNumber(OUTPUT.timelineFromNs, c.timelineFromNs, 'timelineFromNs'),
  };
}
