/**
 * Resolving a lab (every cell parsed, validated and turned into simulator configs) against the
 * number of its cells: what the editor does on every edit pause and what `run` does once.
 * Labs of 100 to 3,000 cells mix machines, workloads, policy cells, runs, compares, charts,
 * checks and prose. Each size is measured in fresh processes (bundled with esbuild, as the
 * extension ships it): *cold* is the first resolve in the process, *again* a second resolve of
 * the same text (what an edit pause costs when most cells did not change). Median of
 * BENCH_REPEAT processes (default 3).
 *
 *   node --import tsx bench/resolve.ts                       current checkout
 *   BENCH_BASELINE=/path/to/other/checkout node --import tsx bench/resolve.ts
 *                                                           the same, side by side (alternating processes)
 * Writes the "Resolving labs" section of BENCHMARKS.md unless BENCH_NO_WRITE is set.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from './bundle';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'out', 'bench');
const SIZES = [100, 300, 600, 1000, 3000];
const repeat = Number(process.env.BENCH_REPEAT ?? 3);
const HEADING = '## Resolving labs';

/** A lab of about `cells` cells: per group of seven, a machine, a workload, a policy cell, a run, a compare, a chart and a check, with prose. */
export function labOfSize(cells: number): string {
  const parts = ['# A big lab\n', '```params\ndur: 1s\n```\n'];
  for (let i = 0; parts.length < cells; i++) {
    parts.push(`Prose before group ${i}.\n`);
    parts.push(`\`\`\`machine\nname: m${i}\nsockets: 1\ncoresPerSocket: 4\n\`\`\`\n`);
    parts.push(
      `\`\`\`workload\nname: w${i}\nprocesses:\n  - { name: a, count: 10, arrival: 0s, demand: 10ms }\n\`\`\`\n`,
    );
    parts.push(
      `\`\`\`policy name=p${i} lang=js\ndefinePolicy({ place(view, p) { return p % view.cpuCount; } });\n\`\`\`\n`,
    );
    parts.push(
      `\`\`\`run\nname: r${i}\nmachine: m${i}\nworkload: w${i}\npolicy: p${i}\nduration: $dur\nseed: ${i + 1}\n\`\`\`\n`,
    );
    parts.push(
      `\`\`\`compare\nname: c${i}\nmachine: m${i}\nworkload: w${i}\npolicies: [least-loaded, p${i}]\nseeds: 3\n\`\`\`\n`,
    );
    parts.push(`\`\`\`chart\nshow: load\nruns: [r${i}]\n\`\`\`\n`);
    parts.push(
      `\`\`\`check id=c${i}\nexpect: runs.r${i}.migrations >= 0 && compares.c${i}.p${i}.migrations.mean >= 0\n\`\`\`\n`,
    );
  }
  return parts.join('\n');
}

/** A lab module of `checkout`: in its room (src/lab/<room>/), or flat in src/lab for checkouts before the rooms. */
function labModule(checkout: string, room: string, name: string, flatName = name): string {
  const inRoom = path.join(checkout, 'src', 'lab', room, name);
  return existsSync(`${inRoom}.ts`) ? inRoom : path.join(checkout, 'src', 'lab', flatName);
}

/** Bundles the measuring entry against the sources of `checkout`. */
function bundle(checkout: string, name: string): string {
  mkdirSync(outDir, { recursive: true });
  const entry = path.join(outDir, `resolve-${name}.entry.ts`);
  writeFileSync(
    entry,
    `import { readFileSync } from 'node:fs';
import { parseLab } from ${JSON.stringify(labModule(checkout, 'document', 'markdown'))};
import { resolveLab } from ${JSON.stringify(labModule(checkout, 'language', 'resolveLab', 'resolve'))};
import { LabSession } from ${JSON.stringify(labModule(checkout, 'notebook', 'execute'))};
const text = readFileSync(process.argv[2], 'utf8');
let t = performance.now();
const cells = parseLab(text);
const parseMs = performance.now() - t;
t = performance.now();
const lab = resolveLab(cells);
const coldMs = performance.now() - t;
t = performance.now();
resolveLab(parseLab(text));
const againMs = performance.now() - t;
// Every code cell executed in turn, as Run All does, with runs that fail at once (no simulation):
// what is left is what executing a whole lab costs in resolving it.
(async () => {
  let executeAllMs = -1;
  if (process.argv[3] === 'execute') {
    const session = new LabSession({ run: () => Promise.reject(new Error('not simulated')) });
    const signal = new AbortController().signal;
    t = performance.now();
    for (let i = 0; i < cells.length; i++) if (cells[i].kind !== 'markdown') await session.execute(cells, i, { signal });
    executeAllMs = performance.now() - t;
  }
  console.log(JSON.stringify({ cells: cells.length, runs: lab.runs.length, parseMs, coldMs, againMs, executeAllMs }));
})();
`,
  );
  const outfile = path.join(outDir, `resolve-${name}.cjs`);
  return bundleForNode(entry, outfile);
}

interface Sample {
  cells: number;
  runs: number;
  parseMs: number;
  coldMs: number;
  againMs: number;
  executeAllMs: number;
}

/** Executing every cell resolves the lab once per cell in the baseline (quadratic): measured up to this size only. */
const EXECUTE_ALL_UP_TO = 600;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function main(): void {
  const builds: [string, string][] = [['current', bundle(root, 'current')]];
  const baseline = process.env.BENCH_BASELINE;
  if (baseline) builds.push(['baseline', bundle(path.resolve(baseline), 'baseline')]);
  const labs = SIZES.map((n) => {
    const file = path.join(outDir, `lab-${n}.lab.md`);
    writeFileSync(file, labOfSize(n));
    return file;
  });
  const rows: string[] = [];
  for (const [i, size] of SIZES.entries()) {
    const samples = new Map<string, Sample[]>(builds.map(([name]) => [name, []]));
    for (let k = 0; k < repeat; k++) {
      // Alternating, so a change of load on the machine hits both alike.
      for (const [name, script] of builds) {
        const args = [script, labs[i]!, ...(size <= EXECUTE_ALL_UP_TO || name === 'current' ? ['execute'] : [])];
        samples
          .get(name)!
          .push(
            JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 }).trim()) as Sample,
          );
      }
    }
    for (const [name] of builds) {
      const s = samples.get(name)!;
      const m = {
        parse: median(s.map((x) => x.parseMs)),
        cold: median(s.map((x) => x.coldMs)),
        again: median(s.map((x) => x.againMs)),
        all: median(s.map((x) => x.executeAllMs)),
      };
      const all = m.all >= 0 ? m.all.toFixed(0) : 'not measured';
      const line = `| ${name === 'current' ? 'this checkout' : 'baseline'} | ${size.toLocaleString('en-US')} | ${s[0]!.runs} | ${m.parse.toFixed(0)} | ${m.cold.toFixed(0)} | ${m.again.toFixed(0)} | ${all} |`;
      rows.push(line);
      console.log(
        `${name.padEnd(9)} ${String(size).padStart(5)} cells: parse ${m.parse.toFixed(0)} ms, resolve ${m.cold.toFixed(0)} ms cold, ${m.again.toFixed(0)} ms again, executing every cell ${all} ms`,
      );
    }
  }
  if (process.env.BENCH_NO_WRITE) return;
  const load = os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ');
  const section = `${HEADING}

\`node --import tsx bench/resolve.ts\` (\`BENCH_BASELINE=<checkout>\` adds another checkout,
alternating processes): labs of ${SIZES.join(', ')} cells (a machine, a workload, a policy cell,
a run, a compare, a chart and a check per group, with prose between), parsed and resolved in
fresh processes; median of ${repeat} processes. *Cold* is the first resolve in a process, *again*
a second resolve of the same text (the editor on an edit pause, most cells unchanged).
*Every cell* executes each code cell in turn as Run All does, with runs that fail at once (no
simulation), so what it measures is the resolving (the baseline up to ${EXECUTE_ALL_UP_TO} cells only).
Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${load}.

| code | cells | runs | parse ms | resolve ms (cold) | resolve ms (again) | every cell ms |
|---|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}
`;
  const file = path.join(root, 'BENCHMARKS.md');
  const current = readFileSync(file, 'utf8');
  const at = current.indexOf(HEADING);
  const next = at >= 0 ? current.indexOf('\n## ', at + HEADING.length) : -1;
  const updated =
    at < 0
      ? `${current.trimEnd()}\n\n${section}`
      : `${current.slice(0, at)}${section}${next >= 0 ? current.slice(next) : ''}`;
  writeFileSync(file, updated);
}

main();
