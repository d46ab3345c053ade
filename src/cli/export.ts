// migration-lab export <lab.lab.md> --out report.html [--data dir/] [--param name=value ...]
// Exit 1 when a cell or a check failed (the report shows which), as for run.
import { gradeChecks } from '../lab/grade';
import { paramOverrides, parseCommandArgs } from './args';
import { anyCellFailed, checkScopeOf, executeLab } from './executeLab';
import { htmlReport, writeReport, writeRunTables } from './exportReport';
import { simulationPool } from './host';
import { loadValidLab } from './loadLab';
import { BadInput } from './problems';

const USAGE = 'usage: migration-lab export <lab.lab.md> --out report.html [--data dir/] [--param name=value ...]';

export async function exportCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs('export', argv, { out: { type: 'string' }, data: { type: 'string' }, param: { type: 'string', multiple: true } }, USAGE);
  if (positionals.length !== 1 || (typeof values.out !== 'string' && typeof values.data !== 'string')) throw new BadInput([USAGE]);
  const lab = loadValidLab(positionals[0], paramOverrides(values));
  const host = simulationPool();
  const execution = await executeLab(lab.cells, { host, params: lab.params }).finally(() => host.dispose());
  const checks = gradeChecks(execution.lab.checks, checkScopeOf(execution));
  // Everything is computed before anything is written.
  const html = typeof values.out === 'string' ? await htmlReport(lab, execution, checks) : undefined;
  if (html !== undefined) {
    writeReport(values.out as string, html);
    console.log(`report written to ${values.out}`);
  }
  if (typeof values.data === 'string') console.log(`${writeRunTables(values.data, execution).length} tables written to ${values.data}`);
  // The report is written either way (it shows what failed); the exit code says so, as run's does.
  return anyCellFailed(execution) || checks.some((c) => !c.passed) ? 1 : 0;
}
