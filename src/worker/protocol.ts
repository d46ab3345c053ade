// Messages between a run host and a simulation worker. A job is one unit of work under one
// budget: a simulation, a chart to draw (Node workers only), or one cell of a lab that the
// worker resolves itself (grading: a submission's text is never resolved outside its worker).
import type {
  ClusterConfig,
  ClusterResult,
  SimConfig,
  SimResult,
  Summary,
  VmClusterConfig,
  VmClusterResult,
} from '../sim';
import type { CodeLocation, PolicySource } from '../lab/run/runHost';

export type Job =
  | {
      kind: 'simulate';
      config: SimConfig;
      policySource?: PolicySource;
      /**
       * What the caller reads: the whole result, its summary and digest (sweeps), or its summary
       * alone (comparisons, chart sweeps: no tables, series or digest are built for it).
       */
      reply: 'result' | 'summary' | 'summaryOnly';
      /** Whether to post progress while running: each post is a message the caller has to take in. */
      progress: boolean;
    }
  /** A cluster run (src/sim/cluster): its hosts run built-in policies only. */
  | { kind: 'cluster'; config: ClusterConfig; progress: boolean }
  /** A run of VMs on a cluster (src/sim/cluster/vm-cluster-simulation.ts). */
  | { kind: 'vm-cluster'; config: VmClusterConfig; progress: boolean }
  | { kind: 'draw'; spec: unknown }
  | { kind: 'cell'; labText: string; index: number };

/** The old name of a simulate job, kept for the web worker's entry. */
export type RunMessage = Extract<Job, { kind: 'simulate' }>;
export type ClusterMessage = Extract<Job, { kind: 'cluster' }>;
export type VmClusterMessage = Extract<Job, { kind: 'vm-cluster' }>;

/** A run that failed, as it crosses the worker boundary. */
export interface ErrorReply {
  type: 'error';
  name: string;
  message: string;
  path?: string;
  location?: CodeLocation;
  logs?: readonly string[];
}

export type WorkerReply =
  /**
   * Sent once the worker has loaded: its CPU time counts from here (a run's budget is the run's,
   * not Node's start-up). A worker thread adds its OS thread id, so its pool can read its CPU time.
   */
  | { type: 'ready'; tid?: number }
  | { type: 'progress'; fraction: number }
  | { type: 'result'; result: SimResult; logs?: readonly string[] }
  | { type: 'summary'; summary: Summary; digest: string; logs?: readonly string[] }
  | { type: 'summaryOnly'; summary: Summary; logs?: readonly string[] }
  | { type: 'cluster'; result: ClusterResult }
  | { type: 'vm-cluster'; result: VmClusterResult }
  | { type: 'drawn'; svg: string }
  /** A cell job's outcome (src/lab/notebook/execute.ts CellOutcome), plain JSON. */
  | { type: 'cell'; outcome: unknown }
  | ErrorReply;
