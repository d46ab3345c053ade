// A run summary as a Markdown table: the portable fallback next to the rich output, and what
// the command-line runner prints.
import { formatInterval, formatMetric, orderedSummaryKeys } from './format';
import type { CompareOutput, RunOutput } from './outputs';

export function summaryMarkdown(run: RunOutput): string {
  const rows = orderedSummaryKeys(run.summary).map((key) => `| ${key} | ${formatMetric(key, run.summary[key])} |`);
  return [
    `**${run.name}**: ${run.policy} on ${run.machine}, ${run.workload}, ${run.scheduler}, ${run.durationS} s, seed ${run.seed}`,
    '',
    '| metric | value |',
    '|---|---|',
    ...rows,
    '',
    `digest \`${run.digest}\``,
  ].join('\n');
}

/** A comparison as a Markdown table: mean ± 95 % half-width, best in bold. */
export function compareMarkdown(output: CompareOutput): string {
  const lines = [
    `**compare**: ${output.policies.length} policies on ${output.machine}, ${output.workload}, ${output.seeds} seeds`,
    '',
    `| policy | ${output.metrics.join(' | ')} |`,
    `|---|${output.metrics.map(() => '---:').join('|')}|`,
  ];
  for (const policy of output.policies) {
    const cells = output.metrics.map((metric) => {
      const cell = output.cells.find((c) => c.policy === policy && c.metric === metric);
      if (!cell) return '';
      const text = formatInterval(metric, cell.interval.mean, cell.interval.halfWidth);
      return cell.best ? `**${text}**` : text;
    });
    lines.push(`| ${policy} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
