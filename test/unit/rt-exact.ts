/**
 * Exact references for real-time scheduling, written for the tests (not a test file itself) and
 * independent of the simulator: response-time analysis for fixed priorities, and a tiny
 * scheduler in integer time for periodic tasks on one or several CPUs under rate-monotonic or
 * EDF. The scheduler follows the documented semantics of one instant (docs/model.md): at each
 * instant, completions first, then releases, then decisions; the waiting jobs are placed best
 * first on an idle CPU (the one their task last ran on if idle, else the lowest-numbered), else
 * in place of the running job that comes last, if they go before it (SimSo's global EDF). A job
 * released while its task's previous job is unfinished waits behind it.
 */

export interface Task {
  period: number;
  wcet: number;
  /** Relative deadline; default the period. */
  deadline?: number;
  offset?: number;
}

export interface ExactCounts {
  /** Jobs released before the horizon. */
  jobs: number;
  /** Jobs completed by the horizon (a completion at the horizon counts). */
  completed: number;
  /** Completed after their deadline, or unfinished with the deadline passed at the horizon. */
  misses: number;
  /** A running job stopped with work left for another. */
  preemptions: number;
  /** A job that had run resuming on another CPU. */
  jobMigrations: number;
  /** A job starting on another CPU than its task's previous job ran on. */
  taskMigrations: number;
}

/** Ties among equal keys: `release` (earlier release, then lower task index) or `index` (SimSo's task order alone). */
export type TieRule = 'release' | 'index';

export function exactSchedule(
  tasks: readonly Task[],
  cpus: number,
  kind: 'rm' | 'edf',
  horizon: number,
  ties: TieRule = 'release',
): ExactCounts {
  interface Job {
    task: number;
    release: number;
    deadline: number;
    left: number;
    ran: boolean;
    cpu: number;
  }
  const queued: Job[][] = tasks.map(() => []);
  const running: (Job | null)[] = new Array<Job | null>(cpus).fill(null);
  const lastCpu = tasks.map(() => -1);
  const nextRelease = tasks.map((t) => t.offset ?? 0);
  const out: ExactCounts = { jobs: 0, completed: 0, misses: 0, preemptions: 0, jobMigrations: 0, taskMigrations: 0 };
  const key = (j: Job) => (kind === 'rm' ? tasks[j.task]!.period : j.deadline);
  const before = (a: Job, b: Job) => {
    if (key(a) !== key(b)) return key(a) < key(b);
    if (ties === 'index') return a.task < b.task;
    return a.release < b.release || (a.release === b.release && a.task < b.task);
  };
  let t = 0;
  for (;;) {
    for (let c = 0; c < cpus; c++) {
      const j = running[c];
      if (j && j.left === 0) {
        out.completed++;
        if (t > j.deadline) out.misses++;
        queued[j.task]!.shift();
        running[c] = null;
      }
    }
    if (t >= horizon) break;
    tasks.forEach((task, i) => {
      if (nextRelease[i] !== t) return;
      queued[i]!.push({
        task: i,
        release: t,
        deadline: t + (task.deadline ?? task.period),
        left: task.wcet,
        ran: false,
        cpu: -1,
      });
      out.jobs++;
      nextRelease[i] = t + task.period;
    });
    for (;;) {
      let best: Job | null = null;
      for (const q of queued) {
        const head = q[0];
        if (head && !running.includes(head) && (best === null || before(head, best))) best = head;
      }
      if (best === null) break;
      const last = best.ran ? best.cpu : lastCpu[best.task]!;
      let cpu = last >= 0 && running[last] === null ? last : running.indexOf(null);
      if (cpu < 0) {
        let worst = 0;
        for (let c = 1; c < cpus; c++) if (before(running[worst]!, running[c]!)) worst = c;
        if (!before(best, running[worst]!)) break;
        cpu = worst;
        out.preemptions++;
      }
      if (best.ran && cpu !== best.cpu) out.jobMigrations++;
      if (!best.ran && lastCpu[best.task]! >= 0 && cpu !== lastCpu[best.task]) out.taskMigrations++;
      running[cpu] = best;
      best.ran = true;
      best.cpu = cpu;
      lastCpu[best.task] = cpu;
    }
    let next = Math.min(horizon, ...nextRelease);
    for (const j of running) if (j) next = Math.min(next, t + j.left);
    for (const j of running) if (j) j.left -= next - t;
    t = next;
  }
  for (const q of queued) for (const j of q) if (j.deadline <= t) out.misses++;
  return out;
}

/**
 * Worst-case response time of each task under fixed priorities, highest priority first (Joseph &
 * Pandya 1986): R = C_i + sum over higher-priority tasks of ceil(R / T_j) C_j, iterated to its
 * fixed point, or until it passes the deadline.
 */
export function responseTimes(tasks: readonly Task[]): number[] {
  return tasks.map((task, i) => {
    let r = task.wcet;
    for (;;) {
      let next = task.wcet;
      for (let k = 0; k < i; k++) next += Math.ceil(r / tasks[k]!.period) * tasks[k]!.wcet;
      if (next === r || next > (task.deadline ?? task.period)) return next;
      r = next;
    }
  });
}
