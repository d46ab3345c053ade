// The outputs a lab showed last time, from its results record: run summaries and comparison
// tables as they were recorded, and checks graded again over those recorded values. Each carries
// the inputs hash it was computed from, so an output whose cells changed since is marked stale
// like any other. Charts need a run's full result, which the record does not keep.
import type { Available, CheckScope } from '../grading/checks';
import {
  CellError,
  checkOutputData,
  compareOutputData,
  comparesReadBy,
  outputInputsHash,
  runOutputData,
  type CellOutcome,
} from './execute';
import type { LabCell } from '../document/markdown';
import type { CompareOutput, SummaryValue } from '../outputs/contract';
import { compareKeys, declaredName, type ResolvedLab } from '../language/resolveLab';
import { recordedCompareOutput, recordedRunOutput, type ResultsRecord } from '../run/resultsRecord';

export interface RestoredOutput {
  cellIndex: number;
  outcome: Exclude<CellOutcome, { cancelled: true }>;
}

export function restoredOutputs(cells: readonly LabCell[], lab: ResolvedLab, record: ResultsRecord): RestoredOutput[] {
  const restored: RestoredOutput[] = [];
  const keys = compareKeys(cells);
  cells.forEach((cell, cellIndex) => {
    if (cell.kind === 'run') {
      const name = declaredName(cell)?.name;
      const recorded = name === undefined ? undefined : record.runs[name];
      const output = recorded && recordedRunOutput(name!, recorded);
      if (output)
        restored.push({
          cellIndex,
          outcome: { ok: true, outputs: [runOutputData(output)], inputsHash: recorded!.inputsHash },
        });
    } else if (cell.kind === 'compare') {
      const key = keys.get(cellIndex)!;
      const recorded = record.compares[key];
      const output = recorded && recordedCompareOutput(declaredName(cell)?.name, recorded);
      if (output)
        restored.push({
          cellIndex,
          outcome: { ok: true, outputs: compareOutputData(output), inputsHash: recorded!.inputsHash },
        });
    }
  });
  for (const check of lab.checks) {
    const outcome = restoredCheck(cells, lab, record, check.cellIndex);
    if (outcome) restored.push({ cellIndex: check.cellIndex, outcome });
  }
  return restored.sort((a, b) => a.cellIndex - b.cellIndex);
}

/** A check graded over the recorded runs and comparisons it reads; undefined if one is not recorded. */
function restoredCheck(
  cells: readonly LabCell[],
  lab: ResolvedLab,
  record: ResultsRecord,
  cellIndex: number,
): RestoredOutput['outcome'] | undefined {
  const check = lab.checks.find((c) => c.cellIndex === cellIndex)!;
  const runs: Record<string, Available<Readonly<Record<string, SummaryValue>>>> = {};
  for (const name of check.runs) {
    const recorded = record.runs[name];
    if (!recorded) return undefined;
    runs[name] = { ok: true, value: recorded.summary };
  }
  const compares: Record<string, Available<CompareOutput>> = {};
  for (const key of comparesReadBy(check)) {
    const output =
      record.compares[key] &&
      recordedCompareOutput(
        [...lab.compares, ...lab.runsCompares].find((c) => c.key === key)?.name,
        record.compares[key],
      );
    if (!output) return undefined;
    compares[key] = { ok: true, value: output };
  }
  const inputsHash = outputInputsHash(
    lab,
    cells,
    cellIndex,
    (name) => record.runs[name]?.inputsHash ?? `missing ${name}`,
  );
  try {
    return {
      ok: true,
      outputs: [checkOutputData(check, { runs, compares } satisfies CheckScope)],
      inputsHash,
      check: { score: check.points, points: check.points },
    };
  } catch (error) {
    if (!(error instanceof CellError)) throw error;
    return { ok: false, cancelled: false, title: error.title, message: error.message, check: error.check, inputsHash };
  }
}
