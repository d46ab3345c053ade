/**
 * The sandbox's cost: the same policy built in and written in a policy cell (run in QuickJS),
 * on the same runs. The cell versions are exact copies (the digests must match), so the
 * difference is the price of the sandbox alone. Targets (issue 14): least-loaded under 2x,
 * work-stealing under 3x.
 *
 *   node --import tsx bench/policies.ts [--baseline <other checkout>] [--rounds r]
 *
 * Each measurement is a fresh process (this file with --child) that runs one case with one
 * variant: warm-up runs first (for about 2 s: V8 compiles QuickJS's hot WebAssembly functions
 * again, optimized, in background threads that CPU time counts), then runs
 * for about BENCH_SECONDS (default 2, at least 7 runs); it reports the median CPU time per run
 * (process.cpuUsage, which other jobs on the machine disturb less than wall time) and the median
 * wall time. A run is creating the Simulation (for a cell, a fresh sandbox), simulating 1 s and
 * freeing the policy; building the result is the same for both and is left out. The rounds
 * (default 3) run every case's variants in an order that alternates from round to round, so a
 * change in the machine's load falls on all alike; the table shows medians over the rounds with
 * their range, and the slowdown is the median of the per-round ratios. With --baseline, the cell
 * variant is also run with the other checkout's sandbox (its src/sandbox and src/sim, imported
 * from there), in the same rounds: before and after side by side.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PolicyFactory, SimConfig } from '../src/sim';
import { LEAST_LOADED, WORK_STEALING } from './policy-cells';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

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

const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const arg = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};

/** What one child process measured. */
interface Measured {
  cpuMs: number;
  wallMs: number;
  runs: number;
  digest: string;
  events: number;
  arrived: number;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** One case with one variant ('builtin' or 'cell'), `tree`'s simulator and sandbox: warm-up, then the medians. */
async function child(caseIndex: number, variant: string, tree: string): Promise<Measured> {
  const sim = (await import(path.join(tree, 'src', 'sim', 'index.ts'))) as typeof import('../src/sim/index');
  const sandbox = (await import(
    path.join(tree, 'src', 'sandbox', 'index.ts')
  )) as typeof import('../src/sandbox/index');
  const c = CASES[caseIndex]!;
  const factory: PolicyFactory | undefined =
    variant === 'cell' ? (await sandbox.compilePolicy(c.code, 'ts', { name: c.policy })).factory : undefined;
  const first = sim.simulate(c.config, factory ? { policy: factory } : {});
  /** One run: the Simulation and its policy made, 1 s simulated, the policy freed (a cell's sandbox). */
  const run = () => {
    let policy: ReturnType<PolicyFactory> | undefined;
    const options = factory ? { policy: (ctx: Parameters<PolicyFactory>[0]) => (policy = factory(ctx)) } : {};
    const cpu = process.cpuUsage();
    const wall = performance.now();
    const s = new sim.Simulation(c.config, options);
    s.advance(s.endNs);
    policy?.dispose?.();
    const wallMs = performance.now() - wall;
    const used = process.cpuUsage(cpu);
    return { cpuMs: (used.user + used.system) / 1000, wallMs };
  };
  const warmUntil = performance.now() + 2000;
  for (let i = 0; i < 5 || performance.now() < warmUntil; i++) run();
  const cpu: number[] = [];
  const wall: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (cpu.length < 7 || performance.now() < until) {
    const r = run();
    cpu.push(r.cpuMs);
    wall.push(r.wallMs);
  }
  return {
    cpuMs: median(cpu),
    wallMs: median(wall),
    runs: cpu.length,
    digest: first.digest,
    events: first.summary.events,
    arrived: first.summary.arrived,
  };
}

interface Variant {
  label: string;
  variant: 'builtin' | 'cell';
  tree: string;
}

function measure(caseIndex: number, v: Variant): Measured {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(caseIndex), v.variant, v.tree],
    { encoding: 'utf8', cwd: root },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as Measured;
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--child');
  if (at > 0) {
    const [caseIndex, variant, tree] = process.argv.slice(at + 1);
    console.log(JSON.stringify(await child(Number(caseIndex), variant!, tree!)));
    return;
  }
  const rounds = Number(arg('--rounds') ?? 3);
  const baseline = arg('--baseline');
  const variants: Variant[] = [
    { label: 'built-in', variant: 'builtin', tree: root },
    { label: 'cell', variant: 'cell', tree: root },
    ...(baseline ? [{ label: 'cell, baseline', variant: 'cell' as const, tree: path.resolve(baseline) }] : []),
  ];
  const load = os.loadavg();
  const results = CASES.map(() => variants.map((): Measured[] => []));
  for (let round = 0; round < rounds; round++) {
    for (let ci = 0; ci < CASES.length; ci++) {
      const order = variants.map((_, i) => i);
      if (round % 2 === 1) order.reverse();
      for (const vi of order) {
        const m = measure(ci, variants[vi]!);
        results[ci]![vi]!.push(m);
        console.error(
          `round ${round + 1}: ${CASES[ci]!.name}, ${variants[vi]!.label}: ${m.cpuMs.toFixed(2)} ms CPU per run (${m.runs} runs)`,
        );
      }
    }
  }
  const loadAfter = os.loadavg();

  console.log(
    `Policy sandbox cost, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}; load average ${load.map((x) => x.toFixed(1)).join(' / ')} before, ${loadAfter.map((x) => x.toFixed(1)).join(' / ')} after.`,
  );
  console.log(
    `Each run: 1 s simulated, two Poisson groups (one with sleep phases); CPU ms per run (policy and sandbox set-up and freeing included, result building not), median over ${rounds} processes per variant (min-max), each process the median of its runs after a warm-up; slowdown = median of the per-round ratios to built-in. Built-in and cell runs have identical digests.\n`,
  );
  console.log(
    `| case | events per run | processes per run | ${variants.map((v) => `${v.label} CPU ms`).join(' | ')} | ${variants
      .slice(1)
      .map((v) => `${v.label} slowdown`)
      .join(' | ')} |`,
  );
  console.log(
    `|---|---:|---:|${variants.map(() => '---:').join('|')}|${variants
      .slice(1)
      .map(() => '---:')
      .join('|')}|`,
  );
  for (let ci = 0; ci < CASES.length; ci++) {
    const [builtIn, ...cells] = results[ci]!;
    for (const [vi, runs] of results[ci]!.entries())
      for (const m of runs)
        if (m.digest !== builtIn![0]!.digest)
          throw new Error(
            `${CASES[ci]!.name}: ${variants[vi]!.label} decided differently from the built-in (digests differ)`,
          );
    const cell = (runs: Measured[]) => {
      const ms = runs.map((m) => m.cpuMs);
      return `${median(ms).toFixed(2)} (${Math.min(...ms).toFixed(2)}-${Math.max(...ms).toFixed(2)})`;
    };
    const ratio = (runs: Measured[]) => `${median(runs.map((m, r) => m.cpuMs / builtIn![r]!.cpuMs)).toFixed(2)}x`;
    console.log(
      `| ${CASES[ci]!.name} | ${builtIn![0]!.events.toLocaleString('en-US')} | ${builtIn![0]!.arrived.toLocaleString('en-US')} | ${results[ci]!.map(cell).join(' | ')} | ${cells.map(ratio).join(' | ')} |`,
    );
  }
}

void main();
