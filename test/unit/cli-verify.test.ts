// Reproducibility: `run` records each run's inputs hash, seed, simulator version and digest;
// `verify` re-runs and reports identical / drifted / stale.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import { cli, REPO, tempDir } from './cli-helpers';

// The committed examples (a file another change is still writing is not an example yet).
const EXAMPLES = execFileSync('git', ['ls-files', 'examples'], { cwd: REPO, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f.endsWith('.lab.md'))
  .map((f) => f.slice('examples/'.length));

test('every example passes its own checks, verifies identical on two runs, and the record is stable text', () => {
  assert.ok(EXAMPLES.length > 0);
  for (const example of EXAMPLES) {
    const dir = tempDir('examples');
    const lab = join(dir, example);
    copyFileSync(join(REPO, 'examples', example), lab);
    // Exit 1 is a failed check (or cell): the examples' checks pin what each lab shows, every
    // migration reason among them (example-reasons.test.ts), so a change that silences one fails here.
    const run = cli(['run', lab]);
    const failed = run.stdout.split('\n').filter((line) => /^FAIL |failed: /.test(line));
    assert.equal(run.code, 0, `${example}: ${failed.join('\n')}${run.stderr}`);
    const record = readFileSync(lab.replace(/\.md$/, '.results.json'), 'utf8');
    for (let i = 0; i < 2; i++) {
      const verify = cli(['verify', lab]);
      assert.equal(verify.code, 0, `${example}: ${verify.stdout}${verify.stderr}`);
      assert.match(verify.stdout, /: identical/);
      assert.doesNotMatch(verify.stdout, /stale|drifted|new|removed|failed/);
    }
    assert.ok(!record.includes(dir), 'the record holds no absolute paths');
    if (example === EXAMPLES[0]) {
      // Running again writes the same bytes: sorted keys, no timestamps.
      cli(['run', lab]);
      assert.equal(readFileSync(lab.replace(/\.md$/, '.results.json'), 'utf8'), record, example);
    }
  }
});

test('a record made in one clone verifies identical in a fresh clone', () => {
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
  const [a, b] = [tempDir('cloneA'), tempDir('cloneB')];
  for (const dir of [a, b]) execFileSync('git', ['clone', '--quiet', REPO, dir]);
  for (const dir of [a, b]) execFileSync('git', ['checkout', '--quiet', head], { cwd: dir });
  const example = EXAMPLES[0];
  assert.ok(cli(['run', join(a, 'examples', example)]).code <= 1);
  const record = example.replace(/\.md$/, '.results.json');
  copyFileSync(join(a, 'examples', record), join(b, 'examples', record));
  const verify = cli(['verify', join(b, 'examples', example)]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /identical/);
});

const TWO_MACHINES = `# Two machines

\`\`\`machine
name: small
sockets: 1
coresPerSocket: 2
\`\`\`

\`\`\`machine
name: big
sockets: 2
coresPerSocket: 4
\`\`\`

\`\`\`workload
name: w
processes:
  - { name: job, count: 20, arrival: poisson 200/s, demand: exp 5ms }
\`\`\`

\`\`\`run
name: on-small
machine: small
workload: w
policy: least-loaded
duration: 1s
\`\`\`

\`\`\`run
name: on-big
machine: big
workload: w
policy: least-loaded
duration: 1s
\`\`\`

\`\`\`compare
name: both
machine: big
workload: w
policies: [pinned, least-loaded]
seeds: 3
duration: 1s
\`\`\`
`;

test('a one-word change in a machine cell makes exactly the dependent runs stale', () => {
  const dir = tempDir('stale');
  const lab = join(dir, 'two.lab.md');
  writeFileSync(lab, TWO_MACHINES);
  assert.equal(cli(['run', lab]).code, 0);
  writeFileSync(lab, TWO_MACHINES.replace('coresPerSocket: 2', 'coresPerSocket: 3'));
  const verify = cli(['verify', lab, '--json']);
  assert.equal(verify.code, 1);
  const entries = JSON.parse(verify.stdout).entries as { kind: string; name: string; status: string }[];
  assert.deepEqual(
    entries.map((e) => `${e.kind} ${e.name} ${e.status}`),
    ['run on-small stale', 'run on-big identical', 'compare both identical'],
  );
  // A --param that is not declared is bad input.
  const bad = cli(['verify', lab, '--param', 'nope=1']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /two\.lab\.md:1:1: --param nope: no params cell declares "nope"/);
});

test('a changed simulator constant is reported as drift, with the metrics that moved', async () => {
  const dir = tempDir('drift');
  const lab = join(dir, 'two.lab.md');
  writeFileSync(lab, TWO_MACHINES);
  assert.equal(cli(['run', lab]).code, 0);

  // The same CLI and worker, built with the default context-switch cost changed from 4.2 us
  // to 9 us in the simulator's machine model (and SIM_VERSION left alone, as a careless edit would).
  const build = join(dir, 'patched');
  const patch: esbuild.Plugin = {
    name: 'patch-context-switch',
    setup(b) {
      b.onLoad({ filter: /src[\\/]sim[\\/]machine\.ts$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const patched = source.replace(/(contextSwitchNs: \{[^}]*default: )4200(,)/, '$19000$2');
        assert.notEqual(patched, source, 'the constant to patch is where the test expects it');
        return { contents: patched, loader: 'ts' };
      });
    },
  };
  const common = {
    bundle: true,
    platform: 'node' as const,
    format: 'cjs' as const,
    outdir: build,
    plugins: [patch],
    logLevel: 'silent' as const,
    external: ['vega', 'vega-lite'],
  };
  await esbuild.build({ ...common, entryPoints: { cli: join(REPO, 'src/cli/main.ts') } });
  await esbuild.build({ ...common, entryPoints: { 'simWorker.node': join(REPO, 'src/worker/simWorker.node.ts') } });

  const verify = cli(['verify', lab, '--json'], { entry: join(build, 'cli.js') });
  assert.equal(verify.code, 1, verify.stderr);
  const entries = JSON.parse(verify.stdout).entries as {
    kind: string;
    name: string;
    status: string;
    moved?: { metric: string }[];
  }[];
  for (const e of entries) assert.equal(e.status, 'drifted', `${e.kind} ${e.name}`);
  const moved = entries.find((e) => e.name === 'on-big')!.moved!.map((m) => m.metric);
  assert.ok(moved.includes('meanResponseS'), moved.join(', '));
  assert.ok(!moved.includes('arrived'), 'arrivals come from the seed, not the machine');
  // The unpatched runner still agrees with the record.
  assert.equal(cli(['verify', lab]).code, 0);
});

test('verify without a record, run on invalid input: exit 2, file:line:col, nothing written', () => {
  const dir = tempDir('bad');
  const lab = join(dir, 'two.lab.md');
  writeFileSync(lab, TWO_MACHINES);
  const verify = cli(['verify', lab]);
  assert.equal(verify.code, 2);
  assert.match(verify.stderr, /two\.lab\.results\.json:1:1: no results record/);
  writeFileSync(
    lab,
    TWO_MACHINES.replace(
      'policy: least-loaded\nduration: 1s\n```\n\n```run\nname: on-big',
      'policy: least-lodaed\nduration: 1s\n```\n\n```run\nname: on-big',
    ),
  );
  const run = cli(['run', lab]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /two\.lab\.md:25:9: Unknown policy "least-lodaed"/);
  assert.deepEqual(readdirSync(dir), ['two.lab.md']);
});
