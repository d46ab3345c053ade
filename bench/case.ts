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
const t0 = performance.now();
sim.advance(sim.endNs);
const t1 = performance.now();
if (process.env.BENCH_SKIP_RESULT) { console.log(JSON.stringify({ events: sim.events, simulateMs: t1 - t0 })); process.exit(0); }
const result = sim.result();
const t2 = performance.now();
console.log(
  JSON.stringify({
    name,
    durationS,
    events: sim.events,
    simulateMs: t1 - t0,
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
