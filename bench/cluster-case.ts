/**
 * One row of bench/cluster.ts, in a fresh process (run with --expose-gc):
 *
 *   node cluster-case.cjs <balancer policy> <simulated s> <samples> [hosts]
 *
 * builds the cluster of bench/cluster-scenario.ts, advances it in `samples` equal slices (the
 * result is the same however a run is sliced: test/unit/sim-cluster-bench.test.ts), and after
 * each slice collects garbage and reads the live JS heap and the RSS, so the line shows whether
 * memory grows with simulated time. Prints one JSON line. Timings leave the sampling out: the
 * run's time is its advance() calls plus result() (which brings every host to the end, so it
 * applies events too); building the cluster is timed apart.
 */
import { readFileSync } from 'node:fs';
import { ClusterSimulation, type BalancerPolicyName } from '../src/sim/index';
import { nodeSha256 } from '../src/worker/nodeSha256';
import { clusterConfig } from './cluster-scenario';

const [policy, durationArg, samplesArg, hostsArg] = process.argv.slice(2);
if (policy === undefined || durationArg === undefined) {
  console.error('usage: cluster-case <balancer policy> <simulated s> [samples] [hosts]');
  process.exit(2);
}
const durationS = Number(durationArg);
const samples = Number(samplesArg ?? 10);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc (the live heap is read after a full collection)');

const MiB = 2 ** 20;
/** Peak resident set so far (VmHWM), in MiB: the kernel's own high-water mark of this process. */
function vmHwmMiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
const cpuMs = (since: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
};

gc();
const heapBeforeMiB = process.memoryUsage().heapUsed / MiB;
const config = clusterConfig(
  policy as BalancerPolicyName,
  durationS,
  hostsArg === undefined ? undefined : Number(hostsArg),
);
let cpu0 = process.cpuUsage();
let t0 = performance.now();
const sim = new ClusterSimulation(config, { sha256: nodeSha256 });
const buildWallMs = performance.now() - t0;
const buildCpuMs = cpuMs(cpu0);
gc();
const builtHeapMiB = process.memoryUsage().heapUsed / MiB;
const builtRssMiB = process.memoryUsage().rss / MiB;

let runWallMs = 0;
let runCpuMs = 0;
const points: Array<{ simulatedMin: number; heapMiB: number; rssMiB: number; cpuMs: number }> = [];
for (let k = 1; k <= samples; k++) {
  cpu0 = process.cpuUsage();
  t0 = performance.now();
  // Whole ns: a slice ends on an integer time like every other.
  sim.advance(Math.round((sim.endNs * k) / samples));
  runWallMs += performance.now() - t0;
  runCpuMs += cpuMs(cpu0);
  gc();
  const m = process.memoryUsage();
  points.push({
    simulatedMin: (durationS * k) / samples / 60,
    heapMiB: m.heapUsed / MiB,
    rssMiB: m.rss / MiB,
    cpuMs: runCpuMs,
  });
}
cpu0 = process.cpuUsage();
t0 = performance.now();
const r = sim.result();
const resultWallMs = performance.now() - t0;
const resultCpuMs = cpuMs(cpu0);
const hostEvents = r.servers.reduce((a, s) => a + s.summary.events, 0);
const utilisation = r.servers.reduce((a, s) => a + s.summary.meanUtilization, 0) / r.servers.length;

console.log(
  JSON.stringify({
    policy,
    durationS,
    hosts: r.servers.length,
    events: r.events,
    // The cluster's own events: requests routed at the balancer (this config has no host events or autoscaler).
    clusterEvents: r.events - hostEvents,
    hostEvents,
    routed: r.overall.routed,
    completed: r.overall.completed,
    meanResponseS: r.overall.meanResponseS,
    p99ResponseS: r.overall.p99ResponseS,
    utilisation,
    buildWallMs,
    buildCpuMs,
    runWallMs: runWallMs + resultWallMs,
    runCpuMs: runCpuMs + resultCpuMs,
    // advance() alone: the result's cost grows with the hosts, not with the requests.
    advanceCpuMs: runCpuMs,
    resultWallMs,
    heapBeforeMiB,
    builtHeapMiB,
    builtRssMiB,
    points,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    vmHwmMiB: vmHwmMiB(),
    digest: r.digest,
  }),
);
