// A lab as one standalone HTML file: its text, each cell's source, summary and comparison
// tables, check results, and every chart as inline SVG (drawn headless by Vega in a worker:
// src/lab/charts/draw.ts), so it opens anywhere and can be handed in or handed out. A report of
// a stranger's lab is safe to open: no scripts, no raw HTML, images only from the lab's own
// folder and inlined, and a content security policy that lets the page fetch nothing at all.
import MarkdownIt from 'markdown-it';
import type { LabCell } from '../document/markdown';

export type ReportItem =
  | { kind: 'markdown'; text: string }
  | { kind: 'svg'; svg: string; title: string }
  | { kind: 'error'; text: string }
  | { kind: 'log'; text: string }
  | { kind: 'check'; name: string; passed: boolean; score: number; points: number; message: string };

/** A Markdown image's source -> the image as a data: URI, or undefined when it may not be shown. */
export type ImageSource = (src: string) => string | undefined;

export interface ReportInput {
  title: string;
  /** Version and provenance line under the title. */
  subtitle: string;
  /** Points earned of the total, when the lab has checks. */
  score?: { earned: number; total: number };
  cells: readonly LabCell[];
  /** What each cell produced, by cell index. */
  outputs: ReadonlyMap<number, readonly ReportItem[]>;
  /** Where Markdown images come from (the CLI: files in the lab's own folder); none when absent. */
  image?: ImageSource;
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

// html: false: lab text is rendered as Markdown only, raw HTML in it is shown as text.
const markdown = new MarkdownIt('commonmark', { html: false }).enable('table');
// Images: inlined from the report's image source, or a note in their place; never a URL the page would fetch.
markdown.renderer.rules.image = (tokens, index, _options, env: { image?: ImageSource }) => {
  const token = tokens[index];
  const src = token.attrGet('src') ?? '';
  const alt = token.children ? token.children.map((t) => t.content).join('') : token.content;
  const data = env.image?.(src);
  if (data !== undefined) return `<img src="${escapeHtml(data)}" alt="${escapeHtml(alt)}">`;
  return `<span class="missing-image">[image not included: ${escapeHtml(alt || src)}; a report shows only images from the lab's own folder]</span>`;
};

const renderMarkdown = (text: string, image: ImageSource | undefined) => markdown.render(text, { image });

function itemHtml(item: ReportItem, image: ImageSource | undefined): string {
  switch (item.kind) {
    case 'markdown':
      return `<div class="output">${renderMarkdown(item.text, image)}</div>`;
    case 'log':
      return `<pre class="output log">${escapeHtml(item.text)}</pre>`;
    case 'svg':
      return `<figure class="chart" aria-label="${escapeHtml(item.title)}">${item.svg}</figure>`;
    case 'error':
      return `<div class="output error">${escapeHtml(item.text)}</div>`;
    case 'check':
      return `<div class="output check ${item.passed ? 'pass' : 'fail'}"><strong>${item.passed ? 'PASS' : 'FAIL'}</strong> ${escapeHtml(item.name)} (${item.score}/${item.points}): ${escapeHtml(item.message)}</div>`;
  }
}

function cellHtml(cell: LabCell, items: readonly ReportItem[], image: ImageSource | undefined): string {
  if (cell.kind === 'markdown') return `<section class="text">${renderMarkdown(cell.value, image)}</section>`;
  const attributes = Object.entries(cell.attributes)
    .map(([k, v]) => (v === true ? k : `${k}=${v}`))
    .join(' ');
  return [
    `<section class="cell ${cell.kind}">`,
    `<div class="kind">${escapeHtml([cell.kind, attributes].filter(Boolean).join(' '))}</div>`,
    `<pre><code>${escapeHtml(cell.value)}</code></pre>`,
    ...items.map((item) => itemHtml(item, image)),
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
.log { margin: 0; white-space: pre-wrap; }
.missing-image { color: #59636e; font-style: italic; }
img { max-width: 100%; }
.pass { color: #1a7f37; }
`;

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'";

export function reportHtml(input: ReportInput): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    // Nothing in the page may fetch anything: charts are inline SVG, images inline data.
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    `<title>${escapeHtml(input.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<header><p>${escapeHtml(input.subtitle)}</p>${input.score ? `<p class="score">Score: <strong>${input.score.earned} of ${input.score.total} ${input.score.total === 1 ? 'point' : 'points'}</strong></p>` : ''}</header>`,
    ...input.cells.map((cell, i) => cellHtml(cell, input.outputs.get(i) ?? [], input.image)),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
