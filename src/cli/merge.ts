// migration-lab merge <shard.json>... --out sweep.json [--csv table.csv] [--stats stats.json] [--stats-csv stats.csv]
// Joins sweep shards into exactly the files an unsharded sweep writes.
import { readFileSync } from 'node:fs';
import { parseCommandArgs } from './args';
import { refuseOverwrites } from './outputs';
import { BadInput } from './problems';
import { mergeSweeps, type SweepFile } from './sweepPlan';
import { writeSweepOutputs } from './sweepOutputs';

const USAGE =
  'usage: migration-lab merge <shard.json>... --out sweep.json [--csv table.csv] [--stats stats.json] [--stats-csv stats.csv]';

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
  const options = {
    out: { type: 'string' },
    csv: { type: 'string' },
    stats: { type: 'string' },
    'stats-csv': { type: 'string' },
  } as const;
  const { positionals, values } = parseCommandArgs('merge', argv, options, USAGE);
  const outputs = {
    out: values.out as string | undefined,
    csv: values.csv as string | undefined,
    stats: values.stats as string | undefined,
    statsCsv: values['stats-csv'] as string | undefined,
  };
  if (positionals.length === 0 || Object.values(outputs).every((path) => path === undefined))
    throw new BadInput([USAGE]);
  refuseOverwrites(positionals, [
    { option: '--out', path: outputs.out },
    { option: '--csv', path: outputs.csv },
    { option: '--stats', path: outputs.stats },
    { option: '--stats-csv', path: outputs.statsCsv },
  ]);
  let merged: SweepFile;
  try {
    merged = mergeSweeps(positionals.map(readShard));
  } catch (error) {
    if (error instanceof BadInput) throw error;
    throw new BadInput([`merge: ${(error as Error).message}`]);
  }
  writeSweepOutputs(merged, outputs);
  console.error(`${merged.rows.length} rows from ${positionals.length} shard(s)`);
  return 0;
}
