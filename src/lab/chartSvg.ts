// A Vega-Lite chart drawn as SVG text without a browser, for reports. Kept apart from the rest
// of the lab model: it loads Vega, which only exporting a report needs (the extension loads
// this module, bundled on its own, when the user exports).
import type { TopLevelSpec } from 'vega-lite';

/** Renders a Vega-Lite spec to SVG text without a browser. */
export async function chartSvg(spec: TopLevelSpec): Promise<string> {
  // Notebook charts may size to their container; a file has none, so give them a width.
  const sized = { ...spec, ...(spec as { width?: unknown }).width === 'container' ? { width: 640 } : {} } as TopLevelSpec;
  // Vega's Node build (which Vega-Lite imports) probes for the optional `canvas` package with a
  // top-level await, so it loads only as an ES module: imported when a chart is drawn.
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vegaLite.compile(sized).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
