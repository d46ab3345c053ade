/**
 * `node --import tsx bench/timeline.ts [--repeat r]`: what the timeline log costs, measured side
 * by side: a 1,000 s run of the intro lab's machine and workload (web requests arriving for
 * the whole run, batch jobs, linux-cfs) with the log off, with the 6,000 spans a timeline chart
 * keeps, and with 1,000,000, each in a fresh process, r rounds (default 3) in an order that
 * alternates from round to round. Reports the median peak RSS (process.resourceUsage().maxRSS,
 * Node's own ~50 MiB included) and CPU time, and the spans kept; checks that every variant gives
 * the same digest (the log is not part of it).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { simulate, type SimConfig } from '../src/sim';

const S = 1e9;
const config = (timelineSegments: number): SimConfig => ({
  machine: { sockets: 2, coresPerSocket: 4, caches: { l1dBytes: 32 * 1024, l2Bytes: 1 << 20, llcBytes: 16 << 20 } },
  workload: {
    groups: [
      {
        name: 'web',
        arrival: { kind: 'poisson', ratePerS: 400 },
        demand: { kind: 'exp', meanNs: 4e6 },
        workingSetBytes: 256 * 1024,
      },
      {
        name: 'batch',
        count: 6,
        arrival: { kind: 'fixed', atNs: 0 },
        demand: { kind: 'fixed', valueNs: 3 * S },
        workingSetBytes: 8 << 20,
        dirtyFraction: 0.3,
      },
    ],
  },
  policy: { name: 'linux-cfs' },
  scheduler: { kind: 'fair' },
  durationNs: 1000 * S,
  seed: 7,
  timelineSegments,
});

if (process.argv[2] === '--child') {
  const spans = Number(process.argv[3]);
  const cpu0 = process.cpuUsage();
  const result = simulate(config(spans));
  const cpu = process.cpuUsage(cpu0);
  const log = result.timeline;
  console.log(
    JSON.stringify({
      spans,
      kept: log ? log.spans.pid.length + log.moves.pid.length : 0,
      coveredS: log ? (log.toNs - log.fromNs) / S : 0,
      events: result.summary.events,
      digest: result.digest,
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
      cpuS: (cpu.user + cpu.system) / 1e6,
    }),
  );
  process.exit(0);
}

const at = process.argv.indexOf('--repeat');
const repeat = Number(at > 0 ? process.argv[at + 1] : (process.env.BENCH_REPEAT ?? 3));
const variants = [0, 6_000, 1_000_000];
const self = fileURLToPath(import.meta.url);
const samples = new Map<
  number,
  { maxRssMiB: number; cpuS: number; kept: number; coveredS: number; digest: string; events: number }[]
>();
console.log(
  `timeline log: 1,000 s of the intro workload under linux-cfs, ${repeat} rounds, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
for (let round = 0; round < repeat; round++) {
  const order = round % 2 === 0 ? variants : [...variants].reverse();
  for (const spans of order) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', String(spans)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (r.status !== 0) throw new Error(r.stderr);
    const sample = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    samples.set(spans, [...(samples.get(spans) ?? []), sample]);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const digests = new Set([...samples.values()].flat().map((s) => s.digest));
if (digests.size !== 1) throw new Error(`the log changed the digest: ${[...digests].join(', ')}`);
console.log(
  '| timelineSegments | entries kept | simulated time covered | peak RSS (MiB, median, min-max) | CPU time (s, median) |',
);
console.log('|---|---|---|---|---|');
for (const spans of variants) {
  const s = samples.get(spans)!;
  const rss = s.map((x) => x.maxRssMiB);
  console.log(
    `| ${spans.toLocaleString('en')} | ${s[0]!.kept.toLocaleString('en')} | ${s[0]!.coveredS.toFixed(1)} s | ${median(rss).toFixed(0)} (${Math.min(...rss).toFixed(0)}-${Math.max(...rss).toFixed(0)}) | ${median(s.map((x) => x.cpuS)).toFixed(2)} |`,
  );
}
console.log(
  `events per run: ${samples.get(0)![0]!.events.toLocaleString('en')}; the same digest with and without the log`,
);
