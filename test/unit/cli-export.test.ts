// `export`: a standalone HTML report (charts as inline SVG, no scripts) and CSV tables, opened
// in Chromium and screenshotted under test-results/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { cli, REPO, tempDir } from './cli-helpers';

const EXAMPLE = join(REPO, 'examples', 'intro.lab.md');

test('export writes a standalone report and CSV tables for every run', async () => {
  const dir = tempDir('export');
  const html = join(dir, 'report.html');
  const r = cli(['export', EXAMPLE, '--out', html, '--data', join(dir, 'data')]);
  assert.equal(r.code, 0, r.stderr);
  const text = readFileSync(html, 'utf8');
  assert.doesNotMatch(text, /<script/i, 'nothing to run: the report is static');
  assert.doesNotMatch(text, /<(link|img)[^>]+(href|src)="http/i, 'no external resources');
  const svgs = text.match(/<svg/g) ?? [];
  // Chart cells draw one chart each, and so does each comparison (its means with intervals).
  const chartCells = readFileSync(EXAMPLE, 'utf8').match(/^```(chart|compare)/gm) ?? [];
  assert.equal(svgs.length, chartCells.length, 'one inline SVG per chart and compare cell');
  assert.match(text, /<h1>Lab 1: why do processes migrate\?<\/h1>/);
  assert.match(text, /<td>meanResponseS<\/td>|meanResponseS/);

  const csvs = readdirSync(join(dir, 'data')).sort();
  const runs = [...readFileSync(EXAMPLE, 'utf8').matchAll(/^```run\n(?:.*\n)*?name: ([\w-]+)/gm)].map((m) => m[1]);
  assert.ok(runs.includes('pinned'));
  assert.deepEqual(
    csvs,
    runs.flatMap((r) => ['migrations', 'processes', 'series', 'summary'].map((t) => `${r}.${t}.csv`)).sort(),
  );
  const processes = readFileSync(join(dir, 'data', 'pinned.processes.csv'), 'utf8')
    .trimEnd()
    .split('\n');
  assert.match(processes[0], /^pid,group,kind,state,arrivalS,finishS,responseS/);
  assert.ok(processes.length > 10);

  // Open it the way a student or grader would, and look at it.
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--headless'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(pathToFileURL(html).href);
    const sizes = await page.$$eval('figure.chart > svg', (nodes) =>
      nodes.map((n) => n.getBoundingClientRect()).map((b) => [b.width, b.height]),
    );
    assert.equal(sizes.length, chartCells.length);
    for (const [w, h] of sizes) assert.ok(w > 200 && h > 100, `chart drawn at ${w}x${h}`);
    const marks = await page.$$eval('figure.chart svg path, figure.chart svg rect', (nodes) => nodes.length);
    assert.ok(marks > 50, `the charts have marks (${marks})`);
    mkdirSync(join(REPO, 'test-results'), { recursive: true });
    const shot = join(REPO, 'test-results', 'export-report.png');
    await page.locator('figure.chart').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(existsSync(shot));
    await page
      .locator('figure.chart')
      .first()
      .screenshot({ path: join(REPO, 'test-results', 'export-chart.png') });
  } finally {
    await browser.close();
  }
});

test('export on bad input: exit 2 and no report', () => {
  const dir = tempDir('export-bad');
  const r = cli(['export', join(dir, 'missing.lab.md'), '--out', join(dir, 'r.html')]);
  assert.equal(r.code, 2);
  assert.equal(existsSync(join(dir, 'r.html')), false);
  const usage = cli(['export', EXAMPLE]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /usage: migration-lab export/);
});

const SMALL = `# Small
\`\`\`machine
name: duo
sockets: 1
coresPerSocket: 2
\`\`\`
\`\`\`workload
name: jobs
processes:
  - { name: job, count: 4, arrival: 0s, demand: 10ms }
\`\`\`
\`\`\`run
name: a
machine: duo
workload: jobs
policy: pinned
duration: 1s
\`\`\`
\`\`\`check id=done points=2
expect: runs.a.unfinished == 0
\`\`\`
\`\`\`check id=impossible points=1
expect: runs.a.completed > 4
\`\`\`
`;

test('export --out into folders that do not exist yet makes them; a path that cannot be written is a clear error', () => {
  const dir = tempDir('export-out');
  const lab = join(dir, 'small.lab.md');
  writeFileSync(lab, SMALL);
  const nested = join(dir, 'reports', 'week 1', 'small.html');
  const r = cli(['export', lab, '--out', nested]);
  assert.equal(r.code, 1, r.stderr); // a check fails on purpose
  const html = readFileSync(nested, 'utf8');
  assert.match(html, /Score: <strong>2 of 3 points<\/strong>/);

  writeFileSync(join(dir, 'file'), 'in the way');
  const blocked = cli(['export', lab, '--out', join(dir, 'file', 'small.html')]);
  assert.equal(blocked.code, 2);
  assert.equal(
    blocked.stderr.trim(),
    `--out ${join(dir, 'file', 'small.html')}: cannot write the report: a file is in the way of its folder`,
  );
  const folder = cli(['export', lab, '--out', join(dir, 'reports')]);
  assert.equal(folder.code, 2);
  assert.equal(folder.stderr.trim(), `--out ${join(dir, 'reports')}: cannot write the report: it is a folder`);
});

test('export: a chart Vega cannot draw is an error in its cell and exit 1, with the chart cell line; the other charts are drawn', () => {
  const dir = tempDir('export-undrawn');
  const lab = join(dir, 'undrawn.lab.md');
  const good =
    '```chart\nrun: a\ntable: series\nvegaLite:\n  mark: line\n  encoding:\n    x: { field: t, type: quantitative }\n```\n';
  const bad = good.replace('  mark: line\n', '  mark: line\n  transform:\n    - filter: "datum.t >"\n');
  const text = SMALL.slice(0, SMALL.indexOf('```check')) + good + bad;
  writeFileSync(lab, text);
  // Messages name a cell by its opening fence's line, counting from 1.
  const badFenceLine = text.split('\n').lastIndexOf('```chart') + 1;
  const r = cli(['export', lab, '--out', join(dir, 'r.html')]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^chart at line ${badFenceLine} cannot be drawn: \\S`, 'm'));
  assert.doesNotMatch(r.stderr, new RegExp(`chart at line ${badFenceLine - (good.split('\n').length - 1)} `));
  const html = readFileSync(join(dir, 'r.html'), 'utf8');
  assert.match(html, /Cannot draw this chart/);
  assert.equal((html.match(/<svg/g) ?? []).length >= 1, true, 'the good chart is drawn');
});
