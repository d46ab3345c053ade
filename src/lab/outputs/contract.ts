// What a cell produces, as plain JSON: the extension puts these into notebook outputs under the
// project's own MIME types, the renderer draws them, and the command-line runner prints them.
import type { TopLevelSpec } from 'vega-lite';

export const RUN_MIME = 'application/vnd.migration-lab.run+json';
export const CHART_MIME = 'application/vnd.migration-lab.chart+json';
export const COMPARE_MIME = 'application/vnd.migration-lab.compare+json';
/** What a policy printed: VS Code shows items of this MIME type as the cell's standard output. */
export const LOG_MIME = 'application/vnd.code.notebook.stdout';

/** A mean over seeds with its 95 % confidence interval (src/lab/run/stats.ts computes it). */
export interface Interval {
  mean: number;
  /** Half-width of the 95 % confidence interval (NaN with fewer than two samples). */
  halfWidth: number;
  n: number;
}

/** A summary value: a number, or a breakdown (for example migrations by reason). */
export type SummaryValue = number | Record<string, number>;

/** The output of a `run` cell: the key metrics of one simulation and how to reproduce it. */
export interface RunOutput {
  name: string;
  policy: string;
  scheduler: string;
  machine: string;
  workload: string;
  seed: number;
  durationS: number;
  /** Set when the summary covers an observation window of the run, not all of it. */
  window?: ObservedWindow;
  digest: string;
  summary: Record<string, SummaryValue>;
  /** What the run's policy cell printed with console.log (capped by the sandbox); absent when nothing. */
  logs?: readonly string[];
  /**
   * A run on a cluster: one row per server, then the row `overall`; its summary is then the
   * overall row's numbers (and throughputPerS), the names check expressions read.
   */
  servers?: ServerRow[];
}

/** One server of a cluster run (or `overall`): its requests and their response times. */
export interface ServerRow {
  server: string;
  routed: number;
  completed: number;
  meanResponseS: number;
  p95ResponseS: number;
  p99ResponseS: number;
  /** With host events: its requests lost (on it when it went down, or sent to it while down). */
  dropped?: number;
  /** With an SLA target: its requests answered later than it, or dropped. */
  slaViolations?: number;
}

/** The stretch of a run a summary covers (src/sim/window.ts), in seconds. */
export interface ObservedWindow {
  startS: number;
  endS: number;
}

/** The output of a `chart` cell: a complete Vega-Lite spec with its data inlined. */
export interface ChartOutput {
  title: string;
  spec: TopLevelSpec;
}

export interface CompareCell {
  policy: string;
  metric: string;
  interval: Interval;
  /** Paired difference (this policy minus the first), with its interval; absent for the first. */
  difference?: Interval;
  best: boolean;
}

/** The output of a `compare` cell: each policy x metric over the same seeds. */
export interface CompareOutput {
  name?: string;
  /** Set for a compare over cluster runs: `policies` are then run names, `machine` the clusters, `workload` the services or vms cells. */
  over?: 'runs';
  machine: string;
  workload: string;
  policies: string[];
  metrics: string[];
  seeds: number;
  /** Set when every run of the comparison is observed over a window only. */
  window?: ObservedWindow;
  cells: CompareCell[];
}
