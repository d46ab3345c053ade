/**
 * Before and after for issue 11 ("results you can trust"): every defect the issue lists,
 * measured in v0.1 and in this tree on the labs of bench/trust/, against exact references
 * computed here and nowhere else: response-time analysis, a tiny exact scheduler for periodic
 * tasks in integer microseconds, exact processor sharing on a sample path, the RC thermal closed
 * form, hand-worked values and the documented defaults.
 *
 *   node --import tsx bench/trust.ts --baseline /path/to/v0.1/dist/cli.js [--current dist/cli.js]
 *
 * Each lab goes through both CLIs with `run <lab> --json` (and `--param` for durations), from a
 * copy in a temporary directory (a run writes its results record beside the lab). Neither CLI
 * can change how a run is sliced, so the slicing figures come from each tree's own sources
 * (src/lab to resolve the lab, src/sim to simulate), bundled with esbuild as bench/resolve.ts
 * bundles them: `Simulation.advance` in 1, 7, 50, 100 and 1000 slices (the CLI's workers use
 * 100, `simulate()` 1). The same bundles count zero-length dispatches through the engine's trace
 * hook and read the value a lab's `latency.l1` resolves to. The M/G/1 lab is generated here (a
 * trace of arrivals and demands, so that processor sharing can be computed on the same path).
 * Documented defaults are read from each tree's docs/lab-format.md. The task sets and machine
 * figures the references use are read back from the lab files themselves. Prints one Markdown
 * table; the last column says whether this tree's figure is the reference's. About 20 s.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForNode } from './bundle';
import { parse as parseYaml } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const labs = path.join(root, 'bench', 'trust');
const arg = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const baselineCli = arg('--baseline');
if (!baselineCli)
  throw new Error('usage: bench/trust.ts --baseline <v0.1 checkout>/dist/cli.js [--current dist/cli.js]');
const trees = {
  before: { cli: path.resolve(baselineCli), root: path.resolve(path.dirname(baselineCli), '..') },
  after: { cli: path.resolve(arg('--current') ?? path.join(root, 'dist', 'cli.js')), root },
};
type Which = keyof typeof trees;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'trust-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));
const started = performance.now();

// ---- running the CLIs ---------------------------------------------------------------------------

type Summary = Record<string, unknown> & Record<'simulatedS' | 'makespanS', number>;
interface LabRun {
  name: string;
  digest: string;
  summary: Summary;
}
type Outcome = { ok: true; runs: Map<string, LabRun> } | { ok: false; error: string };

let copies = 0;
/** `run <lab> --json` through one tree's CLI, from a fresh copy of the lab. */
function cliRun(which: Which, labPath: string, params: Record<string, string> = {}): Outcome {
  const dir = path.join(scratch, `run-${copies++}`);
  mkdirSync(dir, { recursive: true });
  const copy = path.join(dir, path.basename(labPath));
  copyFileSync(labPath, copy);
  const args = [trees[which].cli, 'run', copy, '--json'];
  for (const [k, v] of Object.entries(params)) args.push('--param', `${k}=${v}`);
  try {
    const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: 'pipe' });
    const json = JSON.parse(out) as { runs: LabRun[] };
    return { ok: true, runs: new Map(json.runs.map((r) => [r.name, r])) };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    const text = `${e.stderr ?? ''}${e.stdout ?? ''}`.trim() || e.message;
    return { ok: false, error: text.split('\n')[0]!.slice(0, 160) };
  }
}

const cache = new Map<string, Outcome>();
function lab(which: Which, file: string, params: Record<string, string> = {}): Outcome {
  const key = `${which}\0${file}\0${JSON.stringify(params)}`;
  if (!cache.has(key)) cache.set(key, cliRun(which, path.isAbsolute(file) ? file : path.join(labs, file), params));
  return cache.get(key)!;
}

/** A summary figure of one run, or why there is none. */
function figure(which: Which, file: string, run: string, metric: string, params: Record<string, string> = {}) {
  const o = lab(which, file, params);
  if (!o.ok) return { value: undefined, why: `refused: ${o.error}` };
  const r = o.runs.get(run);
  if (!r) return { value: undefined, why: `no run ${run}` };
  const v = r.summary[metric];
  return typeof v === 'number' ? { value: v, why: '' } : { value: undefined, why: `no \`${metric}\` in its summary` };
}

// ---- each tree's own sources, bundled: slicing, zero-length dispatches, resolved values --------

/** A lab module of `tree`: in its room (src/lab/<room>/) or, before the rooms, flat in src/lab. */
function labModule(tree: string, inRoom: string, flat: string): string {
  const candidate = path.join(tree, 'src', 'lab', inRoom);
  try {
    readFileSync(`${candidate}.ts`);
    return candidate;
  } catch {
    return path.join(tree, 'src', 'lab', flat);
  }
}

const PROBE = (tree: string) => `
import { readFileSync } from 'node:fs';
import { parseLab } from ${JSON.stringify(labModule(tree, 'document/markdown', 'markdown'))};
import { resolveLab } from ${JSON.stringify(labModule(tree, 'language/resolveLab', 'resolve'))};
import { Simulation } from ${JSON.stringify(path.join(tree, 'src', 'sim', 'index'))};
const [mode, file, runName, arg] = process.argv.slice(2);
const resolved = resolveLab(parseLab(readFileSync(file, 'utf8')));
const run = resolved.runs.find((r) => r.name === runName);
if (!run) throw new Error('no run ' + runName + ' in ' + file);
const config = run.config;
const pick = (s) => ({ simulatedS: s.simulatedS, makespanS: s.makespanS, throughputPerS: s.throughputPerS,
  energyJ: s.energyJ, throttledS: s.throttledS, meanUtilization: s.meanUtilization });
if (mode === 'slices') {
  const out = [];
  for (const slices of arg.split(',').map(Number)) {
    const sim = new Simulation(config, {});
    const step = Math.max(1, Math.ceil(sim.endNs / slices));
    while (!sim.done) sim.advance(Math.min(sim.endNs, sim.nowNs + step));
    const r = sim.result();
    out.push({ slices, digest: r.digest, ...pick(r.summary) });
  }
  console.log(JSON.stringify(out));
} else if (mode === 'zero') {
  const started = new Map();
  let dispatches = 0;
  let zeroLength = 0;
  const trace = (kind, t, _pid, cpu) => {
    if (kind === 'dispatch') { dispatches++; started.set(cpu, t); }
    else if (kind === 'stop' && started.get(cpu) === t) zeroLength++;
  };
  const sim = new Simulation(config, { trace });
  const step = Math.max(1, Math.ceil(sim.endNs / 100));
  while (!sim.done) sim.advance(Math.min(sim.endNs, sim.nowNs + step));
  const s = sim.result().summary;
  console.log(JSON.stringify({ dispatches, zeroLength, preemptions: s.preemptions, migrations: s.migrations }));
} else if (mode === 'config') {
  console.log(JSON.stringify(config.machine));
}
`;

const probes = new Map<Which, string>();
function probe<T>(which: Which, mode: 'slices' | 'zero' | 'config', file: string, run: string, extra = ''): T {
  if (!probes.has(which)) {
    const entry = path.join(scratch, `probe-${which}.ts`);
    writeFileSync(entry, PROBE(trees[which].root));
    const outfile = bundleForNode(entry, path.join(scratch, `probe-${which}.cjs`), {
      nodePaths: [path.join(trees[which].root, 'node_modules'), path.join(root, 'node_modules')],
    });
    probes.set(which, outfile);
  }
  const args = [probes.get(which)!, mode, path.isAbsolute(file) ? file : path.join(labs, file), run, extra];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 })) as T;
}

// ---- reading the labs back: the task sets the references are computed from ---------------------

const UNITS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  GHz: 1e9,
  MHz: 1e6,
  V: 1,
  W: 1,
  C: 1,
  'K/W': 1,
  'J/K': 1,
  B: 1,
  KiB: 1024,
};
/** A quantity as the labs write it (`4ms`, `1.2GHz`, `20K/W`), in SI units. */
function qty(v: unknown): number {
  if (typeof v === 'number') return v;
  const m = /^\s*([0-9.]+)\s*([A-Za-zµ/]+)\s*$/.exec(String(v));
  if (!m || UNITS[m[2]!] === undefined) throw new Error(`cannot read ${String(v)}`);
  return Number(m[1]) * UNITS[m[2]!]!;
}
/** A time in whole microseconds. */
function us(v: unknown): number {
  const x = qty(v) * 1e6;
  if (Math.abs(x - Math.round(x)) > 1e-6) throw new Error(`${String(v)} is not whole microseconds`);
  return Math.round(x);
}

/** The YAML bodies of a lab's cells of one kind, by name. */
function cells(file: string, kind: string): Map<string, Record<string, unknown>> {
  const text = readFileSync(path.join(labs, file), 'utf8');
  const out = new Map<string, Record<string, unknown>>();
  for (const m of text.matchAll(/^```(\w+)[^\n]*\n([\s\S]*?)^```$/gm)) {
    if (m[1] !== kind) continue;
    const body = parseYaml(m[2]!) as Record<string, unknown>;
    out.set(String(body.name ?? out.size), body);
  }
  return out;
}

interface Task {
  period: number;
  wcet: number;
  deadline: number;
  offset: number;
}
/** A workload cell's periodic tasks, in workload order, in whole microseconds. */
function tasksOf(file: string, workload: string): Task[] {
  const w = cells(file, 'workload').get(workload);
  if (!w) throw new Error(`no workload ${workload} in ${file}`);
  return (w.processes as { periodic: Record<string, unknown> }[]).map(({ periodic: p }) => ({
    period: us(p.period),
    wcet: us(p.wcet),
    deadline: p.deadline === undefined ? us(p.period) : us(p.deadline),
    offset: p.offset === undefined ? 0 : us(p.offset),
  }));
}
/** A run cell's duration in whole microseconds. */
const durationUs = (file: string, run: string) => us(cells(file, 'run').get(run)!.duration);

// ---- exact references ---------------------------------------------------------------------------

/**
 * Worst-case response times under fixed priorities, highest priority first (Joseph & Pandya,
 * The Computer Journal 29(5), 1986): the fixed point of R = C + sum_j ceil(R / T_j) C_j over the
 * tasks before it, or the first iterate past the deadline.
 */
function responseTimeAnalysis(tasks: readonly Task[]): number[] {
  return tasks.map((task, i) => {
    let r = task.wcet;
    for (;;) {
      let next = task.wcet;
      for (let j = 0; j < i; j++) next += Math.ceil(r / tasks[j]!.period) * tasks[j]!.wcet;
      if (next === r || next > task.deadline) return next;
      r = next;
    }
  });
}

/** Rate-monotonic order: shorter period first, then lower task index. */
const rateMonotonic = (tasks: readonly Task[]) =>
  tasks.map((t, i) => ({ t, i })).sort((a, b) => a.t.period - b.t.period || a.i - b.i);

interface Counts {
  jobs: number;
  completed: number;
  misses: number;
  preemptions: number;
  contextSwitches: number;
  jobMigrations: number;
  taskMigrations: number;
}

/**
 * The exact schedule of periodic tasks on `cpus` identical CPUs with no overheads, in integer
 * microseconds, under rate-monotonic priorities or EDF, one global queue (one CPU: the
 * uniprocessor schedule). The semantics of one instant are those docs/model.md states: first
 * every job whose work is done completes, then releases, then decisions. Waiting jobs are placed
 * best first: on an idle CPU (the one the job, or else its task, last ran on if that one is idle,
 * else the lowest-numbered idle one), else in place of the running job that comes last if the
 * waiting one goes before it (a preemption). Among equal keys: the earlier release, then the
 * lower task index (`release`), or the task index alone (`index`, SimSo's order). A job released
 * while its task's previous one is unfinished waits behind it. At the horizon, completions due
 * then count, releases do not; a job unfinished with its deadline passed is a miss.
 */
function exactSchedule(
  tasks: readonly Task[],
  cpus: number,
  kind: 'rm' | 'edf',
  horizon: number,
  ties: 'release' | 'index',
): Counts {
  interface Job {
    task: number;
    release: number;
    deadline: number;
    left: number;
    cpu: number; // where it last ran, -1 before it ran
  }
  const backlog: Job[][] = tasks.map(() => []);
  const onCpu: (Job | null)[] = Array.from({ length: cpus }, () => null);
  const cpuLastTask = new Array<number>(cpus).fill(-1);
  const taskLastCpu = new Array<number>(tasks.length).fill(-1);
  const nextRelease = tasks.map((t) => t.offset);
  const c: Counts = {
    jobs: 0,
    completed: 0,
    misses: 0,
    preemptions: 0,
    contextSwitches: 0,
    jobMigrations: 0,
    taskMigrations: 0,
  };
  const key = (j: Job) => (kind === 'rm' ? tasks[j.task]!.period : j.deadline);
  const goesBefore = (a: Job, b: Job) =>
    key(a) !== key(b)
      ? key(a) < key(b)
      : ties === 'release' && a.release !== b.release
        ? a.release < b.release
        : a.task < b.task;
  let now = 0;
  for (;;) {
    for (let k = 0; k < cpus; k++) {
      const j = onCpu[k];
      if (j && j.left === 0) {
        c.completed++;
        if (now > j.deadline) c.misses++;
        backlog[j.task]!.shift();
        onCpu[k] = null;
      }
    }
    if (now >= horizon) break;
    for (let i = 0; i < tasks.length; i++) {
      if (nextRelease[i] !== now) continue;
      const t = tasks[i]!;
      backlog[i]!.push({ task: i, release: now, deadline: now + t.deadline, left: t.wcet, cpu: -1 });
      c.jobs++;
      nextRelease[i] = now + t.period;
    }
    for (;;) {
      let best: Job | null = null;
      for (const queue of backlog) {
        const head = queue[0];
        if (head && !onCpu.includes(head) && (!best || goesBefore(head, best))) best = head;
      }
      if (!best) break;
      const last = best.cpu >= 0 ? best.cpu : taskLastCpu[best.task]!;
      let k = last >= 0 && onCpu[last] === null ? last : onCpu.indexOf(null);
      if (k < 0) {
        k = 0;
        for (let q = 1; q < cpus; q++) if (goesBefore(onCpu[k]!, onCpu[q]!)) k = q;
        if (!goesBefore(best, onCpu[k]!)) break;
        c.preemptions++;
      }
      if (best.cpu >= 0 && best.cpu !== k) c.jobMigrations++;
      if (best.cpu < 0 && taskLastCpu[best.task]! >= 0 && taskLastCpu[best.task] !== k) c.taskMigrations++;
      if (cpuLastTask[k] !== best.task) c.contextSwitches++;
      onCpu[k] = best;
      best.cpu = k;
      cpuLastTask[k] = best.task;
      taskLastCpu[best.task] = k;
    }
    let next = Math.min(horizon, ...nextRelease);
    for (const j of onCpu) if (j) next = Math.min(next, now + j.left);
    for (const j of onCpu) if (j) j.left -= next - now;
    now = next;
  }
  for (const queue of backlog) for (const j of queue) if (j.deadline <= now) c.misses++;
  return c;
}

/** Exact processor sharing on one CPU (each of the n jobs present progresses at 1/n): mean response, s. */
function processorSharing(jobs: readonly { at: number; demand: number }[]): number {
  const left: number[] = [];
  const since: number[] = [];
  let now = 0;
  let next = 0;
  let sum = 0;
  let done = 0;
  while (done < jobs.length) {
    const n = left.length;
    let least = 0;
    for (let j = 1; j < n; j++) if (left[j]! < left[least]!) least = j;
    const departure = n > 0 ? now + left[least]! * n : Infinity;
    const arrival = next < jobs.length ? jobs[next]!.at : Infinity;
    const until = Math.min(arrival, departure);
    for (let j = 0; j < n; j++) left[j]! -= (until - now) / n;
    now = until;
    if (arrival <= departure) {
      left.push(jobs[next]!.demand);
      since.push(arrival);
      next++;
    } else {
      sum += now - since[least]!;
      done++;
      left.splice(least, 1);
      since.splice(least, 1);
    }
  }
  return sum / jobs.length / 1e9;
}

/**
 * bench/trust/thermal-closed.lab.md in closed form: one job on one core from ambient, at the top
 * P-state until the RC curve reaches the trip point, then at the lowest (its steady temperature
 * is below trip - hysteresis, so the core cools and the cap stays until the job completes).
 * Temperature above ambient theta(t) = P R (1 - exp(-t / RC)); the crossing is at
 * t1 = -RC ln(1 - trip / (P_top R)) (the engine rounds it up to a whole ns); work runs at
 * f_low / f_top after it. Energy = P_top t1 + P_low (t_end - t1); throttled = t_end - t1.
 */
function thermalClosedForm() {
  const m = cells('thermal-closed.lab.md', 'machine').get('hot')! as {
    pstates: { freq: string; volt: string }[];
    power: { dynamicCoefficient: number; static: string };
    thermal: Record<string, string>;
  };
  const demandS = qty(
    (cells('thermal-closed.lab.md', 'workload').get('one')!.processes as { demand: string }[])[0]!.demand,
  );
  const [low, top] = [m.pstates[0]!, m.pstates[m.pstates.length - 1]!].map((p) => ({ f: qty(p.freq), v: qty(p.volt) }));
  // Switched capacitance in uW/MHz/V^2: P = coefficient x 1e-6 x f[MHz] x V^2.
  const power = (p: { f: number; v: number }) =>
    qty(m.power.static) + m.power.dynamicCoefficient * 1e-6 * (p.f / 1e6) * p.v ** 2;
  const R = qty(m.thermal.resistance);
  const tau = R * qty(m.thermal.capacitance);
  const trip = qty(m.thermal.throttle) - qty(m.thermal.ambient);
  const release = trip - qty(m.thermal.hysteresis);
  const [pLow, pTop] = [power(low!), power(top!)];
  const t1 = Math.ceil(-tau * Math.log(1 - trip / (pTop * R)) * 1e9) / 1e9;
  const end = t1 + (demandS - t1) / (low!.f / top!.f);
  // Still capped at the end: the core has not yet cooled to trip - hysteresis.
  const thetaEnd = pLow * R + (trip - pLow * R) * Math.exp(-(end - t1) / tau);
  if (!(pLow * R < release && thetaEnd > release)) throw new Error('thermal-closed.lab.md no longer ends throttled');
  return { end, energyJ: pTop * t1 + pLow * (end - t1), throttledS: end - t1, crossingS: t1 };
}

/**
 * An M/G/1 sample path at rho = 0.7: Poisson arrivals, lognormal demands with mean 1 ms and
 * coefficient of variation 2, whole nanoseconds (a fixed LCG, Box-Muller), written as a trace lab.
 */
function mg1Lab(n: number) {
  let s = 20251;
  const u = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) + 1) / (2 ** 32 + 1);
  const rho = 0.7;
  const sigma2 = Math.log(1 + 2 ** 2);
  const jobs: { at: number; demand: number }[] = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += Math.max(1, Math.round((-Math.log(u()) * 1e6) / rho));
    const z = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
    jobs.push({ at: t, demand: Math.max(1, Math.round(Math.exp(Math.log(1e6) - sigma2 / 2 + Math.sqrt(sigma2) * z))) });
  }
  const text = `# M/G/1 under fair (generated by bench/trust.ts)

\`\`\`machine
name: uni
sockets: 1
coresPerSocket: 1
contextSwitch: 0
migration: { fixed: 0, state: 0B }
\`\`\`

\`\`\`workload
name: mg1
processes:
  - name: jobs
    workingSet: 0B
    memoryIntensity: 0
    arrival:
${jobs.map((j) => `      - { at: ${j.at}ns, demand: ${j.demand}ns }`).join('\n')}
\`\`\`

\`\`\`run
name: fair
machine: uni
workload: mg1
policy: pinned
scheduler: fair 20us
duration: 1000s
\`\`\`
`;
  const file = path.join(scratch, 'mg1.lab.md');
  writeFileSync(file, text);
  const meanS = jobs.reduce((a, j) => a + j.demand, 0) / n / 1e9;
  return { file, jobs, rho, closedFormS: 1e-3 / (1 - rho), meanS, rhoHat: (meanS * n) / (jobs[n - 1]!.at / 1e9) };
}

/** The default a tree's docs/lab-format.md documents for a key (its key table's last column). */
function documentedDefault(tree: string, key: string): string {
  const docs = readFileSync(path.join(tree, 'docs', 'lab-format.md'), 'utf8');
  const row = docs.split('\n').find((l) => l.startsWith(`| \`${key}\` |`));
  if (!row) throw new Error(`no row for ${key} in ${tree}/docs/lab-format.md`);
  const cols = row.split('|').map((c) => c.trim());
  return cols[cols.length - 2]!.replace(/`/g, '');
}

// ---- the table ---------------------------------------------------------------------------------

interface Row {
  defect: string;
  measured: string;
  issue: string;
  before: string;
  after: string;
  reference: string;
  agrees: string;
}
const rows: Row[] = [];
const fmt = (x: number | undefined, digits = 4): string => {
  if (x === undefined || Number.isNaN(x)) return '—';
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  return Number(x.toPrecision(digits)).toLocaleString('en-US', { maximumSignificantDigits: digits });
};
const yes = (ok: boolean) => (ok ? 'yes' : '**no**');

/** One row per figure: each tree's value of a summary metric (or its reason for none). */
function metricRow(
  defect: string,
  measured: string,
  issue: string,
  file: string,
  run: string,
  metric: string,
  reference: number,
  opts: { params?: Record<string, string>; scale?: number; digits?: number; unit?: string; tolerance?: number } = {},
) {
  const scale = opts.scale ?? 1;
  const unit = opts.unit ?? '';
  const show = (w: Which) => {
    const f = figure(w, file, run, metric, opts.params);
    return { text: f.value === undefined ? f.why : `${fmt(f.value * scale, opts.digits)}${unit}`, value: f.value };
  };
  const b = show('before');
  const a = show('after');
  const tol = opts.tolerance ?? 1e-9;
  const agrees =
    a.value !== undefined && Math.abs(a.value * scale - reference) <= tol * Math.max(1, Math.abs(reference));
  rows.push({
    defect,
    measured,
    issue,
    before: b.text,
    after: a.text,
    reference: `${fmt(reference, opts.digits)}${unit}`,
    agrees: yes(agrees),
  });
}

/** The rows every rate-monotonic set has: its misses, completed jobs and preemptions against the exact schedule. */
function scheduleRows(
  file: string,
  set: string,
  desc: string,
  issue: string,
  exact: { misses: number; completed: number; preemptions: number },
): void {
  metricRow(
    '1 same instant',
    `${file} \`${set}\` (${desc}): deadline misses`,
    issue,
    file,
    set,
    'deadlineMisses',
    exact.misses,
  );
  metricRow('1 same instant', `… \`${set}\`: jobs completed`, '', file, set, 'jobsCompleted', exact.completed);
  metricRow('1 same instant', `… \`${set}\`: preemptions`, '', file, set, 'preemptions', exact.preemptions);
}

// 1. Events at one instant: rate-monotonic sets RTA proves schedulable.
{
  const file = 'rm-rta.lab.md';
  for (const set of ['setA', 'setB', 'setC', 'setD']) {
    const tasks = tasksOf(file, set);
    const order = rateMonotonic(tasks);
    const rta = responseTimeAnalysis(order.map((o) => o.t));
    const schedulable = rta.every((r, k) => r <= order[k]!.t.deadline);
    if (!schedulable) throw new Error(`${file} ${set} is not RTA-schedulable`);
    const horizon = durationUs(file, set);
    const exact = exactSchedule(tasks, 1, 'rm', horizon, 'release');
    const desc = `RM, 1 CPU, ${order.map((o) => `${o.t.wcet / 1000}/${o.t.period / 1000}`).join(', ')} ms; RTA worst responses ${rta.map((r) => r / 1000).join(', ')} ms`;
    const issue = set === 'setA' ? '10 misses in 430 jobs → 0 (other set)' : '';
    scheduleRows(file, set, desc, issue, exact);
  }
}

// 1. Rate-monotonic at U = 1 against the exact schedule.
{
  const file = 'rm-u1.lab.md';
  for (const set of ['harmonic', 'tight', 'late']) {
    const tasks = tasksOf(file, set);
    const u = tasks.reduce((a, t) => a + t.wcet / t.period, 0);
    const order = rateMonotonic(tasks);
    const rta = responseTimeAnalysis(order.map((o) => o.t));
    const exact = exactSchedule(tasks, 1, 'rm', durationUs(file, set), 'release');
    const desc = `U = ${fmt(u)}, ${order.map((o) => `${o.t.wcet / 1000}/${o.t.period / 1000}`).join(', ')} ms, RTA ${rta.every((r, k) => r <= order[k]!.t.deadline) ? 'schedulable' : 'not schedulable'}`;
    const issue = set === 'late' ? '909 misses → 884 exact (other set)' : '';
    scheduleRows(file, set, desc, issue, exact);
    metricRow(
      '1 same instant',
      `… \`${set}\`: context switches`,
      '',
      file,
      set,
      'contextSwitches',
      exact.contextSwitches,
    );
  }
}

// 1. The 10 ms burst that ends when a more urgent job is released (hand-worked, and the exact scheduler).
{
  const file = 'burst.lab.md';
  const tasks = tasksOf(file, 'burst');
  const exact = exactSchedule(tasks, 1, 'rm', durationUs(file, 'burst'), 'release');
  if (exact.preemptions !== 0 || exact.contextSwitches !== 2 || exact.completed !== 2)
    throw new Error('burst: hand-worked case');
  const issue = 'charged 11 ms, 1 spurious preemption → 10 ms, 0';
  metricRow(
    '1 same instant',
    `${file}: mean response of the two jobs (10 ms and 1 ms by hand)`,
    issue,
    file,
    'burst',
    'meanResponseS',
    5.5,
    { scale: 1000, unit: ' ms' },
  );
  metricRow('1 same instant', '… preemptions', '', file, 'burst', 'preemptions', exact.preemptions);
  metricRow('1 same instant', '… context switches', '', file, 'burst', 'contextSwitches', exact.contextSwitches);
  metricRow(
    '1 same instant',
    '… simulatedS (an open run: periodic tasks; ends at its 50 ms duration)',
    '',
    file,
    'burst',
    'simulatedS',
    50,
    {
      scale: 1000,
      unit: ' ms',
    },
  );
}

// 1. Global EDF: the 20- and 160-task sets against the exact schedule, both tie orders.
for (const [file, run, cpus] of [
  ['edf20.lab.md', 'edf20', 4],
  ['edf160.lab.md', 'edf160', 16],
] as const) {
  const tasks = tasksOf(file, run);
  const horizon = durationUs(file, run);
  const exact = exactSchedule(tasks, cpus, 'edf', horizon, 'release');
  const simso = exactSchedule(tasks, cpus, 'edf', horizon, 'index');
  const head = `${file} (${tasks.length} tasks, ${cpus} CPUs, ${horizon / 1e6} s)`;
  const is20 = tasks.length === 20;
  metricRow(
    '1 ties',
    `${head}: deadline misses (exact; by task index alone, SimSo's order: ${fmt(simso.misses)})`,
    is20 ? '' : '357 → 150 in SimSo’s order (32-CPU bench set)',
    file,
    run,
    'deadlineMisses',
    exact.misses,
  );
  metricRow(
    '1 same instant',
    `… jobs completed (released: ${fmt(exact.jobs)})`,
    '',
    file,
    run,
    'jobsCompleted',
    exact.completed,
  );
  metricRow(
    '1 same instant',
    `… preemptions (SimSo's order: ${fmt(simso.preemptions)})`,
    is20 ? 'zero-length runs double them' : '',
    file,
    run,
    'preemptions',
    exact.preemptions,
  );
  metricRow(
    '1 same instant',
    `… migrations, all (SimSo's order: ${fmt(simso.jobMigrations + simso.taskMigrations)})`,
    is20 ? 'zero-length runs add 25-38 %' : '',
    file,
    run,
    'migrations',
    exact.jobMigrations + exact.taskMigrations,
  );
  metricRow(
    '1 counts',
    '… job migrations (a job that ran resumes elsewhere)',
    '',
    file,
    run,
    'jobMigrations',
    exact.jobMigrations,
  );
  metricRow(
    '1 counts',
    '… task migrations (a job starts elsewhere than its task last ran)',
    '',
    file,
    run,
    'taskMigrations',
    exact.taskMigrations,
  );
  metricRow('1 same instant', '… context switches', '', file, run, 'contextSwitches', exact.contextSwitches);
  if (is20) {
    const zero = (w: Which) => probe<{ dispatches: number; zeroLength: number }>(w, 'zero', file, run);
    const [b, a] = [zero('before'), zero('after')];
    rows.push({
      defect: '1 same instant',
      measured: `${head}: dispatches stopped at the instant they started (engine trace, 100 slices)`,
      issue: '5,539 of 25,984 dispatches → 0',
      before: `${fmt(b.zeroLength)} of ${fmt(b.dispatches)}`,
      after: `${fmt(a.zeroLength)} of ${fmt(a.dispatches)}`,
      reference: '0',
      agrees: yes(a.zeroLength === 0),
    });
  }
}

// 2. fair: the late joiner, and M/G/1 against processor sharing.
metricRow(
  '2 fair',
  'late-joiner.lab.md: A = 3 s at 0, B = 1 s at 1 s, 1 CPU: mean response (processor sharing by hand: (4 + 2) / 2)',
  '2.50 s → 3.0 s',
  'late-joiner.lab.md',
  'ab',
  'meanResponseS',
  3.0,
  { unit: ' s', digits: 5, tolerance: 1e-3 },
);
{
  const mg1 = mg1Lab(20_000);
  const ps = processorSharing(mg1.jobs);
  metricRow(
    '2 fair',
    `M/G/1 trace (generated: ${fmt(mg1.jobs.length)} jobs, Poisson, lognormal mean 1 ms cv 2, rho = 0.7; sample rho ${fmt(mg1.rhoHat, 3)}), \`fair 20us\`: mean response against exact processor sharing on the same path (E[S]/(1 - rho) = ${fmt(mg1.closedFormS * 1000)} ms nominal)`,
    '2.4 % faster than PS',
    mg1.file,
    'fair',
    'meanResponseS',
    ps * 1000,
    { scale: 1000, unit: ' ms', tolerance: 0.003 },
  );
  const rel = (w: Which) => {
    const f = figure(w, mg1.file, 'fair', 'meanResponseS');
    return f.value === undefined ? f.why : `${fmt((f.value / ps - 1) * 100, 2)} %`;
  };
  rows.push({
    defect: '2 fair',
    measured: '… the same, relative to processor sharing',
    issue: '-2.4 % → 0',
    before: rel('before'),
    after: rel('after'),
    reference: '0 % (within the 20 us slice)',
    agrees: yes(Math.abs(Number((figure('after', mg1.file, 'fair', 'meanResponseS').value ?? 0) / ps - 1)) < 0.003),
  });
}

// 3. Slicing: examples/heat.lab.md and thermal-closed.lab.md in 1, 7, 50, 100 and 1000 slices.
{
  interface Sliced {
    slices: number;
    digest: string;
    simulatedS: number;
    makespanS: number;
    throughputPerS: number;
    energyJ: number;
    throttledS: number;
  }
  const SLICES = '1,7,50,100,1000';
  // v0.1's copy: this tree's adds a check v0.1 cannot read (migrationsByReason.thermal); the
  // machine, workload and runs are the same in both.
  const heat = path.join(trees.before.root, 'examples', 'heat.lab.md');
  for (const run of ['pinned', 'aware']) {
    const by = (w: Which) => probe<Sliced[]>(w, 'slices', heat, run, SLICES);
    const [b, a] = [by('before'), by('after')];
    const cli = (w: Which) => {
      const o = lab(w, heat);
      return o.ok ? o.runs.get(run)?.digest : undefined;
    };
    const digests = (xs: Sliced[], w: Which) =>
      `${new Set(xs.map((x) => x.digest)).size} distinct of ${xs.length}; 100 slices = CLI's: ${xs.find((x) => x.slices === 100)!.digest === cli(w) ? 'yes' : 'no'}`;
    rows.push({
      defect: '3 slicing',
      measured: `v0.1's examples/heat.lab.md \`${run}\`: digests over ${SLICES} slices`,
      issue: run === 'pinned' ? 'differs between 1, 50, 100, 1000 → one digest' : '',
      before: digests(b, 'before'),
      after: digests(a, 'after'),
      reference: '1 distinct',
      agrees: yes(new Set(a.map((x) => x.digest)).size === 1),
    });
    const at = (xs: Sliced[], n: number) => xs.find((x) => x.slices === n)!;
    for (const metric of ['simulatedS', 'throughputPerS', 'energyJ', 'throttledS'] as const) {
      if (run === 'pinned' && metric !== 'simulatedS') continue;
      const show = (xs: Sliced[]) => `${fmt(at(xs, 1)[metric])} (1) / ${fmt(at(xs, 100)[metric])} (100)`;
      const same = (xs: Sliced[]) => xs.every((x) => x[metric] === xs[0]![metric]);
      const closed = (xs: Sliced[]) => xs.every((x) => x.simulatedS === x.makespanS);
      rows.push({
        defect: '3 slicing',
        measured: `… \`${run}\` (a closed run): ${metric}, 1 slice / 100 slices`,
        issue:
          run === 'aware' && metric === 'simulatedS'
            ? '3.01 / 3.60'
            : run === 'aware' && metric === 'throughputPerS'
              ? '33.9 / 28.3'
              : '',
        before: show(b),
        after: show(a),
        reference:
          metric === 'simulatedS'
            ? `= makespanS for every slicing (${fmt(at(a, 1).makespanS)})`
            : 'the same for every slicing',
        agrees: yes(same(a) && (metric !== 'simulatedS' || closed(a))),
      });
    }
  }
  const thermal = thermalClosedForm();
  const sliced = (w: Which) => probe<Sliced[]>(w, 'slices', 'thermal-closed.lab.md', 'closed', SLICES);
  const [b, a] = [sliced('before'), sliced('after')];
  rows.push({
    defect: '3 slicing',
    measured: `thermal-closed.lab.md (duration 10 s): digests over ${SLICES} slices`,
    issue: '',
    before: `${new Set(b.map((x) => x.digest)).size} distinct of ${b.length}`,
    after: `${new Set(a.map((x) => x.digest)).size} distinct of ${a.length}`,
    reference: '1 distinct',
    agrees: yes(new Set(a.map((x) => x.digest)).size === 1),
  });
  for (const dur of ['7s', '10s', '100s']) {
    const params = { dur };
    const file = 'thermal-closed.lab.md';
    const issue = (x: string) => (dur === '7s' ? x : '');
    metricRow(
      '3 closed end',
      `${file} with \`--param dur=${dur}\`: simulatedS (the job completes at t_end; trip point crossed at ${fmt(thermal.crossingS, 5)} s)`,
      issue('ends at different times'),
      file,
      'closed',
      'simulatedS',
      thermal.end,
      { params, unit: ' s', digits: 6, tolerance: 1e-8 },
    );
    metricRow(
      '3 closed end',
      `… \`dur=${dur}\`: energyJ (closed form)`,
      issue('0.463 J → 0.413 J (other lab)'),
      file,
      'closed',
      'energyJ',
      thermal.energyJ,
      {
        params,
        unit: ' J',
        digits: 6,
        tolerance: 1e-6,
      },
    );
    metricRow(
      '3 closed end',
      `… \`dur=${dur}\`: throttledS (closed form)`,
      issue('0.295 s → 0.127 s (other lab)'),
      file,
      'closed',
      'throttledS',
      thermal.throttledS,
      {
        params,
        unit: ' s',
        digits: 6,
        tolerance: 1e-6,
      },
    );
  }
  for (const run of ['push', 'pinned']) {
    const what = run === 'push' ? 'periodic-push every 40 ms' : 'pinned (no ticks)';
    metricRow(
      '3 closed end',
      `push-closed.lab.md \`${run}\` (${what}), both CPUs busy 0-1.01 s: meanUtilization`,
      run === 'push' ? '0.84 → 1' : '',
      'push-closed.lab.md',
      run,
      'meanUtilization',
      1,
    );
    metricRow('3 closed end', `… \`${run}\`: simulatedS`, '', 'push-closed.lab.md', run, 'simulatedS', 1.01, {
      unit: ' s',
    });
  }
}

// 4. One parameter spec: defaults as documented, values as written.
{
  const file = 'defaults.lab.md';
  // The documented default working set, in 64 B lines (both trees document the same one).
  const [wsBefore, wsAfter] = [trees.before.root, trees.after.root].map((t) =>
    documentedDefault(t, 'processes[].workingSet'),
  );
  if (wsBefore !== wsAfter) throw new Error(`the trees document different working sets: ${wsBefore}, ${wsAfter}`);
  const wsLines = qty(wsAfter) / 64;
  metricRow(
    '4 defaults',
    `${file} \`default-ws\`: no \`workingSet\` key, one 10 ms job: cache misses (documented 64 KiB = ${wsLines} lines, all touched)`,
    '0 → 8,192 (8 processes)',
    file,
    'default-ws',
    'cacheMisses',
    wsLines,
  );
  metricRow(
    '4 defaults',
    `… \`explicit-ws\`: \`workingSet: 64KiB\` written out`,
    '',
    file,
    'explicit-ws',
    'cacheMisses',
    wsLines,
  );
  const mi = (w: Which) => Number(documentedDefault(trees[w].root, 'processes[].memoryIntensity'));
  const expected = (m: number) => wsLines * (1 - Math.exp((-m * 50_000) / wsLines));
  const [mb, ma] = [mi('before'), mi('after')];
  const b = figure('before', file, 'default-mi', 'cacheMisses');
  const a = figure('after', file, 'default-mi', 'cacheMisses');
  rows.push({
    defect: '4 defaults',
    measured: `… \`default-mi\`: no \`memoryIntensity\` key, a 50 us job over 64 KiB: cache misses = ${wsLines} (1 - exp(-mi x 50,000 / ${wsLines})) with each tree's documented mi`,
    issue: 'documented 0.01, simulated 0.02',
    before: b.value === undefined ? b.why : fmt(b.value),
    after: a.value === undefined ? a.why : fmt(a.value),
    reference: `${fmt(expected(mb))} (v0.1 docs: ${mb}) / ${fmt(expected(ma))} (this tree's docs: ${ma})`,
    agrees: yes(a.value !== undefined && Math.abs(a.value - expected(ma)) <= 1),
  });
  const l1 = (w: Which) => probe<{ latency?: { l1Ns?: number } }>(w, 'config', file, 'latency').latency?.l1Ns;
  rows.push({
    defect: '4 exact values',
    measured: `… \`latency\`: \`latency.l1: 1.3ns\` as the lab resolves it for the simulator (latency.l1Ns)`,
    issue: 'silently rounded to 1 ns',
    before: `${fmt(l1('before'))} ns`,
    after: `${fmt(l1('after'))} ns`,
    reference: '1.3 ns (or refused)',
    agrees: yes(l1('after') === 1.3),
  });
  const perMiss = (w: Which) => {
    const stall = figure(w, file, 'latency', 'stallS').value;
    const misses = figure(w, file, 'latency', 'cacheMisses').value;
    return stall === undefined || !misses ? undefined : (stall * 1e9) / misses;
  };
  const ref = 60.4 / 5;
  rows.push({
    defect: '4 exact values',
    measured:
      '… `latency`: `memory.local: 60.4ns`, 1,024 cold misses from local DRAM: stall per miss (stallS / cacheMisses)',
    issue: '',
    before: `${fmt(perMiss('before'))} ns`,
    after: `${fmt(perMiss('after'))} ns`,
    reference: `${fmt(ref)} ns (60.4 / memoryParallelism 5)`,
    agrees: yes(Math.abs((perMiss('after') ?? 0) - ref) < 1e-3),
  });
}

// ---- print --------------------------------------------------------------------------------------

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
console.log(
  `Issue 11, before and after: v0.1 (${path.relative(process.cwd(), trees.before.cli) || trees.before.cli}) against this tree (${path.relative(process.cwd(), trees.after.cli)}); ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}.\n`,
);
console.log(
  '| defect | what is measured | issue (before → exact) | v0.1 | this tree | exact reference | this tree = reference |',
);
console.log('|---|---|---|---:|---:|---:|---|');
for (const r of rows) {
  console.log(`| ${[r.defect, r.measured, r.issue, r.before, r.after, r.reference, r.agrees].map(cell).join(' | ')} |`);
}
const disagree = rows.filter((r) => r.agrees !== 'yes').length;
console.log(
  `\n${rows.length} figures; this tree differs from the reference on ${disagree}. ${((performance.now() - started) / 1000).toFixed(0)} s.`,
);
