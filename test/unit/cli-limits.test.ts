// Through the built command line (dist/cli.js, npm run build first), as users run it: what a
// policy prints reaches `run` and `run --json`, capped at 200 lines of 1000 characters with the
// cut stated; and `--cpu-limit` stops a run that would never end (the million processes
// arriving at 1e9/s) in run, verify, export and sweep, naming the run and the limit, with a
// non-zero exit and no stack trace, while the lab's other run is still done and reported.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseLab } from '../../src/lab/document/markdown';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { resultsPathFor, serializeResults, type ResultsRecord } from '../../src/lab/run/resultsRecord';
import type { SummaryValue } from '../../src/lab/outputs/contract';
import { LAB_VERSION, SIM_VERSION } from '../../src/cli/version';
import { BUILT_CLI, cli, tempDir } from './cli-helpers';

const built = (args: string[]) => {
  assert.ok(existsSync(BUILT_CLI), `${BUILT_CLI} is missing: run npm run build first`);
  return cli(args, { entry: BUILT_CLI, timeoutMs: 120_000 });
};

const LOUD = `# Loud

\`\`\`machine
name: duo
sockets: 1
coresPerSocket: 2
\`\`\`

\`\`\`workload
name: w
processes:
  - { name: p, count: 300, arrival: 0s, demand: exp 1ms }
\`\`\`

\`\`\`policy name=loud lang=ts
export default definePolicy({
  place(view: PolicyView, p: Proc): number {
    if (p === 0) console.log('x'.repeat(1500));
    console.log('placed', p);
    return 0;
  },
});
\`\`\`

\`\`\`run
name: r
machine: duo
workload: w
policy: loud
duration: 1s
\`\`\`
`;

test('a policy cell prints into run and run --json: 200 lines of at most 1000 characters, the cut stated', () => {
  const dir = tempDir('logs');
  const lab = join(dir, 'loud.lab.md');
  writeFileSync(lab, LOUD);
  const json = built(['run', lab, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const logs = (JSON.parse(json.stdout) as { runs: { name: string; logs?: string[] }[] }).runs[0]!.logs!;
  // 301 lines printed: 200 kept, then one line that says how many were not.
  assert.equal(logs.length, 201);
  assert.equal(logs[0], `${'x'.repeat(1000)}… (line cut at 1000 characters)`);
  assert.match(logs[1]!, /^placed \d+$/);
  assert.equal(logs[200], '… 101 more lines not kept (the first 200 are)');
  const text = built(['run', lab]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /policy loud printed:\nx{1000}… \(line cut at 1000 characters\)\nplaced \d+\n/);
  assert.match(text.stdout, /\nplaced \d+\n… 101 more lines not kept \(the first 200 are\)\n/);
  assert.equal(text.stdout.match(/^placed \d+$/gm)!.length, 199);
});

/**
 * The case: a million processes arriving at 1e9/s, run for an hour of simulated time;
 * and after it a run that takes milliseconds, which must still be done and reported.
 */
const ENDLESS = `# Endless

\`\`\`params
pol: pinned
\`\`\`

\`\`\`machine
name: duo
sockets: 1
coresPerSocket: 2
\`\`\`

\`\`\`workload
name: flood
processes:
  - { name: p, count: 1000000, arrival: poisson 1000000000/s, demand: exp 1s }
\`\`\`

\`\`\`run
name: forever
machine: duo
workload: flood
policy: $pol
duration: 3600s
\`\`\`

\`\`\`workload
name: few
processes:
  - { name: q, count: 10, arrival: 0s, demand: exp 10ms }
\`\`\`

\`\`\`run
name: quick
machine: duo
workload: few
policy: $pol
duration: 1s
\`\`\`
`;

/**
 * The results record a machine with a larger budget would have written for ENDLESS: \`quick\` as
 * \`run --json\` reports it now (so it verifies identical), \`forever\` with the digest of a result
 * this budget cannot reach. Same inputs hashes, so verify re-runs both.
 */
function recordOnABiggerMachine(lab: string): void {
  const json = built(['run', lab, '--json', '--cpu-limit', '1']);
  assert.equal(json.code, 1, json.stderr);
  const quick = (
    JSON.parse(json.stdout) as {
      runs: { name: string; digest?: string; summary?: Record<string, SummaryValue> }[];
    }
  ).runs.find((r) => r.name === 'quick')!;
  const runs = resolveLab(parseLab(ENDLESS)).runs;
  const recorded = (name: string, digest: string, summary: Record<string, SummaryValue>) => {
    const run = runs.find((r) => r.name === name)!;
    return {
      policy: 'pinned',
      seed: run.config.seed,
      simVersion: SIM_VERSION,
      inputsHash: run.inputsHash,
      digest,
      summary,
    };
  };
  const record: ResultsRecord = {
    format: 1,
    lab: 'endless.lab.md',
    version: LAB_VERSION,
    params: { pol: 'pinned' },
    runs: { forever: recorded('forever', 'f'.repeat(64), {}), quick: recorded('quick', quick.digest!, quick.summary!) },
    compares: {},
  };
  writeFileSync(resultsPathFor(lab), serializeResults(record));
}

for (const command of ['run', 'verify', 'export', 'sweep'] as const) {
  test(`${command} --cpu-limit 1 stops a run that never ends: the run and the limit named, exit 1, no stack trace, the other run done`, () => {
    const dir = tempDir(`limit-${command}`);
    const lab = join(dir, 'endless.lab.md');
    writeFileSync(lab, ENDLESS);
    if (command === 'verify') {
      // Without a record there is nothing to verify against, and verify says so.
      const none = built(['verify', lab, '--cpu-limit', '1']);
      assert.equal(none.code, 2, none.stderr);
      assert.match(
        none.stderr,
        /endless\.lab\.results\.json:1:1: no results record: run "migration-lab run .*endless\.lab\.md" first/,
      );
      recordOnABiggerMachine(lab);
    }
    const report = join(dir, 'report.html');
    const sweep = join(dir, 'sweep.json');
    const extra =
      command === 'export'
        ? ['--out', report]
        : command === 'sweep'
          ? ['--param', 'pol=pinned', '--seeds', '1', '--out', sweep, '--stats', join(dir, 'stats.json')]
          : [];
    const started = Date.now();
    const r = built([command, lab, ...extra, '--cpu-limit', '1']);
    const said = `${r.stdout}\n${r.stderr}`;
    // 1: a cell failed (2 would be bad input; anything else a crash).
    assert.equal(r.code, 1, said);
    // One line names the run and the limit that stopped it.
    assert.match(said, /^run forever\b.*CPU-time limit of 1 s per run, so its worker was stopped/m, said);
    assert.doesNotMatch(said, /^\s+at .+:\d+:\d+\)?$/m, said);
    assert.ok(Date.now() - started < 60_000, `${command} took ${Date.now() - started} ms`);
    // The other run is still done, and reported as each command reports runs.
    if (command === 'run') assert.match(r.stdout, /^\*\*quick\*\*: pinned on duo, few/m, said);
    if (command === 'verify') {
      assert.match(r.stdout, /^run forever: failed \(RunLimit: it ran past its CPU-time limit of 1 s per run/m, said);
      assert.match(r.stdout, /^run quick: identical$/m, said);
    }
    if (command === 'export') {
      // The report is written: quick's results, and forever's cell marked as stopped.
      const html = readFileSync(report, 'utf8');
      assert.match(html, /<strong>quick<\/strong>: pinned on duo, few/);
      assert.match(
        html,
        /class="output error">RunLimit: it ran past its CPU-time limit of 1 s per run, so its worker was stopped</,
      );
      assert.match(r.stdout, /report written to /);
    }
    if (command === 'sweep') {
      // quick's row is written; forever's is missing (merge names it), and no statistics.
      const rows = (JSON.parse(readFileSync(sweep, 'utf8')) as { rows: { run: string }[] }).rows;
      assert.deepEqual(
        rows.map((row) => row.run),
        ['quick'],
      );
      assert.match(r.stderr, /^run forever \(pol=pinned, seed 1\) failed: RunLimit: /m);
      assert.match(r.stderr, /1 of 2 simulations failed .*the rows of the other 1.*stats\.json not written/);
      assert.ok(!existsSync(join(dir, 'stats.json')));
    }
  });
}
