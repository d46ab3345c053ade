/**
 * `node --import tsx bench/scaling.ts` (part of `npm run bench`): the simulator's cost per event
 * against the machine's size (4 to 1,024 CPUs, every built-in policy, the same load per CPU) and
 * against the number of live processes (10^2 to 10^6), each row the median of BENCH_REPEAT fresh
 * processes (default 3) running bench/scaling-case.ts; writes the "Scaling" section of
 * BENCHMARKS.md. `BENCH_POLICIES=a,b` and `BENCH_CPUS=4,1024` narrow the table while working.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { POLICY_NAMES } from '../src/sim/index';
import { bundleForNode } from './bundle';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const script = bundleForNode(
  path.join(root, 'bench', 'scaling-case.ts'),
  path.join(root, 'out', 'bench', 'scaling-case.cjs'),
);
const repeat = Number(process.env.BENCH_REPEAT ?? 3);
const policies = process.env.BENCH_POLICIES?.split(',') ?? POLICY_NAMES;
const cpuCounts = (process.env.BENCH_CPUS?.split(',') ?? ['4', '16', '64', '256', '1024']).map(Number);
const liveCounts = (process.env.BENCH_LIVE?.split(',') ?? ['100', '1000', '10000', '100000', '1000000']).map(Number);

interface Row {
  events: number;
  warmNsPerEvent: number;
  liveHeapMiB: number;
  heapBeforeMiB: number;
  maxRssMiB: number;
  simulatedS: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1]!;

/** Median of `repeat` processes (min and max kept); the largest peak RSS. */
function measure(args: string[]): Row & { min: number; max: number } {
  const rows: Row[] = [];
  for (let i = 0; i < repeat; i++) {
    const out = execFileSync(process.execPath, ['--expose-gc', script, ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    rows.push(JSON.parse(out.trim().split('\n').pop()!) as Row);
  }
  const ns = rows.map((r) => r.warmNsPerEvent);
  return {
    ...rows[0]!,
    warmNsPerEvent: median(ns),
    min: Math.min(...ns),
    max: Math.max(...ns),
    maxRssMiB: Math.max(...rows.map((r) => r.maxRssMiB)),
    liveHeapMiB: Math.max(...rows.map((r) => r.liveHeapMiB)),
  };
}

const load = os.loadavg();
const started = new Date();
const byCpus: string[] = [];
const ratios: number[] = [];
for (const policy of policies) {
  const cells: string[] = [];
  let first = 0;
  let worst = 0;
  for (const n of cpuCounts) {
    const r = measure(['cpus', policy, String(n)]);
    if (first === 0) first = r.warmNsPerEvent;
    worst = Math.max(worst, r.warmNsPerEvent / first);
    cells.push(`${r.warmNsPerEvent.toFixed(0)} (${r.min.toFixed(0)}-${r.max.toFixed(0)})`);
    console.error(`${policy} ${n} CPUs: ${r.warmNsPerEvent.toFixed(0)} ns/event, ${r.events} events`);
  }
  ratios.push(worst);
  byCpus.push(`| ${policy} | ${cells.join(' | ')} | ${worst.toFixed(2)}x |`);
}
const byLive: string[] = [];
for (const count of liveCounts) {
  const r = measure(['live', String(count)]);
  const bytesPerProcess = ((r.liveHeapMiB - r.heapBeforeMiB) * 2 ** 20) / count;
  byLive.push(
    `| ${count.toLocaleString('en')} | ${r.events.toLocaleString('en')} | ${r.warmNsPerEvent.toFixed(0)} (${r.min.toFixed(0)}-${r.max.toFixed(0)}) | ${bytesPerProcess.toFixed(0)} | ${r.maxRssMiB.toFixed(0)} |`,
  );
  console.error(
    `${count} live: ${r.warmNsPerEvent.toFixed(0)} ns/event, ${bytesPerProcess.toFixed(0)} B/process, ${r.maxRssMiB.toFixed(0)} MiB`,
  );
}
const loadAfter = os.loadavg();

const section = `## Scaling

Cost per event against the size of the machine and the number of live processes, with
\`node --import tsx bench/scaling.ts\` (bench/scaling-case.ts). Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC on the machine above; load
average ${load.map((x) => x.toFixed(1)).join(' / ')} before and ${loadAfter.map((x) => x.toFixed(1)).join(' / ')} after. Each cell is the median of
${repeat} fresh processes (min-max in brackets) of warm CPU time per event: a run is repeated in its
process until two runs in a row agree within 5 %.

**Against the machine's size:** the same load per CPU everywhere (sockets of at most 32 cores). An
open Poisson stream at 70 % utilisation (exp demand 10 ms, 256 KiB working sets, \`fair\`), or for
\`global-edf\` and \`partitioned-edf\` 5 periodic tasks per CPU at 70 % (periods 5-50 ms, EDF).
Every size simulates the same 1 s (so the series have the same bins and a burst spans as many of
them) and a measurement repeats the run until it has seen 150,000 events: on the small machines
a run is short (about 1,000 events on 4 CPUs), so their figures carry more of a run's fixed
costs. The last column is the largest cost over the 4-CPU one.

| policy | ${cpuCounts.map((n) => `${n} CPUs ns/event`).join(' | ')} | worst vs ${cpuCounts[0]} CPUs |
|---|${cpuCounts.map(() => '---:|').join('')}---:|
${byCpus.join('\n')}

**Against live processes:** that many processes that never finish on 64 CPUs (\`least-loaded\`,
\`fair\`), so every event is a slice end or a dispatch. *Bytes per process* is the live JS heap after a
full collection at the end of the run, less the heap before the run was built, divided by the
number of processes. *Peak RSS* includes Node itself (about 45 MiB).

| live processes | events | ns/event | bytes per process | peak RSS MiB |
|---:|---:|---:|---:|---:|
${byLive.join('\n')}
`;

const file = path.join(root, 'BENCHMARKS.md');
const text = readFileSync(file, 'utf8');
const start = text.indexOf('## Scaling');
const end = start < 0 ? -1 : text.indexOf('\n## ', start + 1);
const next =
  start < 0
    ? `${text.trimEnd()}\n\n${section}`
    : `${text.slice(0, start)}${section}${end < 0 ? '' : text.slice(end + 1)}`;
if (!process.env.BENCH_POLICIES && !process.env.BENCH_CPUS && !process.env.BENCH_LIVE) writeFileSync(file, next);
console.log(section);
