// The table of a compare cell: policies down, metrics across; each entry is the mean ± the
// half-width of its 95 % interval, with the paired difference against the first policy below.
// The best mean of each metric is highlighted.
import { formatInterval, round } from '../src/lab/format';
import type { CompareOutput } from '../src/lab/outputs';

const plusMinus = (halfWidth: number): string => (Number.isFinite(halfWidth) ? ` ± ${round(halfWidth)}` : '');

export function renderCompareTable(output: CompareOutput, into: HTMLElement): void {
  const doc = into.ownerDocument;
  const heading = doc.createElement('div');
  heading.className = 'run-heading';
  heading.textContent = `${output.policies.length} policies on ${output.machine}, ${output.workload}, ${output.seeds} seeds each (same seeds for every policy)`;
  into.append(heading);

  const table = doc.createElement('table');
  table.className = 'compare';
  const head = table.createTHead().insertRow();
  head.append(Object.assign(doc.createElement('th'), { textContent: 'policy' }));
  for (const metric of output.metrics) head.append(Object.assign(doc.createElement('th'), { textContent: metric }));

  const body = table.createTBody();
  output.policies.forEach((policy, index) => {
    const row = body.insertRow();
    row.append(Object.assign(doc.createElement('th'), { textContent: policy }));
    for (const metric of output.metrics) {
      const cell = output.cells.find((c) => c.policy === policy && c.metric === metric);
      const td = row.insertCell();
      if (!cell) continue;
      td.textContent = formatInterval(metric, cell.interval.mean, cell.interval.halfWidth);
      if (cell.best) td.className = 'best';
      if (cell.difference && index > 0) {
        const diff = doc.createElement('div');
        diff.className = 'difference';
        const sign = cell.difference.mean > 0 ? '+' : '';
        diff.textContent = `Δ ${sign}${round(cell.difference.mean)}${plusMinus(cell.difference.halfWidth)}`;
        diff.title = `Paired difference against ${output.policies[0]} over the same seeds, with its 95 % interval`;
        td.append(diff);
      }
    }
  });
  into.append(table);
  const note = doc.createElement('div');
  note.className = 'run-footer';
  note.textContent = `mean ± 95 % confidence half-width; Δ: paired difference against ${output.policies[0]}; best mean highlighted`;
  into.append(note);
}
