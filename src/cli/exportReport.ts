// An execution as a standalone HTML report (./htmlReport.ts) and each run's tables as CSV.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { resultTable, TABLE_NAMES } from '../lab/run/tables';
import { toCsv } from './csv';
import type { GradedCheck } from '../lab/grading/grade';
import type { LabExecution } from './executeLab';
import { htmlReport as reportWithCharts, type DrawChart } from './htmlReport';
import type { ValidLab } from './loadLab';
import { folderImages } from './reportImages';
import { BadInput } from './problems';

export type { DrawChart } from './htmlReport';

/** The report of an execution; charts drawn with `draw` (in a worker: WorkerPool.draw), Markdown images from the lab's own folder. */
export const htmlReport = (
  lab: ValidLab,
  execution: LabExecution,
  checks: readonly GradedCheck[],
  draw: DrawChart,
): Promise<string> => reportWithCharts(lab, execution, checks, draw, folderImages(dirname(resolve(lab.file))));
/** Writes a report (`--out`), making its folder if it is missing; a path that cannot be written is bad input. */
export function writeReport(path: string, html: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, html);
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const why =
      code === 'EISDIR'
        ? 'it is a folder'
        : code === 'EEXIST' || code === 'ENOTDIR'
          ? 'a file is in the way of its folder'
          : message;
    throw new BadInput([`--out ${path}: cannot write the report: ${why}`]);
  }
}

/** Where `--data dir/` puts each run's tables: `<run>.<table>.csv`. */
export const runTablePaths = (dir: string, run: string): string[] =>
  TABLE_NAMES.map((table) => join(dir, `${run}.${table}.csv`));

/** Writes `<run>.<table>.csv` for every finished run; returns the files written. */
export function writeRunTables(dir: string, execution: LabExecution): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, run] of execution.runs) {
    // A cluster run has no single-machine tables: its servers' table is in the report.
    if (!run.ok || run.value.result === undefined) continue;
    const result = run.value.result;
    TABLE_NAMES.forEach((table, i) => {
      const path = runTablePaths(dir, name)[i]!;
      writeFileSync(path, toCsv(resultTable(result, table)));
      written.push(path);
    });
  }
  return written;
}
