/**
 * One row of bench/scaling.ts, in a fresh process: a machine of `cpus` CPUs (or a population of
 * `live` processes) under one built-in policy, measured once cold and then warm until two
 * measurements in a row agree within 5 % (at most six), and printed as one JSON line. Every
 * machine size simulates the same 1 s (so the series have the same bins and a burst spans as many
 * of them); a measurement repeats the run until it has seen at least 150,000 events.
 *
 *   node scaling-case.cjs cpus <policy> <cpus>     per-event cost against the machine's size
 *   node scaling-case.cjs live <count>             per-event cost and memory against live processes
 */
import { Simulation, type SimConfig } from '../src/sim/index';

const S = 1e9;
/** Events a measurement needs at least: enough for a stable rate, few enough for 80 rows in minutes. */
const TARGET_EVENTS = 150_000;
/** Simulated time of every run of the machine-size rows. */
const DURATION_NS = 1 * S;

/** Sockets of at most 32 cores, so a large machine is a realistic multi-socket one. */
function machine(cpus: number): SimConfig['machine'] {
  const sockets = Math.max(1, Math.ceil(cpus / 32));
  return { sockets, coresPerSocket: cpus / sockets };
}

const REALTIME = new Set(['global-edf', 'partitioned-edf']);

/**
 * The same load per CPU on every machine: an open Poisson stream at 70 % utilisation (exp demand
 * 10 ms, fair scheduler), or for the real-time policies 5 periodic tasks per CPU at 70 % (EDF).
 */
function cpusConfig(policy: string, cpus: number): SimConfig {
  if (REALTIME.has(policy)) {
    return {
      machine: machine(cpus),
      workload: {
        groups: [
          {
            name: 'rt',
            count: 5 * cpus,
            taskSet: { utilization: 0.7 * cpus, periodMinNs: 5e6, periodMaxNs: 50e6 },
            workingSetBytes: 64 * 1024,
          },
        ],
      },
      policy: { name: policy },
      scheduler: { kind: 'edf' },
      durationNs: DURATION_NS,
      seed: 1,
    };
  }
  const ratePerS = (0.7 * cpus) / 0.01;
  return {
    machine: machine(cpus),
    workload: {
      groups: [
        {
          name: 'web',
          arrival: { kind: 'poisson', ratePerS },
          demand: { kind: 'exp', meanNs: 10e6 },
          workingSetBytes: 256 * 1024,
        },
      ],
    },
    policy: { name: policy },
    scheduler: { kind: 'fair' },
    durationNs: DURATION_NS,
    seed: 1,
  };
}

/** `count` processes that never finish on 64 CPUs (fair, least-loaded): every event is a slice end or a dispatch. */
function liveConfig(count: number): SimConfig {
  const perS = 64 * 1000; // slices of about 1-3 ms on 64 CPUs
  return {
    machine: machine(64),
    workload: {
      groups: [{ name: 'batch', count, demand: { kind: 'fixed', valueNs: 1000 * S }, workingSetBytes: 64 * 1024 }],
    },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fair' },
    durationNs: Math.max(1, Math.round((TARGET_EVENTS / perS) * 1000)) * 1e6,
    seed: 1,
  };
}

const [mode, a, b] = process.argv.slice(2);
const config = mode === 'cpus' ? cpusConfig(a!, Number(b)) : liveConfig(Number(a));

/** Runs the config until TARGET_EVENTS events are seen (the live rows: once); the live heap after the last run, before its result. */
function run(): { events: number; cpuMs: number; liveHeapMiB: number } {
  let events = 0;
  let cpuMs = 0;
  let liveHeapMiB = NaN;
  do {
    const sim = new Simulation(config);
    const cpu0 = process.cpuUsage();
    sim.advance(sim.endNs);
    const cpu = process.cpuUsage(cpu0);
    events += sim.events;
    cpuMs += (cpu.user + cpu.system) / 1000;
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) {
      gc();
      liveHeapMiB = process.memoryUsage().heapUsed / 2 ** 20;
    }
  } while (mode === 'cpus' && events < TARGET_EVENTS);
  return { events, cpuMs, liveHeapMiB };
}

const heapBefore = process.memoryUsage().heapUsed / 2 ** 20;
const cold = run();
const maxRssMiB = process.resourceUsage().maxRSS / 1024;
// Warm: until two runs in a row agree within 5 % (JIT settled), at most six.
let last = run();
for (let i = 0; i < 5; i++) {
  const next = run();
  const settled = Math.abs(next.cpuMs - last.cpuMs) <= 0.05 * last.cpuMs;
  last = next.cpuMs < last.cpuMs || settled ? next : last;
  if (settled) break;
}
console.log(
  JSON.stringify({
    mode,
    policy: mode === 'cpus' ? a : 'least-loaded',
    cpus: mode === 'cpus' ? Number(b) : 64,
    live: mode === 'live' ? Number(a) : null,
    simulatedS: config.durationNs / S,
    events: last.events,
    coldCpuMs: cold.cpuMs,
    warmCpuMs: last.cpuMs,
    warmNsPerEvent: (last.cpuMs * 1e6) / last.events,
    liveHeapMiB: cold.liveHeapMiB,
    heapBeforeMiB: heapBefore,
    maxRssMiB,
  }),
);
