// migration-lab verify <lab.lab.md> [--param name=value ...] [--json] [--cpu-limit seconds] [--memory-limit MB]
// Re-runs a lab against its results record and reports, per run and comparison: identical,
// drifted (with the metrics that moved), stale (its inputs changed; not re-run), new, removed.
// Exit 0 when everything is identical, 1 otherwise.
import { readFileSync } from 'node:fs';
import { canonicalJson, sha256Hex } from '../sim';
import {
  parseResults,
  resultsPathFor,
  staleness,
  summaryValues,
  verifyAgainst,
  type CurrentEntry,
  type ResultsRecord,
  type VerifyEntry,
} from '../lab/run/resultsRecord';
import { LIMIT_OPTIONS, LIMIT_USAGE, paramOverrides, parseCommandArgs, runLimits } from './args';
import { compareKeys } from '../lab/language/resolveLab';
import { executeLab } from './executeLab';
import { simulationPool } from './host';
import { loadValidLab } from './loadLab';
import { BadInput } from './problems';
import { SIM_VERSION } from './version';

const USAGE = `usage: migration-lab verify <lab.lab.md> [--param name=value ...] [--json] ${LIMIT_USAGE}`;

function readRecord(labFile: string): ResultsRecord {
  const path = resultsPathFor(labFile);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new BadInput([`${path}:1:1: no results record: run "migration-lab run ${labFile}" first`]);
  }
  try {
    return parseResults(text);
  } catch (error) {
    throw new BadInput([`${path}:1:1: ${(error as Error).message}`]);
  }
}

const fmt = (n: number) => (Number.isFinite(n) ? String(Number(n.toPrecision(6))) : 'none');

export function describeEntry(e: VerifyEntry): string {
  const moved = e.moved?.length
    ? `: ${e.moved.map((m) => `${m.metric} ${fmt(m.recorded)} -> ${fmt(m.now)}`).join(', ')}`
    : '';
  return `${e.kind} ${e.name}: ${e.status}${moved}${e.note ? ` (${e.note})` : ''}`;
}

export async function verifyCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs(
    'verify',
    argv,
    { param: { type: 'string', multiple: true }, json: { type: 'boolean' }, ...LIMIT_OPTIONS },
    USAGE,
  );
  if (positionals.length !== 1) throw new BadInput([USAGE]);
  const lab = loadValidLab(positionals[0], paramOverrides(values));
  const record = readRecord(lab.file);
  const keys = compareKeys(lab.cells);

  // Stale and new entries need no simulation: the hash of their inputs already tells.
  // Runs on one machine and on a cluster (requests or VMs) are recorded and verified alike (name, inputs hash, output).
  const runs = [...lab.lab.runs, ...lab.lab.clusterRuns, ...lab.lab.vmRuns].sort((a, b) => a.cellIndex - b.cellIndex);
  // Compares over one machine's policies and over cluster runs alike.
  const compares = [...lab.lab.compares, ...lab.lab.runsCompares].sort((a, b) => a.cellIndex - b.cellIndex);
  const current = (index: number) => {
    const run = runs.find((r) => r.cellIndex === index);
    if (run) return staleness(record.runs[run.name], run.inputsHash) === 'current';
    const compare = compares.find((c) => c.cellIndex === index);
    return compare !== undefined && staleness(record.compares[keys.get(index)!], compare.inputsHash) === 'current';
  };
  const host = simulationPool(undefined, runLimits(values));
  const execution = await executeLab(lab.cells, {
    host,
    params: lab.params,
    skip: (cell, i) => cell.kind === 'chart' || !current(i),
  }).finally(() => host.dispose());

  const entries: CurrentEntry[] = [];
  for (const run of runs) {
    const done = execution.runs.get(run.name);
    entries.push({
      kind: 'run',
      name: run.name,
      inputsHash: run.inputsHash,
      result:
        done === undefined
          ? undefined
          : done.ok
            ? { ok: true, digest: done.value.output.digest, values: summaryValues(done.value.output.summary) }
            : done,
    });
  }
  for (const compare of compares) {
    const name = keys.get(compare.cellIndex)!;
    const done = execution.compares.get(name);
    const values: Record<string, number> = {};
    if (done?.ok) for (const c of done.value.output.cells) values[`${c.policy}.${c.metric}`] = c.interval.mean;
    entries.push({
      kind: 'compare',
      name,
      inputsHash: compare.inputsHash,
      result:
        done === undefined
          ? undefined
          : done.ok
            ? { ok: true, digest: sha256Hex(canonicalJson(done.value.output.cells)), values }
            : done,
    });
  }
  const report = verifyAgainst(record, entries, SIM_VERSION);
  // Overrides are part of a run's inputs: a record made with --param verifies only with it.
  const differing = Object.entries(record.params).filter(
    ([name, value]) =>
      lab.lab.params.has(name) && JSON.stringify(lab.lab.params.get(name)!.value) !== JSON.stringify(value),
  );
  if (differing.length > 0)
    console.error(`note: the record was made with ${differing.map(([k, v]) => `--param ${k}=${v}`).join(' ')}`);
  if (values.json)
    console.log(JSON.stringify({ lab: lab.file, record: resultsPathFor(lab.file), entries: report }, null, 2));
  else for (const entry of report) console.log(describeEntry(entry));
  return report.every((e) => e.status === 'identical') ? 0 : 1;
}
