// A per-CPU heat map over time (one row per CPU, one panel per run) above a line chart of one
// number per run over time: the shape of the `load`, `queues`, `energy`, `frequency` and
// `temperature` charts. A CPU out of service (failed, or in maintenance) is drawn dark and
// labelled over that time, in every one of them (offline.ts, as the timeline draws it).
import type { ColorScheme } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import type { ChartOutput } from '../outputs/contract';
import { coarsen, runColor, VEGA_LITE_SCHEMA, type ChartRun } from './common';
import { offlineLayers, offlineRows } from './offline';

export interface HeatmapOptions {
  title: string;
  subtitle: string;
  /** The per-CPU series to draw. */
  series: (cpu: ChartRun['result']['series']['cpus'][number]) => number[];
  valueTitle: string;
  valueFormat: string;
  /** Fixed colour domain, or undefined to fit the data. */
  domain?: [number, number];
  /** Vega colour scheme of the heat map; default blues. */
  scheme?: ColorScheme;
  /** The line below: one value per time column from the per-CPU values of that column. */
  line: {
    title: string;
    of: (values: number[]) => number;
    /** Draw the running total of value x column width (power in W becomes energy in J). */
    cumulative?: boolean;
    /** A horizontal reference line, e.g. the throttle trip point. */
    rule?: { value: number; label: string };
  };
}

/** Drawn over the heat map where a CPU is out of service (the value there means nothing): dark, labelled. */
const OFFLINE_LAYERS = offlineLayers({ filter: "datum.layer === 'offline'" });

export function heatmapChart(runs: readonly ChartRun[], options: HeatmapOptions, fileTitle: string): ChartOutput {
  // One table for both layers of the faceted heat map (a facet's layers share its data).
  const cells: {
    layer: 'value' | 'offline';
    run: string;
    cpu: number;
    t0: number;
    t1: number;
    value?: number;
    state?: string;
  }[] = [];
  const line: { run: string; t: number; value: number }[] = [];
  for (const run of runs) {
    const { binNs, cpus } = run.result.series;
    const originS = (run.result.series.startNs ?? 0) / 1e9;
    const perCpu = cpus.map((c) => coarsen(options.series(c), binNs));
    const binS = (perCpu[0]?.binNs ?? binNs) / 1e9;
    perCpu.forEach((s, index) =>
      s.values.forEach((value, bin) =>
        cells.push({
          layer: 'value',
          run: run.name,
          cpu: cpus[index].cpu,
          t0: originS + bin * binS,
          t1: originS + (bin + 1) * binS,
          value,
        }),
      ),
    );
    for (const row of offlineRows(run)) cells.push({ layer: 'offline', ...row });
    const columns = perCpu[0]?.values.length ?? 0;
    let total = 0;
    for (let bin = 0; bin < columns; bin++) {
      const value = options.line.of(perCpu.map((s) => s.values[bin]));
      total += value * binS;
      line.push({
        run: run.name,
        t: originS + (options.line.cumulative ? (bin + 1) * binS : (bin + 0.5) * binS),
        value: options.line.cumulative ? total : value,
      });
    }
  }
  const names = runs.map((r) => r.name);
  const position = {
    x: { field: 't0', type: 'quantitative' as const, title: 'time (s)' },
    x2: { field: 't1' },
    y: { field: 'cpu', type: 'ordinal' as const, title: 'CPU' },
  };
  const value = {
    mark: { type: 'rect' as const, tooltip: true },
    encoding: {
      color: {
        field: 'value',
        type: 'quantitative' as const,
        title: options.valueTitle,
        scale: { scheme: options.scheme ?? 'blues', domain: options.domain, zero: options.domain ? undefined : false },
        legend: { format: options.valueFormat },
      },
      tooltip: [
        { field: 'run', type: 'nominal' as const },
        { field: 'cpu', type: 'ordinal' as const, title: 'CPU' },
        { field: 't0', type: 'quantitative' as const, title: 'from (s)', format: '.3f' },
        { field: 'value', type: 'quantitative' as const, title: options.valueTitle, format: options.valueFormat },
      ],
    },
  };
  // Layers only when a CPU was out of service: they filter every cell, which costs render time.
  const cellSpec = cells.some((c) => c.layer === 'offline')
    ? {
        width: 560,
        height: { step: 14 },
        encoding: position,
        layer: [{ transform: [{ filter: "datum.layer === 'value'" }], ...value }, ...OFFLINE_LAYERS],
      }
    : { width: 560, height: { step: 14 }, mark: value.mark, encoding: { ...position, ...value.encoding } };
  const spec: TopLevelSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: options.title, subtitle: options.subtitle },
    vconcat: [
      {
        data: { values: cells },
        facet: { row: { field: 'run', type: 'nominal', title: null, sort: names } },
        spec: cellSpec,
      },
      {
        width: 560,
        height: 120,
        layer: [
          {
            data: { values: line },
            mark: { type: 'line', interpolate: options.line.cumulative ? 'linear' : 'step-after', tooltip: true },
            encoding: {
              x: { field: 't', type: 'quantitative', title: 'time (s)' },
              y: {
                field: 'value',
                type: 'quantitative',
                title: options.line.title,
                scale: { zero: !options.line.rule },
              },
              color: runColor(runs),
            },
          },
          ...(options.line.rule
            ? [
                {
                  data: { values: [options.line.rule] },
                  mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#D55E00' },
                  encoding: { y: { field: 'value', type: 'quantitative' as const } },
                },
                {
                  data: { values: [options.line.rule] },
                  mark: { type: 'text' as const, align: 'left' as const, dx: 4, dy: -6, color: '#D55E00' },
                  encoding: {
                    y: { field: 'value', type: 'quantitative' as const },
                    x: { value: 0 },
                    text: { field: 'label' },
                  },
                },
              ]
            : []),
        ],
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
  return { title: fileTitle, spec };
}
