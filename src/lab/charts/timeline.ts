// `timeline`: who ran where, when. Per run, a row per CPU with the process running on it
// (SimSo's Gantt chart, `perf sched map`), each move drawn as a line from the CPU a process left
// to the one it went to, coloured by reason, with the move's anatomy in its tooltip; below, the
// processes that moved most: when each ran (and on which CPU), waited and slept. Drawn from the
// run's timeline log (src/sim/timeline.ts), which keeps the first spans of a long run: the
// chart then says which part of the run it shows.
import type { TopLevelSpec } from 'vega-lite';
import type { SimResult } from '../../sim';
import type { ChartOutput } from '../outputs/contract';
import { ChartError } from './error';
import { VEGA_LITE_SCHEMA, type ChartRun } from './common';
import { reasonScale } from './palettes';

/** Processes drawn in the lower panel: the most migrated within what the log shows. */
export const TIMELINE_PROCESSES = 6;

const STATE_SCALE = { domain: ['run', 'wait', 'sleep'], range: ['#3b6ea5', '#d9a441', '#a0a0a0'] };

const seconds = (ns: number) => ns / 1e9;

/** The processes with the most moves in [fromNs, toNs), most first (lower pid on ties). */
export function mostMigrated(result: SimResult, fromNs: number, toNs: number, count = TIMELINE_PROCESSES): number[] {
  const moves = new Map<number, number>();
  for (const m of result.migrations) if (m.timeNs >= fromNs && m.timeNs < toNs) moves.set(m.pid, (moves.get(m.pid) ?? 0) + 1);
  return [...moves]
    .sort(([a, x], [b, y]) => y - x || a - b)
    .slice(0, count)
    .map(([pid]) => pid);
}

function runPanels(run: ChartRun): object[] {
  const { result } = run;
  const log = result.timeline;
  if (!log) throw new ChartError(`Run "${run.name}" has no timeline log: run it again from this lab (a timeline chart makes its runs keep one).`);
  const groupOf = new Map(result.processes.map((p) => [p.pid, p.group]));
  const s = log.spans;
  const spans = s.pid.map((pid, i) => ({ state: s.state[i]!, pid, group: groupOf.get(pid) ?? '?', cpu: s.cpu[i]!, t0: seconds(s.startNs[i]!), t1: seconds(s.endNs[i]!) }));
  const moves = result.migrations
    .filter((m) => m.timeNs >= log.fromNs && m.timeNs < log.toNs)
    .map((m) => ({
      t: seconds(m.timeNs),
      pid: m.pid,
      group: m.group,
      from: m.from,
      to: m.to,
      reason: m.reason,
      copyUs: m.stateCopyNs / 1e3,
      reloadMisses: m.reloadMisses,
      reloadUs: (m.reloadNs - m.remotePenaltyNs) / 1e3,
      remoteUs: m.remotePenaltyNs / 1e3,
      dirtyLines: m.coherenceLines,
      dirtyUs: m.coherenceNs / 1e3,
      totalUs: m.totalNs / 1e3,
    }));
  const cpus = result.series.cpus.length;
  const x = { type: 'quantitative' as const, title: 'time (s)', scale: { domain: [seconds(log.fromNs), seconds(log.toNs)], nice: false } };
  const cpuAxis = { type: 'ordinal' as const, title: 'CPU', scale: { domain: Array.from({ length: cpus }, (_, c) => c) } };
  const reasons = reasonScale(new Set(moves.map((m) => m.reason)));
  const anatomy = [
    { field: 't', type: 'quantitative', title: 'time (s)', format: '.6f' },
    { field: 'pid', type: 'quantitative', title: 'process' },
    { field: 'group', type: 'nominal' },
    { field: 'from', type: 'quantitative', title: 'from CPU' },
    { field: 'to', type: 'quantitative', title: 'to CPU' },
    { field: 'reason', type: 'nominal' },
    { field: 'copyUs', type: 'quantitative', title: 'state copy (µs)', format: '.2f' },
    { field: 'reloadMisses', type: 'quantitative', title: 'lines reloaded' },
    { field: 'reloadUs', type: 'quantitative', title: 'reload (µs)', format: '.2f' },
    { field: 'remoteUs', type: 'quantitative', title: 'remote memory (µs)', format: '.2f' },
    { field: 'dirtyLines', type: 'quantitative', title: 'dirty lines from the old cache' },
    { field: 'dirtyUs', type: 'quantitative', title: 'dirty lines (µs)', format: '.2f' },
    { field: 'totalUs', type: 'quantitative', title: 'total price (µs)', format: '.2f' },
  ];
  const shown = mostMigrated(result, log.fromNs, log.toNs);
  const label = (pid: number) => `${pid} (${groupOf.get(pid) ?? moves.find((m) => m.pid === pid)?.group ?? '?'})`;
  const labels = shown.map(label);
  const width = Math.max(1e-9, seconds(log.toNs - log.fromNs));
  const processSpans = spans.filter((sp) => shown.includes(sp.pid)).map((sp) => ({ ...sp, process: label(sp.pid), wide: (sp.t1 - sp.t0) / width > 0.03 }));
  const processMoves = moves.filter((m) => shown.includes(m.pid)).map((m) => ({ ...m, process: label(m.pid) }));
  const cpuPanel = {
    title: { text: run.name, anchor: 'start' },
    width: 560,
    height: Math.min(640, Math.max(60, cpus * 14)),
    layer: [
      {
        data: { values: spans.filter((sp) => sp.state === 'run') },
        mark: { type: 'rect', tooltip: true },
        encoding: {
          x: { field: 't0', ...x },
          x2: { field: 't1' },
          y: { field: 'cpu', ...cpuAxis },
          color: { field: 'group', type: 'nominal', title: 'group', scale: { scheme: 'tableau10' } },
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
        data: { values: moves },
        layer: [
          { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x: { field: 't', ...x }, y: { field: 'from', ...cpuAxis }, y2: { field: 'to' }, color: { field: 'reason', type: 'nominal', title: 'move: reason', scale: reasons } } },
          {
            mark: { type: 'point', shape: 'triangle-down', filled: true, size: 40, tooltip: true },
            encoding: { x: { field: 't', ...x }, y: { field: 'to', ...cpuAxis }, color: { field: 'reason', type: 'nominal', scale: reasons }, tooltip: anatomy },
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
            mark: { type: 'rect', tooltip: true },
            encoding: {
              x: { field: 't0', ...x },
              x2: { field: 't1' },
              y: { field: 'process', type: 'nominal', title: `most migrated (process, group)`, sort: labels },
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
            encoding: { x: { field: 't0', ...x }, y: { field: 'process', type: 'nominal', sort: labels }, text: { field: 'cpu', type: 'quantitative' } },
          },
        ],
      },
      {
        data: { values: processMoves },
        mark: { type: 'point', shape: 'triangle-down', filled: true, size: 50, tooltip: true },
        encoding: { x: { field: 't', ...x }, y: { field: 'process', type: 'nominal', sort: labels }, color: { field: 'reason', type: 'nominal', scale: reasons }, tooltip: anatomy },
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
  return shown.length > 0 ? [cpuPanel, processPanel] : [cpuPanel];
}

/** What part of each run the chart shows, for its subtitle. */
function coverage(run: ChartRun): string {
  const log = run.result.timeline!;
  const end = run.result.window?.endS ?? run.result.summary.simulatedS;
  const part = log.cut ? `${seconds(log.fromNs).toPrecision(3)}-${seconds(log.toNs).toPrecision(3)} s of ${end.toPrecision(3)} s (the first ${log.spans.pid.length} spans)` : `all ${end.toPrecision(3)} s`;
  return `${run.name}: ${part}`;
}

export function timelineChart(runs: readonly ChartRun[]): ChartOutput {
  const panels = runs.flatMap(runPanels);
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: 'Timeline: which process ran where, and each move',
      subtitle: [`per CPU, the running process (colour: its group); a line from the CPU a process left to the one it went to (colour: reason; hover for the price)`, `below: the most migrated processes, running (CPU written in), waiting and sleeping. Shown: ${runs.map(coverage).join('; ')}`],
    },
    vconcat: panels,
  } as TopLevelSpec;
  return { title: `timeline-${runs.map((r) => r.name).join('-')}`, spec };
}
