// Messages between a run host and a simulation worker.
import type { SimConfig, SimResult, Summary } from '../sim';
import type { CodeLocation, PolicySource } from '../lab/runHost';

export interface RunMessage {
  config: SimConfig;
  policySource?: PolicySource;
  /** What the caller reads: the whole result, or only its summary and digest (sweeps, comparisons). */
  reply: 'result' | 'summary';
  /** Whether to post progress while running: each post is a message the caller has to take in. */
  progress: boolean;
}

export type WorkerReply =
  | { type: 'progress'; fraction: number }
  | { type: 'result'; result: SimResult }
  | { type: 'summary'; summary: Summary; digest: string }
  | { type: 'error'; name: string; message: string; path?: string; location?: CodeLocation };
