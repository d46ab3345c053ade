// Executes one cell of a lab. The whole notebook is resolved each time (it is cheap), so a
// cell always sees the current text of the cells it depends on; finished simulations are
// kept per run name with the hash of their inputs and reused while the inputs are unchanged.
import { sha256Hex, type SimConfig, type SimResult } from '../sim';
import { buildChart, ChartError, offlineSpans, type ChartRun } from './charts';
import type { Diagnostic } from './diagnostic';
import type { CellKind, LabCell } from './markdown';
import { compareChart, runCompare } from './compare';
import { CHART_MIME, COMPARE_MIME, RUN_MIME, type CompareOutput, type RunOutput } from './outputs';
import { resolveLab, type ResolveOptions, type ResolvedChart, type ResolvedCheck, type ResolvedCompare, type ResolvedLab, type ResolvedRun } from './resolve';
import { evaluateCheck, type Available, type CheckScope } from './checks';
import { CancelledError, RunError, type RunHost } from './runHost';
import { compareMarkdown, summaryMarkdown } from './summaryText';

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
}

/** A problem that stops a cell, shown in the cell as `title: message`. */
export class CellError extends Error {
  constructor(
    readonly title: string,
    message: string,
    readonly at?: { cellIndex: number; diagnostics: Diagnostic[] },
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
  runHash = (name: string) => lab.runs.find((r) => r.name === name)?.inputsHash ?? `missing ${name}`,
): string | undefined {
  const cell = cells[index];
  const combine = (runs: readonly string[]) => sha256Hex([cell.value, ...runs.map(runHash)].join('\u0000'));
  switch (cell.kind) {
    case 'run':
      return lab.runs.find((r) => r.cellIndex === index)?.inputsHash;
    case 'compare':
      return lab.compares.find((c) => c.cellIndex === index)?.inputsHash;
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
  private readonly compares = new Map<string, { inputsHash: string; output: CompareOutput }>();

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
      const lab = resolveLab(cells, this.resolveOptions);
      const cell = cells[index];
      if (cell.kind === 'markdown') return { ok: true, outputs: [] };
      assertValid(lab, index, `Invalid ${cell.kind} cell`);
      const outputs = await this.outputsOf(cell.kind, lab, index, options);
      const check = lab.checks.find((c) => c.cellIndex === index);
      return { ok: true, outputs, inputsHash: outputInputsHash(lab, cells, index), ...(check ? { check: { score: check.points, points: check.points } } : {}) };
    } catch (error) {
      if (error instanceof CancelledError || options.signal.aborted) return { ok: false, cancelled: true };
      if (error instanceof CellError) {
        const check = error.check && { check: error.check, inputsHash: outputInputsHash(resolveLab(cells, this.resolveOptions), cells, index) };
        return { ok: false, cancelled: false, title: error.title, message: error.message, at: error.at, ...check };
      }
      const e = error instanceof Error ? error : new Error(String(error));
      return { ok: false, cancelled: false, title: e.name || 'Error', message: e.message };
    }
  }

  private async outputsOf(kind: CellKind, lab: ResolvedLab, index: number, options: ExecuteOptions): Promise<OutputData[]> {
    switch (kind) {
      case 'run': {
        const run = resolved(lab, index, lab.runs);
        return [runOutput(run, await this.resultOf(lab, run, options))];
      }
      case 'chart':
        return [await this.chartOutput(lab, resolved(lab, index, lab.charts), options)];
      case 'compare': {
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
      (config) => this.simulate(lab, config, options),
      (fraction) => options.onProgress?.(fraction, 'Comparing'),
    );
    this.compares.set(compare.key, { inputsHash: compare.inputsHash, output });
    return output;
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
      runs[name] = await available(async () => (await this.resultOf(lab, validRun(lab, name), options)).summary as unknown as RunOutput['summary']);
    }
    const compares: Record<string, Available<CompareOutput>> = {};
    const keys = comparesReadBy(check);
    for (const compare of lab.compares.filter((c) => keys.has(c.key))) {
      compares[compare.key] = await available(() => this.compareOf(lab, compare, options));
    }
    return checkOutputData(check, { runs, compares });
  }

  /** The result of a run: from the cache while its inputs are unchanged, else simulated now. */
  async resultOf(lab: ResolvedLab, run: ResolvedRun, options: ExecuteOptions): Promise<SimResult> {
    const cached = this.runs.get(run.name);
    if (cached && cached.inputsHash === run.inputsHash) return cached.result;
    const result = await this.simulate(lab, run.config, options, (fraction) => options.onProgress?.(fraction, `Simulating ${run.name}`));
    this.runs.set(run.name, { inputsHash: run.inputsHash, result });
    return result;
  }

  /** Runs one simulation; a policy named after a policy cell runs that cell's code, sandboxed. */
  private async simulate(lab: ResolvedLab, config: SimConfig, options: ExecuteOptions, onProgress?: (fraction: number) => void): Promise<SimResult> {
    const policyCell = lab.policies.get(config.policy.name);
    if (policyCell && !this.runsUserCode) {
      throw new CellError(
        'Policy code does not run in an untrusted workspace',
        `Policy ${policyCell.name} is code from this lab, and this workspace is not trusted. Trust the workspace (Workspaces: Manage Workspace Trust) to run it.`,
      );
    }
    const policySource = policyCell && { name: policyCell.name, code: policyCell.code, lang: policyCell.lang };
    try {
      return await this.host.run({ config, policySource, signal: options.signal, onProgress });
    } catch (error) {
      if (policyCell && error instanceof RunError && error.location) {
        // The message already names the hook, time and line: it goes to the cell as it is.
        const { line, column } = error.location;
        const position = { line: line - 1, character: Math.max(0, column - 1) };
        const diagnostic: Diagnostic = { range: { start: position, end: position }, severity: 'error', message: error.message, code: 'policy-failed' };
        throw new CellError(`Policy ${policyCell.name} failed`, error.message, { cellIndex: policyCell.cellIndex, diagnostics: [diagnostic] });
      }
      throw error;
    }
  }

  private async chartOutput(lab: ResolvedLab, chart: ResolvedChart, options: ExecuteOptions): Promise<OutputData> {
    const runs: ChartRun[] = [];
    for (const name of chart.runs) {
      const run = validRun(lab, name);
      const result = await this.resultOf(lab, run, options);
      runs.push({ name, policy: run.config.policy.name, result, offline: offlineSpans(run.config, result) });
    }
    try {
      return { items: [{ mime: CHART_MIME, data: buildChart(chart, runs) }] };
    } catch (error) {
      if (error instanceof ChartError) throw new CellError('Cannot draw this chart', error.message);
      throw error;
    }
  }
}

/**
 * The resolved item of a valid cell. A valid cell is left out of the model only when a cell it
 * uses is broken (ResolvedLab.blocked says which), and then refuses to run, naming that cell.
 */
function resolved<T extends { cellIndex: number }>(lab: ResolvedLab, index: number, items: readonly T[]): T {
  const item = items.find((i) => i.cellIndex === index);
  if (item) return item;
  throw new CellError('A cell this one uses is invalid', (lab.blocked.get(index) ?? ['Fix the cells it names first.']).join('\n'));
}

/** The run of that name; a broken one throws its own cell's errors, a blocked one what it waits for. */
function validRun(lab: ResolvedLab, name: string): ResolvedRun {
  const run = lab.runs.find((r) => r.name === name);
  if (run) return run;
  const cellIndex = lab.runCells.get(name);
  if (cellIndex !== undefined) assertValid(lab, cellIndex, `Run ${name} is invalid`);
  const blocked = cellIndex === undefined ? undefined : lab.blocked.get(cellIndex);
  throw new CellError(`Run ${name} is invalid`, blocked ? blocked.join('\n') : `Run ${name} could not be resolved; fix its cell first.`);
}

function assertValid(lab: ResolvedLab, index: number, title: string): void {
  const errors = (lab.diagnostics.get(index) ?? []).filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new CellError(title, describeDiagnostics(errors), { cellIndex: index, diagnostics: errors });
}

/** The keys of the comparisons a check's expression reads (`compares.<key>...`). */
export const comparesReadBy = (check: ResolvedCheck): Set<string> => new Set([...check.expect.matchAll(/\bcompares\.([\w-]+)/g)].map((m) => m[1]));

/** A check's output when it passes; a CellError with its score when it fails. */
export function checkOutputData(check: ResolvedCheck, scope: CheckScope): OutputData {
  const result = evaluateCheck(check, scope);
  const label = check.id ? `Check ${check.id}` : 'Check';
  const points = `${result.score} of ${check.points} ${check.points === 1 ? 'point' : 'points'}`;
  if (!result.passed) throw new CellError(`${label} failed (${points})`, result.message, undefined, { score: result.score, points: check.points });
  // U+2713 (not the emoji): it draws in any font that has the Dingbats block.
  return { items: [{ mime: 'text/markdown', data: `**\u2713 ${label} passed** (${points})` }] };
}

/** A comparison's outputs: the table (with a Markdown copy) and the chart of means with intervals. */
export function compareOutputData(output: CompareOutput): OutputData[] {
  return [
    { items: [{ mime: COMPARE_MIME, data: output }, { mime: 'text/markdown', data: compareMarkdown(output) }] },
    { items: [{ mime: CHART_MIME, data: compareChart(output) }] },
  ];
}

/** A run's output: its summary (with a Markdown copy). */
export function runOutputData(data: RunOutput): OutputData {
  return { items: [{ mime: RUN_MIME, data }, { mime: 'text/markdown', data: summaryMarkdown(data) }] };
}

function runOutput(run: ResolvedRun, result: SimResult): OutputData {
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
  };
  return runOutputData(data);
}
