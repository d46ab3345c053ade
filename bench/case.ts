/**
 * Runs one benchmark case in this process and prints one JSON line. The case runs first in the
 * fresh process (*cold*: what a user's first run costs, JIT warm-up included; the peak RSS is
 * read right after it), then four more times in the same process: *warm*, the simulator's
 * steady-state speed, is the median of the last three. The runner starts a fresh process per case, so each peak
 * RSS belongs to one case alone. `resultMs` is building the cold run's result and digest,
 * `warmResultMs` the median of the kept warm runs'.
 */
import { Simulation, type SimResult } from '../src/sim/index';
import { nodeSha256 } from '../src/worker/nodeSha256';
import { CASES } from './cases';

const [name, durationArg] = process.argv.slice(2);
const c = CASES.find((x) => x.name === name);
if (!c || durationArg === undefined) {
  console.error(`usage: case <${CASES.map((x) => x.name).join('|')}> <seconds>`);
  process.exit(2);
}
const durationS = Number(durationArg);

interface Timing {
  events: number;
  /** Live JS heap after a full GC at the end of the run, before the result is built. */
  liveHeapMiB: number;
  wallMs: number;
  /** CPU time of this process (user + system, all threads). */
  cpuMs: number;
  resultMs: number;
  result: SimResult;
}

function run(): Timing {
  // The digest with node:crypto's SHA-256, as the command line's and the editor's workers
  // compute it (the portable one, for browsers, gives the same digest more slowly).
  const sim = new Simulation(c!.config(durationS), { sha256: nodeSha256 });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  sim.advance(sim.endNs);
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const liveHeapMiB = gc ? process.memoryUsage().heapUsed / 2 ** 20 : NaN;
  const t2 = performance.now();
  const result = sim.result();
  return {
    events: sim.events,
    liveHeapMiB,
    wallMs: t1 - t0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    resultMs: performance.now() - t2,
    result,
  };
}

const cold = run();
const maxRssMiB = process.resourceUsage().maxRSS / 1024;
// Warm is the median of the last WARM_KEPT of WARM_RUNS further runs: the first runs after the
// cold one still include JIT work (the second run alone measured 55-75 % of a later re-run's speed).
const WARM_RUNS = 4;
const WARM_KEPT = 3;
const later = Array.from({ length: WARM_RUNS }, run);
for (const r of later)
  if (r.result.digest !== cold.result.digest) throw new Error('the same case gave two different digests');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1]!;
const kept = later.slice(WARM_RUNS - WARM_KEPT);
const warm = {
  wallMs: median(kept.map((r) => r.wallMs)),
  cpuMs: median(kept.map((r) => r.cpuMs)),
  resultMs: median(kept.map((r) => r.resultMs)),
};
const s = cold.result.summary;
console.log(
  JSON.stringify({
    name,
    durationS,
    events: cold.events,
    coldWallMs: cold.wallMs,
    coldCpuMs: cold.cpuMs,
    warmWallMs: warm.wallMs,
    warmCpuMs: warm.cpuMs,
    resultMs: cold.resultMs,
    warmResultMs: warm.resultMs,
    arrived: s.arrived,
    completed: s.completed,
    jobsCompleted: s.jobsCompleted,
    deadlineMissRatio: s.deadlineMissRatio,
    meanUtilization: s.meanUtilization,
    energyJ: s.energyJ ?? null,
    peakTempC: s.peakTempC ?? null,
    meanTempC: s.meanTempC ?? null,
    maxRssMiB,
    liveHeapMiB: cold.liveHeapMiB,
    digest: cold.result.digest,
  }),
);
