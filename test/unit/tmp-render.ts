import { readFileSync, writeFileSync } from 'node:fs';
import { parseLab } from '../../src/lab/document/markdown';
import { LabSession } from '../../src/lab/notebook/execute';
import { CHART_MIME, type ChartOutput } from '../../src/lab/outputs/contract';
import { drawChartSvg } from '../../src/lab/charts/draw';
import { inProcessRunHost } from '../../src/worker/runSimulation';
const session = new LabSession(inProcessRunHost);
async function main() {
for (const [file, pattern, out] of [
  ['examples/consolidation.lab.md', /show: host-load/, 'hostload'],
  ['examples/consolidation.lab.md', /show: host-energy/, 'hostenergy'],
] as const) {
  const cells = parseLab(readFileSync(file, 'utf8'));
  const index = cells.findIndex((c) => c.kind !== 'markdown' && pattern.test(c.value));
  const outcome = await session.execute(cells, index, { signal: new AbortController().signal });
  if (!outcome.ok) throw new Error(JSON.stringify(outcome));
  const chart = outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === CHART_MIME)!.data as ChartOutput;
  const svg = await drawChartSvg(chart.spec as never);
  writeFileSync(`/tmp/render/${out}.html`, `<html><body style="margin:0;background:white">${svg}</body></html>`);
}
}
main().catch((e) => { console.error(String(e).slice(0, 500)); process.exit(1); });
