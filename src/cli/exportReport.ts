// An execution as a standalone HTML report (src/lab/report.ts) and each run's tables as CSV.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { logLines } from '../lab/execute';
import type { TopLevelSpec } from 'vega-lite';
import type { GradedCheck } from '../lab/grade';
import { reportHtml, type ReportItem } from '../lab/report';
import { resultTable, TABLE_NAMES } from '../lab/tables';
import { toCsv } from './csv';
import type { LabExecution } from './executeLab';
import type { ValidLab } from './loadLab';
import { folderImages } from './reportImages';
import { LAB_VERSION } from './version';

/** Draws one chart to SVG: in a worker, under the run budget (WorkerPool.draw). */
export type DrawChart = (spec: TopLevelSpec) => Promise<string>;

/** The report of an execution; charts drawn with `draw`, Markdown images taken from the lab's own folder. */
export async function htmlReport(lab: ValidLab, execution: LabExecution, checks: readonly GradedCheck[], draw: DrawChart): Promise<string> {
  const outputs = new Map<number, ReportItem[]>();
  const add = (index: number, item: ReportItem) => outputs.set(index, [...(outputs.get(index) ?? []), item]);
  for (const [index, texts] of execution.text) for (const text of texts) add(index, { kind: 'markdown', text });
  for (const run of execution.lab.runs) {
    const outcome = execution.runs.get(run.name);
    if (outcome && !outcome.ok) add(run.cellIndex, { kind: 'error', text: outcome.error });
  }
  for (const { cellIndex, chart } of execution.charts) {
    if (!chart.ok) {
      add(cellIndex, { kind: 'error', text: chart.error });
      continue;
    }
    try {
      add(cellIndex, { kind: 'svg', svg: await draw(chart.value.spec), title: chart.value.title });
    } catch (error) {
      add(cellIndex, { kind: 'error', text: `Cannot draw this chart: ${(error as Error).message}` });
    }
  }
  for (const [name, logs] of execution.logs) {
    const run = execution.lab.runs.find((r) => r.name === name);
    if (run) add(run.cellIndex, { kind: 'log', text: logLines(run.config.policy.name, logs) });
  }
  execution.lab.checks.forEach((check, i) => add(check.cellIndex, { kind: 'check', ...checks[i] }));
  const params = Object.entries(lab.params).map(([k, v]) => `${k}=${v}`);
  return reportHtml({
    title: basename(lab.file),
    subtitle: `${basename(lab.file)}, migration-lab ${LAB_VERSION}${params.length ? `, --param ${params.join(' ')}` : ''}`,
    cells: lab.cells,
    outputs,
    image: folderImages(dirname(resolve(lab.file))),
  });
}

/** Where `--data dir/` puts each run's tables: `<run>.<table>.csv`. */
export const runTablePaths = (dir: string, run: string): string[] => TABLE_NAMES.map((table) => join(dir, `${run}.${table}.csv`));

/** Writes `<run>.<table>.csv` for every finished run; returns the files written. */
export function writeRunTables(dir: string, execution: LabExecution): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, run] of execution.runs) {
    if (!run.ok) continue;
    TABLE_NAMES.forEach((table, i) => {
      const path = runTablePaths(dir, name)[i]!;
      writeFileSync(path, toCsv(resultTable(run.value.result, table)));
      written.push(path);
    });
  }
  return written;
}
