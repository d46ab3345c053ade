// `timeline`: who ran where, when. Per run, a row per CPU with the process running on it
// (SimSo's Gantt chart, `perf sched map`), a CPU out of service dark and labelled, each move drawn as a line from the CPU a process left
// to the one it went to, coloured by reason; below, the processes that moved most: when each
// ran (and on which CPU), waited and slept; below that, the inspector: the anatomy of the move
// you click. Drawn from the run's timeline log (src/sim/timeline.ts), which keeps the first
// spans of a long run: the chart then says which part of the run it shows.
import type { TopLevelSpec } from 'vega-lite';
import type { TimelineLog } from '../../sim';
import type { ChartOutput } from '../outputs/contract';
import { ChartError } from './error';
import { VEGA_LITE_SCHEMA, type ChartRun } from './common';
import { anatomyOf, inspectorView, pickParam, seconds } from './moveInspector';
import { offlineLayers, offlineRows } from './offline';
import { PALETTE } from './colors';
import { reasonScale } from './palettes';

/** Processes drawn in the lower panel: the most migrated within what the log shows. */
export const TIMELINE_PROCESSES = 6;

const STATE_SCALE = { domain: ['run', 'wait', 'sleep'], range: [PALETTE.blue, PALETTE.orange, PALETTE.grey] };
/** Process groups take the palette's colours in order, but for the states' (a lab has a few groups). */
const GROUP_COLORS = {
  range: Object.values(PALETTE).filter((c) => !(STATE_SCALE.range as readonly string[]).includes(c)),
};

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
  const endNs = Math.round((run.result.window?.endS ?? run.result.summary.simulatedS) * 1e9);
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
  const offline = offlineRows(run, seconds(shown.fromNs), seconds(shown.toNs));
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
  // Zoom with shift and the wheel, pan by dragging: a plain wheel scrolls the notebook past the chart.
  const zoom = (name: string) => ({
    name,
    select: { type: 'interval', encodings: ['x'], zoom: 'wheel![event.shiftKey]' },
    bind: 'scales',
  });
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
      // A CPU out of service (failed, in maintenance) over its time out: dark and labelled, as on the heat maps.
      ...(offline.length > 0
        ? [
            {
              data: { values: offline },
              layer: offlineLayers({
                position: { x: { field: 't0', ...x }, x2: { field: 't1' }, y: { field: 'cpu', ...cpuAxis } },
              }),
            },
          ]
        : []),
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
            params: [pickParam(pick, moves)],
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
        // Outlined: a reason's colour may be a state's (load-balance blue on a blue run span).
        mark: {
          type: 'point',
          shape: 'triangle-down',
          filled: true,
          opacity: 1,
          size: 50,
          tooltip: true,
          stroke: 'white',
          strokeWidth: 1,
        },
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
  const inspector = inspectorView(`${run.name}: the move you picked (click a ▼ above)`, pick, moves);
  return shownPids.length > 0 ? [cpuPanel, processPanel, inspector] : [cpuPanel, inspector];
}

export function timelineChart(runs: readonly ChartRun[], span?: { startNs: number; endNs: number }): ChartOutput {
  const panels = runs.flatMap((run, i) => runPanels(run, i, span));
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'Timeline: which process ran where, and each move',
      // One short line each: Vega does not wrap a subtitle, and a long line runs past the chart.
      subtitle: [
        `per CPU, the running process (colour: its group)${runs.some((r) => (r.offline ?? []).length > 0) ? ', dark grey where the CPU is out of service' : ''}`,
        'a line from the CPU a process left to the one it went to (colour: reason); drag to pan, shift and scroll to zoom',
        'below: the most migrated processes (running, CPU written in; waiting; sleeping), and the move you click',
        `Shown: ${runs.map((r) => `${r.name}: ${shownPart(r, span).note}`).join('; ')}`,
      ],
    },
    vconcat: panels,
  } as TopLevelSpec;
  return { title: `timeline-${runs.map((r) => r.name).join('-')}`, spec };
}
