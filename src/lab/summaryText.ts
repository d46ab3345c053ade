// A run summary as a Markdown table: the portable fallback next to the rich output, and what
// the command-line runner prints.
import { formatMetric, orderedSummaryKeys } from './format';
import type { RunOutput } from './outputs';

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
