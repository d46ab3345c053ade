// A sweep on a real Slurm cluster: a single-node cluster from Debian's slurm-wlm and munge,
// started by scripts/slurm-local.sh in a temp folder, runs the shipped sbatch templates as job
// arrays counted from 1 (--array=1-8) and from 0 (--array=0-1), each followed by a merge job
// that waits for its array; both merges must equal the unsharded sweep byte for byte. Without
// Slurm the test is skipped with a notice, except under CI=true, where it fails.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPO, SWEEP_LAB } from './cli-helpers';

const TOOLS = ['munged', 'mungekey', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scontrol', 'sinfo'];
const missing = TOOLS.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
const isCI = process.env.CI === 'true' || process.env.CI === '1';
if (missing.length > 0 && !isCI) {
  const banner = '!'.repeat(78);
  console.error(
    `\n${banner}\nslurm: SKIPPED — ${missing.join(', ')} not installed (apt-get install slurm-wlm munge)\n${banner}\n`,
  );
}

const SWEEP = ['--param', 'pol=least-loaded,work-stealing', '--seeds', '4'];
const OUTPUTS = ['sweep.json', 'sweep.csv', 'stats.json', 'stats.csv'];

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = REPO): string {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${command} ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return r.stdout.trim();
}

test(
  'a sweep as Slurm job arrays (from 1 and from 0), merged by dependent jobs, equals the unsharded sweep',
  { skip: missing.length > 0 && !isCI ? `not installed: ${missing.join(', ')}` : false, timeout: 300_000 },
  async (t) => {
    assert.deepEqual(missing, [], 'CI=true: Slurm must be installed (.ci/run installs slurm-wlm and munge)');
    if (!existsSync(join(REPO, 'dist', 'cli.js'))) run(process.execPath, ['scripts/build.mjs'], process.env);
    const dir = mkdtempSync(join(tmpdir(), 'ml-slurm-'));
    const cluster = join(dir, 'cluster');
    const env = {
      ...process.env,
      SLURM_CONF: join(cluster, 'slurm.conf'),
      MIGRATION_LAB: `${process.execPath} ${join(REPO, 'dist', 'cli.js')}`,
      SLURM_LOCAL_CPUS: '12',
    };
    after(() => {
      spawnSync('bash', [join(REPO, 'scripts', 'slurm-local.sh'), 'stop', cluster], { stdio: 'inherit' });
      // The daemons are gone: nothing of the cluster may be left running.
      const left = spawnSync('sh', ['-c', `ps -eo args | grep -F '${cluster}' | grep -v grep`], {
        encoding: 'utf8',
      }).stdout.trim();
      assert.equal(left, '', `daemons left running:\n${left}`);
      rmSync(dir, { recursive: true, force: true });
    });
    run('bash', [join(REPO, 'scripts', 'slurm-local.sh'), 'start', cluster], env);
    const lab = join(dir, 'study.lab.md');
    writeFileSync(lab, SWEEP_LAB);
    run(
      process.execPath,
      [
        join(REPO, 'dist', 'cli.js'),
        'sweep',
        lab,
        ...SWEEP,
        '--workers',
        '1',
        '--out',
        join(dir, 'whole.json'),
        '--csv',
        join(dir, 'whole.csv'),
        '--stats',
        join(dir, 'whole-stats.json'),
        '--stats-csv',
        join(dir, 'whole-stats.csv'),
      ],
      env,
    );

    const started = Date.now();
    const sbatch = (args: string[]) => run('sbatch', ['--parsable', `--chdir=${dir}`, ...args], env);
    const template = (name: string) => join(REPO, 'templates', 'slurm', name);
    const arrays = [
      { range: '1-8', tasks: 8, shards: join(dir, 'shards8'), results: join(dir, 'results8') },
      { range: '0-1', tasks: 2, shards: join(dir, 'shards2'), results: join(dir, 'results2') },
    ].map((a) => {
      const array = sbatch([`--array=${a.range}`, template('sweep.sbatch'), lab, a.shards, ...SWEEP]);
      const merge = sbatch([`--dependency=afterok:${array}`, template('merge.sbatch'), a.shards, a.results]);
      return { ...a, array, merge };
    });
    const ids = arrays.flatMap((a) => [a.array, a.merge]);
    for (;;) {
      if (run('squeue', ['-h', '-j', ids.join(','), '-o', '%i'], env) === '') break;
      assert.ok(Date.now() - started < 240_000, `jobs still queued after 240 s:\n${run('squeue', [], env)}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const elapsedS = (Date.now() - started) / 1000;

    // Every task and merge job completed with exit code 0 (no accounting database: scontrol keeps them for MinJobAge).
    const states = ids.flatMap((id) =>
      run('scontrol', ['show', 'job', '-o', id], env)
        .split('\n')
        .map(
          (line) =>
            `${/JobId=(\S+)/.exec(line)?.[1]}${/ArrayTaskId=(\S+)/.exec(line) ? `_${/ArrayTaskId=(\S+)/.exec(line)![1]}` : ''} ${/JobState=(\S+)/.exec(line)?.[1]} ${/ExitCode=(\S+)/.exec(line)?.[1]}`,
        ),
    );
    assert.equal(states.length, 8 + 1 + 2 + 1, states.join('\n'));
    assert.ok(
      states.every((s) => s.endsWith(' COMPLETED 0:0')),
      states.join('\n'),
    );

    const whole: Record<string, string> = {
      'sweep.json': 'whole.json',
      'sweep.csv': 'whole.csv',
      'stats.json': 'whole-stats.json',
      'stats.csv': 'whole-stats.csv',
    };
    for (const a of arrays) {
      // Task k of the array wrote shard k + 1: one file per task, named by its array index.
      const first = Number(a.range.split('-')[0]);
      assert.deepEqual(
        readdirSync(a.shards).sort(),
        Array.from({ length: a.tasks }, (_, k) => `shard-${first + k}.json`).sort(),
      );
      const shardOf = (file: string) =>
        (JSON.parse(readFileSync(join(a.shards, file), 'utf8')) as { shard: { index: number; count: number } }).shard;
      assert.deepEqual(
        Array.from({ length: a.tasks }, (_, k) => shardOf(`shard-${first + k}.json`)),
        Array.from({ length: a.tasks }, (_, k) => ({ index: k + 1, count: a.tasks })),
      );
      for (const name of OUTPUTS)
        assert.equal(
          readFileSync(join(a.results, name), 'utf8'),
          readFileSync(join(dir, whole[name]), 'utf8'),
          `--array=${a.range}: ${name}`,
        );
    }
    const merged = readFileSync(join(arrays[0].results, 'sweep.json'));
    const rows = (JSON.parse(merged.toString()) as { rows: unknown[] }).rows.length;
    t.diagnostic(
      `slurm: submitted ${arrays.map((a) => `job array ${a.array} (--array=${a.range}, ${a.tasks} tasks) + merge job ${a.merge}`).join(', ')}; ` +
        `${rows} simulations; all ${states.length} jobs COMPLETED 0:0 in ${elapsedS.toFixed(1)} s; merged sweep.json sha256 ${createHash('sha256').update(merged).digest('hex')}; ` +
        `unsharded = 8 shards = 2 shards, byte for byte (${OUTPUTS.join(', ')})`,
    );
  },
);
