// Where simulations run. The lab layer only asks for a result; the extension runs it in a
// worker thread (Node) or web worker (browser) so the editor never freezes, the CLI in worker
// threads, and tests may run it in-process.
import { Simulation, type SimConfig, type SimResult } from '../sim';

export interface RunRequest {
  config: SimConfig;
  signal: AbortSignal;
  /** Fraction of simulated time done, 0..1. */
  onProgress?: (fraction: number) => void;
}

export interface RunHost {
  run(request: RunRequest): Promise<SimResult>;
  dispose?(): void;
}

export class CancelledError extends Error {
  constructor() {
    super('The run was cancelled.');
    this.name = 'Cancelled';
  }
}

/** Steps a simulation in slices of simulated time, calling `between` after each slice. */
export async function runInSlices(
  config: SimConfig,
  slices: number,
  between: (fraction: number) => Promise<void> | void,
): Promise<SimResult> {
  const simulation = new Simulation(config);
  const step = Math.max(1, Math.ceil(simulation.endNs / slices));
  while (!simulation.done) {
    simulation.advance(Math.min(simulation.endNs, simulation.nowNs + step));
    await between(simulation.endNs === 0 ? 1 : simulation.nowNs / simulation.endNs);
  }
  return simulation.result();
}

/** Runs in the calling thread, yielding between slices so cancellation can be seen. */
export const inProcessRunHost: RunHost = {
  run({ config, signal, onProgress }) {
    return runInSlices(config, 50, async (fraction) => {
      if (signal.aborted) throw new CancelledError();
      onProgress?.(fraction);
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    });
  },
};
