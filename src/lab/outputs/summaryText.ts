// A run summary and a comparison as Markdown tables: the portable fallback next to the rich
// outputs, what the command-line runner prints, and what an exported report shows. Metrics come
// in the reading order of src/lab/outputs/metrics.ts, each in its own unit and precision.
import { formatDifference, formatInterval, formatMetric, scaleFor, unitLabel } from './format';
import { summaryGroups, unfinishedCount, type SummaryGroup } from './metrics';
import type { CompareOutput, RunOutput, ServerRow } from './contract';

/** The title of a group, with what a finished-only group leaves out. */
export function groupHeading(group: SummaryGroup, summary: RunOutput['summary']): string {
  const left = unfinishedCount(summary);
  return group.group === 'finished' && left > 0
    ? `${group.title} (${left} did not finish and ${left === 1 ? 'is' : 'are'} not counted)`
    : group.title;
}

/** How long a run was observed: `5 s`, or `observed from 1 s to 5 s of 10 s` with a window. */
export function observedSpan(durationS: number, window: RunOutput['window']): string {
  return window ? `observed from ${window.startS} s to ${window.endS} s of ${durationS} s` : `${durationS} s`;
}

/** A run's setting in one line: `linux-cfs on duo, mixed, fair, 5 s`. */
export const runSetting = (run: RunOutput): string =>
  `${run.policy} on ${run.machine}, ${run.workload}, ${run.scheduler}, ${observedSpan(run.durationS, run.window)}`;

/** A comparison's setting in one line. */
export const compareSetting = (output: CompareOutput): string =>
  `${output.policies.length} ${output.over === 'runs' ? 'runs' : 'policies'} on ${output.machine}, ${output.workload}, ${output.seeds} seeds${output.window ? `, each observed from ${output.window.startS} s to ${output.window.endS} s` : ''}`;

export function summaryMarkdown(run: RunOutput): string {
  const { key, rest } = summaryGroups(run.summary);
  const rows = [...key, ...rest].flatMap((group) => [
    `| **${groupHeading(group, run.summary)}** | |`,
    ...group.keys.map((k) => `| ${k} | ${formatMetric(k, run.summary[k] as number)} |`),
  ]);
  return [
    `**${run.name}**: ${runSetting(run)}, seed ${run.seed}`,
    '',
    '| metric | value |',
    '|---|---|',
    ...rows,
    '',
    `digest \`${run.digest}\``,
  ].join('\n');
}

/** A cluster run's servers as a Markdown table: routed and completed requests and response times, the overall row last. */
export function serversMarkdown(run: RunOutput): string {
  const servers = run.servers ?? [];
  // A run with host events counts the requests it lost: one more column.
  const dropped = servers.some((row) => row.dropped !== undefined);
  // A service with an SLA target counts its violations: one more column.
  const sla = servers.some((row) => row.slaViolations !== undefined);
  const columns = [
    'routed',
    'completed',
    ...(dropped ? (['dropped'] as const) : []),
    'meanResponseS',
    'p95ResponseS',
    'p99ResponseS',
    ...(sla ? (['slaViolations'] as const) : []),
  ] as const;
  const cell = (row: ServerRow, k: (typeof columns)[number]) =>
    k === 'dropped' ? formatMetric('requestsDropped', row.dropped ?? 0) : formatMetric(k, row[k] ?? 0);
  const rows = servers.map(
    (row) =>
      `| ${row.server === 'overall' ? '**overall**' : row.server} | ${columns.map((k) => cell(row, k)).join(' | ')} |`,
  );
  return [
    `**${run.name}**: ${runSetting(run)}, seed ${run.seed}`,
    '',
    `| server | ${columns.join(' | ')} |`,
    `|---|${columns.map(() => '---:').join('|')}|`,
    ...rows,
  ].join('\n');
}

/** A comparison as a Markdown table: mean ± 95 % half-width and the paired difference, in each metric's unit; best in bold. */
export function compareMarkdown(output: CompareOutput): string {
  const scales = output.metrics.map((metric) =>
    scaleFor(
      metric,
      output.cells.filter((c) => c.metric === metric).map((c) => c.interval.mean),
    ),
  );
  const header = output.metrics.map((metric, i) =>
    unitLabel(scales[i]) ? `${metric} (${unitLabel(scales[i])})` : metric,
  );
  const lines = [
    `**compare**: ${compareSetting(output)}`,
    '',
    `| ${output.over === 'runs' ? 'run' : 'policy'} | ${header.join(' | ')} |`,
    `|---|${output.metrics.map(() => '---:').join('|')}|`,
  ];
  for (const policy of output.policies) {
    const cells = output.metrics.map((metric, i) => {
      const cell = output.cells.find((c) => c.policy === policy && c.metric === metric);
      if (!cell) return '';
      const text = formatInterval(metric, cell.interval.mean, cell.interval.halfWidth, { ...scales[i], symbol: '' });
      const shown = cell.best ? `**${text}**` : text;
      return cell.difference
        ? `${shown} (Δ ${formatDifference(cell.difference, { ...scales[i], symbol: '' })})`
        : shown;
    });
    lines.push(`| ${policy} | ${cells.join(' | ')} |`);
  }
  lines.push(
    '',
    `mean ± 95 % confidence half-width over the same seeds; Δ: paired difference against ${output.policies[0]}`,
  );
  return lines.join('\n');
}
