/**
 * Typed errors. Every failure the simulator can report names where it happened, so the lab
 * layer can put a diagnostic on the exact field (config) or name the culprit (policy).
 */

/** An invalid configuration: `path` is a dotted/indexed path such as `workload.groups[2].demand.meanNs`. */
export class SimConfigError extends Error {
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'SimConfigError';
    this.path = path;
    this.reason = reason;
  }
}

/** A policy asked for something impossible (e.g. a CPU outside a process's affinity mask). */
export class SimPolicyError extends Error {
  readonly policy: string;
  readonly reason: string;
  constructor(policy: string, reason: string) {
    super(`policy ${policy}: ${reason}`);
    this.name = 'SimPolicyError';
    this.policy = policy;
    this.reason = reason;
  }
}
