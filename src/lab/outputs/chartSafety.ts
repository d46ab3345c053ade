// What a chart may do when it is drawn (the editor's renderer, the CLI's reports): it draws the
// lab's own results and nothing else. The loader below refuses every file and network access,
// links go only to safe schemes, `usermeta` (embed options) is dropped, and data and marks stay
// within bounds. A user's spec is also checked when its cell is validated, at exact positions
// (src/lab/language/chartSpec.ts); this is the second line.

/** Rows a chart's data may hold (the lab's result tables are far smaller: see src/lab/run/tables.ts). */
export const MAX_CHART_ROWS = 200_000;

/** Marks (points, bars, lines, text...) one chart may draw. */
export const MAX_CHART_MARKS = 100_000;

/** Link targets a chart may have: the web, mail, and places in the same page. */
export const SAFE_HREF = /^\s*(https?:\/\/|mailto:|#)/i;

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
      if (options?.context === 'href' && typeof uri === 'string' && SAFE_HREF.test(uri))
        return Promise.resolve({ href: uri, rel: 'noopener noreferrer' });
      if (options?.context === 'href') return Promise.resolve({ href: null });
      return refuse(uri);
    },
  };
}
