// An execution as a standalone HTML report (src/lab/report.ts) and each run's tables as CSV.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { GradedCheck } from '../lab/grade';
import { chartSvg, reportHtml, type ReportItem } from '../lab/report';
import { resultTable, TABLE_NAMES } from '../lab/tables';
import { toCsv } from './csv';
import type { LabExecution } from './executeLab';
import type { ValidLab } from './loadLab';
import { LAB_VERSION } from './version';

export async function htmlReport(lab: ValidLab, execution: LabExecution, checks: readonly GradedCheck[]): Promise<string> {
  const outputs = new Map<number, ReportItem[]>();
  const add = (index: number, item: ReportItem) => outputs.set(index, [...(outputs.get(index) ?? []), item]);
  for (const [index, texts] of execution.text) for (const text of texts) add(index, { kind: 'markdown', text });
  for (const run of execution.lab.runs) {
    const outcome = execution.runs.get(run.name);
    if (outcome && !outcome.ok) add(run.cellIndex, { kind: 'error', text: outcome.error });
  }
  for (const { cellIndex, chart } of execution.charts) {
    add(cellIndex, chart.ok ? { kind: 'svg', svg: await chartSvg(chart.value.spec), title: chart.value.title } : { kind: 'error', text: chart.error });
  }
  execution.lab.checks.forEach((check, i) => add(check.cellIndex, { kind: 'check', ...checks[i] }));
  const params = Object.entries(lab.params).map(([k, v]) => `${k}=${v}`);
  return reportHtml({
    title: basename(lab.file),
    subtitle: `${basename(lab.file)}, migration-lab ${LAB_VERSION}${params.length ? `, --param ${params.join(' ')}` : ''}`,
    cells: lab.cells,
    outputs,
  });
}

/** Writes `<run>.<table>.csv` for every finished run; returns the files written. */
export function writeRunTables(dir: string, execution: LabExecution): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, run] of execution.runs) {
    if (!run.ok) continue;
    for (const table of TABLE_NAMES) {
      const path = join(dir, `${name}.${table}.csv`);
      writeFileSync(path, toCsv(resultTable(run.value.result, table)));
      written.push(path);
    }
  }
  return written;
}
