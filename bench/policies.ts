/**
 * The sandbox's cost: the same policy built in and written in a policy cell (run in QuickJS),
 * on the same runs, in runs per second. The cell versions are exact copies (the digests must
 * match), so the difference is the price of the sandbox alone. Target: under 5x slower.
 *
 *   node --import tsx bench/policies.ts        (BENCH_SECONDS per measurement, default 3)
 */
import os from 'node:os';
import { compilePolicy } from '../src/sandbox/index';
import { Simulation, simulate, type SimConfig } from '../src/sim/index';
import type { PolicyFactory } from '../src/sim';

const LEAST_LOADED = `
definePolicy({
  place(view: PolicyView, p: Proc): number {
    let best = -1;
    for (const cpu of view.cpus) {
      if (!view.online(cpu) || !view.isAllowed(p, cpu)) continue;
      if (best < 0 || view.load(cpu) < view.load(best)) best = cpu;
    }
    return best;
  },
});`;

const WORK_STEALING = `
let next = 0;
function steal(view: PolicyView, act: PolicyActions, thief: number): void {
  if (!view.online(thief) || view.load(thief) > 0) return;
  let victim = -1;
  for (const cpu of view.cpus) {
    if (cpu !== thief && view.queueLength(cpu) > 0 && (victim < 0 || view.queueLength(cpu) > view.queueLength(victim))) victim = cpu;
  }
  if (victim < 0) return;
  for (const p of view.queued(victim)) {
    if (view.isAllowed(p, thief)) {
      act.migrate(p, thief, 'load-balance');
      return;
    }
  }
}
definePolicy({
  balanceIntervalNs: 1e6,
  place(view: PolicyView, p: Proc): number {
    for (let k = 0; k < view.cpuCount; k++) {
      const cpu = (next + k) % view.cpuCount;
      if (view.isAllowed(p, cpu) && view.online(cpu)) {
        next = (cpu + 1) % view.cpuCount;
        return cpu;
      }
    }
    return -1;
  },
  onIdle(view: PolicyView, act: PolicyActions, cpu: number): void {
    steal(view, act, cpu);
  },
  balance(view: PolicyView, act: PolicyActions): void {
    for (const cpu of view.cpus) steal(view, act, cpu);
  },
});`;

interface Case {
  name: string;
  policy: 'least-loaded' | 'work-stealing';
  code: string;
  config: SimConfig;
}

function config(policy: string, machine: string, ratePerS: number): SimConfig {
  return {
    machine: { preset: machine },
    workload: {
      groups: [
        {
          name: 'batch',
          arrival: { kind: 'poisson', ratePerS: ratePerS / 2 },
          demand: { kind: 'exp', meanNs: 8e6 },
          workingSetBytes: 128 * 1024,
          memoryIntensity: 0.05,
        },
        {
          name: 'interactive',
          arrival: { kind: 'poisson', ratePerS: ratePerS / 2 },
          demand: { kind: 'exp', meanNs: 4e6 },
          phases: { computeNs: { kind: 'exp', meanNs: 0.5e6 }, sleepNs: { kind: 'exp', meanNs: 2e6 } },
        },
      ],
    },
    policy: { name: policy },
    scheduler: { kind: 'fair' },
    durationNs: 1e9,
    seed: 1,
  };
}

const CASES: Case[] = [
  {
    name: 'least-loaded, laptop-4, 600/s',
    policy: 'least-loaded',
    code: LEAST_LOADED,
    config: config('least-loaded', 'laptop-4', 600),
  },
  {
    name: 'least-loaded, server-2x8, 2400/s',
    policy: 'least-loaded',
    code: LEAST_LOADED,
    config: config('least-loaded', 'server-2x8', 2400),
  },
  {
    name: 'work-stealing, laptop-4, 600/s',
    policy: 'work-stealing',
    code: WORK_STEALING,
    config: config('work-stealing', 'laptop-4', 600),
  },
  {
    name: 'work-stealing, server-2x8, 2400/s',
    policy: 'work-stealing',
    code: WORK_STEALING,
    config: config('work-stealing', 'server-2x8', 2400),
  },
];

const seconds = Number(process.env.BENCH_SECONDS ?? 3);

/**
 * Simulations per second of `cfg`: the time from creating the Simulation (which builds the
 * policy, for a cell a fresh sandbox) to the end of the run. Building the result (tables,
 * series, digest) is the same for both and is left out, so the ratio shows the policy's share.
 * Runs repeat for about `seconds` after a warm-up; the median run time counts, so a busy
 * machine's stalls do not decide the figure.
 */
function runsPerSecond(
  cfg: SimConfig,
  policy?: PolicyFactory,
): { perS: number; digest: string; events: number; arrived: number } {
  const options = policy ? { policy } : {};
  const first = simulate(cfg, options);
  const times: number[] = [];
  let total = 0;
  while (total < seconds * 1000 || times.length < 5) {
    const start = performance.now();
    const sim = new Simulation(cfg, options);
    sim.advance(sim.endNs);
    const ms = performance.now() - start;
    sim.result(); // ends the run (and frees the sandbox)
    times.push(ms);
    total += ms;
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  return { perS: 1000 / median, digest: first.digest, events: first.summary.events, arrived: first.summary.arrived };
}

async function main(): Promise<void> {
  const rows: string[] = [];
  for (const c of CASES) {
    const compiled = await compilePolicy(c.code, 'ts', { name: c.policy });
    const builtIn = runsPerSecond(c.config);
    const cell = runsPerSecond(c.config, compiled.factory);
    if (cell.digest !== builtIn.digest)
      throw new Error(`${c.name}: the cell copy decided differently from the built-in (digests differ)`);
    const slowdown = builtIn.perS / cell.perS;
    rows.push(
      `| ${c.name} | ${builtIn.events.toLocaleString('en-US')} | ${builtIn.arrived.toLocaleString('en-US')} | ${builtIn.perS.toFixed(1)} | ${cell.perS.toFixed(1)} | ${slowdown.toFixed(2)}x |`,
    );
    console.error(
      `${c.name}: built-in ${builtIn.perS.toFixed(1)}/s, cell ${cell.perS.toFixed(1)}/s, ${slowdown.toFixed(2)}x`,
    );
  }

  console.log(
    `Policy sandbox cost, ${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}.`,
  );
  console.log(
    `Each run: 1 s simulated, two Poisson groups (one with sleep phases); runs/s = 1 / median time to simulate (policy and sandbox set-up included, result building not); about ${seconds} s per cell; built-in and cell runs have identical digests.\n`,
  );
  console.log('| case | events per run | processes per run | built-in runs/s | cell runs/s | slowdown |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
}

void main();
