// A parameter sweep as a fixed, ordered list of simulations: every combination of the swept
// parameter values (in the order given), every seed 1..n, every run of the lab. Item k always
// means the same simulation, so shards (`--shard i/n` takes items with k % n == i - 1) and
// their merge give the same table whatever the split. Also the files a sweep writes: rows,
// and statistics per combination (src/lab/run/sweep.ts) once every item is there.
import { canonicalJson, sha256Hex } from '../sim';
import { aggregateSweep, combinations, sweepMetrics, type SweepGroup } from '../lab/run/sweep';

export interface SweepHeader {
  lab: string;
  /** sha256 of the lab's text: shards of different labs never merge. */
  labHash: string;
  version: string;
  /** Swept parameters and their values, in command-line order. */
  params: Record<string, string[]>;
  seeds: number;
  /** Run names of the lab, in file order. */
  runs: string[];
  total: number;
}

export interface SweepItem {
  index: number;
  params: Record<string, string>;
  seed: number;
  run: string;
}

export interface SweepRow extends SweepItem {
  policy: string;
  digest: string;
  /** Summary metrics, breakdowns flattened (migrationsByReason.load-balance). */
  metrics: Record<string, number>;
}

export interface SweepFile {
  sweep: SweepHeader;
  shard: { index: number; count: number };
  rows: SweepRow[];
}

export interface Shard {
  index: number;
  count: number;
}

/** `2/4` -> { index: 2, count: 4 }; undefined when malformed. */
export function parseShard(text: string): Shard | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m) return undefined;
  const [index, count] = [Number(m[1]), Number(m[2])];
  return index >= 1 && index <= count ? { index, count } : undefined;
}

export function sweepItems(header: Omit<SweepHeader, 'total'>): SweepItem[] {
  const items: SweepItem[] = [];
  for (const params of combinations(header.params)) {
    for (let seed = 1; seed <= header.seeds; seed++)
      for (const run of header.runs) items.push({ index: items.length, params, seed, run });
  }
  return items;
}

export const inShard = (item: SweepItem, shard: Shard): boolean => item.index % shard.count === shard.index - 1;

export const labHash = (text: string): string => sha256Hex(text);

export function sweepRow(
  item: SweepItem,
  policy: string,
  digest: string,
  summary: Parameters<typeof sweepMetrics>[0],
): SweepRow {
  // Rounded as the file stores them, so a table made now equals one made from a merged file.
  return { ...item, policy, digest, metrics: sweepMetrics(summary) };
}

/**
 * `--shard slurm`: the shard of this task of a Slurm job array, from its environment. Works
 * for any contiguous range with any first index and step (`--array=1-N`, `--array=0-(N-1)`,
 * `--array=0-30:10`): task k of the range is shard k + 1 of as many as the range has.
 */
export function slurmShard(env: Readonly<Record<string, string | undefined>>): Shard {
  const read = (name: string, fallback?: number): number => {
    const text = env[name];
    if (text === undefined && fallback !== undefined) return fallback;
    if (text === undefined || !/^\d+$/.test(text))
      throw new Error(
        `${name} is ${text === undefined ? 'not set' : `"${text}"`}: --shard slurm runs inside a task of a Slurm job array (sbatch --array=1-N)`,
      );
    return Number(text);
  };
  const [id, min, max, step] = [
    read('SLURM_ARRAY_TASK_ID'),
    read('SLURM_ARRAY_TASK_MIN'),
    read('SLURM_ARRAY_TASK_MAX'),
    read('SLURM_ARRAY_TASK_STEP', 1),
  ];
  const count = Math.floor((max - min) / step) + 1;
  const listed = env.SLURM_ARRAY_TASK_COUNT === undefined ? count : read('SLURM_ARRAY_TASK_COUNT');
  if (step < 1 || (id - min) % step !== 0 || id < min || id > max || listed !== count) {
    throw new Error(
      `the job array is not one range (task ${id} of ${min}-${max}:${step}, ${listed} tasks): submit it as --array=1-N or --array=0-(N-1)`,
    );
  }
  return { index: (id - min) / step + 1, count };
}

/** Headers agree when every field does: same lab text, version, parameters, seeds and runs. */
export const sameSweep = (a: SweepHeader, b: SweepHeader): boolean => canonicalJson(a) === canonicalJson(b);

/** Merges shard files into the file an unsharded sweep writes; throws on a mismatch or a gap. */
export function mergeSweeps(files: readonly SweepFile[]): SweepFile {
  if (files.length === 0) throw new Error('nothing to merge');
  const header = files[0].sweep;
  const rows = new Map<number, SweepRow>();
  for (const file of files) {
    if (!sameSweep(file.sweep, header))
      throw new Error(
        `shard ${file.shard.index}/${file.shard.count} is from a different sweep (lab, version, parameters, seeds or runs differ)`,
      );
    for (const row of file.rows) {
      const seen = rows.get(row.index);
      if (seen && canonicalJson(seen) !== canonicalJson(row))
        throw new Error(`item ${row.index} differs between shards: the results are not reproducible`);
      rows.set(row.index, row);
    }
  }
  const missing = Array.from({ length: header.total }, (_, i) => i).filter((i) => !rows.has(i));
  if (missing.length > 0)
    throw new Error(
      `${missing.length} of ${header.total} items missing (first: ${missing.slice(0, 5).join(', ')}): a shard was not merged`,
    );
  return { sweep: header, shard: { index: 1, count: 1 }, rows: [...rows.values()].sort((a, b) => a.index - b.index) };
}

/** A sweep's statistics: mean and 95 % interval of every metric per combination, run and policy. */
export interface SweepStatsFile {
  sweep: SweepHeader;
  groups: SweepGroup[];
}

/** Statistics of a complete sweep (unsharded or merged): a shard has only some of each group's seeds. */
export function sweepStats(file: SweepFile): SweepStatsFile {
  if (file.rows.length !== file.sweep.total)
    throw new Error(
      `statistics need every item of the sweep (this file has ${file.rows.length} of ${file.sweep.total}): merge the shards first`,
    );
  return { sweep: file.sweep, groups: aggregateSweep(file.rows) };
}

/** Stable text of a statistics file: sorted keys, one group per line. */
export function serializeStats(stats: SweepStatsFile): string {
  return `{"groups":[\n${stats.groups.map((g) => canonicalJson(g)).join(',\n')}\n],"sweep":${canonicalJson(stats.sweep)}}\n`;
}

/** One CSV-ready record per group and metric: parameters, run, policy, metric, n, mean, half-width, ends. */
export function statsTable(stats: SweepStatsFile): Record<string, string | number>[] {
  return stats.groups.flatMap((g) =>
    Object.entries(g.metrics).map(([metric, m]) => ({
      ...Object.fromEntries(
        Object.keys(g.params)
          .sort()
          .map((k) => [`param:${k}`, g.params[k]]),
      ),
      run: g.run,
      policy: g.policy,
      metric,
      n: g.n,
      // The 12 digits of the JSON file, without the floating-point noise of the last bits.
      ...Object.fromEntries(
        (['mean', 'halfWidth', 'low', 'high'] as const).map((k) => [k, Number(m[k].toPrecision(12))]),
      ),
    })),
  );
}

/** Stable text of a sweep file: sorted keys, one row per line. */
export function serializeSweep(file: SweepFile): string {
  const head = canonicalJson({ sweep: file.sweep, shard: file.shard });
  return `${head.slice(0, -1)},"rows":[\n${file.rows.map((r) => canonicalJson(r)).join(',\n')}\n]}\n`;
}

/**
 * One CSV-ready record per row: index, parameters, seed, run, policy, digest, metrics. Columns
 * are sorted, so a table from a merged file (whose keys went through sorted JSON) is the same.
 */
export function sweepTable(file: SweepFile): Record<string, string | number>[] {
  const sorted = <T>(record: Record<string, T>) =>
    Object.keys(record)
      .sort()
      .map((k) => [k, record[k]] as const);
  return file.rows.map((r) => ({
    index: r.index,
    ...Object.fromEntries(sorted(r.params).map(([k, v]) => [`param:${k}`, v])),
    seed: r.seed,
    run: r.run,
    policy: r.policy,
    digest: r.digest,
    ...Object.fromEntries(sorted(r.metrics)),
  }));
}
