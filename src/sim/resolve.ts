/** Validates a whole SimConfig into the resolved form the engine runs on. */
import { SCHEDULERS, type SchedulerKind } from './config';
import { SimConfigError } from './errors';
import { resolveMachine, type ResolvedMachine } from './machine';
import { POLICY_NAMES, type PolicyName } from './policies/index';
import { resolveWorkload, type ResolvedGroup } from './workload';
import { isRecord, num, oneOf, onlyKeys, optNum, optionalRecord, record, str } from './validate';

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
}

/** CPUs x bins across all series (about 220 MiB of series at most). */
const MAX_SERIES_POINTS = 4_000_000;

/** About 11.6 simulated days: far beyond any lab, well inside exact integer doubles. */
const MAX_DURATION_NS = 1e15;

/** `customPolicy`: the caller brings its own policy, so policy.name is just a label. */
export function resolveConfig(config: unknown, customPolicy = false): ResolvedConfig {
  const c = record(config, 'config');
  onlyKeys(c, 'config', ['machine', 'workload', 'policy', 'scheduler', 'durationNs', 'seed', 'maxBins', 'maxProcessRows', 'maxMigrationRows']);
  const durationNs = num(c.durationNs, 'durationNs', { integer: true, min: 1, max: MAX_DURATION_NS });
  const seed = num(c.seed, 'seed', { integer: true, min: 0 });
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
  onlyKeys(s, 'scheduler', ['kind', 'quantumNs']);
  const kind = oneOf(s.kind, 'scheduler.kind', SCHEDULERS);
  const quantumNs = s.quantumNs === undefined ? undefined : num(s.quantumNs, 'scheduler.quantumNs', { integer: true, min: 1 });
  if (quantumNs !== undefined && kind !== 'rr' && kind !== 'fair') {
    throw new SimConfigError('scheduler.quantumNs', `only rr and fair use a quantum (kind is ${kind})`);
  }

  // Series memory is CPUs x bins x 7 numbers: bound it, and shrink the default for huge machines.
  const maxSeriesBins = 2 * Math.floor(MAX_SERIES_POINTS / machine.cpuCount / 2);
  const maxBins = optNum(c.maxBins, 'maxBins', Math.min(1000, maxSeriesBins), { integer: true, min: 2, max: Math.min(100_000, maxSeriesBins) });
  if (maxBins % 2 !== 0) throw new SimConfigError('maxBins', 'must be even (bins merge in pairs)');
  return {
    machine,
    groups,
    policy: { name, params: params as Record<string, number | string | boolean> },
    scheduler: { kind, quantumNs },
    durationNs,
    seed,
    maxBins,
    maxProcessRows: optNum(c.maxProcessRows, 'maxProcessRows', 10_000, { integer: true, min: 0, max: 10_000_000 }),
    maxMigrationRows: optNum(c.maxMigrationRows, 'maxMigrationRows', 10_000, { integer: true, min: 0, max: 10_000_000 }),
  };
}
