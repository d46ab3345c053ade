// A lab as one standalone HTML file: its text, each cell's source, summary and comparison
// tables, check results, and every chart as inline SVG drawn headless by Vega (./chartSvg.ts;
// no canvas, no scripts in the page), so it opens anywhere and can be handed in or handed out.
import MarkdownIt from 'markdown-it';
import type { LabCell } from './markdown';

export type ReportItem =
  | { kind: 'markdown'; text: string }
  | { kind: 'svg'; svg: string; title: string }
  | { kind: 'error'; text: string }
  | { kind: 'check'; name: string; passed: boolean; score: number; points: number; message: string };

export interface ReportInput {
  title: string;
  /** Version and provenance line under the title. */
  subtitle: string;
  /** Points earned of the total, when the lab has checks. */
  score?: { earned: number; total: number };
  cells: readonly LabCell[];
  /** What each cell produced, by cell index. */
  outputs: ReadonlyMap<number, readonly ReportItem[]>;
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

// html: false: lab text is rendered as Markdown only, raw HTML in it is shown as text.
const markdown = new MarkdownIt('commonmark', { html: false }).enable('table');

function itemHtml(item: ReportItem): string {
  switch (item.kind) {
    case 'markdown':
      return `<div class="output">${markdown.render(item.text)}</div>`;
    case 'svg':
      return `<figure class="chart" aria-label="${escapeHtml(item.title)}">${item.svg}</figure>`;
    case 'error':
      return `<div class="output error">${escapeHtml(item.text)}</div>`;
    case 'check':
      return `<div class="output check ${item.passed ? 'pass' : 'fail'}"><strong>${item.passed ? 'PASS' : 'FAIL'}</strong> ${escapeHtml(item.name)} (${item.score}/${item.points}): ${escapeHtml(item.message)}</div>`;
  }
}

function cellHtml(cell: LabCell, items: readonly ReportItem[]): string {
  if (cell.kind === 'markdown') return `<section class="text">${markdown.render(cell.value)}</section>`;
  const attributes = Object.entries(cell.attributes)
    .map(([k, v]) => (v === true ? k : `${k}=${v}`))
    .join(' ');
  return [
    `<section class="cell ${cell.kind}">`,
    `<div class="kind">${escapeHtml([cell.kind, attributes].filter(Boolean).join(' '))}</div>`,
    `<pre><code>${escapeHtml(cell.value)}</code></pre>`,
    ...items.map(itemHtml),
    '</section>',
  ].join('\n');
}

const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; max-width: 980px; margin: 2rem auto; padding: 0 1rem; color: #1f2328; background: #fff; }
header p { color: #59636e; margin-top: 0; }
section.cell { border: 1px solid #d1d9e0; border-radius: 6px; margin: 1rem 0; overflow: hidden; }
.kind { font: 12px ui-monospace, monospace; background: #f6f8fa; padding: 0.25rem 0.75rem; border-bottom: 1px solid #d1d9e0; color: #59636e; }
pre { margin: 0; padding: 0.75rem; background: #f6f8fa; overflow-x: auto; font-size: 13px; }
.output { padding: 0.5rem 0.75rem; border-top: 1px solid #d1d9e0; overflow-x: auto; }
.output table { border-collapse: collapse; font-size: 13px; }
.output th, .output td { border: 1px solid #d1d9e0; padding: 0.15rem 0.5rem; text-align: left; }
.chart { margin: 0; padding: 0.75rem; border-top: 1px solid #d1d9e0; overflow-x: auto; }
.error, .fail { color: #b3261e; }
.pass { color: #1a7f37; }
`;

export function reportHtml(input: ReportInput): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(input.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<header><p>${escapeHtml(input.subtitle)}</p>${input.score ? `<p class="score">Score: <strong>${input.score.earned} of ${input.score.total} ${input.score.total === 1 ? 'point' : 'points'}</strong></p>` : ''}</header>`,
    ...input.cells.map((cell, i) => cellHtml(cell, input.outputs.get(i) ?? [])),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
