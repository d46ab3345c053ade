// An execution as a standalone HTML report (./htmlReport.ts) and each run's tables as CSV.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resultTable, TABLE_NAMES } from '../lab/tables';
import { toCsv } from './csv';
import { chartSvg } from '../lab/chartSvg';
import type { GradedCheck } from '../lab/grade';
import type { LabExecution } from './executeLab';
import { htmlReport as reportWithCharts } from './htmlReport';
import type { ValidLab } from './loadLab';
import { BadInput } from './problems';

/** The HTML report, its charts drawn here in the runner. */
export const htmlReport = (lab: ValidLab, execution: LabExecution, checks: readonly GradedCheck[]): Promise<string> =>
  reportWithCharts(lab, execution, checks, chartSvg);

/** Writes a report (`--out`), making its folder if it is missing; a path that cannot be written is bad input. */
export function writeReport(path: string, html: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, html);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const why = code === 'EISDIR' ? 'it is a folder' : code === 'EEXIST' || code === 'ENOTDIR' ? 'a file is in the way of its folder' : message;
    throw new BadInput([`--out ${path}: cannot write the report: ${why}`]);
  }
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
