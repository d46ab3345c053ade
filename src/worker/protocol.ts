// Messages between a run host and a simulation worker.
import type { SimConfig, SimResult } from '../sim';

export interface RunMessage {
  config: SimConfig;
}

export type WorkerReply =
  | { type: 'progress'; fraction: number }
  | { type: 'result'; result: SimResult }
  | { type: 'error'; name: string; message: string; path?: string };
