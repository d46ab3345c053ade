// Messages between a run host and a simulation worker.
import type { SimConfig, SimResult } from '../sim';
import type { CodeLocation, PolicySource } from '../lab/runHost';

export interface RunMessage {
  config: SimConfig;
  policySource?: PolicySource;
}

export type WorkerReply =
  | { type: 'progress'; fraction: number }
  | { type: 'result'; result: SimResult }
  | { type: 'error'; name: string; message: string; path?: string; location?: CodeLocation };
