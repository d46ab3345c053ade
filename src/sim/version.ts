/**
 * The simulator's model version. Bump it whenever a change to the model (a constant, a cost, an
 * event rule) can change results: results records store it next to each run's digest, so
 * `migration-lab verify` can tell "the simulator changed" from "the result drifted". 2: the
 * instant semantics, ties, run end and counts of issue 11, and the 64 KiB default working set.
 * 3: a process taken from a queue keeps the wait it had there; the reason `request` (setAffinity).
 */
export const SIM_VERSION = '3';
