/**
 * Side by side with SimSo (Chéramy, Hladik & Déplanche, WATERS 2014): one periodic task set of
 * our own under global EDF with zero overheads, in this simulator, in the exact reference of the
 * tests (test/unit/rt-exact.ts) and, where SimSo is importable by `python3` (`import simso`;
 * set PYTHONPATH to a SimSo checkout and a SimPy 2 one), in SimSo itself through
 * bench/simso_driver.py. Compares jobs, completions, deadline misses, job migrations, task
 * migrations and preemptions; with no equal deadlines the schedules must agree exactly (with
 * equal ones SimSo breaks ties by task order alone, this simulator by release first). Times are
 * whole nanoseconds, drawn at random, so that two jobs rarely end at the same instant: when they
 * do, SimSo hands the freed CPUs out in the order its event list processes them, this simulator
 * by its documented rule (a job's last CPU, else the lowest-numbered), and a migration count
 * may differ by one. Exits 1 on a disagreement. Not part of CI.
 *
 *   node --import tsx bench/simso-compare.ts [--tasks 12] [--cpus 4] [--utilization 3.4] [--seed 1] [--horizon-ms 2000]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulate, uunifast, type SimConfig } from '../src/sim/index';
import { Rng } from '../src/sim';
import { exactSchedule, type ExactCounts, type Task } from '../test/unit/rt-exact';

const here = path.dirname(fileURLToPath(import.meta.url));

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const n = option('tasks', 12);
const cpus = option('cpus', 4);
const utilization = option('utilization', 3.4);
const seed = option('seed', 1);
const horizonNs = option('horizon-ms', 2000) * 1e6;

/** UUniFast utilisations, log-uniform periods of 5-100 ms, in whole nanoseconds. */
function taskSet(s: number): Task[] {
  const rng = new Rng(s, 'simso-compare');
  return uunifast(n, utilization, rng).map((u) => {
    const period = Math.round(Math.exp(Math.log(5e6) + rng.next() * Math.log(20)));
    return { period, wcet: Math.max(1, Math.round(u * period)) };
  });
}

/** Absolute deadlines shared by two jobs released before the horizon. */
function equalDeadlines(tasks: readonly Task[]): number {
  const seen = new Map<number, number>();
  for (const t of tasks)
    for (let r = 0; r < horizonNs; r += t.period) seen.set(r + t.period, (seen.get(r + t.period) ?? 0) + 1);
  return [...seen.values()].filter((c) => c > 1).length;
}

function ours(tasks: readonly Task[]): ExactCounts {
  const config: SimConfig = {
    machine: { sockets: 1, coresPerSocket: cpus, contextSwitchNs: 0, migration: { fixedNs: 0, stateBytes: 0 } },
    workload: {
      groups: tasks.map((t, i) => ({
        name: `T${i}`,
        count: 1,
        workingSetBytes: 0,
        memoryIntensity: 0,
        periodic: { periodNs: t.period, wcetNs: t.wcet },
      })),
    },
    policy: { name: 'global-edf' },
    scheduler: { kind: 'edf' },
    durationNs: horizonNs,
    seed: 1,
  };
  const s = simulate(config).summary;
  return {
    jobs: s.jobsReleased,
    completed: s.jobsCompleted,
    misses: s.deadlineMisses,
    preemptions: s.preemptions,
    jobMigrations: s.jobMigrations,
    taskMigrations: s.taskMigrations,
  };
}

interface SimsoJob {
  task: number;
  release: number;
  deadline: number;
  end: number | null;
}

/** SimSo's counts, or why there are none. */
function simso(tasks: readonly Task[]): ExactCounts | string {
  if (spawnSync('python3', ['-c', 'import simso'], { encoding: 'utf8' }).status !== 0)
    return 'SimSo is not importable by python3 (set PYTHONPATH to SimSo and SimPy 2 checkouts)';
  const input = JSON.stringify({
    cpus,
    horizon: horizonNs,
    tasks: tasks.map((t) => ({ period: t.period, wcet: t.wcet, deadline: t.deadline ?? t.period })),
  });
  const out = execFileSync('python3', [path.join(here, 'simso_driver.py')], {
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const r = JSON.parse(out) as {
    jobs: SimsoJob[];
    jobMigrations: number;
    taskMigrations: number;
    preemptionsSameCpu: number;
    stoppedAtEnd: number;
  };
  // The same definitions as ours: jobs released before the horizon; a miss completes after its
  // deadline or is unfinished with it passed; a preemption is a job stopped with work left
  // (SimSo counts one when the job resumes: on its CPU, or elsewhere as a migration).
  const jobs = r.jobs.filter((j) => j.release < horizonNs);
  return {
    jobs: jobs.length,
    completed: jobs.filter((j) => j.end !== null).length,
    misses: jobs.filter((j) => (j.end !== null ? j.end > j.deadline : j.deadline <= horizonNs)).length,
    preemptions: r.preemptionsSameCpu + r.jobMigrations + r.stoppedAtEnd,
    jobMigrations: r.jobMigrations,
    taskMigrations: r.taskMigrations,
  };
}

const tasks = taskSet(seed);
const shared = equalDeadlines(tasks);
const rows: [string, ExactCounts | string][] = [
  ['Migration Lab', ours(tasks)],
  ['exact reference', exactSchedule(tasks, cpus, 'edf', horizonNs)],
  ['SimSo', simso(tasks)],
];
const fields = ['jobs', 'completed', 'misses', 'preemptions', 'jobMigrations', 'taskMigrations'] as const;
console.log(
  `${n} tasks, U = ${utilization} on ${cpus} CPUs, ${horizonNs / 1e6} ms, seed ${seed}; absolute deadlines shared by two jobs: ${shared}`,
);
console.log(`| | ${fields.join(' | ')} |\n|---|${fields.map(() => '---:').join('|')}|`);
for (const [name, c] of rows)
  console.log(typeof c === 'string' ? `| ${name} | ${c} |` : `| ${name} | ${fields.map((f) => c[f]).join(' | ')} |`);
const [mine, ...others] = rows.map(([, c]) => c);
const disagree = others
  .filter((c): c is ExactCounts => typeof c !== 'string')
  .filter((c) => fields.some((f) => c[f] !== (mine as ExactCounts)[f]));
if (shared === 0 && disagree.length > 0) {
  console.error('The schedules disagree.');
  process.exit(1);
}
