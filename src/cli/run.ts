// migration-lab run <lab.lab.md> [--param name=value ...] [--json] [--out report.html]
// Runs every cell in order, prints summaries, comparison tables and checks, and writes the
// results record next to the lab. Exit 1 when a cell or a check failed.
import { gradeChecks, type GradedCheck } from '../lab/grade';
import { anyCellFailed, checkScopeOf, executeLab, type LabExecution } from './executeLab';
import { paramOverrides, parseCommandArgs } from './args';
import { simulationPool } from './host';
import { loadValidLab } from './loadLab';
import { BadInput } from './problems';
import { writeRecord } from './record';
import { htmlReport, writeReport } from './exportReport';
import { LAB_VERSION } from './version';

const USAGE = 'usage: migration-lab run <lab.lab.md> [--param name=value ...] [--json] [--out report.html]';

export function runJson(file: string, execution: LabExecution, checks: GradedCheck[]): unknown {
  return {
    lab: file,
    version: LAB_VERSION,
    runs: [...execution.runs].map(([name, run]) =>
      run.ok ? { name, policy: run.value.output.policy, seed: run.value.output.seed, digest: run.value.output.digest, summary: run.value.output.summary } : { name, error: run.error },
    ),
    compares: [...execution.compares].map(([name, compare]) => (compare.ok ? { ...compare.value.output, name } : { name, error: compare.error })),
    checks: checks.map(({ name, points, passed, score, message }) => ({ name, points, passed, score, message })),
  };
}

export async function runCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs('run', argv, { param: { type: 'string', multiple: true }, json: { type: 'boolean' }, out: { type: 'string' } }, USAGE);
  if (positionals.length !== 1) throw new BadInput([USAGE]);
  const lab = loadValidLab(positionals[0], paramOverrides(values));
  const host = simulationPool();
  let execution: LabExecution;
  try {
    execution = await executeLab(lab.cells, { host, params: lab.params });
  } finally {
    host.dispose();
  }
  const checks = gradeChecks(execution.lab.checks, checkScopeOf(execution));
  const failed = anyCellFailed(execution);

  if (values.json) {
    console.log(JSON.stringify(runJson(lab.file, execution, checks), null, 2));
  } else {
    for (const texts of execution.text.values()) for (const text of texts) console.log(`${text}\n`);
    for (const [name, run] of execution.runs) if (!run.ok) console.log(`run ${name} failed: ${run.error}\n`);
    for (const [name, compare] of execution.compares) if (!compare.ok) console.log(`compare ${name} failed: ${compare.error}\n`);
    for (const { cellIndex, chart } of execution.charts) if (!chart.ok) console.log(`chart at line ${lab.cells[cellIndex].kind === 'markdown' ? 0 : lab.cells[cellIndex].bodyLine} failed: ${chart.error}\n`);
    for (const c of checks) console.log(`${c.passed ? 'PASS' : 'FAIL'} ${c.name} (${c.score}/${c.points}): ${c.message}`);
  }
  // A partial record would claim a reproducible state the lab is not in.
  if (!failed) {
    const path = writeRecord(lab.file, execution);
    if (!values.json) console.log(`results recorded in ${path}`);
  }
  if (typeof values.out === 'string') writeReport(values.out, await htmlReport(lab, execution, checks));
  return failed || checks.some((c) => !c.passed) ? 1 : 0;
}
