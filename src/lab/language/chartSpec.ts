// What a user's Vega-Lite spec (a raw `chart` cell, as YAML) may not do, each at its place in
// the cell: load data or images (no `url`, no `data:` of its own, no generators), change how it
// is embedded (`usermeta`), link to unsafe schemes, or ask for unbounded counts. Checked when the
// cell is validated; the loader of src/lab/outputs/chartSafety.ts refuses the same at draw time.
import { SAFE_HREF } from '../outputs/chartSafety';
import type { Span, YNode } from './yaml';

/** The largest count a spec may ask for (ticks, bins, steps of a density...). */
const MAX_COUNT = 10_000;

/** Keys that load data or images, or make data from nothing. */
const REFUSED_KEYS: Record<string, string> = {
  url: "a chart cannot load files or URLs: it draws the lab's own results",
  data: 'a chart draws the run table it names (run:/runs: and table:); it cannot bring data of its own',
  datasets: 'a chart draws the run table it names (run:/runs: and table:); it cannot bring data of its own',
  sequence: "a chart cannot generate data (sequence): it draws the lab's own results",
  graticule: "a chart cannot generate data (graticule): it draws the lab's own results",
  sphere: "a chart cannot generate data (sphere): it draws the lab's own results",
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
      if (link && (key === 'href' || key === 'value') && !SAFE_HREF.test(value))
        problems.push({ span: node.range, message: 'a link may only go to http:, https:, mailto: or # addresses' });
      if (LARGE_VALUE_FUNCTIONS.test(value))
        problems.push({
          span: node.range,
          message:
            'sequence(), pad(), span() and repeat() are not allowed in chart expressions: they build values of any size',
        });
      if ((key === 'mark' || key === 'type') && value === 'image')
        problems.push({ span: node.range, message: 'image marks load pictures from URLs: not allowed in charts' });
    } else if (typeof value === 'number' && key !== undefined && COUNT_KEYS.has(key) && value > MAX_COUNT) {
      problems.push({ span: node.range, message: `${key}: at most ${MAX_COUNT.toLocaleString('en-US')}` });
    }
  };
  walk(root, undefined, false);
  return problems;
}
