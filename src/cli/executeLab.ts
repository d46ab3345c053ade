// Runs a whole lab headless: every code cell through the same LabSession the extension uses,
// collecting what each cell produced by kind, in file order. A cell that fails (a crashing
// policy, a run over its budget) is recorded as unavailable and the next cell runs.
import type { SimResult } from '../sim';
import type { Available, CheckScope } from '../lab/grading/checks';
import { describeDiagnostics, LabSession, type CellOutcome, type OutputItemData } from '../lab/notebook/execute';
import type { ParsedLabCell } from '../lab/document/markdown';
import {
  CHART_MIME,
  COMPARE_MIME,
  RUN_MIME,
  type ChartOutput,
  type CompareOutput,
  type RunOutput,
} from '../lab/outputs/contract';
import {
  compareKeys,
  declaredName,
  resolveLab,
  type ResolvedLab,
  type ResolveOptions,
} from '../lab/language/resolveLab';
import { CancelledError, type RunHost } from '../lab/run/runHost';

export interface RunDone {
  output: RunOutput;
  /** The whole result of a run on one machine (a cluster run's output is all there is of it). */
  result?: SimResult;
  inputsHash: string;
}

export interface CompareDone {
  output: CompareOutput;
  inputsHash: string;
}

export interface LabExecution {
  lab: ResolvedLab;
  /** Per run name, in file order. */
  runs: Map<string, Available<RunDone>>;
  /** Per compare key (its name, else compare1, compare2... in file order). */
  compares: Map<string, Available<CompareDone>>;
  charts: { cellIndex: number; chart: Available<ChartOutput> }[];
  /** Markdown text each cell printed (summaries, comparison tables), by cell index. */
  text: Map<number, string[]>;
  /** What each run's policy printed with console.log, by run name (runs that printed nothing are absent). */
  logs: Map<string, readonly string[]>;
}

export interface ExecuteLabOptions extends ResolveOptions {
  host: RunHost;
  /** Cells to leave out (verify skips charts and stale runs). */
  skip?: (cell: ParsedLabCell, index: number) => boolean;
  /** Stops the execution (the editor's Cancel); cells not run yet are cancelled. */
  signal?: AbortSignal;
  /** False in an untrusted workspace: policy cells' code must not run (see LabSession). */
  runsUserCode?: boolean;
}

/**
 * Why a cell failed, on one line and without control characters: these messages end up in
 * check results, CSV cells, JUnit attributes and a grader's log, and part of them (what a
 * policy threw) is a student's text, which must not start lines or move the cursor there.
 */
export function failure(outcome: Exclude<CellOutcome, { ok: true }>): string {
  if (outcome.cancelled) return 'cancelled';
  return oneLine(`${outcome.title}: ${outcome.message}`);
}

/**
 * Why a simulation the host was asked for directly (a sweep's) failed, in the words a cell's
 * failure has: `RunLimit: it ran past its CPU-time limit of 1 s per run, so its worker was
 * stopped`. Only the error's name and message: never its stack.
 */
export function hostFailure(error: unknown): string {
  if (error instanceof CancelledError) return 'cancelled';
  const e = error instanceof Error ? error : new Error(String(error));
  return oneLine(`${e.name || 'Error'}: ${e.message}`);
}

const oneLine = (text: string): string =>
  text.replace(/\s*[\n\r\u0085\u2028\u2029]\s*/g, '; ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd');

const itemsOf = (outcome: CellOutcome, mime: string): OutputItemData[] =>
  outcome.ok ? outcome.outputs.flatMap((o) => o.items).filter((item) => item.mime === mime) : [];

export async function executeLab(cells: ParsedLabCell[], options: ExecuteLabOptions): Promise<LabExecution> {
  const lab = resolveLab(cells, options);
  const session = new LabSession(options.host, options, options.runsUserCode ?? true);
  const execution: LabExecution = {
    lab,
    runs: new Map(),
    compares: new Map(),
    charts: [],
    text: new Map(),
    logs: new Map(),
  };
  const keys = compareKeys(cells);
  const signal = options.signal ?? new AbortController().signal;
  const executed = (cell: ParsedLabCell, index: number): boolean =>
    // Checks are graded afterwards, all at once, over everything that ran (src/lab/grading/grade.ts).
    (cell.kind === 'run' || cell.kind === 'compare' || cell.kind === 'chart') && !options.skip?.(cell, index);
  // Run and compare cells only simulate, each its own runs: they all start at once, so that every
  // worker of the host is busy from the first cell on instead of one run at a time, and their
  // outcomes are taken in file order below. Charts read the runs' results: they wait for all of
  // them (a chart above its run would otherwise simulate that run a second time).
  const started = new Map<number, Promise<CellOutcome>>();
  cells.forEach((cell, index) => {
    if ((cell.kind === 'run' || cell.kind === 'compare') && executed(cell, index))
      started.set(index, session.execute(cells, index, { signal }));
  });
  const allStarted = Promise.all(started.values());

  for (let index = 0; index < cells.length; index++) {
    const cell = cells[index];
    if (!executed(cell, index)) continue;
    if (cell.kind === 'chart') await allStarted;
    const outcome = await (started.get(index) ?? session.execute(cells, index, { signal }));
    execution.text.set(
      index,
      itemsOf(outcome, 'text/markdown').map((item) => String(item.data)),
    );
    const error = outcome.ok ? undefined : failure(outcome);

    if (cell.kind === 'run') {
      const name = declaredName(cell)?.name;
      if (name === undefined || execution.runs.has(name)) continue;
      const run = lab.runs.find((r) => r.cellIndex === index);
      const output = itemsOf(outcome, RUN_MIME)[0]?.data as RunOutput | undefined;
      const logs = output?.logs ?? (outcome.ok || outcome.cancelled ? undefined : outcome.logs);
      if (logs) execution.logs.set(name, logs);
      const onCluster = [...lab.clusterRuns, ...lab.vmRuns].find((r) => r.cellIndex === index);
      if (output && onCluster) {
        const inputsHash = onCluster.inputsHash;
        execution.runs.set(name, { ok: true, value: { output, inputsHash } });
      } else if (run && output) {
        // The session keeps the finished simulation; this returns it without running again.
        const result = await session.resultOf(lab, run, { signal });
        execution.runs.set(name, { ok: true, value: { output, result, inputsHash: run.inputsHash } });
      } else {
        execution.runs.set(name, { ok: false, error: error ?? invalidCell(lab, index) });
      }
    } else if (cell.kind === 'compare') {
      const key = keys.get(index)!;
      const compare = [...lab.compares, ...lab.runsCompares].find((c) => c.cellIndex === index);
      const output = itemsOf(outcome, COMPARE_MIME)[0]?.data as CompareOutput | undefined;
      execution.compares.set(
        key,
        compare && output
          ? { ok: true, value: { output, inputsHash: compare.inputsHash } }
          : { ok: false, error: error ?? invalidCell(lab, index) },
      );
      // A comparison draws its own chart (means with intervals) next to its table.
      const chart = itemsOf(outcome, CHART_MIME)[0]?.data as ChartOutput | undefined;
      if (chart) execution.charts.push({ cellIndex: index, chart: { ok: true, value: chart } });
    } else {
      const chart = itemsOf(outcome, CHART_MIME)[0]?.data as ChartOutput | undefined;
      execution.charts.push({
        cellIndex: index,
        chart: chart ? { ok: true, value: chart } : { ok: false, error: error ?? invalidCell(lab, index) },
      });
    }
  }
  return execution;
}

function invalidCell(lab: ResolvedLab, index: number): string {
  const problems = lab.diagnostics.get(index) ?? [];
  return problems.length > 0
    ? `the cell is invalid: ${describeDiagnostics(problems).replace(/\n/g, '; ')}`
    : 'the cell produced no result';
}

/** What check expressions see after an execution. */
export function checkScopeOf(execution: LabExecution): CheckScope {
  return {
    runs: Object.fromEntries(
      [...execution.runs].map(([name, run]) => [name, run.ok ? { ok: true, value: run.value.output.summary } : run]),
    ),
    compares: Object.fromEntries(
      [...execution.compares].map(([key, compare]) => [
        key,
        compare.ok ? { ok: true, value: compare.value.output } : compare,
      ]),
    ),
  };
}

/** True when some run, compare or chart cell failed. */
export const anyCellFailed = (execution: LabExecution): boolean =>
  [...execution.runs.values(), ...execution.compares.values(), ...execution.charts.map((c) => c.chart)].some(
    (x) => !x.ok,
  );

/** A cell that failed, as the commands report it: `run forever failed: RunLimit: ...`. */
export interface FailedCell {
  line: string;
  /** The run's name, for a run cell (its policy's printed lines go with it). */
  run?: string;
}

/** How messages name a chart cell: by its opening fence's line, counting from 1 (`bodyLine` counts from 0). */
export function chartAt(cells: readonly ParsedLabCell[], cellIndex: number): string {
  const cell = cells[cellIndex];
  return `chart at line ${cell.kind === 'markdown' ? 0 : cell.bodyLine}`;
}

/**
 * Every run, compare and chart cell that failed (a run stopped at its budget, a policy that
 * threw, an invalid cell), runs first, then comparisons, then charts: what `run` prints and
 * `export` reports next to the report it writes.
 */
export function failedCells(cells: readonly ParsedLabCell[], execution: LabExecution): FailedCell[] {
  const failed: FailedCell[] = [];
  for (const [name, run] of execution.runs)
    if (!run.ok) failed.push({ line: `run ${name} failed: ${run.error}`, run: name });
  for (const [name, compare] of execution.compares)
    if (!compare.ok) failed.push({ line: `compare ${name} failed: ${compare.error}` });
  for (const { cellIndex, chart } of execution.charts) {
    if (chart.ok) continue;
    failed.push({ line: `${chartAt(cells, cellIndex)} failed: ${chart.error}` });
  }
  return failed;
}
