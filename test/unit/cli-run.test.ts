// `run`: every cell in order, --json with the simulator's summary keys, --param overrides,
// checks with exit code 1, bad input with exit code 2 and nothing written.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseLab } from '../../src/lab/document/markdown';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { runCompare } from '../../src/lab/run/compare';
import { simulate } from '../../src/sim/index';
import { cli, tempDir } from './cli-helpers';

const LAB = `# Run test

\`\`\`params
pol: least-loaded
\`\`\`

\`\`\`machine
name: quad
sockets: 1
coresPerSocket: 4
\`\`\`

\`\`\`workload
name: w
processes:
  - { name: job, count: 40, arrival: poisson 300/s, demand: exp 5ms }
  - { name: batch, count: 6, arrival: 0s, demand: 200ms }
\`\`\`

\`\`\`run
name: mine
machine: quad
workload: w
policy: $pol
duration: 1s
seed: 3
\`\`\`

\`\`\`run
name: pinned
machine: quad
workload: w
policy: pinned
duration: 1s
seed: 3
\`\`\`

\`\`\`compare
name: policies
machine: quad
workload: w
policies: [pinned, global-queue]
seeds: 3
duration: 1s
metrics: [meanResponseS, migrations]
\`\`\`

\`\`\`check id=moves points=2 message="global-queue should migrate"
expect: compares.policies.global-queue.migrations.mean > 0 && runs.pinned.migrations == 0
\`\`\`

\`\`\`check id=quick points=1
expect: runs.mine.meanResponseS < 1s
\`\`\`
`;

function labIn(text = LAB): { dir: string; lab: string } {
  const dir = tempDir('run');
  const lab = join(dir, 'test.lab.md');
  writeFileSync(lab, text);
  return { dir, lab };
}

test('--json: lab, version, runs with seed, digest and summary, compares, checks', () => {
  const { lab } = labIn();
  const r = cli(['run', lab, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.lab, lab);
  assert.match(out.version, /^\d+\.\d+\.\d+\+sim\.\d+$/);
  assert.deepEqual(
    out.runs.map((x: { name: string; policy: string; seed: number }) => [x.name, x.policy, x.seed]),
    [
      ['mine', 'least-loaded', 3],
      ['pinned', 'pinned', 3],
    ],
  );
  assert.match(out.runs[0].digest, /^[0-9a-f]{64}$/);
  for (const key of [
    'meanResponseS',
    'p95ResponseS',
    'migrations',
    'migrationsByReason',
    'cacheMisses',
    'imbalanceCv',
    'jainIndex',
    'meanUtilization',
  ])
    assert.ok(key in out.runs[0].summary, key);
  assert.equal(out.compares[0].name, 'policies');
  assert.deepEqual(out.compares[0].policies, ['pinned', 'global-queue']);
  assert.deepEqual(
    out.checks.map((c: { name: string; passed: boolean; score: number }) => [c.name, c.passed, c.score]),
    [
      ['moves', true, 2],
      ['quick', true, 1],
    ],
  );
});

test("a comparison run in the workers, which send its runs' summaries alone, is the one of the simulator's summaries", async () => {
  const { lab } = labIn();
  const r = cli(['run', lab, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const compare = resolveLab(parseLab(LAB)).compares[0]!;
  const reference = await runCompare(compare, async (config) => ({ summary: simulate(config).summary }));
  assert.deepEqual(JSON.parse(r.stdout).compares[0], JSON.parse(JSON.stringify(reference)));
});

test('text output: summaries, the comparison table, checks; the record written next to the lab', () => {
  const { dir, lab } = labIn();
  const r = cli(['run', lab]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\*\*mine\*\*/);
  // Each metric in its own unit, named in the header.
  assert.match(r.stdout, /\| policy \| meanResponseS \(ms\) \| migrations \|/);
  assert.match(r.stdout, /PASS moves \(2\/2\): passed/);
  const record = JSON.parse(readFileSync(join(dir, 'test.lab.results.json'), 'utf8'));
  assert.deepEqual(Object.keys(record), ['compares', 'format', 'lab', 'params', 'runs', 'version']);
  assert.deepEqual(Object.keys(record.runs), ['mine', 'pinned']);
  assert.equal(record.runs.mine.seed, 3);
  assert.match(record.runs.mine.inputsHash, /^[0-9a-f]{64}$/);
  assert.ok(record.compares.policies.means['global-queue.migrations'] > 0);
});

test('--param overrides a declared parameter: a different simulation and inputs hash', () => {
  const { lab } = labIn();
  const base = JSON.parse(cli(['run', lab, '--json']).stdout);
  const over = cli(['run', lab, '--json', '--param', 'pol=global-queue']);
  assert.equal(over.code, 0, over.stderr);
  const o = JSON.parse(over.stdout);
  assert.equal(o.runs[0].policy, 'global-queue');
  assert.notEqual(o.runs[0].digest, base.runs[0].digest);
  assert.equal(o.runs[1].digest, base.runs[1].digest, 'the run that does not use $pol is unchanged');
  // verify without the override: the overridden run is stale, the other identical.
  const v = cli(['verify', lab]);
  assert.equal(v.code, 1);
  assert.match(v.stdout, /run mine: stale/);
  assert.match(v.stdout, /run pinned: identical/);
  assert.match(v.stderr, /note: the record was made with --param pol=global-queue/);
  assert.equal(cli(['verify', lab, '--param', 'pol=global-queue']).code, 0);
});

test('a failed check: exit 1, with the values that made it fail', () => {
  const { lab } = labIn(LAB.replace('runs.mine.meanResponseS < 1s', 'runs.mine.meanResponseS < 1us'));
  const r = cli(['run', lab]);
  assert.equal(r.code, 1);
  assert.match(
    r.stdout,
    /FAIL quick \(0\/1\): Expected runs\.mine\.meanResponseS < 1us \(runs\.mine\.meanResponseS = [\d.e-]+, 1us\)/,
  );
});

test('bad input: exit 2, file:line:col, nothing written', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'unknown reference',
      [LAB.replace('workload: w\npolicy: pinned', 'workload: nope\npolicy: pinned')],
      /test\.lab\.md:32:11: Unknown workload "nope"/,
    ],
    ['invalid cell', [LAB.replace('coresPerSocket: 4', 'coresPerSocket: -4')], /test\.lab\.md:10:17: .*coresPerSocket/],
    ['not a lab', ['just prose\n'], /test\.lab\.md:1:1: not a lab/],
    ['empty file', [''], /test\.lab\.md:1:1: not a lab/],
  ];
  for (const [what, [text], pattern] of cases) {
    const { dir, lab } = labIn(text);
    const r = cli(['run', lab, '--out', join(dir, 'report.html')]);
    assert.equal(r.code, 2, what);
    assert.match(r.stderr, pattern, what);
    assert.deepEqual(readdirSync(dir), ['test.lab.md'], `${what}: nothing written`);
  }
  const { dir, lab } = labIn();
  const unknown = cli(['run', lab, '--param', 'speed=3']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--param speed: no params cell declares "speed" \(declared: pol\)/);
  assert.equal(existsSync(join(dir, 'test.lab.results.json')), false);
  assert.equal(cli(['frobnicate']).code, 2);
  assert.equal(cli(['run']).code, 2);
});
