// migration-lab export <lab.lab.md> --out report.html [--data dir/] [--param name=value ...]
//   [--cpu-limit seconds] [--memory-limit MB]
// Exit 1 when a cell or a check failed, or a chart could not be drawn (the report shows which), as
// for run.
import { gradeChecks } from '../lab/grading/grade';
import { LIMIT_OPTIONS, LIMIT_USAGE, paramOverrides, parseCommandArgs, runLimits } from './args';
import { anyCellFailed, chartAt, checkScopeOf, executeLab, failedCells, type LabExecution } from './executeLab';
import { htmlReport, runTablePaths, writeReport, writeRunTables, type DrawChart } from './exportReport';
import { simulationPool } from './host';
import { loadValidLab } from './loadLab';
import { refuseOverwrites } from './outputs';
import { BadInput } from './problems';

const USAGE = `usage: migration-lab export <lab.lab.md> --out report.html [--data dir/] [--param name=value ...] ${LIMIT_USAGE}`;

export async function exportCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs(
    'export',
    argv,
    { out: { type: 'string' }, data: { type: 'string' }, param: { type: 'string', multiple: true }, ...LIMIT_OPTIONS },
    USAGE,
  );
  if (positionals.length !== 1 || (typeof values.out !== 'string' && typeof values.data !== 'string'))
    throw new BadInput([USAGE]);
  const lab = loadValidLab(positionals[0], paramOverrides(values));
  const out = typeof values.out === 'string' ? values.out : undefined;
  const data = typeof values.data === 'string' ? values.data : undefined;
  refuseOverwrites(
    [lab.file],
    [
      { option: '--out', path: out },
      ...(data
        ? lab.lab.runs.flatMap((r) => runTablePaths(data, r.name).map((path) => ({ option: '--data', path })))
        : []),
    ],
  );
  const host = simulationPool(undefined, runLimits(values));
  let html: string | undefined;
  const signal = new AbortController().signal;
  try {
    const execution = await executeLab(lab.cells, { host, params: lab.params });
    const checks = gradeChecks(execution.lab.checks, checkScopeOf(execution));
    // Everything is computed (charts drawn in workers, under the run budget) before anything is written.
    const undrawn: Undrawn[] = [];
    if (out !== undefined)
      html = await htmlReport(
        lab,
        execution,
        checks,
        noteFailures(execution, undrawn, (spec) => host.draw(spec, { signal })),
      );
    if (html !== undefined) {
      writeReport(out!, html);
      console.log(`report written to ${out}`);
    }
    if (data !== undefined) console.log(`${writeRunTables(data, execution).length} tables written to ${data}`);
    // The report is written either way (it shows what failed, in the cell that failed); what
    // failed is said here too, as run says it, and the exit code says so.
    for (const { line } of failedCells(lab.cells, execution)) console.error(line);
    // A chart Vega refuses to draw (a raw spec's expression that does not parse, say) is shown
    // in the report as an error in its cell; the exit code must not call that a success.
    for (const { cellIndex, message } of undrawn)
      console.error(`${chartAt(lab.cells, cellIndex)} cannot be drawn: ${message}`);
    return anyCellFailed(execution) || undrawn.length > 0 || checks.some((c) => !c.passed) ? 1 : 0;
  } finally {
    host.dispose();
  }
}

interface Undrawn {
  cellIndex: number;
  message: string;
}

/** `draw`, recording each chart it fails on (by the cell whose spec it was) in `undrawn`. */
function noteFailures(execution: LabExecution, undrawn: Undrawn[], draw: DrawChart): DrawChart {
  return async (spec) => {
    try {
      return await draw(spec);
    } catch (error) {
      const at = execution.charts.find(({ chart }) => chart.ok && chart.value.spec === spec);
      if (at) undrawn.push({ cellIndex: at.cellIndex, message: (error as Error).message });
      throw error;
    }
  };
}
