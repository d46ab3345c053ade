// The summary table of a run cell: the key metrics with units, then seed and digest.
import { formatMetric, orderedSummaryKeys } from '../src/lab/format';
import type { RunOutput } from '../src/lab/outputs';

export function renderRunTable(run: RunOutput, into: HTMLElement): void {
  const doc = into.ownerDocument;
  const heading = doc.createElement('div');
  heading.className = 'run-heading';
  heading.textContent = `${run.name}: ${run.policy} on ${run.machine}, ${run.workload}, ${run.scheduler}, ${run.durationS} s`;
  into.append(heading);

  const table = doc.createElement('table');
  table.className = 'run-summary';
  for (const key of orderedSummaryKeys(run.summary)) {
    const row = table.insertRow();
    const name = doc.createElement('th');
    name.textContent = key;
    row.append(name);
    row.insertCell().textContent = formatMetric(key, run.summary[key]);
  }
  into.append(table);

  const footer = doc.createElement('div');
  footer.className = 'run-footer';
  footer.textContent = `seed ${run.seed} · digest ${run.digest.slice(0, 16)}…`;
  footer.title = run.digest;
  into.append(footer);
}
