/**
 * Migration Lab as a library: the public, typed entry of the npm package `migration-lab`
 * (built from library/, documented in library/README.md). The simulator, whole labs (the text
 * of a `.lab.md` file) and policy comparisons, in a Node script or a web page alike: everything
 * runs in the calling thread, policy cells in the QuickJS sandbox (WebAssembly), with no
 * Node-only API. Results and digests are the ones the editor and the command line give.
 */
import type { MachineConfig, PolicyConfig, PolicyName, SchedulerConfig, WorkloadConfig } from '../sim';
import { executeLab } from '../cli/executeLab';
import type { Available } from '../lab/grading/checks';
import { runCompare } from '../lab/run/compare';
import { gradeChecks, type GradedCheck } from '../lab/grading/grade';
import { parseLab } from '../lab/document/markdown';
import type { CompareOutput, RunOutput } from '../lab/outputs/contract';
import { labProblemLines } from '../lab/report/problemLines';
import { COMPARE_DEFAULTS, resolveLab } from '../lab/language/resolveLab';
import { inProcessRunHost } from '../worker/runSimulation';

export {
  simulate,
  Simulation,
  SimConfigError,
  SimPolicyError,
  MACHINE_PRESETS,
  POLICY_NAMES,
  REASONS,
  MISS_CAUSES,
  SCHEDULERS,
  GOVERNORS,
  SIM_VERSION,
  canonicalJson,
} from '../sim';
// The simulator's configuration and result types, named one by one so the package's API widens
// only on purpose (src/sim/index.ts exports more, for the layers inside this repository).
export type {
  ArrivalConfig,
  CachesConfig,
  CoreTypeConfig,
  DistConfig,
  DvfsConfig,
  GovernorKind,
  IdleStateConfig,
  LatencyConfig,
  MachineConfig,
  MachineEventConfig,
  MemoryConfig,
  MigrationCostConfig,
  MissCause,
  NumaConfig,
  PeriodicConfig,
  PhasesConfig,
  PolicyConfig,
  PowerConfig,
  ProcessGroupConfig,
  PStateConfig,
  Reason,
  SchedulerConfig,
  SchedulerKind,
  SimConfig,
  TaskSetConfig,
  ThermalConfig,
  TraceRecord,
  WorkloadConfig,
} from '../sim';
export type { CpuSeriesResult, FrequencyInfo, MigrationRow, ProcessRow, SimResult, Summary, ThermalInfo } from '../sim';
export type {
  SimOptions,
  PolicyName,
  Policy,
  PolicyFactory,
  PolicyContext,
  PolicyActions,
  SimView,
  Sha256,
  Sha256Factory,
} from '../sim';
export type { CompareCell, CompareOutput, Interval, RunOutput, SummaryValue } from '../lab/outputs/contract';
export type { GradedCheck } from '../lab/grading/grade';

/** A result, or why there is none (a cell that failed: its policy crashed, its input was bad). */
export type Outcome<T> = Available<T>;

export interface RunLabOptions {
  /** Parameter overrides, written as in the lab: `{ rate: '400/s' }` (the CLI's --param). */
  params?: Record<string, string>;
  /** The name problem lines start with (`name:line:col: message`). Default `lab.lab.md`. */
  fileName?: string;
}

/** A chart cell's (or a comparison's) chart: a complete Vega-Lite spec with its data inlined. */
export interface LabChart {
  /** 1-based line of the cell's first body line in the lab's text. */
  line: number;
  title: string;
  spec: Record<string, unknown>;
}

export type LabRun =
  /** The lab has errors; nothing ran. Each problem is `file:line:col: message`. */
  | { ok: false; problems: string[] }
  | {
      ok: true;
      /** Per run cell name, in file order. */
      runs: Record<string, Outcome<RunOutput>>;
      /** Per compare cell name (or compare1, compare2... in file order). */
      compares: Record<string, Outcome<CompareOutput>>;
      charts: Outcome<LabChart>[];
      /** Every check cell, graded: passed, score, message. */
      checks: GradedCheck[];
    };

/** Runs every cell of a lab, as `migration-lab run` does, and grades its checks. */
export async function runLab(text: string, options: RunLabOptions = {}): Promise<LabRun> {
  const cells = parseLab(text);
  const params = options.params ?? {};
  const problems = labProblemLines(options.fileName ?? 'lab.lab.md', cells, resolveLab(cells, { params }));
  if (problems.length > 0) return { ok: false, problems };
  const execution = await executeLab(cells, { host: inProcessRunHost, params });
  const runs = Object.fromEntries(
    [...execution.runs].map(([name, run]) => [name, run.ok ? { ok: true as const, value: run.value.output } : run]),
  );
  const compares = Object.fromEntries(
    [...execution.compares].map(([name, c]) => [name, c.ok ? { ok: true as const, value: c.value.output } : c]),
  );
  const charts = execution.charts.map(({ cellIndex, chart }): Outcome<LabChart> => {
    const cell = cells[cellIndex];
    const line = cell.kind === 'markdown' ? 1 : cell.bodyLine + 1;
    return chart.ok
      ? {
          ok: true,
          value: { line, title: chart.value.title, spec: chart.value.spec as unknown as Record<string, unknown> },
        }
      : chart;
  });
  const checks = gradeChecks(execution.lab.checks, {
    runs: Object.fromEntries(
      Object.entries(runs).map(([name, run]) => [name, run.ok ? { ok: true, value: run.value.summary } : run]),
    ),
    compares,
  });
  return { ok: true, runs, compares, charts, checks };
}

export interface CompareOptions {
  /** A machine, or `{ preset: 'server-2x8' }`. */
  machine: MachineConfig;
  workload: WorkloadConfig;
  /** Built-in policies, by name or with parameters: `['pinned', { name: 'linux-cfs', params: { migrationCost: 1e6 } }]` (times in ns). */
  policies: readonly (PolicyName | PolicyConfig)[];
  /** Seeds 1..n for every policy (default 5). */
  seeds?: number;
  /** Simulated time of each run (default 10 s). */
  durationNs?: number;
  scheduler?: SchedulerConfig;
  /** Summary metrics to tabulate (default meanResponseS, migrations, cacheMisses, energyJ). */
  metrics?: readonly string[];
}

/**
 * Every policy on the same seeds (common random numbers), as a compare cell does: per metric
 * the mean with its 95 % interval, and the paired difference against the first policy.
 */
export async function compare(options: CompareOptions): Promise<CompareOutput> {
  const policies = options.policies.map((p) => (typeof p === 'string' ? { name: p } : p));
  const signal = new AbortController().signal;
  return runCompare(
    {
      key: 'compare',
      cellIndex: -1,
      machineName: 'preset' in options.machine && options.machine.preset ? options.machine.preset : 'machine',
      workloadName: 'workload',
      policies,
      seeds: options.seeds ?? COMPARE_DEFAULTS.seeds,
      metrics: [...(options.metrics ?? COMPARE_DEFAULTS.metrics)],
      base: {
        machine: options.machine,
        workload: options.workload,
        scheduler: options.scheduler ?? { kind: 'fair' },
        durationNs: options.durationNs ?? 10e9,
      },
      dependsOn: [],
      inputsHash: '',
    },
    (config) => inProcessRunHost.summarize({ config, signal }),
  );
}
