// An execution as a standalone HTML report (src/lab/report.ts): what `migration-lab export`
// writes and what the editor's Export Lab to HTML writes. No Node APIs, so the web extension
// builds the same report.
import { maxScore, totalScore, type GradedCheck } from '../lab/grade';
import type { TopLevelSpec } from 'vega-lite';
import { reportHtml, type ReportItem } from '../lab/report';
import type { LabExecution } from './executeLab';
import type { ValidLab } from './loadLab';
import { LAB_VERSION } from './version';

/** Draws one chart as SVG text (src/lab/chartSvg.ts, loaded by the caller: it brings Vega). */
export type DrawChart = (spec: TopLevelSpec) => Promise<string>;

export async function htmlReport(
  lab: Pick<ValidLab, 'file' | 'params' | 'cells'>,
  execution: LabExecution,
  checks: readonly GradedCheck[],
  drawChart: DrawChart,
): Promise<string> {
  const outputs = new Map<number, ReportItem[]>();
  const add = (index: number, item: ReportItem) => outputs.set(index, [...(outputs.get(index) ?? []), item]);
  for (const [index, texts] of execution.text) for (const text of texts) add(index, { kind: 'markdown', text });
  for (const run of execution.lab.runs) {
    const outcome = execution.runs.get(run.name);
    if (outcome && !outcome.ok) add(run.cellIndex, { kind: 'error', text: outcome.error });
  }
  for (const { cellIndex, chart } of execution.charts) {
    add(cellIndex, chart.ok ? { kind: 'svg', svg: await drawChart(chart.value.spec), title: chart.value.title } : { kind: 'error', text: chart.error });
  }
  execution.lab.checks.forEach((check, i) => add(check.cellIndex, { kind: 'check', ...checks[i] }));
  const name = lab.file.split(/[\\/]/).pop()!;
  const params = Object.entries(lab.params).map(([k, v]) => `${k}=${v}`);
  return reportHtml({
    title: name,
    subtitle: `${name}, migration-lab ${LAB_VERSION}${params.length ? `, --param ${params.join(' ')}` : ''}`,
    score: checks.length > 0 ? { earned: totalScore(checks), total: maxScore(checks) } : undefined,
    cells: lab.cells,
    outputs,
  });
}
