/**
 * Per-CPU dispatch disciplines: the order of a run queue and when the running process is
 * stopped for another one. A queue is ordered by a key, then, among equal keys, either by
 * release (deadline and priority disciplines: the job released earlier first, then the lower
 * task index, as SimSo breaks ties) or first come, first served (the others).
 */
import type { SchedulerKind } from '../config';
import type { Proc } from '../process';

export interface Discipline {
  readonly kind: SchedulerKind;
  /** Longest uninterrupted run before the next waiting process gets the CPU; Infinity = run until it blocks. */
  readonly sliceNs: number;
  /** A newly ready process that goes before the running one preempts it at once. */
  readonly preemptive: boolean;
  /** Equal keys: `release` = earlier job release, then lower task index; `arrival` = first come, first served. */
  readonly ties: 'release' | 'arrival';
  key(p: Proc): number;
}

/**
 * Linux's scaling of scheduler latencies with the CPU count: 1 + ilog2(min(cpus, 8)), log2 rounded
 * down, so 2 for 2 and 3 CPUs, 3 for 4 to 7 (kernel/sched/fair.c, get_update_sysctl_factor,
 * SCHED_TUNABLESCALING_LOG).
 */
const tunableScale = (cpuCount: number): number => 1 + Math.floor(Math.log2(Math.min(cpuCount, 8)));

/** Linux EEVDF base slice 0.70 ms scaled by 1 + floor(log2(min(cpus, 8))) (kernel/sched/fair.c). */
export function defaultFairSliceNs(cpuCount: number): number {
  return 700_000 * tunableScale(cpuCount);
}

/**
 * `fair`: how far behind the queue's minimum vruntime a waking process may be placed. CFS's
 * place_entity with GENTLE_FAIR_SLEEPERS: half of sched_latency (6 ms, scaled like the slice).
 */
export function sleeperCreditNs(cpuCount: number): number {
  return 3_000_000 * tunableScale(cpuCount);
}

export const DEFAULT_RR_QUANTUM_NS = 10_000_000;

export function makeDiscipline(kind: SchedulerKind, quantumNs: number | undefined, cpuCount: number): Discipline {
  switch (kind) {
    case 'fcfs':
      return { kind, sliceNs: Infinity, preemptive: false, ties: 'arrival', key: () => 0 };
    case 'rr':
      return { kind, sliceNs: quantumNs ?? DEFAULT_RR_QUANTUM_NS, preemptive: false, ties: 'arrival', key: () => 0 };
    case 'fair':
      // Weighted virtual runtime; the process furthest behind runs next for one slice.
      return {
        kind,
        sliceNs: quantumNs ?? defaultFairSliceNs(cpuCount),
        preemptive: false,
        ties: 'arrival',
        key: (p) => p.vruntime,
      };
    case 'edf':
      return { kind, sliceNs: Infinity, preemptive: true, ties: 'release', key: (p) => p.deadlineNs };
    case 'priority':
      return { kind, sliceNs: Infinity, preemptive: true, ties: 'release', key: (p) => p.prio };
  }
}
