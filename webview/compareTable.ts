// The table of a compare cell: policies down, metrics across, each metric in its own unit (in
// its header) and precision; each entry is the mean ± the half-width of its 95 % interval, with
// the paired difference against the first policy below, on the same scale. The best mean of
// each metric is highlighted. Hovering a metric's header explains it.
import { formatDifference, formatInterval, scaleFor, unitLabel } from '../src/lab/outputs/format';
import { metricExplanation } from '../src/lab/outputs/metrics';
import type { CompareOutput } from '../src/lab/outputs/contract';
import { compareSetting } from '../src/lab/outputs/summaryText';

export function renderCompareTable(output: CompareOutput, into: HTMLElement): void {
  const doc = into.ownerDocument;
  const heading = doc.createElement('div');
  heading.className = 'run-heading';
  heading.textContent = `${compareSetting(output)} (the same seeds for every policy)`;
  into.append(heading);

  const scales = output.metrics.map((metric) =>
    scaleFor(
      metric,
      output.cells.filter((c) => c.metric === metric).map((c) => c.interval.mean),
    ),
  );
  const table = doc.createElement('table');
  table.className = 'compare';
  const head = table.createTHead().insertRow();
  head.append(Object.assign(doc.createElement('th'), { textContent: 'policy' }));
  output.metrics.forEach((metric, i) => {
    const th = Object.assign(doc.createElement('th'), { textContent: metric, title: metricExplanation(metric) ?? '' });
    const unit = unitLabel(scales[i]);
    if (unit) th.append(Object.assign(doc.createElement('div'), { className: 'unit', textContent: unit }));
    head.append(th);
  });

  const body = table.createTBody();
  output.policies.forEach((policy, index) => {
    const row = body.insertRow();
    row.append(Object.assign(doc.createElement('th'), { textContent: policy }));
    output.metrics.forEach((metric, i) => {
      const cell = output.cells.find((c) => c.policy === policy && c.metric === metric);
      const td = row.insertCell();
      if (!cell) return;
      const plain = { ...scales[i], symbol: '' };
      td.textContent = formatInterval(metric, cell.interval.mean, cell.interval.halfWidth, plain);
      if (cell.best) td.className = 'best';
      if (cell.difference && index > 0) {
        const diff = doc.createElement('div');
        diff.className = 'difference';
        diff.textContent = `Δ ${formatDifference(cell.difference, plain)}`;
        diff.title = `Paired difference against ${output.policies[0]} over the same seeds, with its 95 % interval`;
        td.append(diff);
      }
    });
  });
  into.append(table);
  const note = doc.createElement('div');
  note.className = 'run-footer';
  note.textContent = `mean ± 95 % confidence half-width, in the unit under each metric; Δ: paired difference against ${output.policies[0]}; best mean highlighted`;
  into.append(note);
}
