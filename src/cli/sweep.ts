// migration-lab sweep <lab.lab.md> --param name=a,b,c ... --seeds 30 [--workers N]
//   [--shard i/n | --shard slurm] [--out sweep.json] [--csv table.csv] [--stats stats.json] [--stats-csv stats.csv]
// Runs every run of the lab for every combination of the swept parameters and seeds 1..n
// (each run's seed replaced), over worker threads. A shard writes its part; `merge` joins them.
// A simulation that fails (stopped at its budget, a policy that throws) costs only its row: it
// is named on stderr, the other rows are written, statistics are not (they need every row), exit 1.
import { availableParallelism } from 'node:os';
import { clusterRunOutput } from '../lab/notebook/execute';
import type { RunHost, RunSummary } from '../lab/run/runHost';
import { vmRunOutput } from '../lab/run/vmRunOutput';
import { resolveLab, type ResolvedLab } from '../lab/language/resolveLab';
import { intOption, LIMIT_OPTIONS, LIMIT_USAGE, parseCommandArgs, runLimits } from './args';
import { refuseOverwrites } from './outputs';
import { hostFailure } from './executeLab';
import { simulationPool } from './host';
import { BadInput, labProblemLines, readLab } from './problems';
import { combinations, sweptRun } from '../lab/run/sweep';
import { sweptPolicy } from '../lab/run/runPolicy';
import {
  inShard,
  labHash,
  parseShard,
  slurmShard,
  sweepItems,
  sweepRow,
  type Shard,
  type SweepFile,
  type SweepHeader,
  type SweepItem,
  type SweepRow,
} from './sweepPlan';
import { writeSweepOutputs } from './sweepOutputs';
import { LAB_VERSION } from './version';

const USAGE =
  'usage: migration-lab sweep <lab.lab.md> --param name=a,b,c ... [--seeds n] [--workers N] [--shard i/n | --shard slurm] [--out sweep.json] [--csv table.csv] [--stats stats.json] [--stats-csv stats.csv] ' +
  LIMIT_USAGE;

/** `--shard 2/4`, or `--shard slurm` for the task of a Slurm job array this process is. */
function shardOption(text: string | undefined): Shard {
  if (text === undefined) return { index: 1, count: 1 };
  if (text === 'slurm') {
    try {
      return slurmShard(process.env);
    } catch (error) {
      throw new BadInput([`--shard slurm: ${(error as Error).message}`]);
    }
  }
  const shard = parseShard(text);
  if (!shard)
    throw new BadInput([
      `--shard ${text}: write i/n with 1 <= i <= n, e.g. --shard 2/4, or --shard slurm in a Slurm job array`,
    ]);
  return shard;
}

function sweptParams(values: string[]): Record<string, string[]> {
  const params: Record<string, string[]> = {};
  for (const text of values) {
    const eq = text.indexOf('=');
    if (eq <= 0 || eq === text.length - 1)
      throw new BadInput([`--param ${text}: write --param name=value1,value2,...`]);
    params[text.slice(0, eq)] = text.slice(eq + 1).split(',');
  }
  return params;
}

export async function sweepCommand(argv: string[]): Promise<number> {
  const options = {
    param: { type: 'string', multiple: true },
    seeds: { type: 'string' },
    workers: { type: 'string' },
    shard: { type: 'string' },
    out: { type: 'string' },
    csv: { type: 'string' },
    stats: { type: 'string' },
    'stats-csv': { type: 'string' },
    ...LIMIT_OPTIONS,
  } as const;
  const { positionals, values } = parseCommandArgs('sweep', argv, options, USAGE);
  if (positionals.length !== 1) throw new BadInput([USAGE]);
  const shard = shardOption(values.shard as string | undefined);
  if (shard.count > 1 && (values.stats !== undefined || values['stats-csv'] !== undefined)) {
    throw new BadInput([
      '--stats and --stats-csv need the whole sweep: a shard has only some seeds of each combination. Give them to merge instead.',
    ]);
  }
  const seeds = intOption(values, 'seeds', 1);
  const workers = intOption(values, 'workers', availableParallelism());
  const { file, text, cells } = readLab(positionals[0]);
  const params = sweptParams((values.param as string[] | undefined) ?? []);

  // Every combination is resolved and checked before anything runs.
  const labs = new Map<string, ResolvedLab>();
  for (const combo of combinations(params)) {
    const lab = resolveLab(cells, { params: combo });
    const problems = labProblemLines(file, cells, lab);
    if (problems.length > 0)
      throw new BadInput([
        `with ${
          Object.entries(combo)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ') || 'the defaults'
        }:`,
        ...problems,
      ]);
    if (sweptRuns(lab).length === 0) throw new BadInput([`${file}:1:1: the lab has no run cells to sweep`]);
    labs.set(JSON.stringify(combo), lab);
  }
  const first = labs.values().next().value!;
  const base = {
    lab: file.split(/[\\/]/).pop()!,
    labHash: labHash(text),
    version: LAB_VERSION,
    params,
    seeds,
    runs: sweptRuns(first).map((r) => r.name),
  };
  const items = sweepItems(base);
  const header: SweepHeader = { ...base, total: items.length };
  const mine = items.filter((item) => inShard(item, shard));

  const outPath =
    typeof values.out === 'string'
      ? values.out
      : `${file.replace(/\.lab\.md$/, '')}.sweep${shard.count > 1 ? `-${shard.index}of${shard.count}` : ''}.json`;
  refuseOverwrites(
    [file],
    [
      { option: '--out', path: outPath },
      { option: '--csv', path: values.csv as string | undefined },
      { option: '--stats', path: values.stats as string | undefined },
      { option: '--stats-csv', path: values['stats-csv'] as string | undefined },
    ],
  );
  const host = simulationPool(workers, runLimits(values));
  const signal = new AbortController().signal;
  const started = performance.now();
  let settled: PromiseSettledResult<RunSummary>[];
  try {
    // Every simulation runs to its end or its budget: one stopped at its limit costs only its row.
    settled = await Promise.allSettled(
      mine.map((item) => summarizeItem(host, labs.get(JSON.stringify(item.params))!, item, signal)),
    );
  } finally {
    host.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  const rows: SweepRow[] = [];
  const failed: string[] = [];
  // A run's policy is the same at every seed: named once per value and run (naming a cluster
  // run's resolves the whole cluster).
  const policies = new Map<string, string>();
  const policyOf = (item: SweepItem) => {
    const key = `${JSON.stringify(item.params)}\u0000${item.run}`;
    let policy = policies.get(key);
    if (policy === undefined)
      policies.set(key, (policy = sweptPolicy(sweptRun(labs.get(JSON.stringify(item.params))!, item.run)!)));
    return policy;
  };
  mine.forEach((item, k) => {
    const result = settled[k]!;
    const policy = policyOf(item);
    if (result.status === 'fulfilled') rows.push(sweepRow(item, policy, result.value.digest, result.value.summary));
    else failed.push(`run ${item.run} (${describeItem(item)}) failed: ${hostFailure(result.reason)}`);
  });
  const out: SweepFile = { sweep: header, shard, rows };
  const stats = failed.length === 0;
  writeSweepOutputs(out, {
    out: outPath,
    csv: values.csv as string | undefined,
    // Statistics need every seed of every combination.
    stats: stats ? (values.stats as string | undefined) : undefined,
    statsCsv: stats ? (values['stats-csv'] as string | undefined) : undefined,
  });
  for (const line of failed) console.error(line);
  // Wall-clock figures go to stderr only: the files stay identical from run to run.
  console.error(
    `${mine.length} of ${items.length} simulations (shard ${shard.index}/${shard.count}) on ${workers} worker(s) in ${seconds.toFixed(2)} s: ${(mine.length / seconds).toFixed(1)} runs/s; written to ${outPath}`,
  );
  if (failed.length === 0) return 0;
  const named = (paths: unknown[]) => paths.filter((p): p is string => typeof p === 'string').join(' and ');
  const unwritten = named([values.stats, values['stats-csv']]);
  console.error(
    `${failed.length} of ${mine.length} simulations failed (above): ${named([outPath, values.csv])} ${
      values.csv === undefined ? 'has' : 'have'
    } the rows of the other ${rows.length}, not theirs (merge names them as missing)${
      unwritten ? `; ${unwritten} not written: statistics need every simulation` : ''
    }`,
  );
  return 1;
}

/** Every run of the lab, in cell order: one-machine runs, request runs on a cluster and VM runs. */
function sweptRuns(lab: ResolvedLab): Array<{ name: string; cellIndex: number; config: { policy: { name: string } } }> {
  return [...lab.runs, ...lab.clusterRuns, ...lab.vmRuns].sort((a, b) => a.cellIndex - b.cellIndex);
}

/** One simulation of the sweep: its run at its seed, on the pool, as its run cell would show it. */
async function summarizeItem(
  host: RunHost,
  lab: ResolvedLab,
  item: SweepItem,
  signal: AbortSignal,
): Promise<RunSummary> {
  const swept = sweptRun(lab, item.run)!;
  if (swept.kind === 'machine') {
    const { config } = swept.run;
    const cell = lab.policies.get(config.policy.name);
    return host.summarize({
      config: { ...config, seed: item.seed },
      policySource: cell && { name: cell.name, code: cell.code, lang: cell.lang },
      signal,
    });
  }
  if (swept.kind === 'requests') {
    const seeded = { ...swept.run, config: { ...swept.run.config, seed: item.seed } };
    const result = await host.runCluster({ config: seeded.config, signal });
    return {
      summary: clusterRunOutput(seeded, result).summary as unknown as RunSummary['summary'],
      digest: result.digest,
    };
  }
  if (!host.runVmCluster) throw new Error('this run host has no VM cluster runs');
  const seeded = { ...swept.run, config: { ...swept.run.config, seed: item.seed } };
  const result = await host.runVmCluster({ config: seeded.config, signal });
  return { summary: vmRunOutput(seeded, result).summary as unknown as RunSummary['summary'], digest: result.digest };
}

/** `pol=pinned, seed 3`: which simulation of the sweep an item is. */
const describeItem = (item: SweepItem): string =>
  [...Object.entries(item.params).map(([k, v]) => `${k}=${v}`), `seed ${item.seed}`].join(', ');
