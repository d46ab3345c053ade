/**
 * Runs one benchmark case in this process and prints one JSON line: events, wall time of the
 * simulation and of building the result, and this process's peak RSS. The runner starts a
 * fresh process per case so each peak RSS belongs to one case alone.
 */
import { Simulation } from '../src/sim/index';
import { CASES } from './cases';

const [name, durationArg] = process.argv.slice(2);
const c = CASES.find((x) => x.name === name);
if (!c || durationArg === undefined) {
  console.error(`usage: case <${CASES.map((x) => x.name).join('|')}> <seconds>`);
  process.exit(2);
}
const durationS = Number(durationArg);
const sim = new Simulation(c.config(durationS));
const cpu0 = process.cpuUsage();
const t0 = performance.now();
sim.advance(sim.endNs);
const t1 = performance.now();
const cpu1 = process.cpuUsage(cpu0);
// CPU time of this process: on a shared machine it is what the simulation itself cost.
const simulateCpuMs = (cpu1.user + cpu1.system) / 1000;
if (process.env.BENCH_SKIP_RESULT) {
  console.log(JSON.stringify({ events: sim.events, simulateMs: t1 - t0, simulateCpuMs }));
  process.exit(0);
}
const result = sim.result();
const t2 = performance.now();
console.log(
  JSON.stringify({
    name,
    durationS,
    events: sim.events,
    simulateMs: t1 - t0,
    simulateCpuMs,
    resultMs: t2 - t1,
    arrived: result.summary.arrived,
    completed: result.summary.completed,
    jobsCompleted: result.summary.jobsCompleted,
    deadlineMissRatio: result.summary.deadlineMissRatio,
    meanUtilization: result.summary.meanUtilization,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    digest: result.digest,
  }),
);
