// The move inspector: the anatomy of each move, step by step (what decided it and what it saw,
// the halt, the state copy and the link it crossed, the wait on the target, the resume, then the
// reload, the remote memory and the dirty lines it paid for), from a run's timeline log and
// migration rows, and the chart view that shows the move a person clicks (the `timeline` and
// `migrations` charts both carry it).
import { sampleEvenly, type ChartRun } from './common';

/** Nanoseconds as seconds, for chart data. */
export const seconds = (ns: number) => ns / 1e9;

/**
 * What a policy compared about a CPU when it decided a move: its load then, and, where the
 * machine has them, its core type and capacity and its temperature (the mean of the series
 * bin holding the instant).
 */
function seenAt(run: ChartRun, cpu: number, load: number, timeNs: number): string {
  if (cpu < 0) return 'no CPU before';
  const series = run.result.series;
  const kind = run.cpuKinds?.[cpu];
  const bin = Math.min(series.bins - 1, Math.max(0, Math.floor((timeNs - (series.startNs ?? 0)) / series.binNs)));
  const temperature = series.cpus[cpu]?.temperatureC?.[bin];
  const facts = [
    kind ? `${kind.type}, capacity ${kind.capacity}` : '',
    temperature !== undefined ? `${temperature.toFixed(1)} °C` : '',
  ].filter(Boolean);
  return `CPU ${cpu}${facts.length ? ` (${facts.join(', ')})` : ''} had ${load} process${load === 1 ? '' : 'es'}`;
}

/** The moved job's deadline, as a deadline-driven policy compares it: when, and how far off. */
function deadlineSeen(deadlineNs: number | null, timeNs: number): string {
  if (deadlineNs === null) return '';
  const left = deadlineNs - timeNs;
  return `; its deadline at ${seconds(deadlineNs).toFixed(6)} s (${left >= 0 ? `${us(left)} away` : `missed ${us(-left)} ago`})`;
}

/** A move's key in the log and the migration rows (a process can move twice at one instant, never twice between one pair of CPUs). */
export const moveKey = (timeNs: number, pid: number, from: number, to: number) => `${timeNs} ${pid} ${from} ${to}`;

const kib = (bytes: number) => `${Number((bytes / 1024).toPrecision(3))} KiB`;
const us = (ns: number) => `${Number((ns / 1e3).toPrecision(3))} µs`;

/**
 * The anatomy of each move of the run's timeline log within `shown` (sampled evenly past
 * MAX_POINTS), as rows the charts draw and the inspector unfolds: what decided it and what it saw, the halt, the state
 * copy and the link it crossed, the wait on the target, the resume, then the reload, the remote
 * memory and the dirty lines it paid for. Step times are µs after the move was decided.
 */
export function anatomyOf(run: ChartRun, shown: { fromNs: number; toNs: number }) {
  const { result } = run;
  const log = result.timeline!;
  const cpus = result.series.cpus;
  // A move's row in the migration log: a process can move twice at one instant, never twice
  // from one CPU to one CPU. Moves past maxMigrationRows have none.
  const rows = new Map(result.migrations.map((m) => [moveKey(m.timeNs, m.pid, m.from, m.to), m]));
  // Each process's spans by start time, to find what it was doing at a move and when it resumed.
  const byPid = new Map<number, { state: string; cpu: number; startNs: number; endNs: number }[]>();
  const s = log.spans;
  s.pid.forEach((pid, i) => {
    let list = byPid.get(pid);
    if (!list) byPid.set(pid, (list = []));
    list.push({ state: s.state[i]!, cpu: s.cpu[i]!, startNs: s.startNs[i]!, endNs: s.endNs[i]! });
  });
  for (const list of byPid.values()) list.sort((a, b) => a.startNs - b.startNs);
  const m = log.moves;
  const ids = m.pid.map((_, i) => i).filter((i) => m.timeNs[i]! >= shown.fromNs && m.timeNs[i]! < shown.toNs);
  return sampleEvenly(ids).map((i) => {
    const t = m.timeNs[i]!;
    const pid = m.pid[i]!;
    const from = m.from[i]!;
    const to = m.to[i]!;
    const row = rows.get(moveKey(t, pid, from, to));
    const spans = byPid.get(pid) ?? [];
    const before = spans.find((sp) => sp.startNs < t && sp.endNs >= t);
    const resume = spans.find((sp) => sp.state === 'run' && sp.startNs >= t);
    const copyNs = row?.stateCopyNs ?? 0;
    // Moved while asleep: it waits for a CPU only once it wakes.
    const readyAt = before?.state === 'sleep' && before.endNs > t ? before.endNs - t : copyNs;
    const link =
      from < 0
        ? 'none (it had no CPU)'
        : cpus[from]!.socket === cpus[to]!.socket
          ? `within socket ${cpus[to]!.socket}`
          : `socket ${cpus[from]!.socket} to socket ${cpus[to]!.socket}`;
    const halted = !before
      ? spans.some((sp) => sp.endNs <= t)
        ? 'between jobs: only where its next job runs changes'
        : 'it was arriving'
      : before.state === 'run'
        ? `halted while running on CPU ${from}`
        : before.state === 'wait'
          ? `taken from the queue of CPU ${from}`
          : before.endNs === t
            ? 'waking up: placed on another CPU as it wakes'
            : 'asleep: only where it wakes changes';
    const steps: { step: string; order: number; t0: number; t1: number; detail: string }[] = [
      {
        step: 'decided',
        order: 0,
        t0: 0,
        t1: 0,
        detail: `by ${m.hook[i]}, reason ${m.reason[i]}: ${seenAt(run, from, m.fromLoad[i]!, t)}, ${seenAt(run, to, m.toLoad[i]!, t)}${deadlineSeen(m.deadlineNs[i] ?? null, t)}`,
      },
      { step: 'halt', order: 1, t0: 0, t1: 0, detail: halted },
      {
        step: 'state copy',
        order: 2,
        t0: 0,
        t1: copyNs / 1e3,
        detail: !row
          ? 'not recorded: the migration log keeps the first maxMigrationRows moves'
          : m.hook[i] === 'global-queue'
            ? 'nothing to copy: it was taken from the shared queue'
            : `${us(copyNs)}: ${run.stateBytes !== undefined ? kib(run.stateBytes) : 'its state'}, link ${link}`,
      },
    ];
    if (readyAt > copyNs)
      steps.push({
        step: 'asleep',
        order: 3,
        t0: copyNs / 1e3,
        t1: readyAt / 1e3,
        detail: `${us(readyAt - copyNs)} until it wakes`,
      });
    if (resume) {
      const at = resume.startNs - t;
      const reload = row ? row.reloadNs - row.remotePenaltyNs : 0;
      steps.push({
        step: `wait on CPU ${to}`,
        order: 3,
        t0: readyAt / 1e3,
        t1: at / 1e3,
        detail: us(Math.max(0, at - readyAt)),
      });
      steps.push({
        step: 'resume',
        order: 4,
        t0: at / 1e3,
        t1: at / 1e3,
        detail: `runs on CPU ${resume.cpu} at ${seconds(resume.startNs).toFixed(6)} s`,
      });
      if (row) {
        let end = at + reload;
        steps.push({
          step: 'reload',
          order: 5,
          t0: at / 1e3,
          t1: end / 1e3,
          detail: `${row.reloadMisses} lines fetched again, ${us(reload)}`,
        });
        steps.push({
          step: 'remote memory',
          order: 6,
          t0: end / 1e3,
          t1: (end + row.remotePenaltyNs) / 1e3,
          detail: `${us(row.remotePenaltyNs)} more for memory on another node`,
        });
        end += row.remotePenaltyNs;
        steps.push({
          step: 'dirty lines',
          order: 7,
          t0: end / 1e3,
          t1: (end + row.coherenceNs) / 1e3,
          detail: `${row.coherenceLines} lines still dirty in the old cache (RAM not yet updated), ${us(row.coherenceNs)}`,
        });
      }
    } else {
      steps.push({
        step: 'resume',
        order: 4,
        t0: copyNs / 1e3,
        t1: copyNs / 1e3,
        detail: 'not within what the chart shows',
      });
    }
    return {
      run: run.name,
      id: i,
      t: seconds(t),
      pid,
      group: row?.group ?? '?',
      from,
      to,
      reason: m.reason[i]!,
      hook: m.hook[i]!,
      totalUs: row ? row.totalNs / 1e3 : 0,
      steps,
    };
  });
}

export type MoveAnatomy = ReturnType<typeof anatomyOf>[number];

/**
 * The selection a click on a move sets (by its `id`, with `fields` for charts whose marks mix
 * several runs), at first on the priciest move of `moves`.
 */
export function pickParam(name: string, moves: readonly MoveAnatomy[], fields: readonly string[] = ['id']) {
  const priciest = moves.reduce<MoveAnatomy | undefined>(
    (best, m) => (!best || m.totalUs > best.totalUs ? m : best),
    undefined,
  );
  const at =
    priciest && Object.fromEntries(fields.map((f) => [f, (priciest as unknown as Record<string, unknown>)[f]]));
  return {
    name,
    select: { type: 'point', fields: [...fields], on: 'click', clear: false },
    ...(at ? { value: [at] } : {}),
  };
}

/** The inspector: the picked move's steps on a µs axis, each with what it cost and why. */
export function inspectorView(title: string, pick: string, moves: readonly MoveAnatomy[]) {
  return {
    title: { text: title, anchor: 'start', fontSize: 11 },
    data: { values: moves },
    transform: [
      { filter: { param: pick, empty: false } },
      { flatten: ['steps'] },
      { calculate: 'datum.steps.step', as: 'step' },
      { calculate: 'datum.steps.order', as: 'order' },
      { calculate: 'datum.steps.t0', as: 'at' },
      { calculate: 'datum.steps.t1', as: 'until' },
      {
        calculate:
          "datum.steps.detail + (datum.steps.order === 0 ? '  (run ' + datum.run + ', process ' + datum.pid + ', ' + datum.group + ', at ' + format(datum.t, '.6f') + ' s)' : '')",
        as: 'detail',
      },
    ],
    width: 560,
    height: { step: 18 },
    encoding: { y: { field: 'step', type: 'nominal', title: null, sort: { field: 'order' } } },
    layer: [
      {
        mark: { type: 'bar', height: 10 },
        encoding: {
          x: { field: 'at', type: 'quantitative', title: 'time after the move was decided (µs)' },
          x2: { field: 'until' },
          color: { value: '#888888' },
        },
      },
      {
        mark: { type: 'tick', thickness: 2 },
        encoding: { x: { field: 'at', type: 'quantitative' }, color: { value: '#888888' } },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10 },
        encoding: { x: { field: 'until', type: 'quantitative' }, text: { field: 'detail' } },
      },
    ],
  };
}
