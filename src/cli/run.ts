// migration-lab run <lab.lab.md> [--param name=value ...] [--json] [--out report.html]
//   [--cpu-limit seconds] [--memory-limit MB]
// Runs every cell in order, prints summaries, comparison tables, what policies printed and
// checks, and writes the results record next to the lab. Exit 1 when a cell or a check failed.
import { gradeChecks, type GradedCheck } from '../lab/grading/grade';
import { logLines } from '../lab/notebook/execute';
import { resultsPathFor } from '../lab/run/resultsRecord';
import { anyCellFailed, checkScopeOf, executeLab, failedCells, type LabExecution } from './executeLab';
import { LIMIT_OPTIONS, LIMIT_USAGE, paramOverrides, parseCommandArgs, runLimits } from './args';
import { refuseOverwrites } from './outputs';
import { simulationPool } from './host';
import { loadValidLab } from './loadLab';
import { BadInput } from './problems';
import { writeRecord } from './record';
import { htmlReport, writeReport } from './exportReport';
import { LAB_VERSION } from './version';

const USAGE = `usage: migration-lab run <lab.lab.md> [--param name=value ...] [--json] [--out report.html] ${LIMIT_USAGE}`;

export function runJson(file: string, execution: LabExecution, checks: GradedCheck[]): unknown {
  return {
    lab: file,
    version: LAB_VERSION,
    runs: [...execution.runs].map(([name, run]) => {
      const logs = execution.logs.get(name);
      const printed = logs ? { logs } : {};
      return run.ok
        ? {
            name,
            policy: run.value.output.policy,
            seed: run.value.output.seed,
            digest: run.value.output.digest,
            summary: run.value.output.summary,
            // A cluster run's per-server rows, the overall row last.
            ...(run.value.output.servers ? { servers: run.value.output.servers } : {}),
            ...printed,
          }
        : { name, error: run.error, ...printed };
    }),
    compares: [...execution.compares].map(([name, compare]) =>
      compare.ok ? { ...compare.value.output, name } : { name, error: compare.error },
    ),
    checks: checks.map(({ name, points, passed, score, message }) => ({ name, points, passed, score, message })),
  };
}

export async function runCommand(argv: string[]): Promise<number> {
  const options = {
    param: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    out: { type: 'string' },
    ...LIMIT_OPTIONS,
  } as const;
  const { positionals, values } = parseCommandArgs('run', argv, options, USAGE);
  if (positionals.length !== 1) throw new BadInput([USAGE]);
  const lab = loadValidLab(positionals[0], paramOverrides(values));
  const out = typeof values.out === 'string' ? values.out : undefined;
  refuseOverwrites(
    [lab.file],
    [
      { option: 'the results record', path: resultsPathFor(lab.file) },
      { option: '--out', path: out },
    ],
  );
  const host = simulationPool(undefined, runLimits(values));
  let execution: LabExecution;
  let checks: GradedCheck[];
  let report: string | undefined;
  try {
    execution = await executeLab(lab.cells, { host, params: lab.params });
    checks = gradeChecks(execution.lab.checks, checkScopeOf(execution));
    // Charts are drawn in the workers, under the run budget.
    const signal = new AbortController().signal;
    if (out !== undefined) report = await htmlReport(lab, execution, checks, (spec) => host.draw(spec, { signal }));
  } finally {
    host.dispose();
  }
  const failed = anyCellFailed(execution);

  if (values.json) {
    console.log(JSON.stringify(runJson(lab.file, execution, checks), null, 2));
  } else {
    for (const [index, texts] of execution.text) {
      for (const text of texts) console.log(`${text}\n`);
      const run = execution.lab.runs.find((r) => r.cellIndex === index);
      const logs = run && execution.logs.get(run.name);
      if (run && logs) console.log(`${logLines(run.config.policy.name, logs)}`);
    }
    for (const { line, run } of failedCells(lab.cells, execution)) {
      const logs = run === undefined ? undefined : execution.logs.get(run);
      const policy = execution.lab.runs.find((r) => r.name === run)?.config.policy.name;
      console.log(`${line}\n${logs && policy ? `${logLines(policy, logs)}` : ''}`);
    }
    for (const c of checks)
      console.log(`${c.passed ? 'PASS' : 'FAIL'} ${c.name} (${c.score}/${c.points}): ${c.message}`);
  }
  // A partial record would claim a reproducible state the lab is not in.
  if (!failed) {
    const path = writeRecord(lab.file, execution);
    if (!values.json) console.log(`results recorded in ${path}`);
  }
  if (out !== undefined) writeReport(out, report!);
  return failed || checks.some((c) => !c.passed) ? 1 : 0;
}
