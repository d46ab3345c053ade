// The results record kept next to a lab (`intro.lab.md` -> `intro.lab.results.json`): for each
// run and comparison, the hash of the cells it depends on, the seed, the simulator version and
// the digest of its result, with the summary so a drift can say which metrics moved. Keys are
// written in sorted order, one per line, so the file diffs well under version control.
// `migration-lab verify` re-runs a lab against it; the extension reads it for "stale" markers.
import { canonicalJson, sha256Hex } from '../../sim';
import type { CompareCell, CompareOutput, RunOutput, SummaryValue } from '../outputs/contract';

export const RESULTS_FORMAT = 1;

export interface RecordedRun {
  policy: string;
  seed: number;
  /** How the run was set up, so its summary can be shown again as it was (absent in older records). */
  machine?: string;
  workload?: string;
  scheduler?: string;
  durationS?: number;
  window?: RunOutput['window'];
  simVersion: string;
  /** sha256 of the cells the run depends on and the parameter values it uses. */
  inputsHash: string;
  /** The simulator's digest of the full result. */
  digest: string;
  summary: Record<string, SummaryValue>;
}

export interface RecordedCompare {
  policies: string[];
  seeds: number;
  simVersion: string;
  inputsHash: string;
  /** sha256 over the comparison's table (means and intervals per policy and metric). */
  digest: string;
  /** `<policy>.<metric>` -> mean over seeds. */
  means: Record<string, number>;
  /** The whole table, so it can be shown again (absent in older records). */
  window?: CompareOutput['window'];
  machine?: string;
  workload?: string;
  metrics?: string[];
  cells?: CompareCell[];
  /** A compare over cluster runs (its policies are run names). */
  over?: CompareOutput['over'];
}

export interface ResultsRecord {
  format: typeof RESULTS_FORMAT;
  /** The lab file's name, relative to the record. */
  lab: string;
  version: string;
  params: Record<string, string | number | boolean>;
  runs: Record<string, RecordedRun>;
  compares: Record<string, RecordedCompare>;
}

/** `dir/name.lab.md` -> `dir/name.lab.results.json`; any other name gets `.results.json` appended. */
export function resultsPathFor(labPath: string): string {
  return labPath.endsWith('.lab.md') ? `${labPath.slice(0, -'.md'.length)}.results.json` : `${labPath}.results.json`;
}

export function recordCompare(output: CompareOutput, inputsHash: string, simVersion: string): RecordedCompare {
  const means: Record<string, number> = {};
  for (const cell of output.cells) means[`${cell.policy}.${cell.metric}`] = cell.interval.mean;
  return {
    policies: output.policies,
    seeds: output.seeds,
    simVersion,
    inputsHash,
    digest: sha256Hex(canonicalJson(output.cells)),
    means,
    machine: output.machine,
    workload: output.workload,
    metrics: output.metrics,
    cells: output.cells,
    ...(output.window ? { window: output.window } : {}),
    ...(output.over ? { over: output.over } : {}),
  };
}

export function recordRun(output: RunOutput, inputsHash: string, simVersion: string): RecordedRun {
  const { policy, seed, machine, workload, scheduler, durationS, window, digest, summary } = output;
  return {
    policy,
    seed,
    machine,
    workload,
    scheduler,
    durationS,
    ...(window ? { window } : {}),
    simVersion,
    inputsHash,
    digest,
    summary,
  };
}

/** A recorded run as the output it was, or undefined when the record predates the fields it needs. */
export function recordedRunOutput(name: string, recorded: RecordedRun): RunOutput | undefined {
  const { policy, seed, machine, workload, scheduler, durationS, window, digest, summary } = recorded;
  if (machine === undefined || workload === undefined || scheduler === undefined || durationS === undefined)
    return undefined;
  return {
    name,
    policy,
    scheduler,
    machine,
    workload,
    seed,
    durationS,
    ...(window ? { window } : {}),
    digest,
    summary,
  };
}

/**
 * A recorded comparison as the output it was; undefined when the record predates the table, or
 * when the table is not the one its digest was taken of (edited by hand).
 */
export function recordedCompareOutput(name: string | undefined, recorded: RecordedCompare): CompareOutput | undefined {
  const { machine, workload, metrics, cells } = recorded;
  if (machine === undefined || workload === undefined || metrics === undefined || cells === undefined) return undefined;
  if (sha256Hex(canonicalJson(cells)) !== recorded.digest) return undefined;
  // JSON has no NaN: a half-width of fewer than two seeds comes back as null.
  const number = (x: number | null) => (x === null ? Number.NaN : x);
  const interval = (i: CompareCell['interval']) => ({ ...i, mean: number(i.mean), halfWidth: number(i.halfWidth) });
  const restored = cells.map((c) => ({
    ...c,
    interval: interval(c.interval),
    ...(c.difference ? { difference: interval(c.difference) } : {}),
  }));
  const window = recorded.window ? { window: recorded.window } : {};
  return {
    ...(name === undefined ? {} : { name }),
    ...(recorded.over === 'runs' ? { over: recorded.over } : {}),
    machine,
    workload,
    policies: recorded.policies,
    metrics,
    seeds: recorded.seeds,
    ...window,
    cells: restored,
  };
}

/** The record with these runs and comparisons written over their old entries (the others kept). */
export function withRecorded(
  previous: ResultsRecord | undefined,
  lab: string,
  version: string,
  params: ResultsRecord['params'],
  runs: Readonly<Record<string, RecordedRun>>,
  compares: Readonly<Record<string, RecordedCompare>>,
): ResultsRecord {
  return {
    format: RESULTS_FORMAT,
    lab,
    version,
    params,
    runs: { ...previous?.runs, ...runs },
    compares: { ...previous?.compares, ...compares },
  };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(obj)
      .sort()
      .map((k) => [k, sortKeys(obj[k])]),
  );
}

/** Stable text: sorted keys at every level, two-space indent, final newline. */
export function serializeResults(record: ResultsRecord): string {
  return `${JSON.stringify(sortKeys(record), null, 2)}\n`;
}

/** Reads a record; throws with a readable message when the text is not one. */
export function parseResults(text: string): ResultsRecord {
  const data = JSON.parse(text) as Partial<ResultsRecord>;
  if (
    typeof data !== 'object' ||
    data === null ||
    data.format !== RESULTS_FORMAT ||
    typeof data.runs !== 'object' ||
    typeof data.compares !== 'object'
  ) {
    throw new Error(`not a results record of format ${RESULTS_FORMAT}`);
  }
  return data as ResultsRecord;
}

// ---- verification ------------------------------------------------------------------------------

export type VerifyStatus = 'identical' | 'drifted' | 'stale' | 'new' | 'removed' | 'failed';

export interface MovedMetric {
  metric: string;
  recorded: number;
  now: number;
}

export interface VerifyEntry {
  kind: 'run' | 'compare';
  name: string;
  status: VerifyStatus;
  /** For drifted entries: the metrics whose values changed. */
  moved?: MovedMetric[];
  /** Why: the simulator version changed, the run failed, ... */
  note?: string;
}

/** Summary values flattened to numbers: breakdowns become `migrationsByReason.load-balance`. */
function flatten(summary: Record<string, SummaryValue>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of Object.entries(summary)) {
    if (typeof value === 'number') out.set(key, value);
    else for (const [part, n] of Object.entries(value)) out.set(`${key}.${part}`, n);
  }
  return out;
}

/** Metrics that differ beyond floating-point noise (the digest's 12 significant digits). */
export function movedMetrics(recorded: Record<string, number>, now: Record<string, number>): MovedMetric[] {
  const same = (a: number, b: number) => canonicalJson(a) === canonicalJson(b);
  const keys = [...new Set([...Object.keys(recorded), ...Object.keys(now)])].sort();
  return keys
    .filter((k) => !same(recorded[k] ?? Number.NaN, now[k] ?? Number.NaN))
    .map((k) => ({ metric: k, recorded: recorded[k] ?? Number.NaN, now: now[k] ?? Number.NaN }));
}

/** Where a run or comparison stands before anything runs: stale needs no simulation to know. */
export function staleness(
  recorded: { inputsHash: string } | undefined,
  currentInputsHash: string,
): 'new' | 'stale' | 'current' {
  if (!recorded) return 'new';
  return recorded.inputsHash === currentInputsHash ? 'current' : 'stale';
}

export interface CurrentEntry {
  kind: 'run' | 'compare';
  name: string;
  inputsHash: string;
  /** undefined = not re-run (stale), or why it failed. */
  result?: { ok: true; digest: string; values: Record<string, number> } | { ok: false; error: string };
}

/** Compares a fresh execution with the record, entry by entry. */
export function verifyAgainst(
  record: ResultsRecord,
  current: readonly CurrentEntry[],
  simVersion: string,
): VerifyEntry[] {
  const entries: VerifyEntry[] = [];
  const seen = new Set<string>();
  for (const entry of current) {
    const recorded = entry.kind === 'run' ? record.runs[entry.name] : record.compares[entry.name];
    seen.add(`${entry.kind}:${entry.name}`);
    const state = staleness(recorded, entry.inputsHash);
    if (state !== 'current') {
      entries.push({
        kind: entry.kind,
        name: entry.name,
        status: state,
        note: state === 'stale' ? 'its cells or parameters changed since it was recorded' : 'not in the record',
      });
      continue;
    }
    if (!entry.result) continue;
    if (!entry.result.ok) {
      entries.push({ kind: entry.kind, name: entry.name, status: 'failed', note: entry.result.error });
      continue;
    }
    const versionNote =
      recorded!.simVersion !== simVersion ? `simulator version ${recorded!.simVersion} -> ${simVersion}` : undefined;
    if (entry.result.digest === recorded!.digest) {
      entries.push({
        kind: entry.kind,
        name: entry.name,
        status: 'identical',
        ...(versionNote ? { note: versionNote } : {}),
      });
      continue;
    }
    const before =
      entry.kind === 'run'
        ? Object.fromEntries(flatten((recorded as RecordedRun).summary))
        : (recorded as RecordedCompare).means;
    const moved = movedMetrics(before, entry.result.values);
    entries.push({
      kind: entry.kind,
      name: entry.name,
      status: 'drifted',
      moved,
      note: versionNote ?? (moved.length === 0 ? 'the summary is unchanged; other result tables differ' : undefined),
    });
  }
  for (const [kind, table] of [
    ['run', record.runs],
    ['compare', record.compares],
  ] as const) {
    for (const name of Object.keys(table).sort())
      if (!seen.has(`${kind}:${name}`))
        entries.push({ kind, name, status: 'removed', note: 'in the record but no longer in the lab' });
  }
  return entries;
}

/** Flattened summary numbers of a run, as verification compares them. */
export const summaryValues = (summary: Record<string, SummaryValue>): Record<string, number> =>
  Object.fromEntries(flatten(summary));
