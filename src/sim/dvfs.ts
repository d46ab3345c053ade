/**
 * DVFS: frequency domains and the governors that pick their P-states (docs/model.md, Energy and DVFS; Linux
 * drivers/cpufreq). A domain is one core, or every core of one type on one socket (a cluster).
 * Governors:
 * - performance / powersave: always the highest / lowest P-state;
 * - userspace: a fixed frequency (the lowest P-state at or above it);
 * - ondemand: every sampling period, the busiest CPU's load over the period; above upThreshold
 *   the highest P-state, else min + load x (max - min) (cpufreq_ondemand.c, od_update);
 * - schedutil: frequency follows frequency-invariant utilisation with 25 % headroom,
 *   f = 1.25 x f_max x util (kernel/sched/cpufreq_schedutil.c, get_next_freq), here re-evaluated
 *   every sampling period from the busy time of the period rather than PELT's decaying average.
 * A governor's request takes effect after the switch latency; a thermal cap applies at once.
 */
import type { GovernorKind, PStateConfig } from './config';
import { SimConfigError } from './errors';
import type { ResolvedCoreType } from './machine';
import { onlySectionKeys, readEnum, readNumber, readOptionalNumber, type EnumKey, type Section } from './spec';
import { optionalRecord } from './validate';

export interface ResolvedDvfs {
  governor: GovernorKind;
  domain: 'core' | 'cluster';
  samplingNs: number;
  switchLatencyNs: number;
  /** userspace: the requested frequency; 0 otherwise. */
  frequencyHz: number;
  upThreshold: number;
}

export const GOVERNOR = {
  kind: 'enum',
  values: {
    performance: 'Always the highest P-state.',
    powersave: 'Always the lowest P-state.',
    ondemand:
      'Every sampling period, the highest P-state above upThreshold load, else min + load x (max - min) (cpufreq_ondemand.c).',
    schedutil: 'Frequency follows utilisation with 25 % headroom: 1.25 x f_max x utilisation (cpufreq_schedutil.c).',
    userspace: 'A fixed frequency (dvfs.frequency): the lowest P-state at or above it.',
  } satisfies Record<GovernorKind, string>,
  default: 'performance',
  doc: 'DVFS governor choosing each CPU frequency.',
} satisfies EnumKey;

export const DVFS = {
  domain: {
    kind: 'enum',
    values: {
      core: 'Each core has its own frequency.',
      cluster: 'Cores of one type on one socket share a frequency (the busiest CPU sets it).',
    },
    default: 'core',
    doc: 'Frequency domain.',
  },
  samplingNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'sampling',
    integer: true,
    min: 1000,
    default: 10_000_000,
    doc: "How often ondemand and schedutil look at the last period's busy time.",
    source: "ondemand's classic 10 ms sampling rate",
  },
  switchLatencyNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'switchLatency',
    integer: true,
    min: 0,
    default: 40_000,
    doc: 'Time from a governor request until the new frequency applies.',
    source: 'RK3399 transition latency',
  },
  frequencyHz: {
    kind: 'number',
    unit: 'Hz',
    lab: 'frequency',
    above: 0,
    doc: 'Fixed frequency of the userspace governor (the lowest P-state at or above it).',
    defaultText: 'none: the userspace governor needs one',
  },
  upThreshold: {
    kind: 'number',
    unit: 'fraction',
    above: 0,
    max: 1,
    default: 0.8,
    doc: 'Load above which the ondemand governor jumps to the highest frequency.',
    source: 'cpufreq_ondemand.c (up_threshold 80)',
  },
} satisfies Section;

/** Headroom schedutil adds to utilisation (get_next_freq: freq = 1.25 x max x util / max capacity). */
const SCHEDUTIL_HEADROOM = 1.25;

export function resolveDvfs(
  governor: unknown,
  value: unknown,
  path: string,
  types: readonly ResolvedCoreType[],
): ResolvedDvfs {
  const kind = readEnum<GovernorKind>(GOVERNOR, governor, `${path}.governor`);
  const d = optionalRecord(value, `${path}.dvfs`);
  onlySectionKeys(d, `${path}.dvfs`, DVFS);
  const frequencyHz = readOptionalNumber(DVFS.frequencyHz, d.frequencyHz, `${path}.dvfs.frequencyHz`) ?? 0;
  if (kind === 'userspace') {
    if (frequencyHz === 0)
      throw new SimConfigError(`${path}.dvfs.frequencyHz`, 'the userspace governor needs a frequency');
    for (const t of types) {
      if (frequencyHz > t.pstates[t.pstates.length - 1]!.freqHz) {
        throw new SimConfigError(
          `${path}.dvfs.frequencyHz`,
          `${frequencyHz} Hz is above the highest P-state of core type ${t.name}`,
        );
      }
    }
  } else if (frequencyHz !== 0) {
    throw new SimConfigError(
      `${path}.dvfs.frequencyHz`,
      `only the userspace governor uses a fixed frequency (governor is ${kind})`,
    );
  }
  return {
    governor: kind,
    domain: readEnum<'core' | 'cluster'>(DVFS.domain, d.domain, `${path}.dvfs.domain`),
    samplingNs: readNumber(DVFS.samplingNs, d.samplingNs, `${path}.dvfs.samplingNs`),
    switchLatencyNs: readNumber(DVFS.switchLatencyNs, d.switchLatencyNs, `${path}.dvfs.switchLatencyNs`),
    frequencyHz,
    upThreshold: readNumber(DVFS.upThreshold, d.upThreshold, `${path}.dvfs.upThreshold`),
  };
}

/** Lowest P-state index whose frequency is at least `hz` (the highest when none is). */
export function lowestAtLeast(pstates: readonly PStateConfig[], hz: number): number {
  for (let i = 0; i < pstates.length; i++) if (pstates[i]!.freqHz >= hz * (1 - 1e-12)) return i;
  return pstates.length - 1;
}

/** P-state index a governor starts a domain at. */
export function initialPState(dvfs: ResolvedDvfs, pstates: readonly PStateConfig[]): number {
  switch (dvfs.governor) {
    case 'powersave':
      return 0;
    case 'userspace':
      return lowestAtLeast(pstates, dvfs.frequencyHz);
    default:
      return pstates.length - 1;
  }
}

/** Whether the governor re-evaluates utilisation periodically. */
export function samples(dvfs: ResolvedDvfs): boolean {
  return dvfs.governor === 'ondemand' || dvfs.governor === 'schedutil';
}

/**
 * Next P-state of a sampling governor for a domain whose busiest CPU was busy `busyFraction` of
 * the last period while running at P-state `current`.
 */
export function nextPState(
  dvfs: ResolvedDvfs,
  pstates: readonly PStateConfig[],
  current: number,
  busyFraction: number,
): number {
  const top = pstates.length - 1;
  const fMax = pstates[top]!.freqHz;
  if (dvfs.governor === 'ondemand') {
    if (busyFraction > dvfs.upThreshold) return top;
    const fMin = pstates[0]!.freqHz;
    return lowestAtLeast(pstates, fMin + busyFraction * (fMax - fMin));
  }
  // schedutil: utilisation made frequency-invariant (work done relative to running flat out).
  const util = busyFraction * (pstates[current]!.freqHz / fMax);
  return lowestAtLeast(pstates, SCHEDUTIL_HEADROOM * fMax * util);
}

/** Frequency domains: CPU lists, and each CPU's domain. */
export interface Domains {
  cpus: Int32Array[];
  of: Int32Array;
}

export function buildDomains(
  domain: 'core' | 'cluster',
  cpuCount: number,
  smt: number,
  cpuSocket: Int32Array,
  cpuType: Int32Array,
): Domains {
  const of = new Int32Array(cpuCount);
  const lists: number[][] = [];
  const clusterIndex = new Map<string, number>();
  for (let cpu = 0; cpu < cpuCount; cpu++) {
    let d: number;
    if (domain === 'core') {
      d = Math.floor(cpu / smt);
    } else {
      const key = `${cpuSocket[cpu]}:${cpuType[cpu]}`;
      d = clusterIndex.get(key) ?? clusterIndex.size;
      clusterIndex.set(key, d);
    }
    (lists[d] ??= []).push(cpu);
    of[cpu] = d;
  }
  return { cpus: lists.map((l) => Int32Array.from(l)), of };
}
