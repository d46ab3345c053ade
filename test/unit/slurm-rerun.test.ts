// Re-running one failed task of a Slurm sweep (docs/grading.md, "Failures"): the shipped
// templates/slurm/sweep.sbatch, run by bash with the environment Slurm gives a task, so no
// cluster is needed. `--shard slurm` counts the shards from the array's first and last task, so
// `sbatch --array=7` alone is shard 1/1, the whole sweep; with LAB_SHARD=7/N the re-run writes
// exactly task 7's shard of the original array, byte for byte. Uses dist/cli.js (npm run build).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseShard, slurmShard } from '../../src/cli/sweepPlan';
import { BUILT_CLI, REPO, SWEEP_LAB, tempDir } from './cli-helpers';

const SCRIPT = join(REPO, 'templates', 'slurm', 'sweep.sbatch');

/** Runs the sbatch script as task `id` of the array min-max, with extra environment. */
function task(dir: string, lab: string, shards: string, id: number, min: number, max: number, extra = {}) {
  const r = spawnSync('bash', [SCRIPT, lab, shards, '--param', 'pol=least-loaded,work-stealing', '--seeds', '2'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      MIGRATION_LAB: `${process.execPath} ${BUILT_CLI}`,
      SLURM_ARRAY_TASK_ID: String(id),
      SLURM_ARRAY_TASK_MIN: String(min),
      SLURM_ARRAY_TASK_MAX: String(max),
      SLURM_ARRAY_TASK_COUNT: String(max - min + 1),
      SLURM_CPUS_PER_TASK: '1',
      ...extra,
    },
  });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(join(shards, `shard-${id}.json`), 'utf8');
}

test('--shard slurm in a one-task re-run array is shard 1/1; LAB_SHARD=7/16 names shard 7 of 16', () => {
  const original = slurmShard({ SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '16' });
  assert.deepEqual(original, { index: 7, count: 16 });
  // What `sbatch --array=7` alone gives the task: the whole sweep, the defect the docs had.
  const rerun = slurmShard({ SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '7', SLURM_ARRAY_TASK_MAX: '7' });
  assert.deepEqual(rerun, { index: 1, count: 1 });
  assert.deepEqual(parseShard('7/16'), original);
  // From 0: task 6 of --array=0-15 is shard 7 as well.
  assert.deepEqual(
    slurmShard({ SLURM_ARRAY_TASK_ID: '6', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '15' }),
    original,
  );
});

test('the documented re-run of a failed task (LAB_SHARD=3/4 sbatch --array=3) writes the original shard 3 byte for byte', () => {
  assert.ok(existsSync(BUILT_CLI), `${BUILT_CLI} is missing: run npm run build first`);
  const dir = tempDir('slurm-rerun');
  const lab = join(dir, 'sweep.lab.md');
  writeFileSync(lab, SWEEP_LAB);
  // The original array --array=1-4; task 3's file.
  const first = task(dir, lab, join(dir, 'shards'), 3, 1, 4);
  // The re-run, as the docs say: a one-task array, with the shard named.
  const again = task(dir, lab, join(dir, 'rerun'), 3, 3, 3, { LAB_SHARD: '3/4' });
  assert.equal(again, first);
  const shard = (JSON.parse(first) as { shard?: unknown }).shard;
  assert.deepEqual(shard, { index: 3, count: 4 });
  // Without LAB_SHARD the same re-run is the whole sweep in one file: not the shard it replaces.
  const whole = task(dir, lab, join(dir, 'whole'), 3, 3, 3);
  assert.notEqual(whole, first);
  assert.deepEqual((JSON.parse(whole) as { shard?: unknown }).shard, { index: 1, count: 1 });
});
