// The files `sweep` and `merge` write from a sweep: rows (JSON, CSV) and statistics per
// combination (JSON, CSV). One writer for both commands, so a merge writes exactly the bytes
// an unsharded sweep does.
import { writeFileSync } from 'node:fs';
import { toCsv } from './csv';
import { serializeStats, serializeSweep, statsTable, sweepStats, sweepTable, type SweepFile } from './sweepPlan';

export interface SweepOutputPaths {
  out?: string;
  csv?: string;
  stats?: string;
  statsCsv?: string;
}

export function writeSweepOutputs(file: SweepFile, paths: SweepOutputPaths): void {
  // Statistics first: a sweep that cannot have them (a gap) writes nothing.
  const stats = paths.stats !== undefined || paths.statsCsv !== undefined ? sweepStats(file) : undefined;
  if (paths.out !== undefined) writeFileSync(paths.out, serializeSweep(file));
  if (paths.csv !== undefined) writeFileSync(paths.csv, toCsv(sweepTable(file)));
  if (stats && paths.stats !== undefined) writeFileSync(paths.stats, serializeStats(stats));
  if (stats && paths.statsCsv !== undefined) writeFileSync(paths.statsCsv, toCsv(statsTable(stats)));
}
