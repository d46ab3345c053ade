// The results record of an execution (see src/lab/run/resultsRecord.ts), and where it is kept.
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  recordCompare,
  recordRun,
  resultsPathFor,
  serializeResults,
  type ResultsRecord,
} from '../lab/run/resultsRecord';
import type { LabExecution } from './executeLab';
import { LAB_VERSION, SIM_VERSION } from './version';

export function recordOf(file: string, execution: LabExecution): ResultsRecord {
  const record: ResultsRecord = {
    format: 1,
    lab: basename(file),
    version: LAB_VERSION,
    params: {},
    runs: {},
    compares: {},
  };
  for (const [name, { value }] of execution.lab.params) record.params[name] = value as string | number | boolean;
  for (const [name, run] of execution.runs) {
    if (!run.ok) continue;
    record.runs[name] = recordRun(run.value.output, run.value.inputsHash, SIM_VERSION);
  }
  for (const [key, compare] of execution.compares)
    if (compare.ok) record.compares[key] = recordCompare(compare.value.output, compare.value.inputsHash, SIM_VERSION);
  return record;
}

/** Writes the record next to the lab; returns its path. */
export function writeRecord(file: string, execution: LabExecution): string {
  const path = resultsPathFor(file);
  writeFileSync(path, serializeResults(recordOf(file, execution)));
  return path;
}
