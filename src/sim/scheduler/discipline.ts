/**
 * Per-CPU dispatch disciplines: the order of a run queue (a key; ties go first-come first-served)
 * and when the running process is stopped for another one.
 */
import type { SchedulerKind } from '../config';
import type { Proc } from '../process';

export interface Discipline {
  readonly kind: SchedulerKind;
  /** Longest uninterrupted run before the next waiting process gets the CPU; Infinity = run until it blocks. */
  readonly sliceNs: number;
  /** A newly ready process with a smaller key than the running one preempts it at once. */
  readonly preemptive: boolean;
  key(p: Proc): number;
}

/** Linux EEVDF base slice 0.70 ms scaled by 1 + log2(min(cpus, 8)) (kernel/sched/fair.c). */
export function defaultFairSliceNs(cpuCount: number): number {
  return 700_000 * (1 + Math.floor(Math.log2(Math.min(cpuCount, 8))));
}

export const DEFAULT_RR_QUANTUM_NS = 10_000_000;

export function makeDiscipline(kind: SchedulerKind, quantumNs: number | undefined, cpuCount: number): Discipline {
  switch (kind) {
    case 'fcfs':
      return { kind, sliceNs: Infinity, preemptive: false, key: () => 0 };
    case 'rr':
      return { kind, sliceNs: quantumNs ?? DEFAULT_RR_QUANTUM_NS, preemptive: false, key: () => 0 };
    case 'fair':
      // Weighted virtual runtime; the process furthest behind runs next for one slice.
      return { kind, sliceNs: quantumNs ?? defaultFairSliceNs(cpuCount), preemptive: false, key: (p) => p.vruntime };
    case 'edf':
      return { kind, sliceNs: Infinity, preemptive: true, key: (p) => p.deadlineNs };
    case 'priority':
      return { kind, sliceNs: Infinity, preemptive: true, key: (p) => p.prio };
  }
}
