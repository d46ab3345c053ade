// The summary of a run cell: the key metrics with units in a compact two-column table, every
// other metric behind "All metrics", then seed and digest.
import { formatMetric, splitSummaryKeys } from '../src/lab/format';
import type { RunOutput } from '../src/lab/outputs';

/** A table of metric/value pairs, `columns` pairs per row. */
function metricsTable(doc: Document, run: RunOutput, keys: readonly string[], columns: number): HTMLTableElement {
  const table = doc.createElement('table');
  table.className = 'run-summary';
  for (let i = 0; i < keys.length; i += columns) {
    const row = table.insertRow();
    for (const key of keys.slice(i, i + columns)) {
      row.append(Object.assign(doc.createElement('th'), { textContent: key }));
      row.insertCell().textContent = formatMetric(key, run.summary[key]);
    }
  }
  return table;
}

export function renderRunTable(run: RunOutput, into: HTMLElement): void {
  const doc = into.ownerDocument;
  const heading = doc.createElement('div');
  heading.className = 'run-heading';
  heading.textContent = `${run.name}: ${run.policy} on ${run.machine}, ${run.workload}, ${run.scheduler}, ${run.durationS} s`;
  into.append(heading);

  const { leading, rest } = splitSummaryKeys(run.summary);
  into.append(metricsTable(doc, run, leading, 2));
  if (rest.length > 0) {
    const details = doc.createElement('details');
    details.append(Object.assign(doc.createElement('summary'), { textContent: `All metrics (${rest.length} more)` }));
    details.append(metricsTable(doc, run, rest, 2));
    into.append(details);
  }

  const footer = doc.createElement('div');
  footer.className = 'run-footer';
  footer.textContent = `seed ${run.seed} · digest ${run.digest.slice(0, 16)}…`;
  footer.title = run.digest;
  into.append(footer);
}
