/**
 * `npm run bench`: bundles the simulator with esbuild (as the extension ships it), runs each
 * case in a fresh child process (bench/case.ts: a cold run, then a warm one), prints a table
 * and writes BENCHMARKS.md.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from './bundle';
import { CASES } from './cases';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outFile = path.join(root, 'out', 'bench', 'case.cjs');

interface Measurement {
  name: string;
  durationS: number;
  events: number;
  coldWallMs: number;
  coldCpuMs: number;
  warmWallMs: number;
  warmCpuMs: number;
  resultMs: number;
  arrived: number;
  completed: number;
  jobsCompleted: number;
  deadlineMissRatio: number;
  meanUtilization: number;
  /** With power and heat on (null otherwise). */
  energyJ: number | null;
  peakTempC: number | null;
  meanTempC: number | null;
  maxRssMiB: number;
  liveHeapMiB: number;
  digest: string;
  /** Over the processes of a row (set by combine). */
  warmCpuMinMs?: number;
  warmCpuMaxMs?: number;
}

bundleForNode(path.join(root, 'bench', 'case.ts'), outFile);

const PLAN: Array<[string, number[]]> = [
  ['edf-4cpu-20tasks', [10, 100, 1000]],
  ['edf-32cpu-160tasks', [10, 100]],
  ['open-64cpu-poisson', [10, 60, 100]],
];

/** One fresh process running case `name` for `durationS` (bench/case.ts). */
function runCase(name: string, durationS: number): Measurement {
  const out = execFileSync(process.execPath, ['--expose-gc', outFile, name, String(durationS)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as Measurement;
}

/** Median of the processes' timings (with the fastest and slowest warm CPU time kept); largest peak RSS and live heap. */
function combine(name: string, runs: Measurement[]): Measurement {
  const median = (f: (m: Measurement) => number) => [...runs.map(f)].sort((a, b) => a - b)[(runs.length - 1) >> 1]!;
  if (new Set(runs.map((r) => r.digest)).size !== 1) throw new Error(`${name}: processes disagree on the digest`);
  return {
    ...runs[0]!,
    coldWallMs: median((r) => r.coldWallMs),
    coldCpuMs: median((r) => r.coldCpuMs),
    warmWallMs: median((r) => r.warmWallMs),
    warmCpuMs: median((r) => r.warmCpuMs),
    warmCpuMinMs: Math.min(...runs.map((r) => r.warmCpuMs)),
    warmCpuMaxMs: Math.max(...runs.map((r) => r.warmCpuMs)),
    resultMs: median((r) => r.resultMs),
    maxRssMiB: Math.max(...runs.map((r) => r.maxRssMiB)),
    liveHeapMiB: Math.max(...runs.map((r) => r.liveHeapMiB)),
  };
}

function measure(name: string, durationS: number, repeat: number): Measurement {
  return combine(
    name,
    Array.from({ length: repeat }, () => runCase(name, durationS)),
  );
}

const rate = (events: number, ms: number) => events / (ms / 1000);
const fmt = (x: number, digits = 2) => x.toFixed(digits);
const repeat = Number(process.env.BENCH_REPEAT ?? 3);

/**
 * Power and heat: each case with and without the default power and thermal models (bench/cases.ts
 * `+heat`), at one duration. Same work (performance governor), so the time ratio is what energy
 * and temperature accounting cost.
 */
const ENERGY_PLAN: Array<[string, number]> = [
  ['edf-4cpu-20tasks', 1000],
  ['edf-32cpu-160tasks', 100],
  ['open-64cpu-poisson', 60],
];
const ENERGY_HEADING = '## Power and heat';

function energySection(pairs: Array<[Measurement, Measurement]>): string {
  const lines = pairs.map(([off, on]) => {
    const wall = on.warmWallMs / off.warmWallMs - 1;
    const cpu = on.warmCpuMs / off.warmCpuMs - 1;
    return (
      `| ${off.name} | ${off.durationS} | ${on.events.toLocaleString('en-US')} | ${fmt(rate(off.events, off.warmWallMs) / 1e6)} | ${fmt(rate(on.events, on.warmWallMs) / 1e6)} | ` +
      `${fmt(wall * 100, 0)} % | ${fmt(cpu * 100, 0)} % | ${fmt(on.energyJ ?? NaN, 1)} | ${fmt(on.peakTempC ?? NaN, 1)} | ${fmt(on.meanTempC ?? NaN, 1)} |`
    );
  });
  return `${ENERGY_HEADING}

Each case again with \`power: {}\` and \`thermal: {}\` on its machine (the default models: static
and dynamic power per core, three idle states, DRAM energy, an RC temperature per core solved in
closed form between events, throttling at 85 C). The governor stays \`performance\`, so the work
is the same (a few more events: idle-state exit latencies shift some timings) and the slowdown is
what energy and temperature accounting cost. *Slowdown* compares warm runs, medians of ${repeat}
processes each (off and on alternating, process by process), by wall time and by CPU time (the
latter is less disturbed by other load).

| case | simulated s | events (on) | warm M events/s off | warm M events/s on | slowdown (wall) | slowdown (CPU) | energy J | peak C | mean C |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${lines.join('\n')}
`;
}

function measureEnergy(): string {
  const pairs = ENERGY_PLAN.map(([name, d]): [Measurement, Measurement] => {
    // Off and on alternate, process by process, so a change in the machine's load falls on both alike.
    const off: Measurement[] = [];
    const on: Measurement[] = [];
    for (let i = 0; i < repeat; i++) {
      off.push(runCase(name, d));
      on.push(runCase(`${name}+heat`, d));
    }
    const pair: [Measurement, Measurement] = [combine(name, off), combine(`${name}+heat`, on)];
    console.log(
      `${name.padEnd(20)} ${String(d).padStart(4)} s  power and heat cost ${fmt((pair[1].warmWallMs / pair[0].warmWallMs - 1) * 100, 0)} % wall, ${fmt((pair[1].warmCpuMs / pair[0].warmCpuMs - 1) * 100, 0)} % CPU`,
    );
    return pair;
  });
  return energySection(pairs);
}

if (process.env.BENCH_ONLY === 'energy') {
  // Re-measure only the power-and-heat section, keeping the rest of BENCHMARKS.md.
  const file = path.join(root, 'BENCHMARKS.md');
  const current = readFileSync(file, 'utf8');
  const at = current.indexOf(ENERGY_HEADING);
  // Only that section: the ones after it (sandbox, sweeps, queue, scaling...) stay.
  const next = at < 0 ? -1 : current.indexOf('\n## ', at + 1);
  const before = at >= 0 ? current.slice(0, at) : `${current.trimEnd()}\n\n`;
  writeFileSync(file, `${before}${measureEnergy()}${next >= 0 ? current.slice(next) : ''}`);
  console.log('updated the power and heat section of BENCHMARKS.md');
  process.exit(0);
}

const loadBefore = os.loadavg();
const rows: Measurement[] = [];
for (const [name, durations] of PLAN) {
  for (const d of durations) {
    const m = measure(name, d, repeat);
    rows.push(m);
    console.log(
      `${name.padEnd(20)} ${String(d).padStart(4)} s  ${String(m.events).padStart(9)} events  ` +
        `warm ${fmt(rate(m.events, m.warmWallMs) / 1e6)} M ev/s (${fmt(rate(m.events, m.warmCpuMs) / 1e6)} per CPU s), ` +
        `${fmt(d / (m.warmWallMs / 1000), 0)} sim-s/s  cold ${fmt(rate(m.events, m.coldWallMs) / 1e6)} M ev/s, ` +
        `${fmt(d / (m.coldWallMs / 1000), 0)} sim-s/s  result ${fmt(m.resultMs, 0)} ms  live heap ${fmt(m.liveHeapMiB, 1)} MiB  peak RSS ${fmt(m.maxRssMiB, 0)} MiB`,
    );
  }
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const table = rows
  .map((m) => {
    const work =
      m.jobsCompleted > m.completed
        ? `${m.jobsCompleted.toLocaleString('en-US')} jobs, deadline-miss ratio ${fmt(m.deadlineMissRatio, 4)}`
        : `${m.arrived.toLocaleString('en-US')} arrived, ${m.completed.toLocaleString('en-US')} completed`;
    return (
      `| ${m.name} | ${m.durationS} | ${m.events.toLocaleString('en-US')} | ${fmt(rate(m.events, m.warmWallMs) / 1e6)} | ${fmt(rate(m.events, m.warmCpuMs) / 1e6)} (${fmt(rate(m.events, m.warmCpuMaxMs!) / 1e6)}-${fmt(rate(m.events, m.warmCpuMinMs!) / 1e6)}) | ` +
      `${fmt(m.durationS / (m.warmWallMs / 1000), 0)} | ${fmt(rate(m.events, m.coldWallMs) / 1e6)} | ${fmt(m.durationS / (m.coldWallMs / 1000), 0)} | ` +
      `${fmt(m.resultMs, 0)} | ${fmt(m.liveHeapMiB, 1)} | ${fmt(m.maxRssMiB, 0)} | ${work} |`
    );
  })
  .join('\n');

const md = `# Benchmarks

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpu}, ${os.cpus().length} logical CPUs,
${fmt(os.totalmem() / 2 ** 30, 0)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}. The simulator is
single-threaded: every figure is for one core. Load average ${loadBefore.map((x) => fmt(x, 1)).join(' / ')} before measuring and ${os
  .loadavg()
  .map((x) => fmt(x, 1))
  .join(' / ')} after
(each figure is the median of ${repeat} processes).

Reproduce with \`npm run bench\` (\`BENCH_REPEAT\` sets how many processes per row, default 3;
\`BENCH_ONLY=energy\` re-measures only the power-and-heat section at the end). The
runner bundles the simulator with esbuild, as the extension ships it, and runs every row in a
fresh Node process that simulates the case five times: *cold* is the first run in the process
(JIT warm-up included: what a user's first run costs), *warm* the median of the last three (the
simulator's steady-state speed; the run right after the cold one still includes JIT work). *Per CPU s* divides by the process's CPU time
(\`process.cpuUsage\`, all threads, so it includes the JIT compiler and GC threads). Peak RSS is
\`process.resourceUsage().maxRSS\` right after the cold run and its result; it includes Node
itself (about 45 MiB) and whatever garbage V8 had not yet collected. *Live heap* is the JS heap
in use after a full garbage collection at the end of the cold run, before the result is built:
the simulation's own state.

Cases (bench/cases.ts):
${CASES.map((c) => `- \`${c.name}\`: ${c.describe}`).join('\n')}

| case | simulated s | events | warm M events/s | warm M events per CPU s (slowest-fastest process) | warm simulated s per wall s | cold M events/s | cold simulated s per wall s | result ms | live heap MiB | peak RSS MiB | work |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|
${table}

- *Events* are engine events: arrivals, timer expiries (end of a burst or of a slice),
  wake-ups, periodic releases, migration completions, balance ticks, and timers voided by a
  preemption (they are still popped from the queue).
- *Result ms* is building the result after the run: summary, per-process table (at most
  10,000 completed rows), binned series (at most 1,000 points per series) and the SHA-256 of
  its canonical JSON.
- Memory stays flat as the simulated duration grows: process records are pooled and reused,
  series are binned on the fly into a fixed number of bins, response times go into a
  fixed-size histogram, and the per-process and migration tables are capped. Compare the rows
  of each case across durations (the open case sees ten times as many processes in the 100 s
  run as in the 10 s one): the live heap stays put once the capped tables are full.
- Reference point: SimSo (Chéramy, Hladik, Déplanche, WATERS 2014) needs about 33 s of wall time to simulate 10 s
  of a 32-CPU, 160-task global-EDF system (32k-107k events/s). How one task set is run in both
  (bench/simso-compare.ts): docs/model.md, "Checked against exact references".

${measureEnergy()}`;
// The policy-sandbox and sweep sections come from bench/policies.ts and bench/sweep.ts: keep them.
const previous = readFileSync(path.join(root, 'BENCHMARKS.md'), 'utf8');
const kept = previous.indexOf('\n## Policy sandbox');
writeFileSync(path.join(root, 'BENCHMARKS.md'), kept >= 0 ? `${md.trimEnd()}\n${previous.slice(kept)}` : md);
console.log('wrote BENCHMARKS.md');
