// Runs one simulation, compiling a policy cell's code into a sandboxed policy first. Shared by
// the Node and web workers and by the in-process host.
import {
  ClusterSimulation,
  Simulation,
  SimConfigError,
  type ClusterResult,
  type Sha256Factory,
  type SimResult,
  VmClusterSimulation,
  type VmClusterResult,
} from '../sim';
import type { Policy, PolicyFactory } from '../sim';
import { compilePolicy, PolicyCodeError, PolicyRuntimeError, type CompiledPolicy } from '../sandbox';
import {
  CancelledError,
  RunError,
  type ClusterRunRequest,
  type PolicySource,
  type RunHost,
  type RunRequest,
  type VmClusterRunRequest,
} from '../lab/run/runHost';

/** Compiled policies by source text: a comparison runs the same code many times. */
const compiled = new Map<string, Promise<CompiledPolicy>>();

function compile(source: PolicySource): Promise<CompiledPolicy> {
  const key = `${source.name}\u0000${source.lang}\u0000${source.code}`;
  let policy = compiled.get(key);
  if (!policy) {
    policy = compilePolicy(source.code, source.lang, { name: source.name });
    compiled.set(key, policy);
    policy.catch(() => compiled.delete(key));
  }
  return policy;
}

/**
 * Steps a simulation in slices of simulated time, calling `between` after each slice, and
 * returns what `read` takes from it at the end (its result by default). What a policy cell
 * printed goes to `onLogs` when the run ends, finished or failed; `sha256` is the platform's
 * native hash for the digest (the same digest as the portable one).
 */
export async function runInSlices<T = SimResult>(
  request: Pick<RunRequest, 'config' | 'policySource'>,
  slices: number,
  between: (fraction: number) => Promise<void> | void,
  {
    sha256,
    onLogs,
    read = (simulation) => simulation.result() as T,
  }: {
    sha256?: Sha256Factory;
    onLogs?: (lines: readonly string[]) => void;
    read?: (simulation: Simulation) => T;
  } = {},
): Promise<T> {
  const compiled = request.policySource ? await compile(request.policySource) : undefined;
  // A sandboxed policy keeps what it printed (src/sandbox/sandboxPolicy.ts).
  let instance: (Policy & { readonly logs?: readonly string[] }) | undefined;
  const policy: PolicyFactory | undefined = compiled && ((ctx) => (instance = compiled.factory(ctx)));
  try {
    const simulation = new Simulation(request.config, { policy, sha256 });
    const step = Math.max(1, Math.ceil(simulation.endNs / slices));
    while (!simulation.done) {
      simulation.advance(Math.min(simulation.endNs, simulation.nowNs + step));
      await between(simulation.endNs === 0 ? 1 : simulation.nowNs / simulation.endNs);
    }
    return read(simulation);
  } finally {
    if (instance?.logs && instance.logs.length > 0) onLogs?.(instance.logs);
    // However the run ended (finished, failed, cancelled between slices): free the sandbox, so
    // its memory goes back to the thread's capped QuickJS heap.
    instance?.dispose?.();
  }
}

/** A cluster run stepped in slices of simulated time as runInSlices steps one machine's. */
export async function runClusterInSlices(
  request: Pick<ClusterRunRequest, 'config'>,
  slices: number,
  between: (fraction: number) => Promise<void> | void,
  sha256?: Sha256Factory,
): Promise<ClusterResult> {
  const cluster = new ClusterSimulation(request.config, { sha256 });
  const step = Math.max(1, Math.ceil(cluster.endNs / slices));
  while (!cluster.done) {
    cluster.advance(Math.min(cluster.endNs, cluster.nowNs + step));
    await between(cluster.endNs === 0 ? 1 : cluster.nowNs / cluster.endNs);
  }
  return cluster.result();
}

/** A VM cluster run stepped in slices of simulated time, as runClusterInSlices steps a request cluster. */
export async function runVmClusterInSlices(
  request: Pick<VmClusterRunRequest, 'config'>,
  slices: number,
  between: (fraction: number) => Promise<void> | void,
  sha256?: Sha256Factory,
): Promise<VmClusterResult> {
  const cluster = new VmClusterSimulation(request.config, { sha256 });
  const step = Math.max(1, Math.ceil(cluster.endNs / slices));
  while (!cluster.done) {
    cluster.advance(Math.min(cluster.endNs, cluster.nowNs + step));
    await between(cluster.endNs === 0 ? 1 : cluster.nowNs / cluster.endNs);
  }
  return cluster.result();
}

/** Any failure of a run as a RunError that can cross a worker boundary. */
export function toRunError(error: unknown): RunError {
  if (error instanceof RunError) return error;
  if (error instanceof SimConfigError) return new RunError(error.name, error.message, error.path);
  if (error instanceof PolicyCodeError || error instanceof PolicyRuntimeError) {
    return new RunError(error.name, error.message, undefined, error.location ?? undefined);
  }
  if (error instanceof Error) return new RunError('SimulationError', error.message);
  return new RunError('SimulationError', String(error));
}

/** Runs in the calling thread, yielding between slices so cancellation can be seen. */
export const inProcessRunHost: RunHost = {
  async summarize(request) {
    const { summary, digest } = await inProcessRunHost.run(request);
    return { summary, digest };
  },
  summaryOnly: (request) => runHere(request, (simulation) => ({ summary: simulation.summary() })),
  run: (request) => runHere(request, (simulation) => simulation.result()),
  async runCluster({ config, signal, onProgress }) {
    try {
      return await runClusterInSlices({ config }, 50, async (fraction) => {
        if (signal.aborted) throw new CancelledError();
        onProgress?.(fraction);
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
      });
    } catch (error) {
      throw error instanceof CancelledError ? error : toRunError(error);
    }
  },
  async runVmCluster({ config, signal, onProgress }) {
    try {
      return await runVmClusterInSlices({ config }, 50, async (fraction) => {
        if (signal.aborted) throw new CancelledError();
        onProgress?.(fraction);
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
      });
    } catch (error) {
      throw error instanceof CancelledError ? error : toRunError(error);
    }
  },
};

/** A run in this thread, in 50 slices with a yield after each, read by `read` at the end. */
async function runHere<T>(
  { config, policySource, signal, onProgress, onLogs }: RunRequest,
  read: (simulation: Simulation) => T,
): Promise<T> {
  try {
    return await runInSlices(
      { config, policySource },
      50,
      async (fraction) => {
        if (signal.aborted) throw new CancelledError();
        onProgress?.(fraction);
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
      },
      { onLogs, read },
    );
  } catch (error) {
    throw error instanceof CancelledError ? error : toRunError(error);
  }
}
