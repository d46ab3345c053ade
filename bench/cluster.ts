/**
 * `node --import tsx bench/cluster.ts` (the last part of `npm run bench`): issue 17's cluster
 * (bench/cluster-scenario.ts: 1,000 hosts x 32 cores, an open request stream at 60 %
 * utilisation) for one simulated hour, each row the median of BENCH_REPEAT fresh processes
 * (default 3) of bench/cluster-case.ts, bundled with esbuild as the extension ships the
 * simulator. Writes the "Cluster" section of BENCHMARKS.md: events per second, wall and CPU
 * time, peak RSS, and the live heap and RSS at every tenth of the simulated hour.
 *
 * `--baseline <other tree>` instead compares this tree's simulator with another's (a worktree
 * of an earlier commit) side by side: the same case script bundled against each tree's
 * src/sim, fresh processes alternating tree by tree, BENCH_CLUSTER_S simulated seconds
 * (default 720 here); prints a Markdown table and writes nothing.
 *
 * BENCH_CLUSTER_S (simulated seconds, default 3600) and BENCH_CLUSTER_POLICIES (balancer
 * policies, default power-of-d) change the rows; BENCHMARKS.md is written only with neither set.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from './bundle';
import { DEMAND_S, DESCRIBE, RATE_PER_S } from './cluster-scenario';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const baseline = arg('--baseline');
const repeat = Number(process.env.BENCH_REPEAT ?? 3);
const durationS = Number(process.env.BENCH_CLUSTER_S ?? (baseline ? 720 : 3600));
const policies = process.env.BENCH_CLUSTER_POLICIES?.split(',') ?? ['power-of-d'];
const SAMPLES = 10;

/** What bench/cluster-case.ts prints. */
interface CaseLine {
  policy: string;
  events: number;
  clusterEvents: number;
  hostEvents: number;
  routed: number;
  completed: number;
  meanResponseS: number;
  p99ResponseS: number;
  utilisation: number;
  buildWallMs: number;
  buildCpuMs: number;
  runWallMs: number;
  runCpuMs: number;
  advanceCpuMs: number;
  resultWallMs: number;
  heapBeforeMiB: number;
  builtHeapMiB: number;
  builtRssMiB: number;
  points: Array<{ simulatedMin: number; heapMiB: number; rssMiB: number; cpuMs: number }>;
  maxRssMiB: number;
  vmHwmMiB: number;
  digest: string;
}

/** bench/cluster-case.ts bundled against `tree`'s simulator (this tree's hash and scenario for both). */
function bundle(tree: string, label: string): string {
  const entry = path.join(root, 'out', 'bench', `cluster-${label}-case.ts`);
  mkdirSync(path.dirname(entry), { recursive: true });
  const source = readFileSync(path.join(root, 'bench', 'cluster-case.ts'), 'utf8')
    .replace("'../src/sim/index'", JSON.stringify(path.join(tree, 'src', 'sim', 'index')))
    .replace("'../src/worker/nodeSha256'", JSON.stringify(path.join(root, 'src', 'worker', 'nodeSha256')))
    .replace("'./cluster-scenario'", JSON.stringify(path.join(root, 'bench', 'cluster-scenario')));
  writeFileSync(entry, source);
  return bundleForNode(entry, path.join(root, 'out', 'bench', `cluster-${label}.cjs`));
}

function once(script: string, policy: string, seconds = durationS, samples = SAMPLES, hosts?: number): CaseLine {
  const args = [script, policy, String(seconds), String(samples), ...(hosts === undefined ? [] : [String(hosts)])];
  const out = execFileSync(process.execPath, ['--expose-gc', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as CaseLine;
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1]!;
const range = (xs: readonly number[], digits = 0) =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;
const loadText = (l: number[]) => l.map((x) => x.toFixed(1)).join(' / ');
const mega = (events: number, ms: number) => (events / ms / 1000).toFixed(3);

function sameDigest(runs: CaseLine[], what: string): void {
  if (new Set(runs.map((r) => r.digest)).size !== 1) throw new Error(`${what}: processes disagree on the digest`);
}

if (baseline !== undefined) {
  const trees = [
    { label: 'this tree', script: bundle(root, 'this') },
    { label: 'baseline', script: bundle(path.resolve(baseline), 'baseline') },
  ];
  const load = os.loadavg();
  const started = new Date();
  const lines: string[] = [];
  for (const policy of policies) {
    const runs: Record<string, CaseLine[]> = { 'this tree': [], baseline: [] };
    for (let i = 0; i < repeat; i++) {
      // Alternate which tree goes first, so a change in the machine's load falls on both alike.
      const order = i % 2 === 0 ? [trees[1]!, trees[0]!] : trees;
      for (const t of order) {
        runs[t.label]!.push(once(t.script, policy));
        console.error(`${policy} ${t.label}: ${runs[t.label]!.at(-1)!.runCpuMs.toFixed(0)} CPU ms`);
      }
    }
    const base = runs.baseline!;
    const mine = runs['this tree']!;
    const ratio = median(mine.map((m, i) => m.runCpuMs / base[i]!.runCpuMs));
    for (const [label, rs] of [
      ['baseline', base],
      ['this tree', mine],
    ] as const) {
      sameDigest(rs, `${policy} ${label}`);
      const last = (r: CaseLine) => r.points.at(-1)!;
      lines.push(
        `| ${policy} | ${label} | ${rs[0]!.events.toLocaleString('en')} | ${range(rs.map((r) => r.runCpuMs))} | ` +
          `${mega(rs[0]!.events, median(rs.map((r) => r.runCpuMs)))} | ${median(rs.map((r) => r.points[0]!.heapMiB)).toFixed(1)} → ${median(rs.map((r) => last(r).heapMiB)).toFixed(1)} | ` +
          `${median(rs.map((r) => last(r).rssMiB)).toFixed(0)} | ${median(rs.map((r) => r.maxRssMiB)).toFixed(0)} | ${rs[0]!.digest.slice(0, 12)} | ${label === 'this tree' ? `${ratio.toFixed(3)}x` : ''} |`,
      );
    }
  }
  console.log(`Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${os.cpus().length} cores; \
${durationS} simulated s, medians of ${repeat} fresh processes per tree, alternating; load average ${loadText(load)} before, ${loadText(os.loadavg())} after.

| balancer | tree | events | run CPU ms (min-max) | M events per CPU s | live heap MiB, first → last sample | RSS MiB at the end | peak RSS MiB | digest | CPU vs baseline |
|---|---|---:|---:|---:|---:|---:|---:|---|---:|
${lines.join('\n')}`);
  process.exit(0);
}

const script = bundleForNode(
  path.join(root, 'bench', 'cluster-case.ts'),
  path.join(root, 'out', 'bench', 'cluster-case.cjs'),
);
const load = os.loadavg();
const started = new Date();
const rows: string[] = [];
const memory: string[] = [];
const growth: string[] = [];
for (const policy of policies) {
  const runs: CaseLine[] = [];
  for (let i = 0; i < repeat; i++) {
    runs.push(once(script, policy));
    const r = runs.at(-1)!;
    console.error(
      `${policy}: ${r.events} events, ${r.runWallMs.toFixed(0)} ms wall, ${r.runCpuMs.toFixed(0)} ms CPU, peak RSS ${r.maxRssMiB.toFixed(0)} MiB (load ${loadText(os.loadavg())})`,
    );
  }
  sameDigest(runs, policy);
  const r0 = runs[0]!;
  const wall = median(runs.map((r) => r.runWallMs));
  const cpu = median(runs.map((r) => r.runCpuMs));
  rows.push(
    `| ${policy} | ${r0.routed.toLocaleString('en')} | ${r0.events.toLocaleString('en')} (${r0.clusterEvents.toLocaleString('en')} + ${r0.hostEvents.toLocaleString('en')}) | ` +
      `${range(
        runs.map((r) => r.runWallMs / 1000),
        1,
      )} | ${range(
        runs.map((r) => r.runCpuMs / 1000),
        1,
      )} | ${mega(r0.events, wall)} | ${mega(r0.events, cpu)} | ${((cpu * 1000) / r0.routed).toFixed(1)} | ` +
      `${(median(runs.map((r) => r.buildWallMs)) / 1000).toFixed(1)} | ${(median(runs.map((r) => r.resultWallMs)) / 1000).toFixed(1)} | ${Math.max(...runs.map((r) => r.maxRssMiB)).toFixed(0)} | ` +
      `${(r0.utilisation * 100).toFixed(1)} % | ${r0.meanResponseS.toFixed(3)} / ${r0.p99ResponseS.toFixed(2)} |`,
  );
  const at = (k: number, f: (p: CaseLine['points'][number]) => number) => median(runs.map((r) => f(r.points[k]!)));
  const first = at(0, (p) => p.heapMiB);
  const last = at(SAMPLES - 1, (p) => p.heapMiB);
  growth.push(
    `${policy}: the live heap ${first.toFixed(1)} → ${last.toFixed(1)} MiB from the first sample to the last (${last >= first ? '+' : ''}${(((last - first) / first) * 100).toFixed(1)} %), ` +
      `RSS ${at(0, (p) => p.rssMiB).toFixed(0)} → ${at(SAMPLES - 1, (p) => p.rssMiB).toFixed(0)} MiB.`,
  );
  memory.push(
    `| ${policy} | live heap | ${median(runs.map((r) => r.builtHeapMiB)).toFixed(1)} | ${r0.points.map((_, k) => at(k, (p) => p.heapMiB).toFixed(1)).join(' | ')} |`,
    `| ${policy} | RSS | ${median(runs.map((r) => r.builtRssMiB)).toFixed(0)} | ${r0.points.map((_, k) => at(k, (p) => p.rssMiB).toFixed(0)).join(' | ')} |`,
  );
}
/**
 * The same requests (276,480: 72 s of the full cluster's stream) on 10, 100 and 1,000 hosts at the
 * same load per host, so the hosts differ only in how many there are: what a request costs as
 * the hosts' state outgrows the CPU's caches.
 */
const LOCALITY_HOSTS = [10, 100, 1000];
const locality: string[] = [];
for (const hosts of LOCALITY_HOSTS) {
  const seconds = (72 * 1000) / hosts;
  const runs = Array.from({ length: repeat }, () => once(script, 'power-of-d', seconds, 1, hosts));
  const r0 = runs[0]!;
  const cpu = median(runs.map((r) => r.advanceCpuMs));
  locality.push(
    `| ${hosts.toLocaleString('en')} | ${seconds.toLocaleString('en')} | ${r0.routed.toLocaleString('en')} | ${r0.events.toLocaleString('en')} | ` +
      `${((cpu * 1000) / r0.routed).toFixed(1)} | ${mega(r0.events, cpu)} |`,
  );
  console.error(`${hosts} hosts: ${((cpu * 1000) / r0.routed).toFixed(1)} CPU µs per request`);
}
const loadAfter = os.loadavg();
const minutes = Array.from({ length: SAMPLES }, (_, k) => ((durationS * (k + 1)) / SAMPLES / 60).toFixed(0));
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
} catch {
  // Not a git checkout: the commit stays unknown.
}
const section = `## A 1,000-host cluster for one simulated hour (issue 17)

\`node --import tsx bench/cluster.ts\` (the last part of \`npm run bench\`), measured
${started.toISOString().slice(0, 16).replace('T', ' ')} UTC at commit ${commit}, Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}),
shared with other work: load average ${loadText(load)} before, ${loadText(loadAfter)} after. Each
figure is the median of ${repeat} fresh processes (min-max where shown), all with the same digest.

The cluster (bench/cluster-scenario.ts): ${DESCRIBE}. ${durationS.toLocaleString('en')} simulated s.
At ${RATE_PER_S.toLocaleString('en')} requests/s and ${DEMAND_S} s each the cores are 60 % busy; a
request costs the simulator a fixed amount whatever its length (fcfs: its arrival, its dispatch
and completion, and the balancer's routing), so shorter requests at the same load cost
proportionally more: 10 ms web requests would be 1.92 million a second.

*Events* are the simulator's own counters (ClusterResult.events): the cluster's (one per request
routed at the balancer; this run has no host events or autoscaler) plus every host's engine
events (an injected request's arrival, timer expiries: here each request's completion). *Run*
is advance() over the hour plus result(), which brings every host to the end and digests it;
building the 1,000 hosts is apart. *Peak RSS* is \`process.resourceUsage().maxRSS\` at the end
(the same as /proc/self/status VmHWM), Node itself included; the largest of the processes.

| balancer | requests | events (cluster + hosts) | run wall s (min-max) | run CPU s (min-max) | M events/s (wall) | M events per CPU s | CPU µs per request | build s | result s | peak RSS MiB | utilisation | response mean / p99 s |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

Memory against simulated time: after each tenth of the hour a full garbage collection
(\`--expose-gc\`), then the live JS heap (\`heapUsed\`) and the RSS, in MiB ("built": before the
first event).

| balancer | MiB | built | ${minutes.map((m) => `${m} min`).join(' | ')} |
|---|---|---:|${minutes.map(() => '---:|').join('')}
${memory.join('\n')}

${growth.join('\n')}

What a request costs against the number of hosts: the same 276,480 requests (the stream
of 72 s of the full cluster) on 10, 100 and 1,000 hosts at the same load per host (power-of-d),
so only the number of hosts differs; CPU time of advance() alone (result() costs in proportion
to the hosts, not the requests). The simulator does the same work per request in each row;
what grows is the time its memory accesses take once a thousand hosts' engines (their per-CPU
arrays, event queues, caches, series and statistics) no longer fit in the CPU's caches: each
request touches two hosts' state cold.

| hosts | simulated s | requests | events | CPU µs per request | M events per CPU s |
|---:|---:|---:|---:|---:|---:|
${locality.join('\n')}
`;

const file = path.join(root, 'BENCHMARKS.md');
const text = readFileSync(file, 'utf8');
const start = text.indexOf('## A 1,000-host cluster');
const end = start < 0 ? -1 : text.indexOf('\n## ', start + 1);
const next =
  start < 0
    ? `${text.trimEnd()}\n\n${section}`
    : `${text.slice(0, start)}${section}${end < 0 ? '' : `\n${text.slice(end + 1)}`}`;
if (!process.env.BENCH_CLUSTER_S && !process.env.BENCH_CLUSTER_POLICIES) writeFileSync(file, next);
console.log(section);
