// A chart drawn to SVG text without a browser (for reports): Vega in Node with the locked
// loader (no file or network access), expressions interpreted rather than compiled to code,
// and the rows and marks it makes bounded. The CLI calls this inside a worker, under the run
// budget (src/worker/handleJob.ts), never in its own process.
import type { TopLevelSpec } from 'vega-lite';
import { expressionInterpreter } from 'vega-interpreter';
import { ChartError } from './error';
import { lockedLoader, MAX_CHART_MARKS, MAX_CHART_ROWS, withoutUsermeta } from '../outputs/chartSafety';

interface SceneNode {
  items?: SceneNode[];
}

/** Marks in a scenegraph (every item of every mark, groups included). */
function countMarks(node: SceneNode | undefined): number {
  if (!node?.items) return 0;
  let count = node.items.length;
  for (const item of node.items) count += countMarks(item);
  return count;
}

export async function drawChartSvg(spec: TopLevelSpec): Promise<string> {
  // Notebook charts may size to their container; a file has none, so give them a width.
  const sized = {
    ...spec,
    ...((spec as { width?: unknown }).width === 'container' ? { width: 640 } : {}),
  } as TopLevelSpec;
  // Vega's Node build (which Vega-Lite imports) probes for the optional `canvas` package with a
  // top-level await, so it loads only as an ES module: imported when a chart is drawn.
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vegaLite.compile(withoutUsermeta(sized)).spec;
  const view = new vega.View(vega.parse(compiled, undefined, { ast: true }), {
    renderer: 'none',
    loader: lockedLoader() as unknown as ReturnType<typeof vega.loader>,
    expr: expressionInterpreter,
    logLevel: vega.None,
  });
  try {
    await view.runAsync();
    for (const { name } of compiled.data ?? []) {
      const rows = view.data(name).length;
      if (rows > MAX_CHART_ROWS)
        throw new ChartError(
          `the chart's data "${name}" has ${rows.toLocaleString('en-US')} rows, more than the ${MAX_CHART_ROWS.toLocaleString('en-US')} a chart may draw`,
        );
    }
    const marks = countMarks((view.scenegraph() as unknown as { root: SceneNode }).root);
    if (marks > MAX_CHART_MARKS)
      throw new ChartError(
        `the chart has ${marks.toLocaleString('en-US')} marks, more than the ${MAX_CHART_MARKS.toLocaleString('en-US')} a chart may draw`,
      );
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
