/**
 * Faults and maintenance (docs/model.md, Faults and maintenance; events.ts resolves the events):
 * the service state of each CPU.
 */

/** Per-CPU service state. */
export const enum CpuService {
  Online = 0,
  InMaintenance = 1,
  Failed = 2,
}
