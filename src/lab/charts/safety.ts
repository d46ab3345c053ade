// What a chart may do, wherever it is drawn (the editor's renderer, the CLI's reports): it
// draws the lab's own results and nothing else. A user's Vega-Lite spec may not load data or
// images (no `url`, no `data:` of its own, no generators), may not change how it is embedded
// (`usermeta`), links only to safe schemes, and stays within a number of rows and marks. The
// spec is checked when its cell is validated (exact positions); the loader below refuses every
// file and network access at draw time as a second line.
import type { Span, YNode } from '../yaml';

/** Rows a chart's data may hold (the lab's result tables are far smaller: see tables.ts). */
export const MAX_CHART_ROWS = 200_000;

/** Marks (points, bars, lines, text...) one chart may draw. */
export const MAX_CHART_MARKS = 100_000;

/** The largest count a spec may ask for (ticks, bins, steps of a density...). */
const MAX_COUNT = 10_000;

/** Link targets a chart may have: the web, mail, and places in the same page. */
export const SAFE_HREF = /^\s*(https?:\/\/|mailto:|#)/i;

/** Keys that load data or images, or make data from nothing. */
const REFUSED_KEYS: Record<string, string> = {
  url: 'a chart cannot load files or URLs: it draws the lab\'s own results',
  data: 'a chart draws the run table it names (run:/runs: and table:); it cannot bring data of its own',
  datasets: 'a chart draws the run table it names (run:/runs: and table:); it cannot bring data of its own',
  sequence: 'a chart cannot generate data (sequence): it draws the lab\'s own results',
  graticule: 'a chart cannot generate data (graticule): it draws the lab\'s own results',
  sphere: 'a chart cannot generate data (sphere): it draws the lab\'s own results',
  usermeta: '`usermeta` is not allowed: it could change how the chart is embedded',
};

/** Keys whose value is a count of things to draw or compute. */
const COUNT_KEYS = new Set(['tickCount', 'maxbins', 'steps', 'count', 'bins', 'columns']);

/** Expression functions that build values of any size from a small expression. */
const LARGE_VALUE_FUNCTIONS = /\b(sequence|pad|span|repeat)\s*\(/;

export interface SpecProblem {
  span: Span;
  message: string;
}

/** What a user's Vega-Lite spec (as YAML) may not do, each at its place in the cell. */
export function chartSpecProblems(root: YNode): SpecProblem[] {
  const problems: SpecProblem[] = [];
  /** `key`: the key of the entry the node is the value of; `link`: inside an href (a value or a condition of it). */
  const walk = (node: YNode, key: string | undefined, link: boolean) => {
    if (node.kind === 'map') {
      for (const entry of node.entries) {
        const refused = REFUSED_KEYS[entry.key];
        if (refused !== undefined) problems.push({ span: entry.keyRange, message: refused });
        else walk(entry.value, entry.key, link || entry.key === 'href');
      }
      return;
    }
    if (node.kind === 'seq') {
      for (const item of node.items) walk(item, key, link);
      return;
    }
    const value = node.value;
    if (typeof value === 'string') {
      if (link && (key === 'href' || key === 'value') && !SAFE_HREF.test(value)) problems.push({ span: node.range, message: 'a link may only go to http:, https:, mailto: or # addresses' });
      if (LARGE_VALUE_FUNCTIONS.test(value)) problems.push({ span: node.range, message: 'sequence(), pad(), span() and repeat() are not allowed in chart expressions: they build values of any size' });
      if ((key === 'mark' || key === 'type') && value === 'image') problems.push({ span: node.range, message: 'image marks load pictures from URLs: not allowed in charts' });
    } else if (typeof value === 'number' && key !== undefined && COUNT_KEYS.has(key) && value > MAX_COUNT) {
      problems.push({ span: node.range, message: `${key}: at most ${MAX_COUNT.toLocaleString('en-US')}` });
    }
  };
  walk(root, undefined, false);
  return problems;
}

/** A Vega spec's `usermeta` removed (vega-embed reads embed options from it), at every level. */
export function withoutUsermeta<T>(spec: T): T {
  if (Array.isArray(spec)) return spec.map(withoutUsermeta) as T;
  if (spec === null || typeof spec !== 'object') return spec;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec)) if (key !== 'usermeta') out[key] = withoutUsermeta(value);
  return out as T;
}

/** Why a loader refused: no chart may read a file or reach the network. */
export class ChartLoadRefused extends Error {
  constructor(uri: string) {
    super(`charts cannot load files or URLs (${uri.slice(0, 120)}): they draw the lab's own results`);
    this.name = 'ChartLoadRefused';
  }
}

/**
 * A Vega loader that refuses every file and network access: data and images never load;
 * link targets pass only on safe schemes (others become no link at all: Vega's own sanitizer
 * would reject them and crash the SVG renderer).
 */
export function lockedLoader() {
  const refuse = (uri: unknown) => Promise.reject(new ChartLoadRefused(String(uri)));
  return {
    options: {},
    fileAccess: false,
    load: refuse,
    http: refuse,
    file: refuse,
    sanitize(uri: unknown, options?: { context?: string }) {
      if (options?.context === 'href' && typeof uri === 'string' && SAFE_HREF.test(uri)) return Promise.resolve({ href: uri, rel: 'noopener noreferrer' });
      if (options?.context === 'href') return Promise.resolve({ href: null });
      return refuse(uri);
    },
  };
}
