// What the browser cannot do that the desktop does: cap a simulation worker's memory. A Node
// worker over its heap limit fails its run on its own; a web worker that runs out of memory
// takes the whole page down with it (VS Code's tab, and unsaved work). So in the browser, runs
// that may need more memory than a worker can safely take are refused before they start,
// with a message the cell shows.
import { processesUpTo } from '../sim';
import {
  RunError,
  type ClusterRunRequest,
  type RunHost,
  type RunRequest,
  type VmClusterRunRequest,
} from '../lab/run/runHost';

/** About 0.6 GiB of live processes (about 1.1 KiB each), well inside a browser tab's memory. */
export const BROWSER_MAX_PROCESSES = 500_000;

/** About how many processes a run creates: a cluster's requests are each a process on its host. */
function processesOf(request: RunRequest | ClusterRunRequest | VmClusterRunRequest): number {
  if ('workload' in request.config) return processesUpTo(request.config.workload, request.config.durationNs);
  // Each vCPU's work is a stream of pieces, at most one live at a time, and a VM host keeps no
  // row of a finished one (vm-cluster-simulation.ts: maxProcessRows 0): about one per vCPU.
  if ('vms' in request.config) return request.config.vms.reduce((n, v) => n + v.vcpus * (v.count ?? 1), 0);
  const { service, hosts, durationNs } = request.config;
  const own = hosts.reduce((n, h) => n + (h.workload ? processesUpTo(h.workload, durationNs) * (h.count ?? 1) : 0), 0);
  const a = service.arrival;
  return own + Math.ceil(((a.kind === 'poisson' ? a.ratePerS : 1e9 / a.everyNs) * durationNs) / 1e9);
}

function refusal(request: RunRequest | ClusterRunRequest | VmClusterRunRequest): RunError | undefined {
  const processes = processesOf(request);
  if (processes <= BROWSER_MAX_PROCESSES) return undefined;
  return new RunError(
    'Too large to run in the browser',
    `This run creates about ${processes.toLocaleString('en-US')} processes. A browser cannot limit the memory of a simulation worker ` +
      `(on the desktop a run over its limit simply fails), and running out of memory would close this tab, so in the browser ` +
      `a run may have at most ${BROWSER_MAX_PROCESSES.toLocaleString('en-US')}. Run this lab in VS Code on the desktop, or on the command line (migration-lab run).`,
  );
}

export function withBrowserMemoryLimit(host: RunHost): RunHost {
  return {
    run: (request) => {
      const refused = refusal(request);
      return refused ? Promise.reject(refused) : host.run(request);
    },
    summarize: (request) => {
      const refused = refusal(request);
      return refused ? Promise.reject(refused) : host.summarize(request);
    },
    summaryOnly: (request) => {
      const refused = refusal(request);
      if (refused) return Promise.reject(refused);
      return host.summaryOnly ? host.summaryOnly(request) : host.summarize(request);
    },
    runCluster: (request) => {
      const refused = refusal(request);
      return refused ? Promise.reject(refused) : host.runCluster(request);
    },
    ...(host.runVmCluster
      ? {
          runVmCluster: (request: VmClusterRunRequest) => {
            const refused = refusal(request);
            return refused ? Promise.reject(refused) : host.runVmCluster!(request);
          },
        }
      : {}),
    prepare: () => host.prepare?.(),
    dispose: () => host.dispose?.(),
  };
}
