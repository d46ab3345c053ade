// An execution as a standalone HTML report (src/lab/report/reportHtml.ts): what `migration-lab export`
// writes and what the editor's Export Lab to HTML writes. No Node APIs, so the web extension
// builds the same report; the caller says how charts are drawn and where images come from.
import { logLines } from '../lab/notebook/execute';
import { maxScore, totalScore, type GradedCheck } from '../lab/grading/grade';
import type { TopLevelSpec } from 'vega-lite';
import { compareKeys } from '../lab/language/resolveLab';
import { reportHtml, type ImageSource, type ReportItem } from '../lab/report/reportHtml';
import type { LabExecution } from './executeLab';
import type { ValidLab } from './loadLab';
import { LAB_VERSION } from './version';

/** Draws one chart as SVG text (src/lab/charts/draw.ts, in a worker or loaded by the caller: it brings Vega). */
export type DrawChart = (spec: TopLevelSpec) => Promise<string>;

export async function htmlReport(
  lab: Pick<ValidLab, 'file' | 'params' | 'cells'>,
  execution: LabExecution,
  checks: readonly GradedCheck[],
  drawChart: DrawChart,
  /** Where Markdown images come from (the CLI: files in the lab's own folder); none when absent. */
  image?: ImageSource,
): Promise<string> {
  const outputs = new Map<number, ReportItem[]>();
  const add = (index: number, item: ReportItem) => outputs.set(index, [...(outputs.get(index) ?? []), item]);
  for (const [index, texts] of execution.text) for (const text of texts) add(index, { kind: 'markdown', text });
  for (const run of execution.lab.runs) {
    const outcome = execution.runs.get(run.name);
    if (outcome && !outcome.ok) add(run.cellIndex, { kind: 'error', text: outcome.error });
  }
  for (const [cellIndex, key] of compareKeys(lab.cells)) {
    const outcome = execution.compares.get(key);
    if (outcome && !outcome.ok) add(cellIndex, { kind: 'error', text: outcome.error });
  }
  for (const { cellIndex, chart } of execution.charts) {
    if (!chart.ok) {
      add(cellIndex, { kind: 'error', text: chart.error });
      continue;
    }
    try {
      add(cellIndex, { kind: 'svg', svg: await drawChart(chart.value.spec), title: chart.value.title });
    } catch (error) {
      add(cellIndex, { kind: 'error', text: `Cannot draw this chart: ${(error as Error).message}` });
    }
  }
  for (const [name, logs] of execution.logs) {
    const run = execution.lab.runs.find((r) => r.name === name);
    if (run) add(run.cellIndex, { kind: 'log', text: logLines(run.config.policy.name, logs) });
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
    image,
  });
}
