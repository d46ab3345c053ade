// An execution as a standalone HTML report (./htmlReport.ts) and each run's tables as CSV.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resultTable, TABLE_NAMES } from '../lab/tables';
import { toCsv } from './csv';
import { chartSvg } from '../lab/chartSvg';
import type { GradedCheck } from '../lab/grade';
import type { LabExecution } from './executeLab';
import { htmlReport as reportWithCharts } from './htmlReport';
import type { ValidLab } from './loadLab';

/** The HTML report, its charts drawn here in the runner. */
export const htmlReport = (lab: ValidLab, execution: LabExecution, checks: readonly GradedCheck[]): Promise<string> =>
  reportWithCharts(lab, execution, checks, chartSvg);

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
