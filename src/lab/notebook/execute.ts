// Executes one cell of a lab. The whole notebook is resolved each time (it is cheap), so a
// cell always sees the current text of the cells it depends on; finished simulations are
// kept per run name with the hash of their inputs and reused while the inputs are unchanged.
import {
  sha256Hex,
  type ClusterResult,
  type RequestStats,
  type SimConfig,
  type SimResult,
  type VmClusterResult,
} from '../../sim';
import { vmRunMarkdown, vmRunOutput } from '../run/vmRunOutput';
import { balancerPolicy, sweptPolicy } from '../run/runPolicy';
import {
  buildChart,
  buildClusterChart,
  buildVmChart,
  ChartError,
  chartRunOf,
  CLUSTER_CHARTS,
  sweepChart,
  VM_CHARTS,
  type ChartRun,
} from '../charts';
import type { Diagnostic } from '../document/diagnostic';
import type { CellKind, LabCell } from '../document/markdown';
import { runColors } from '../charts/colors';
import { compareChart } from '../charts/compare';
import { runCompare } from '../run/compare';
import { MissingMetricError, runRunsCompare } from '../run/compareRuns';
import {
  CHART_MIME,
  COMPARE_MIME,
  LOG_MIME,
  RUN_MIME,
  type ChartOutput,
  type CompareOutput,
  type RunOutput,
} from '../outputs/contract';
import {
  resolveLab,
  type ChartSweep,
  type ResolveOptions,
  type ResolvedChart,
  type ResolvedCheck,
  type ResolvedClusterRun,
  type ResolvedVmRun,
  type ResolvedCompare,
  type ResolvedRunsCompare,
  type ComparedRun,
  type ResolvedLab,
  type ResolvedRun,
} from '../language/resolveLab';
import {
  aggregateSweep,
  planChartSweep,
  sweepMetrics,
  sweptRun,
  type SweepGroup,
  type SweepSample,
  type SweptRun,
} from '../run/sweep';
import { evaluateCheck, type Available, type CheckScope } from '../grading/checks';
import { CancelledError, RunError, type RunHost, type RunRequest } from '../run/runHost';
import { compareMarkdown, serversMarkdown, summaryMarkdown } from '../outputs/summaryText';
import type { ResponseMetric } from '../outputs/metrics';

export interface OutputItemData {
  mime: string;
  /** JSON-serialisable data, or text for text/* MIME types. */
  data: unknown;
}

export interface OutputData {
  items: OutputItemData[];
}

/** What a check cell scored, for the lab's total. */
export interface CheckScore {
  score: number;
  points: number;
}

export type CellOutcome =
  | {
      ok: true;
      outputs: OutputData[];
      /** Hash of everything the outputs were computed from (see outputInputsHash). */
      inputsHash?: string;
      check?: CheckScore;
    }
  | { ok: false; cancelled: true }
  | {
      ok: false;
      cancelled: false;
      title: string;
      message: string;
      /** Where in which cell, when the problem is invalid input (the cell itself or one it uses). */
      at?: { cellIndex: number; diagnostics: Diagnostic[] };
      /** What the failed run's policy printed before it stopped. */
      logs?: readonly string[];
      /** A failed check's score (0) and points; a check that could not be evaluated has none. */
      check?: CheckScore;
      inputsHash?: string;
    };

export interface ExecuteOptions {
  signal: AbortSignal;
  onProgress?: (fraction: number, label: string) => void;
}

interface CachedRun {
  inputsHash: string;
  result: SimResult;
  logs?: readonly string[];
}

/** A problem that stops a cell, shown in the cell as `title: message`. */
export class CellError extends Error {
  constructor(
    readonly title: string,
    message: string,
    readonly at?: { cellIndex: number; diagnostics: Diagnostic[] },
    readonly logs?: readonly string[],
    readonly check?: CheckScore,
  ) {
    super(message);
  }
}

/** `line 3, column 9: message` for each error, 1-based as editors show them. */
export function describeDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((d) => `line ${d.range.start.line + 1}, column ${d.range.start.character + 1}: ${d.message}`)
    .join('\n');
}

/**
 * The hash of everything a cell's output is computed from: the cell and, through their own
 * hashes, the cells it uses. When it differs from the hash stored with the output, the output
 * may be stale. Undefined for cells whose output depends on nothing else.
 */
export function outputInputsHash(
  lab: ResolvedLab,
  cells: readonly LabCell[],
  index: number,
  /** The inputs hash of each run the output was computed from: the runs' own, or recorded ones. */
  runHash = (name: string) =>
    (
      lab.runs.find((r) => r.name === name) ??
      lab.clusterRuns.find((r) => r.name === name) ??
      lab.vmRuns.find((r) => r.name === name)
    )?.inputsHash ?? `missing ${name}`,
): string | undefined {
  const cell = cells[index];
  const combine = (runs: readonly string[]) => sha256Hex([cell.value, ...runs.map(runHash)].join('\u0000'));
  switch (cell.kind) {
    case 'run':
      return (
        lab.runs.find((r) => r.cellIndex === index) ??
        lab.clusterRuns.find((r) => r.cellIndex === index) ??
        lab.vmRuns.find((r) => r.cellIndex === index)
      )?.inputsHash;
    case 'compare':
      return [...lab.compares, ...lab.runsCompares].find((c) => c.cellIndex === index)?.inputsHash;
    case 'chart':
      return combine(lab.charts.find((c) => c.cellIndex === index)?.runs ?? []);
    case 'check':
      return combine(lab.checks.find((c) => c.cellIndex === index)?.runs ?? []);
    default:
      return undefined;
  }
}

export class LabSession {
  private readonly runs = new Map<string, CachedRun>();
  private readonly clusterRuns = new Map<string, { inputsHash: string; result: ClusterResult }>();
  private readonly vmRuns = new Map<string, { inputsHash: string; result: VmClusterResult }>();
  private readonly compares = new Map<string, { inputsHash: string; output: CompareOutput }>();
  /** Sweeps of `show: sweep` charts, by the hash of the chart cell, its runs and the overrides. */
  private readonly sweeps = new Map<string, SweepGroup[]>();
  /** The last resolution and the cells it was of: running a whole lab resolves it once. */
  private resolved: { cells: readonly LabCell[]; lab: ResolvedLab } | undefined;

  /**
   * `resolveOptions.params`: parameter overrides, as the command line's --param gives them.
   * `runsUserCode`: false in an untrusted workspace, where code in policy cells must not run.
   */
  constructor(
    private readonly host: RunHost,
    private readonly resolveOptions: ResolveOptions = {},
    readonly runsUserCode = true,
  ) {}

  async execute(cells: readonly LabCell[], index: number, options: ExecuteOptions): Promise<CellOutcome> {
    try {
      if (this.resolved === undefined || !sameCells(this.resolved.cells, cells))
        this.resolved = { cells, lab: resolveLab(cells, this.resolveOptions) };
      const lab = this.resolved.lab;
      const cell = cells[index];
      if (cell.kind === 'markdown') return { ok: true, outputs: [] };
      assertValid(lab, index, `Invalid ${cell.kind} cell`);
      const outputs = await this.outputsOf(cells, lab, index, options);
      const check = lab.checks.find((c) => c.cellIndex === index);
      return {
        ok: true,
        outputs,
        inputsHash: outputInputsHash(lab, cells, index),
        ...(check ? { check: { score: check.points, points: check.points } } : {}),
      };
    } catch (error) {
      if (error instanceof CancelledError || options.signal.aborted) return { ok: false, cancelled: true };
      if (error instanceof CellError) {
        const check = error.check &&
          this.resolved && { check: error.check, inputsHash: outputInputsHash(this.resolved.lab, cells, index) };
        return {
          ok: false,
          cancelled: false,
          title: error.title,
          message: error.message,
          at: error.at,
          ...(error.logs ? { logs: error.logs } : {}),
          ...check,
        };
      }
      const e = error instanceof Error ? error : new Error(String(error));
      return { ok: false, cancelled: false, title: e.name || 'Error', message: e.message };
    }
  }

  private async outputsOf(
    cells: readonly LabCell[],
    lab: ResolvedLab,
    index: number,
    options: ExecuteOptions,
  ): Promise<OutputData[]> {
    switch (cells[index].kind as CellKind) {
      case 'run': {
        const clusterRun = lab.clusterRuns.find((r) => r.cellIndex === index);
        if (clusterRun) return clusterRunOutputs(clusterRun, await this.clusterResultOf(clusterRun, options));
        const vmRun = lab.vmRuns.find((r) => r.cellIndex === index);
        if (vmRun) return vmRunOutputs(vmRun, await this.vmResultOf(vmRun, options));
        const run = resolved(lab, index, lab.runs);
        const result = await this.resultOf(lab, run, options);
        return runOutputs(run, result, this.runs.get(run.name)?.logs);
      }
      case 'chart': {
        const chart = resolved(lab, index, lab.charts);
        if (!chart.sweep) return [await this.chartOutput(lab, chart, options)];
        const groups = await this.sweepOf(cells, lab, chart, chart.sweep, options);
        return [
          { items: [{ mime: CHART_MIME, data: drawn(() => sweepChart(chart.sweep!, groups, labRunColors(lab))) }] },
        ];
      }
      case 'compare': {
        const overRuns = lab.runsCompares.find((c) => c.cellIndex === index);
        if (overRuns) return compareOutputData(await this.runsCompareOf(overRuns, options));
        return compareOutputData(await this.compareOf(lab, resolved(lab, index, lab.compares), options));
      }
      case 'check':
        return [await this.checkOutput(lab, resolved(lab, index, lab.checks), options)];
      default:
        return [];
    }
  }

  /** A comparison's output: from the cache while its inputs are unchanged, else run now. */
  private async compareOf(lab: ResolvedLab, compare: ResolvedCompare, options: ExecuteOptions): Promise<CompareOutput> {
    const cached = this.compares.get(compare.key);
    if (cached && cached.inputsHash === compare.inputsHash) return cached.output;
    const output = await runCompare(
      compare,
      // A comparison reads summaries only: the workers need not build the tables, series and digest.
      (config) => this.simulate(lab, config, options, (request) => this.summaryOnly(request)),
      (fraction) => options.onProgress?.(fraction, 'Comparing'),
    );
    this.compares.set(compare.key, { inputsHash: compare.inputsHash, output });
    return output;
  }

  /** A comparison over cluster runs: from the cache while its inputs are unchanged, else run now. */
  private async runsCompareOf(compare: ResolvedRunsCompare, options: ExecuteOptions): Promise<CompareOutput> {
    const cached = this.compares.get(compare.key);
    if (cached && cached.inputsHash === compare.inputsHash) return cached.output;
    const output = await runRunsCompare(
      compare,
      (compared, seed) => this.comparedRunSummary(compared, seed, options),
      (fraction) => options.onProgress?.(fraction, 'Comparing'),
    ).catch((e: unknown) => {
      if (e instanceof MissingMetricError) throw new CellError('Missing metric', e.message);
      throw e;
    });
    this.compares.set(compare.key, { inputsHash: compare.inputsHash, output });
    return output;
  }

  /** A compared run at one seed: the summary its run cell would show with that seed. */
  private async comparedRunSummary(compared: ComparedRun, seed: number, options: ExecuteOptions) {
    const request = { signal: options.signal };
    if (compared.kind === 'requests') {
      const run = { ...compared.run, config: { ...compared.run.config, seed } };
      return clusterRunOutput(run, await this.host.runCluster({ ...request, config: run.config })).summary;
    }
    if (!this.host.runVmCluster)
      throw new CellError('Cannot run VMs here', 'This run host has no VM cluster runs (runVmCluster).');
    const run = { ...compared.run, config: { ...compared.run.config, seed } };
    return vmRunOutput(run, await this.host.runVmCluster({ ...request, config: run.config })).summary;
  }

  /**
   * A sweep chart's sweep: at each value of the parameter the lab is resolved again with that
   * value (as `migration-lab sweep --param` does), and each of the chart's runs is simulated
   * for seeds 1..n, summaries only. Cached while the chart, its runs and the overrides stay the same.
   */
  private async sweepOf(
    cells: readonly LabCell[],
    lab: ResolvedLab,
    chart: ResolvedChart,
    sweep: ChartSweep,
    options: ExecuteOptions,
  ): Promise<SweepGroup[]> {
    const key = sha256Hex(
      [
        cells[chart.cellIndex].value,
        ...chart.runs.map((name) => (sweptRun(lab, name)?.run ?? validRun(lab, name)).inputsHash),
        JSON.stringify(this.resolveOptions.params ?? {}),
      ].join('\u0000'),
    );
    const cached = this.sweeps.get(key);
    if (cached) return cached;
    const plan = planChartSweep(cells, chart.runs, sweep, this.resolveOptions);
    if (!plan.ok) {
      const where =
        plan.errors.length > 0
          ? `the ${cells[plan.cellIndex].kind} cell (cell ${plan.cellIndex + 1}) has ${describeDiagnostics(plan.errors)}`
          : 'a run it sweeps could not be resolved';
      throw new CellError(
        `The sweep fails at ${sweep.param} = ${plan.value}`,
        `With $${sweep.param} = ${plan.value}, ${where}`,
        plan.cellIndex >= 0 ? { cellIndex: plan.cellIndex, diagnostics: plan.errors } : undefined,
      );
    }
    let done = 0;
    // A run's policy is the same at every seed: named once per resolved run (naming a cluster
    // run's resolves the whole cluster).
    const policies = new Map<object, string>();
    const policyOf = (swept: SweptRun) => {
      let policy = policies.get(swept.run);
      if (policy === undefined) policies.set(swept.run, (policy = sweptPolicy(swept)));
      return policy;
    };
    const samples: SweepSample[] = await Promise.all(
      plan.jobs.map(async ({ params, seed, run: swept, lab: at }) => {
        const summary =
          swept.kind === 'machine'
            ? (await this.simulate(at, { ...swept.run.config, seed }, options, (request) => this.summaryOnly(request)))
                .summary
            : await this.comparedRunSummary(swept, seed, options);
        options.onProgress?.(++done / plan.jobs.length, `Sweeping $${sweep.param}`);
        return { params, seed, run: swept.run.name, policy: policyOf(swept), metrics: sweepMetrics(summary) };
      }),
    );
    const groups = aggregateSweep(samples);
    this.sweeps.set(key, groups);
    return groups;
  }

  /** Evaluates a check over the runs and comparisons it names, running any not yet run. */
  private async checkOutput(lab: ResolvedLab, check: ResolvedCheck, options: ExecuteOptions): Promise<OutputData> {
    const available = async <T>(compute: () => Promise<T>): Promise<Available<T>> => {
      try {
        return { ok: true, value: await compute() };
      } catch (error) {
        if (error instanceof CancelledError || options.signal.aborted) throw error;
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    };
    const runs: Record<string, Available<RunOutput['summary']>> = {};
    for (const name of check.runs) {
      const clusterRun = lab.clusterRuns.find((r) => r.name === name);
      if (clusterRun) {
        runs[name] = await available(
          async () => clusterRunOutput(clusterRun, await this.clusterResultOf(clusterRun, options)).summary,
        );
        continue;
      }
      const vmRun = lab.vmRuns.find((r) => r.name === name);
      if (vmRun) {
        runs[name] = await available(async () => vmRunOutput(vmRun, await this.vmResultOf(vmRun, options)).summary);
        continue;
      }
      runs[name] = await available(
        async () => (await this.resultOf(lab, validRun(lab, name), options)).summary as unknown as RunOutput['summary'],
      );
    }
    const compares: Record<string, Available<CompareOutput>> = {};
    const keys = comparesReadBy(check);
    for (const compare of lab.compares.filter((c) => keys.has(c.key))) {
      compares[compare.key] = await available(() => this.compareOf(lab, compare, options));
    }
    for (const compare of lab.runsCompares.filter((c) => keys.has(c.key))) {
      compares[compare.key] = await available(() => this.runsCompareOf(compare, options));
    }
    return checkOutputData(check, { runs, compares });
  }

  /** A run's summary alone, from a host that can skip the rest (else with its digest). */
  private summaryOnly(request: RunRequest): Promise<Pick<SimResult, 'summary'>> {
    return this.host.summaryOnly ? this.host.summaryOnly(request) : this.host.summarize(request);
  }

  /** The result of a run: from the cache while its inputs are unchanged, else simulated now. */
  async resultOf(lab: ResolvedLab, run: ResolvedRun, options: ExecuteOptions): Promise<SimResult> {
    const cached = this.runs.get(run.name);
    if (cached && cached.inputsHash === run.inputsHash) return cached.result;
    let logs: readonly string[] | undefined;
    const onProgress = (fraction: number) => options.onProgress?.(fraction, `Simulating ${run.name}`);
    const result = await this.simulate(
      lab,
      run.config,
      options,
      (request) => this.host.run({ ...request, onProgress }),
      (lines) => (logs = lines),
    );
    this.runs.set(run.name, { inputsHash: run.inputsHash, result, ...(logs ? { logs } : {}) });
    return result;
  }

  /** The result of a run on a cluster: from the cache while its inputs are unchanged, else simulated now. */
  async clusterResultOf(run: ResolvedClusterRun, options: ExecuteOptions): Promise<ClusterResult> {
    const cached = this.clusterRuns.get(run.name);
    if (cached && cached.inputsHash === run.inputsHash) return cached.result;
    const result = await this.host.runCluster({
      config: run.config,
      signal: options.signal,
      onProgress: (fraction) => options.onProgress?.(fraction, `Simulating ${run.name}`),
    });
    this.clusterRuns.set(run.name, { inputsHash: run.inputsHash, result });
    return result;
  }

  /** The result of a run of VMs on a cluster: from the cache while its inputs are unchanged, else simulated now. */
  async vmResultOf(run: ResolvedVmRun, options: ExecuteOptions): Promise<VmClusterResult> {
    const cached = this.vmRuns.get(run.name);
    if (cached && cached.inputsHash === run.inputsHash) return cached.result;
    if (!this.host.runVmCluster)
      throw new CellError('Cannot run VMs here', 'This run host has no VM cluster runs (runVmCluster).');
    const result = await this.host.runVmCluster({
      config: run.config,
      signal: options.signal,
      onProgress: (fraction) => options.onProgress?.(fraction, `Simulating ${run.name}`),
    });
    this.vmRuns.set(run.name, { inputsHash: run.inputsHash, result });
    return result;
  }

  /** What the policy of a finished run printed (absent when nothing, or not run yet). */
  logsOf(run: ResolvedRun): readonly string[] | undefined {
    const cached = this.runs.get(run.name);
    return cached && cached.inputsHash === run.inputsHash ? cached.logs : undefined;
  }

  /**
   * Runs one simulation through `call` (the host's run or summarize); a policy named after a
   * policy cell runs that cell's code, sandboxed. What the policy printed goes to `onLogs`.
   */
  private async simulate<T>(
    lab: ResolvedLab,
    config: SimConfig,
    options: ExecuteOptions,
    call: (request: RunRequest) => Promise<T>,
    onLogs?: (lines: readonly string[]) => void,
  ): Promise<T> {
    const policyCell = lab.policies.get(config.policy.name);
    if (policyCell && !this.runsUserCode) {
      throw new CellError(
        'Policy code does not run in an untrusted workspace',
        `Policy ${policyCell.name} is code from this lab, and this workspace is not trusted. Trust the workspace (Workspaces: Manage Workspace Trust) to run it.`,
      );
    }
    const policySource = policyCell && { name: policyCell.name, code: policyCell.code, lang: policyCell.lang };
    let logs: readonly string[] | undefined;
    try {
      return await call({
        config,
        policySource,
        signal: options.signal,
        onLogs: (lines) => ((logs = lines), onLogs?.(lines)),
      });
    } catch (error) {
      if (policyCell && error instanceof RunError && error.location) {
        // The message already names the hook, time and line: it goes to the cell as it is.
        const { line, column } = error.location;
        const position = { line: line - 1, character: Math.max(0, column - 1) };
        const diagnostic: Diagnostic = {
          range: { start: position, end: position },
          severity: 'error',
          message: error.message,
          code: 'policy-failed',
        };
        throw new CellError(
          `Policy ${policyCell.name} failed`,
          error.message,
          { cellIndex: policyCell.cellIndex, diagnostics: [diagnostic] },
          logs,
        );
      }
      if (error instanceof RunError && logs) throw new CellError(error.name, error.message, undefined, logs);
      throw error;
    }
  }

  private async chartOutput(lab: ResolvedLab, chart: ResolvedChart, options: ExecuteOptions): Promise<OutputData> {
    // A chart both families draw (host-load) is the family's of its runs.
    const ofRequestRuns = chart.runs.some((name) => lab.clusterRuns.some((r) => r.name === name));
    const ofVms = await familyChart(
      chart,
      {
        charts: ofRequestRuns ? VM_CHARTS.filter((c) => !CLUSTER_CHARTS.includes(c)) : VM_CHARTS,
        what: 'runs of VMs on a cluster (run: { cluster, vms })',
      },
      (name) => lab.vmRuns.find((r) => r.name === name),
      (run) => this.vmResultOf(run, options),
      buildVmChart,
    );
    if (ofVms) return ofVms;
    const ofRequests = await familyChart(
      chart,
      { charts: CLUSTER_CHARTS, what: 'request runs on a cluster (run: { cluster, service })' },
      (name) => lab.clusterRuns.find((r) => r.name === name),
      (run) => this.clusterResultOf(run, options),
      buildClusterChart,
    );
    if (ofRequests) return ofRequests;
    const runs: ChartRun[] = [];
    const colors = labRunColors(lab);
    for (const name of chart.runs) {
      const run = validRun(lab, name);
      const result = await this.resultOf(lab, run, options);
      runs.push(chartRunOf(name, run.config, result, colors.get(name)));
    }
    return { items: [{ mime: CHART_MIME, data: drawn(() => buildChart(chart, runs)) }] };
  }
}

/** A chart's spec; what the chart code refuses (ChartError) becomes the cell's error. */
function drawn(build: () => ChartOutput): ChartOutput {
  try {
    return build();
  } catch (error) {
    if (error instanceof ChartError) throw new CellError('Cannot draw this chart', error.message);
    throw error;
  }
}

/**
 * A chart of one family of cluster runs (VM runs, request runs), drawn from their own results;
 * undefined when the chart names none of them and is not one of the family's charts. A chart
 * of the family that names other runs is refused, naming them.
 */
async function familyChart<Run extends { name: string }, Result>(
  chart: ResolvedChart,
  family: { charts: readonly string[]; what: string },
  find: (name: string) => Run | undefined,
  resultOf: (run: Run) => Promise<Result>,
  build: (chart: ResolvedChart, runs: readonly { name: string; result: Result }[]) => ChartOutput,
): Promise<OutputData | undefined> {
  const found = chart.runs.map(find);
  if (!found.some((r) => r !== undefined) && !family.charts.includes(chart.show ?? '')) return undefined;
  const missing = chart.runs.filter((_, k) => found[k] === undefined);
  if (missing.length > 0)
    throw new CellError(
      'Cannot draw this chart',
      `${chart.show === undefined ? 'This chart' : `A ${chart.show} chart`} draws ${family.what} only; ${missing.join(', ')} ${missing.length === 1 ? 'is not one' : 'are not'}.`,
    );
  const runs: { name: string; result: Result }[] = [];
  for (const run of found) runs.push({ name: run!.name, result: await resultOf(run!) });
  return { items: [{ mime: CHART_MIME, data: drawn(() => build(chart, runs)) }] };
}

/** Each run's colour, the same in every chart of the lab: its policy's unless an earlier run has that one. */
const labRunColors = (lab: ResolvedLab): Map<string, string> =>
  runColors(lab.runs.map((r) => ({ name: r.name, policy: r.config.policy.name })));

/** True when two versions of a lab's cells say the same (the editor makes a new array for every cell it runs). */
function sameCells(a: readonly LabCell[], b: readonly LabCell[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.kind !== y.kind || x.value !== y.value) return false;
    if (x.kind === 'markdown' || y.kind === 'markdown') continue;
    const keys = Object.keys(x.attributes);
    if (keys.length !== Object.keys(y.attributes).length || keys.some((k) => x.attributes[k] !== y.attributes[k]))
      return false;
  }
  return true;
}

/**
 * The resolved item of a valid cell. A valid cell is left out of the model only when a cell it
 * uses is broken (ResolvedLab.blocked says which), and then refuses to run, naming that cell.
 */
function resolved<T extends { cellIndex: number }>(lab: ResolvedLab, index: number, items: readonly T[]): T {
  const item = items.find((i) => i.cellIndex === index);
  if (item) return item;
  throw new CellError(
    'A cell this one uses is invalid',
    (lab.blocked.get(index) ?? ['Fix the cells it names first.']).join('\n'),
  );
}

/** The run of that name; a broken one throws its own cell's errors, a blocked one what it waits for. */
function validRun(lab: ResolvedLab, name: string): ResolvedRun {
  const run = lab.runs.find((r) => r.name === name);
  if (run) return run;
  if (lab.clusterRuns.some((r) => r.name === name) || lab.vmRuns.some((r) => r.name === name))
    throw new CellError(
      `Run ${name} is a cluster run`,
      `Charts draw runs on one machine only; the table under run ${name}'s cell has its servers' response times.`,
    );
  const cellIndex = lab.runCells.get(name);
  if (cellIndex !== undefined) assertValid(lab, cellIndex, `Run ${name} is invalid`);
  const blocked = cellIndex === undefined ? undefined : lab.blocked.get(cellIndex);
  throw new CellError(
    `Run ${name} is invalid`,
    blocked ? blocked.join('\n') : `Run ${name} could not be resolved; fix its cell first.`,
  );
}

function assertValid(lab: ResolvedLab, index: number, title: string): void {
  const errors = (lab.diagnostics.get(index) ?? []).filter((d) => d.severity === 'error');
  if (errors.length > 0)
    throw new CellError(title, describeDiagnostics(errors), { cellIndex: index, diagnostics: errors });
}

/** The keys of the comparisons a check's expression reads (`compares.<key>...`). */
export const comparesReadBy = (check: ResolvedCheck): Set<string> =>
  new Set([...check.expect.matchAll(/\bcompares\.([\w-]+)/g)].map((m) => m[1]));

/** A check's output when it passes; a CellError with its score when it fails. */
export function checkOutputData(check: ResolvedCheck, scope: CheckScope): OutputData {
  const result = evaluateCheck(check, scope);
  const label = check.id ? `Check ${check.id}` : 'Check';
  const points = `${result.score} of ${check.points} ${check.points === 1 ? 'point' : 'points'}`;
  if (!result.passed)
    throw new CellError(`${label} failed (${points})`, result.message, undefined, undefined, {
      score: result.score,
      points: check.points,
    });
  // U+2713 (not the emoji): it draws in any font that has the Dingbats block.
  return { items: [{ mime: 'text/markdown', data: `**\u2713 ${label} passed** (${points})` }] };
}

/** A comparison's outputs: the table (with a Markdown copy) and the chart of means with intervals. */
export function compareOutputData(output: CompareOutput): OutputData[] {
  return [
    {
      items: [
        { mime: COMPARE_MIME, data: output },
        { mime: 'text/markdown', data: compareMarkdown(output) },
      ],
    },
    { items: [{ mime: CHART_MIME, data: compareChart(output) }] },
  ];
}

/** A run's output: its summary (with a Markdown copy). */
export function runOutputData(data: RunOutput): OutputData {
  return {
    items: [
      { mime: RUN_MIME, data },
      { mime: 'text/markdown', data: summaryMarkdown(data) },
    ],
  };
}

/** A run cell's outputs: its summary (table and text) and, when its policy printed, what it printed. */
function runOutputs(run: ResolvedRun, result: SimResult, logs: readonly string[] | undefined): OutputData[] {
  const data: RunOutput = {
    name: run.name,
    policy: run.config.policy.name,
    scheduler: run.config.scheduler.kind,
    machine: run.machineName,
    workload: run.workloadName,
    seed: run.config.seed,
    durationS: run.config.durationNs / 1e9,
    ...(result.window ? { window: result.window } : {}),
    digest: result.digest,
    summary: result.summary as unknown as RunOutput['summary'],
    ...(logs ? { logs } : {}),
  };
  const summary = runOutputData(data);
  // Under its run cell, what the policy printed needs no heading (the CLI and reports add one).
  return logs ? [summary, { items: [{ mime: LOG_MIME, data: `${logs.join('\n')}\n` }] }] : [summary];
}

/**
 * A cluster run's output: its summary is the overall row (what checks and results records read),
 * its servers the per-server rows, the overall row last.
 */
export function clusterRunOutput(run: ResolvedClusterRun, result: ClusterResult): RunOutput {
  const { balancer, overall } = result;
  const row = (server: string, r: RequestStats) => ({
    server,
    routed: r.routed,
    completed: r.completed,
    meanResponseS: r.meanResponseS,
    p95ResponseS: r.p95ResponseS,
    p99ResponseS: r.p99ResponseS,
    ...(r.dropped !== undefined ? { dropped: r.dropped } : {}),
    ...(r.slaViolations !== undefined ? { slaViolations: r.slaViolations } : {}),
  });
  return {
    name: run.name,
    policy: balancerPolicy(balancer),
    scheduler: run.config.scheduler.kind,
    machine: `${run.clusterName} (${result.servers.length} hosts, ${run.config.policy.name})`,
    workload: run.serviceName,
    seed: run.config.seed,
    durationS: run.config.durationNs / 1e9,
    digest: result.digest,
    // The cluster's own totals under the summary's metric names, when it has them.
    summary: {
      // overall.dropped is the cluster's requestsDropped, under its metric name below.
      ...withoutResponseTimesIfNoneCompleted(withoutDropped(overall)),
      // Without host events or an autoscaler nothing can be dropped: 0, not a missing metric (a
      // "nothing dropped" check must pass). The simulator leaves it out of its result for its digest.
      requestsDropped: result.requestsDropped ?? 0,
      ...(result.energyJ !== undefined ? { energyJ: result.energyJ } : {}),
    },
    servers: [...result.servers.map((s) => row(s.host, s)), row('overall', overall)],
  };
}

/**
 * Response times are over completed requests: with none completed the simulator's 0 s would make
 * a "responses are fast" check pass vacuously, so they are left out and a check reading them
 * fails with NO_REQUEST_COMPLETED's reason (src/lab/grading/checks.ts).
 */
function withoutResponseTimesIfNoneCompleted<T extends Omit<RequestStats, 'dropped'>>(
  stats: T,
): Omit<T, ResponseMetric> | T {
  if (stats.completed > 0) return stats;
  const { meanResponseS: _mean, p95ResponseS: _p95, p99ResponseS: _p99, ...rest } = stats;
  void _mean;
  void _p95;
  void _p99;
  return rest;
}

function withoutDropped<T extends RequestStats>(stats: T): Omit<T, 'dropped'> {
  const { dropped: _dropped, ...rest } = stats;
  void _dropped;
  return rest;
}

/**
 * A cluster run cell's outputs: the per-server table (Markdown, which the notebook shows as it
 * is), then the overall summary as any run's.
 */
function clusterRunOutputs(run: ResolvedClusterRun, result: ClusterResult): OutputData[] {
  const data = clusterRunOutput(run, result);
  return [{ items: [{ mime: 'text/markdown', data: serversMarkdown(data) }] }, runOutputData(data)];
}

/** A VM run cell's outputs: its hosts, VMs and migrations (Markdown), then its totals as any run's summary. */
function vmRunOutputs(run: ResolvedVmRun, result: VmClusterResult): OutputData[] {
  const data = vmRunOutput(run, result);
  return [{ items: [{ mime: 'text/markdown', data: vmRunMarkdown(data, result) }] }, runOutputData(data)];
}

/** What a policy printed, as the text of a cell's standard output. */
export function logLines(policy: string, logs: readonly string[]): string {
  return `policy ${policy} printed:\n${logs.join('\n')}\n`;
}
