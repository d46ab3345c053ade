// The summary of a run cell, in the order a student reads it (src/lab/outputs/metrics.ts): what finished
// and what did not first (jobs and deadlines first for real-time runs), the metrics over finished
// processes only flagged when some did not finish, then the costs; every other metric behind
// "All metrics"; then seed and digest. Each metric explains itself: hovering (or focusing) its
// name shows its definition in the line under the table, and as the name's tooltip.
import { formatMetric } from '../src/lab/outputs/format';
import {
  metricDefinition,
  metricExplanation,
  summaryGroups,
  unfinishedCount,
  type SummaryGroup,
} from '../src/lab/outputs/metrics';
import type { RunOutput } from '../src/lab/outputs/contract';
import { groupHeading, runSetting } from '../src/lab/outputs/summaryText';

const HINT = 'Hover a metric for what it means.';

/** A table of metric/value pairs under group headings, `columns` pairs per row. */
function metricsTable(
  doc: Document,
  run: RunOutput,
  groups: readonly SummaryGroup[],
  columns: number,
  explain: (key?: string) => void,
): HTMLTableElement {
  const table = doc.createElement('table');
  table.className = 'run-summary';
  const unfinished = unfinishedCount(run.summary);
  for (const group of groups) {
    const heading = table.insertRow();
    heading.className = 'group';
    const title = Object.assign(doc.createElement('th'), {
      colSpan: columns * 2,
      textContent: groupHeading(group, run.summary),
    });
    if (group.group === 'finished' && unfinished > 0) title.classList.add('warn');
    heading.append(title);
    for (let i = 0; i < group.keys.length; i += columns) {
      const row = table.insertRow();
      for (const key of group.keys.slice(i, i + columns)) {
        const name = Object.assign(doc.createElement('th'), { textContent: key, tabIndex: 0 });
        const explanation = metricExplanation(key);
        if (explanation) name.title = explanation;
        name.dataset.metric = key;
        name.addEventListener('mouseenter', () => explain(key));
        name.addEventListener('focus', () => explain(key));
        name.addEventListener('mouseleave', () => explain());
        name.addEventListener('blur', () => explain());
        row.append(name);
        const value = row.insertCell();
        value.textContent = formatMetric(key, run.summary[key] as number);
        if (metricDefinition(key)?.finishedOnly && unfinished > 0) value.classList.add('warn');
      }
    }
  }
  return table;
}

export function renderRunTable(run: RunOutput, into: HTMLElement): void {
  const doc = into.ownerDocument;
  const heading = doc.createElement('div');
  heading.className = 'run-heading';
  heading.textContent = `${run.name}: ${runSetting(run)}`;
  into.append(heading);

  const definition = doc.createElement('div');
  definition.className = 'metric-definition';
  definition.setAttribute('aria-live', 'polite');
  const explain = (key?: string) => {
    const text = key && metricExplanation(key);
    definition.replaceChildren(
      ...(text
        ? [Object.assign(doc.createElement('strong'), { textContent: key }), doc.createTextNode(`: ${text}`)]
        : [doc.createTextNode(HINT)]),
    );
  };
  explain();

  const { key, rest } = summaryGroups(run.summary);
  into.append(metricsTable(doc, run, key, 2, explain));
  const more = rest.reduce((n, g) => n + g.keys.length, 0);
  if (more > 0) {
    const details = doc.createElement('details');
    details.append(Object.assign(doc.createElement('summary'), { textContent: `All metrics (${more} more)` }));
    details.append(metricsTable(doc, run, rest, 2, explain));
    into.append(details);
  }
  into.append(definition);

  const footer = doc.createElement('div');
  footer.className = 'run-footer';
  footer.textContent = `seed ${run.seed} · digest ${run.digest.slice(0, 16)}…`;
  footer.title = run.digest;
  into.append(footer);
}
