// migration-lab merge <shard.json>... --out sweep.json [--csv table.csv]
// Joins sweep shards into exactly the file an unsharded sweep writes.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseCommandArgs } from './args';
import { toCsv } from './csv';
import { refuseOverwrites } from './outputs';
import { BadInput } from './problems';
import { mergeSweeps, serializeSweep, sweepTable, type SweepFile } from './sweepPlan';

const USAGE = 'usage: migration-lab merge <shard.json>... --out sweep.json [--csv table.csv]';

function readShard(path: string): SweepFile {
  try {
    const file = JSON.parse(readFileSync(path, 'utf8')) as SweepFile;
    if (!file.sweep || !file.shard || !Array.isArray(file.rows)) throw new Error('not a sweep file');
    return file;
  } catch (error) {
    throw new BadInput([`${path}:1:1: ${(error as Error).message}`]);
  }
}

export async function mergeCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parseCommandArgs('merge', argv, { out: { type: 'string' }, csv: { type: 'string' } }, USAGE);
  if (positionals.length === 0 || (typeof values.out !== 'string' && typeof values.csv !== 'string')) throw new BadInput([USAGE]);
  refuseOverwrites(positionals, [{ option: '--out', path: typeof values.out === 'string' ? values.out : undefined }, { option: '--csv', path: typeof values.csv === 'string' ? values.csv : undefined }]);
  let merged: SweepFile;
  try {
    merged = mergeSweeps(positionals.map(readShard));
  } catch (error) {
    if (error instanceof BadInput) throw error;
    throw new BadInput([`merge: ${(error as Error).message}`]);
  }
  if (typeof values.out === 'string') writeFileSync(values.out, serializeSweep(merged));
  if (typeof values.csv === 'string') writeFileSync(values.csv, toCsv(sweepTable(merged)));
  console.error(`${merged.rows.length} rows from ${positionals.length} shard(s)`);
  return 0;
}
