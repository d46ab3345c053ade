// Sweeps: the same table however the work is split (workers, shards + merge).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  inShard,
  mergeSweeps,
  parseShard,
  slurmShard,
  sweepItems,
  type SweepFile,
  type SweepStatsFile,
} from '../../src/cli/sweepPlan';
import { parseLab } from '../../src/lab/document/markdown';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { combinations } from '../../src/lab/run/sweep';
import { simulateCluster } from '../../src/sim';
import { cli, SWEEP_LAB as LAB, tempDir } from './cli-helpers';

test('combinations vary the first parameter slowest; shards partition the items', () => {
  assert.deepEqual(combinations({ p: ['x', 'y'], q: ['1', '2'] }), [
    { p: 'x', q: '1' },
    { p: 'x', q: '2' },
    { p: 'y', q: '1' },
    { p: 'y', q: '2' },
  ]);
  assert.deepEqual(combinations({}), [{}]);
  assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
  for (const bad of ['0/2', '3/2', '1', 'a/b', '1/0']) assert.equal(parseShard(bad), undefined, bad);
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 4 }),
      fc.integer({ min: 1, max: 7 }),
      (seeds, values, count) => {
        const items = sweepItems({
          lab: 'l',
          labHash: 'h',
          version: 'v',
          params: { p: Array.from({ length: values }, (_, i) => `v${i}`) },
          seeds,
          runs: ['a', 'b'],
        });
        assert.equal(items.length, seeds * values * 2);
        const owners = items.map((item) =>
          Array.from({ length: count }, (_, i) => i + 1).filter((index) => inShard(item, { index, count })),
        );
        for (const o of owners) assert.equal(o.length, 1);
      },
    ),
  );
});

test('merge refuses shards of different sweeps, gaps and disagreeing rows', () => {
  const header = { lab: 'l', labHash: 'h', version: 'v', params: {}, seeds: 1, runs: ['a', 'b'], total: 2 };
  const row = (index: number, digest = 'd') => ({
    index,
    params: {},
    seed: 1,
    run: index === 0 ? 'a' : 'b',
    policy: 'pinned',
    digest,
    metrics: { x: 1 },
  });
  const file = (rows: SweepFile['rows'], h = header): SweepFile => ({ sweep: h, shard: { index: 1, count: 2 }, rows });
  assert.equal(mergeSweeps([file([row(0)]), file([row(1)])]).rows.length, 2);
  assert.throws(() => mergeSweeps([file([row(0)])]), /1 of 2 items missing/);
  assert.throws(
    () => mergeSweeps([file([row(0)]), file([row(1)], { ...header, labHash: 'other' })]),
    /different sweep/,
  );
  assert.throws(() => mergeSweeps([file([row(0), row(1)]), file([row(1, 'e')])]), /item 1 differs/);
});

test('sweep: 1 or 2 workers, whole or two shards merged: the same bytes', () => {
  const dir = tempDir('sweep');
  const lab = join(dir, 'sweep.lab.md');
  writeFileSync(lab, LAB);
  const args = [
    'sweep',
    lab,
    '--param',
    'pol=pinned,least-loaded,global-queue',
    '--param',
    'dur=1s,500ms',
    '--seeds',
    '4',
  ];
  const stats = (name: string) => [
    '--stats',
    join(dir, `${name}.stats.json`),
    '--stats-csv',
    join(dir, `${name}.stats.csv`),
  ];
  const whole = cli([
    ...args,
    '--workers',
    '1',
    '--out',
    join(dir, 'whole.json'),
    '--csv',
    join(dir, 'whole.csv'),
    ...stats('whole'),
  ]);
  assert.equal(whole.code, 0, whole.stderr);
  assert.match(whole.stderr, /48 of 48 simulations \(shard 1\/1\) on 1 worker\(s\) in [\d.]+ s: [\d.]+ runs\/s/);
  assert.equal(cli([...args, '--workers', '2', '--out', join(dir, 'two.json')]).code, 0);
  assert.equal(cli([...args, '--shard', '1/2', '--out', join(dir, 's1.json')]).code, 0);
  assert.equal(cli([...args, '--shard', '2/2', '--out', join(dir, 's2.json')]).code, 0);
  const merged = cli([
    'merge',
    join(dir, 's2.json'),
    join(dir, 's1.json'),
    '--out',
    join(dir, 'merged.json'),
    '--csv',
    join(dir, 'merged.csv'),
    ...stats('merged'),
  ]);
  assert.equal(merged.code, 0, merged.stderr);

  const text = readFileSync(join(dir, 'whole.json'), 'utf8');
  assert.equal(readFileSync(join(dir, 'two.json'), 'utf8'), text);
  assert.equal(readFileSync(join(dir, 'merged.json'), 'utf8'), text);
  assert.equal(readFileSync(join(dir, 'merged.csv'), 'utf8'), readFileSync(join(dir, 'whole.csv'), 'utf8'));
  assert.notEqual(readFileSync(join(dir, 's1.json'), 'utf8'), text);
  for (const ext of ['stats.json', 'stats.csv'])
    assert.equal(
      readFileSync(join(dir, `merged.${ext}`), 'utf8'),
      readFileSync(join(dir, `whole.${ext}`), 'utf8'),
      ext,
    );

  const file = JSON.parse(text) as SweepFile;
  assert.equal(file.rows.length, 48);
  // Row 0: first policy, first duration, seed 1, first run; seeds really differ.
  assert.deepEqual(
    [file.rows[0].params, file.rows[0].seed, file.rows[0].run, file.rows[0].policy],
    [{ pol: 'pinned', dur: '1s' }, 1, 'a', 'pinned'],
  );
  const digestsOfA = file.rows
    .filter((r) => r.run === 'a' && r.params.pol === 'global-queue' && r.params.dur === '1s')
    .map((r) => r.digest);
  assert.equal(new Set(digestsOfA).size, 4);
  // The run that does not use $pol is the same simulation for every policy value.
  const bSeed1 = file.rows.filter((r) => r.run === 'b' && r.seed === 1 && r.params.dur === '1s').map((r) => r.digest);
  assert.equal(new Set(bSeed1).size, 1);
  const header = readFileSync(join(dir, 'whole.csv'), 'utf8').split('\n')[0];
  assert.match(header, /^index,param:dur,param:pol,seed,run,policy,digest,arrivalRatePerS,arrived,/);

  // Statistics: one group per combination and run, each over the 4 seeds of its rows.
  const statsFile = JSON.parse(readFileSync(join(dir, 'whole.stats.json'), 'utf8')) as SweepStatsFile;
  assert.equal(statsFile.groups.length, 12);
  const group = statsFile.groups.find(
    (g) => g.run === 'a' && g.params.pol === 'global-queue' && g.params.dur === '1s',
  )!;
  const samples = file.rows
    .filter((r) => r.run === 'a' && r.params.pol === 'global-queue' && r.params.dur === '1s')
    .map((r) => r.metrics.meanResponseS);
  assert.equal(group.n, 4);
  const mean = samples.reduce((a, b) => a + b, 0) / 4;
  assert.ok(Math.abs(group.metrics.meanResponseS.mean - mean) <= mean * 1e-11);
  const csvLines = readFileSync(join(dir, 'whole.stats.csv'), 'utf8').split('\n');
  assert.equal(csvLines[0], 'param:dur,param:pol,run,policy,metric,n,mean,halfWidth,low,high');
  assert.ok(csvLines.some((line) => line.startsWith('1s,global-queue,a,global-queue,meanResponseS,4,')));
  const shardStats = cli([...args, '--shard', '1/2', ...stats('shard')]);
  assert.equal(shardStats.code, 2);
  assert.match(shardStats.stderr, /--stats and --stats-csv need the whole sweep/);

  const gap = cli(['merge', join(dir, 's1.json'), '--out', join(dir, 'gap.json')]);
  assert.equal(gap.code, 2);
  assert.match(gap.stderr, /24 of 48 items missing/);
  assert.equal(existsSync(join(dir, 'gap.json')), false);
});

test('--shard slurm: task k of any contiguous job array range is shard k + 1', () => {
  const task = (id: number, min: number, max: number, step?: number, count?: number) =>
    slurmShard({
      SLURM_ARRAY_TASK_ID: String(id),
      SLURM_ARRAY_TASK_MIN: String(min),
      SLURM_ARRAY_TASK_MAX: String(max),
      SLURM_ARRAY_TASK_STEP: step === undefined ? undefined : String(step),
      SLURM_ARRAY_TASK_COUNT: count === undefined ? undefined : String(count),
    });
  // --array=1-4 and --array=0-3 name the same four shards.
  assert.deepEqual(
    [1, 2, 3, 4].map((id) => task(id, 1, 4, 1, 4)),
    [1, 2, 3, 4].map((index) => ({ index, count: 4 })),
  );
  assert.deepEqual(
    [0, 1, 2, 3].map((id) => task(id, 0, 3, 1, 4)),
    [1, 2, 3, 4].map((index) => ({ index, count: 4 })),
  );
  assert.deepEqual(task(20, 10, 30, 10, 3), { index: 2, count: 3 });
  assert.deepEqual(task(7, 7, 7), { index: 1, count: 1 });
  // Every shard exactly once, whatever the first index.
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 50 }), (min, n) => {
      const shards = Array.from({ length: n }, (_, k) => task(min + k, min, min + n - 1, 1, n));
      assert.deepEqual(
        shards.map((s) => s.index),
        Array.from({ length: n }, (_, k) => k + 1),
      );
      assert.ok(shards.every((s) => s.count === n));
    }),
  );
  assert.throws(() => task(3, 1, 8, 1, 3), /not one range/); // --array=1,3,8
  assert.throws(() => slurmShard({}), /SLURM_ARRAY_TASK_ID is not set/);
  const outside = cli(['sweep', join(tempDir('sweep-slurm'), 'x.lab.md'), '--shard', 'slurm']);
  assert.equal(outside.code, 2);
  assert.match(
    outside.stderr,
    /--shard slurm: SLURM_ARRAY_TASK_ID is not set: --shard slurm runs inside a task of a Slurm job array/,
  );
});

test('sweep bad input: undeclared parameter, bad value, bad shard', () => {
  const dir = tempDir('sweep-bad');
  const lab = join(dir, 'sweep.lab.md');
  writeFileSync(lab, LAB);
  const undeclared = cli(['sweep', lab, '--param', 'nope=1,2']);
  assert.equal(undeclared.code, 2);
  assert.match(undeclared.stderr, /--param nope: no params cell declares "nope"/);
  const badValue = cli(['sweep', lab, '--param', 'pol=pinned,nonsense']);
  assert.equal(badValue.code, 2);
  assert.match(badValue.stderr, /with pol=nonsense:\n.*sweep\.lab\.md:\d+:\d+: .*nonsense/);
  const shard = cli(['sweep', lab, '--shard', '3/2']);
  assert.equal(shard.code, 2);
  assert.match(shard.stderr, /--shard 3\/2: write i\/n/);
});

test('sweeps run policy cells in the sandbox too', () => {
  const dir = tempDir('sweep-policy');
  const lab = join(dir, 'sweep.lab.md');
  const policy =
    '```policy name=mine lang=js\ndefinePolicy({\n  place(view, p) {\n    let best = 0;\n    for (const cpu of view.cpus) if (view.load(cpu) < view.load(best)) best = cpu;\n    return best;\n  },\n});\n```\n\n';
  writeFileSync(lab, LAB.replace('```machine', `${policy}\`\`\`machine`));
  const r = cli(['sweep', lab, '--param', 'pol=mine,least-loaded', '--seeds', '2', '--out', join(dir, 'out.json')]);
  assert.equal(r.code, 0, r.stderr);
  const rows = (JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as SweepFile).rows.filter(
    (row) => row.run === 'a',
  );
  assert.deepEqual(
    rows.map((row) => row.policy),
    ['mine', 'mine', 'least-loaded', 'least-loaded'],
  );
  // The cell is least-loaded written by hand (ties to the lowest CPU, as the built-in does).
  assert.deepEqual(
    rows.slice(0, 2).map((row) => row.digest),
    rows.slice(2).map((row) => row.digest),
  );
});

test('sweeps run cluster runs too: each row is the run at its seed, as the simulator gives it in-process', () => {
  const dir = tempDir('sweep-cluster');
  const text = `# Two balancers

\`\`\`params
rate: 600/s
\`\`\`

\`\`\`machine
name: small
sockets: 1
coresPerSocket: 1
\`\`\`

\`\`\`cluster
name: rack
hosts:
  - { machine: small, count: 4 }
policy: least-loaded
\`\`\`

\`\`\`service
name: shop
arrival: poisson $rate
demand: exp 5ms
balancer: { policy: random }
\`\`\`

\`\`\`run
name: rnd
cluster: rack
service: shop
duration: 1s
seed: 9
\`\`\`

\`\`\`run
name: lc
cluster: rack
service: shop
balancer: { policy: least-connections }
duration: 1s
seed: 9
\`\`\`
`;
  const lab = join(dir, 'balancers.lab.md');
  writeFileSync(lab, text);
  const out = join(dir, 'sweep.json');
  const r = cli(['sweep', lab, '--param', 'rate=300/s,600/s', '--seeds', '2', '--workers', '2', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const rows = (JSON.parse(readFileSync(out, 'utf8')) as SweepFile).rows;
  assert.deepEqual(
    rows.map((row) => `${row.params.rate} ${row.run} ${row.seed}`).sort(),
    ['300/s', '600/s']
      .flatMap((rate) => ['lc', 'rnd'].flatMap((run) => [1, 2].map((seed) => `${rate} ${run} ${seed}`)))
      .sort(),
  );
  for (const row of rows) {
    // The reference: the run cell resolved with that rate, its seed replaced, simulated here.
    const resolved = resolveLab(parseLab(text), { params: { rate: row.params.rate! } });
    const run = resolved.clusterRuns.find((c) => c.name === row.run)!;
    const expected = simulateCluster({ ...run.config, seed: row.seed });
    assert.equal(row.digest, expected.digest, `${row.run} seed ${row.seed}`);
    assert.equal(row.metrics.completed, expected.overall.completed);
    assert.ok(Math.abs(row.metrics.meanResponseS! - expected.overall.meanResponseS) < 1e-9);
  }
});
