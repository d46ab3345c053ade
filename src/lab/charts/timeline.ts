// `timeline`: who ran where, when. Per run, a row per CPU with the process running on it
// (SimSo's Gantt chart, `perf sched map`), each move drawn as a line from the CPU a process left
// to the one it went to, coloured by reason; below, the processes that moved most: when each
// ran (and on which CPU), waited and slept; below that, the inspector: the anatomy of the move
// you click. Drawn from the run's timeline log (src/sim/timeline.ts), which keeps the first
// spans of a long run: the chart then says which part of the run it shows.
import type { TopLevelSpec } from 'vega-lite';
import type { TimelineLog } from '../../sim';
import type { ChartOutput } from '../outputs/contract';
import { ChartError } from './error';
import { sampleEvenly, VEGA_LITE_SCHEMA, type ChartRun } from './common';
import { PALETTE } from './colors';
import { reasonScale } from './palettes';

/** Processes drawn in the lower panel: the most migrated within what the log shows. */
export const TIMELINE_PROCESSES = 6;

const STATE_SCALE = { domain: ['run', 'wait', 'sleep'], range: [PALETTE.blue, PALETTE.orange, PALETTE.grey] };
/** Process groups take the palette's colours in order, but for the states' (a lab has a few groups). */
const GROUP_COLORS = {
  range: Object.values(PALETTE).filter((c) => !(STATE_SCALE.range as readonly string[]).includes(c)),
};

const seconds = (ns: number) => ns / 1e9;

/** The processes with the most moves in the log within [fromNs, toNs), most first (lower pid on ties). */
export function mostMigrated(log: TimelineLog, fromNs: number, toNs: number, count = TIMELINE_PROCESSES): number[] {
  const moves = new Map<number, number>();
  log.moves.timeNs.forEach((t, i) => {
    const pid = log.moves.pid[i]!;
    if (t >= fromNs && t < toNs) moves.set(pid, (moves.get(pid) ?? 0) + 1);
  });
  return [...moves]
    .sort(([a, x], [b, y]) => y - x || a - b)
    .slice(0, count)
    .map(([pid]) => pid);
}

/** The stretch of a run a timeline chart shows: the chart's span, within what the log covers. */
interface Shown {
  fromNs: number;
  toNs: number;
  /** Said in the subtitle. */
  note: string;
}

function shownPart(run: ChartRun, span: { startNs: number; endNs: number } | undefined): Shown {
  const log = run.result.timeline!;
  const endNs = (run.result.window?.endS ?? run.result.summary.simulatedS) * 1e9;
  const fromNs = Math.max(log.fromNs, span?.startNs ?? 0);
  const toNs = Math.min(log.toNs, span?.endNs ?? Infinity);
  const s = (ns: number) => `${Number(seconds(ns).toPrecision(4))} s`;
  let note = fromNs === 0 && toNs === endNs ? `all ${s(endNs)}` : `${s(fromNs)} to ${s(toNs)} of ${s(endNs)}`;
  if (log.cut && toNs === log.toNs)
    note += ` (the log keeps the first ${log.spans.pid.length + log.moves.pid.length} spans and moves from ${s(log.fromNs)})`;
  if (toNs <= fromNs)
    note = `nothing: the log covers ${s(log.fromNs)} to ${s(log.toNs)}, the span asked for starts at ${s(span?.startNs ?? 0)}`;
  return { fromNs, toNs, note };
}

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

const kib = (bytes: number) => `${Number((bytes / 1024).toPrecision(3))} KiB`;
const us = (ns: number) => `${Number((ns / 1e3).toPrecision(3))} µs`;

/**
 * The anatomy of each move (the inspector): what decided it and what it saw, the halt, the state
 * copy and the link it crossed, the wait on the target, the resume, then the reload, the remote
 * memory and the dirty lines it paid for. Step times are µs after the move was decided.
 */
function anatomyOf(run: ChartRun, shown: Shown) {
  const { result } = run;
  const log = result.timeline!;
  const cpus = result.series.cpus;
  const rows = new Map(result.migrations.map((m) => [`${m.timeNs} ${m.pid}`, m]));
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
    const row = rows.get(`${t} ${pid}`);
    const spans = byPid.get(pid) ?? [];
    const before = spans.find((sp) => sp.startNs < t && sp.endNs >= t);
    const resume = spans.find((sp) => sp.state === 'run' && sp.startNs >= t);
    const copyNs = row?.stateCopyNs ?? 0;
    const link =
      from < 0
        ? 'none (it had no CPU)'
        : cpus[from]!.socket === cpus[to]!.socket
          ? `within socket ${cpus[to]!.socket}`
          : `socket ${cpus[from]!.socket} to socket ${cpus[to]!.socket}`;
    const halted = !before
      ? 'it was arriving'
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
        detail: `${us(copyNs)}: ${run.stateBytes !== undefined ? kib(run.stateBytes) : 'its state'}, link ${link}`,
      },
    ];
    if (resume) {
      const at = resume.startNs - t;
      const reload = row ? row.reloadNs - row.remotePenaltyNs : 0;
      steps.push({
        step: `wait on CPU ${to}`,
        order: 3,
        t0: copyNs / 1e3,
        t1: at / 1e3,
        detail: us(Math.max(0, at - copyNs)),
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

function runPanels(run: ChartRun, index: number, span: { startNs: number; endNs: number } | undefined): object[] {
  const { result } = run;
  const log = result.timeline;
  if (!log)
    throw new ChartError(
      `Run "${run.name}" has no timeline log: run it again from this lab (a timeline chart makes its runs keep one).`,
    );
  const shown = shownPart(run, span);
  const groupOf = new Map(result.processes.map((p) => [p.pid, p.group]));
  const s = log.spans;
  const spans = s.pid
    .map((pid, i) => ({
      state: s.state[i]!,
      pid,
      group: groupOf.get(pid) ?? '?',
      cpu: s.cpu[i]!,
      t0: seconds(Math.max(s.startNs[i]!, shown.fromNs)),
      t1: seconds(Math.min(s.endNs[i]!, shown.toNs)),
    }))
    .filter((sp) => sp.t1 > sp.t0);
  const moves = anatomyOf(run, shown);
  const cpus = result.series.cpus.length;
  const x = {
    type: 'quantitative' as const,
    title: 'time (s)',
    scale: { domain: [seconds(shown.fromNs), seconds(Math.max(shown.toNs, shown.fromNs + 1))], nice: false },
  };
  const cpuAxis = {
    type: 'ordinal' as const,
    title: 'CPU',
    scale: { domain: Array.from({ length: cpus }, (_, c) => c) },
  };
  const reasons = reasonScale(new Set(moves.map((m) => m.reason)));
  const pick = `pick_${index}`;
  const moveTooltip = [
    { field: 't', type: 'quantitative', title: 'time (s)', format: '.6f' },
    { field: 'pid', type: 'quantitative', title: 'process' },
    { field: 'group', type: 'nominal' },
    { field: 'from', type: 'quantitative', title: 'from CPU' },
    { field: 'to', type: 'quantitative', title: 'to CPU' },
    { field: 'reason', type: 'nominal' },
    { field: 'hook', type: 'nominal', title: 'decided by' },
    { field: 'totalUs', type: 'quantitative', title: 'price (µs)', format: '.2f' },
  ];
  const mostExpensive = moves.reduce<(typeof moves)[number] | undefined>(
    (best, m) => (!best || m.totalUs > best.totalUs ? m : best),
    undefined,
  );
  const shownPids = mostMigrated(log, shown.fromNs, shown.toNs);
  const label = (pid: number) => `${pid} (${groupOf.get(pid) ?? moves.find((m) => m.pid === pid)?.group ?? '?'})`;
  const labels = shownPids.map(label);
  const width = Math.max(1e-9, seconds(shown.toNs - shown.fromNs));
  const processSpans = spans
    .filter((sp) => shownPids.includes(sp.pid))
    .map((sp) => ({ ...sp, process: label(sp.pid), wide: (sp.t1 - sp.t0) / width > 0.03 }));
  const processMoves = moves
    .filter((m) => shownPids.includes(m.pid))
    .map(({ steps: _steps, ...m }) => ({ ...m, process: label(m.pid) }));
  const zoom = (name: string) => ({ name, select: { type: 'interval', encodings: ['x'] }, bind: 'scales' });
  const cpuPanel = {
    title: { text: run.name, anchor: 'start' },
    width: 560,
    height: Math.min(640, Math.max(60, cpus * 14)),
    layer: [
      {
        data: { values: spans.filter((sp) => sp.state === 'run') },
        params: [zoom(`zoom_cpus_${index}`)],
        mark: { type: 'rect', tooltip: true },
        encoding: {
          x: { field: 't0', ...x },
          x2: { field: 't1' },
          y: { field: 'cpu', ...cpuAxis },
          color: { field: 'group', type: 'nominal', title: 'group', scale: GROUP_COLORS },
          tooltip: [
            { field: 'pid', type: 'quantitative', title: 'process' },
            { field: 'group', type: 'nominal' },
            { field: 'cpu', type: 'quantitative', title: 'CPU' },
            { field: 't0', type: 'quantitative', title: 'from (s)', format: '.6f' },
            { field: 't1', type: 'quantitative', title: 'until (s)', format: '.6f' },
          ],
        },
      },
      {
        data: { values: moves.map(({ steps: _steps, ...m }) => m) },
        layer: [
          {
            mark: { type: 'rule', strokeWidth: 1.5 },
            encoding: {
              x: { field: 't', ...x },
              y: { field: 'from', ...cpuAxis },
              y2: { field: 'to' },
              color: { field: 'reason', type: 'nominal', title: 'move: reason', scale: reasons },
            },
          },
          {
            params: [
              {
                name: pick,
                select: { type: 'point', fields: ['id'], on: 'click', clear: false },
                ...(mostExpensive ? { value: [{ id: mostExpensive.id }] } : {}),
              },
            ],
            mark: {
              type: 'point',
              shape: 'triangle-down',
              filled: true,
              opacity: 1,
              size: 60,
              tooltip: true,
              cursor: 'pointer',
            },
            encoding: {
              x: { field: 't', ...x },
              y: { field: 'to', ...cpuAxis },
              color: { field: 'reason', type: 'nominal', scale: reasons },
              stroke: { condition: { param: pick, empty: false, value: 'currentColor' }, value: null },
              strokeWidth: { value: 2 },
              tooltip: moveTooltip,
            },
          },
        ],
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
  const processPanel = {
    width: 560,
    height: { step: 18 },
    layer: [
      {
        data: { values: processSpans },
        layer: [
          {
            params: [zoom(`zoom_processes_${index}`)],
            mark: { type: 'rect', tooltip: true },
            encoding: {
              x: { field: 't0', ...x },
              x2: { field: 't1' },
              y: { field: 'process', type: 'nominal', title: 'most migrated (process, group)', sort: labels },
              color: { field: 'state', type: 'nominal', title: 'process: state', scale: STATE_SCALE },
              tooltip: [
                { field: 'process', type: 'nominal' },
                { field: 'state', type: 'nominal' },
                { field: 'cpu', type: 'quantitative', title: 'CPU' },
                { field: 't0', type: 'quantitative', title: 'from (s)', format: '.6f' },
                { field: 't1', type: 'quantitative', title: 'until (s)', format: '.6f' },
              ],
            },
          },
          {
            // Which CPU it ran on, written in the spans wide enough to hold it.
            transform: [{ filter: "datum.state === 'run' && datum.wide" }],
            mark: { type: 'text', baseline: 'middle', fontSize: 9, color: 'white' },
            encoding: {
              x: { field: 't0', ...x },
              y: { field: 'process', type: 'nominal', sort: labels },
              text: { field: 'cpu', type: 'quantitative' },
            },
          },
        ],
      },
      {
        data: { values: processMoves },
        mark: { type: 'point', shape: 'triangle-down', filled: true, opacity: 1, size: 50, tooltip: true },
        encoding: {
          x: { field: 't', ...x },
          y: { field: 'process', type: 'nominal', sort: labels },
          color: { field: 'reason', type: 'nominal', scale: reasons },
          tooltip: moveTooltip,
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
  // The inspector: the picked move's steps on a µs axis, each with what it cost and why.
  const inspector = {
    title: { text: `${run.name}: the move you picked (click a ▼ above)`, anchor: 'start', fontSize: 11 },
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
          "datum.steps.detail + (datum.steps.order === 0 ? '  (process ' + datum.pid + ', ' + datum.group + ', at ' + format(datum.t, '.6f') + ' s)' : '')",
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
          x: { field: 'at', type: 'quantitative', title: 'µs after the move was decided' },
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
  return shownPids.length > 0 ? [cpuPanel, processPanel, inspector] : [cpuPanel, inspector];
}

export function timelineChart(runs: readonly ChartRun[], span?: { startNs: number; endNs: number }): ChartOutput {
  const panels = runs.flatMap((run, i) => runPanels(run, i, span));
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'Timeline: which process ran where, and each move',
      subtitle: [
        'per CPU, the running process (colour: its group); a line from the CPU a process left to the one it went to (colour: reason); drag or scroll to zoom',
        `below: the most migrated processes (running, CPU written in; waiting; sleeping), and the move you click. Shown: ${runs.map((r) => `${r.name}: ${shownPart(r, span).note}`).join('; ')}`,
      ],
    },
    vconcat: panels,
  } as TopLevelSpec;
  return { title: `timeline-${runs.map((r) => r.name).join('-')}`, spec };
}
