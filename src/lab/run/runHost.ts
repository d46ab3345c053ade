// Where simulations run. The lab layer only asks for a result; the extension runs it in a
// worker thread (Node) or web worker (browser) so the editor never freezes, the CLI in worker
// threads, and tests may run it in-process (src/worker/runSimulation.ts).
import type { ClusterConfig, ClusterResult, SimConfig, SimResult, VmClusterConfig, VmClusterResult } from '../../sim';

/** User code from a policy cell, compiled and sandboxed where the simulation runs. */
export interface PolicySource {
  name: string;
  code: string;
  lang: 'ts' | 'js';
}

export interface RunRequest {
  config: SimConfig;
  /** Set when config.policy.name names a policy cell rather than a built-in policy. */
  policySource?: PolicySource;
  signal: AbortSignal;
  /** Fraction of simulated time done, 0..1. */
  onProgress?: (fraction: number) => void;
  /** What a policy cell printed with console.log (capped), once the run ends, finished or failed. */
  onLogs?: (lines: readonly string[]) => void;
  /** CPU time this run may take instead of the host's default limit (ms). */
  cpuLimitMs?: number;
}

/** A cluster run (src/sim/cluster): its hosts run built-in policies only, so no policy source. */
export interface ClusterRunRequest {
  config: ClusterConfig;
  signal: AbortSignal;
  /** Fraction of simulated time done, 0..1. */
  onProgress?: (fraction: number) => void;
  cpuLimitMs?: number;
}

/** A run of VMs on a cluster (src/sim/cluster/vm-cluster-simulation.ts): built-in policies only. */
export interface VmClusterRunRequest {
  config: VmClusterConfig;
  signal: AbortSignal;
  /** Fraction of simulated time done, 0..1. */
  onProgress?: (fraction: number) => void;
  cpuLimitMs?: number;
}

/** What a sweep or a comparison reads of a run: its summary metrics and the digest naming it. */
export type RunSummary = Pick<SimResult, 'summary' | 'digest'>;

export interface RunHost {
  /** The whole result: summary, tables and series (what charts read). */
  run(request: RunRequest): Promise<SimResult>;
  /**
   * Only the summary and digest. The run is the same (the digest still names the whole
   * result), but a worker sends back a few hundred bytes instead of the tables and series.
   */
  summarize(request: RunRequest): Promise<RunSummary>;
  /**
   * Only the summary, without the digest: the run is the same, but no tables, series or digest
   * are built, which cost more than a small run (comparisons and chart sweeps read nothing
   * else). A host without it is asked to summarize.
   */
  summaryOnly?(request: RunRequest): Promise<Pick<SimResult, 'summary'>>;
  /** A run on a cluster: its requests' response times per server and overall, with its digest. */
  runCluster(request: ClusterRunRequest): Promise<ClusterResult>;
  /**
   * A run of VMs on a cluster: per host and per VM, and every migration with its record. Every
   * host of this project has it; a host without it (an embedder's) cannot run vms: runs.
   */
  runVmCluster?(request: VmClusterRunRequest): Promise<VmClusterResult>;
  /** Gets ready for runs before any is asked for (a pool starts and warms its workers). */
  prepare?(): void;
  dispose?(): void;
}

export class CancelledError extends Error {
  constructor() {
    super('The run was cancelled.');
    this.name = 'Cancelled';
  }
}

/** Where in a policy cell's code a policy failed (1-based line and column). */
export interface CodeLocation {
  line: number;
  column: number;
}

/** A run that failed: bad configuration, or a user policy that broke (with where, if known). */
export class RunError extends Error {
  constructor(
    name: string,
    message: string,
    readonly path?: string,
    readonly location?: CodeLocation,
  ) {
    super(message);
    this.name = name;
  }
}

/** Which budget stopped a run: its CPU time, its memory, or the CPU time of its whole submission. */
export type LimitKind = 'cpu' | 'memory' | 'submission';

/** A run stopped by its budget: its worker was stopped; the message names the limit. */
export class RunLimitError extends RunError {
  constructor(
    readonly limit: LimitKind,
    message: string,
  ) {
    super('RunLimit', message);
  }
}
