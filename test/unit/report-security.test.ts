// A stranger's lab exported and opened: charts cannot read files or reach the network (refused
// at the cell's exact position, and by the loader when drawing), rows and marks are bounded, and
// the report of a lab full of tricks, opened in Chromium with every request intercepted, holds
// no file content and sends nothing anywhere.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { drawChartSvg } from '../../src/lab/charts/draw';
import { cli, REPO, tempDir } from './cli-helpers';

const SECRET = 'TOP-SECRET-7f3a9c';
/** A 1x1 PNG. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2216bc40000000049454e44ae426082',
  'hex',
);

let server: Server;
let port = 0;
const hits: string[] = [];

before(async () => {
  // Anything that reaches the network lands here.
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.end('{"values": []}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
after(() => server.close());

const WORKLOAD = '```workload\nname: w\nprocesses:\n  - { name: a, count: 4, demand: 2ms }\n```\n';
const RUN = '```run\nname: r\nmachine: laptop-4\nworkload: w\npolicy: least-loaded\nduration: 50ms\n```\n';

test('chart specs that load, generate or re-embed are refused at their line and column; nothing is written', () => {
  const dir = tempDir('unsafe-chart');
  writeFileSync(join(dir, 'secret.txt'), SECRET);
  const lab = join(dir, 'charts.lab.md');
  const chart = (body: string) => `\`\`\`chart\nrun: r\ntable: migrations\nvegaLite:\n${body}\n\`\`\`\n`;
  writeFileSync(
    lab,
    [
      WORKLOAD,
      RUN,
      chart(`  mark: point\n  layer:\n    - data: { url: secret.txt }\n      mark: text`),
      chart(
        `  mark: point\n  transform:\n    - { lookup: x, from: { data: { url: "http://127.0.0.1:${port}/data" }, key: x } }`,
      ),
      chart(`  mark: image\n  encoding:\n    url: { value: "http://127.0.0.1:${port}/img" }`),
      chart(`  mark: point\n  encoding:\n    href: { value: "javascript:alert(1)" }`),
      chart(`  mark: point\n  usermeta:\n    embedOptions: { loader: { baseURL: "file:///" } }`),
      chart(`  mark: point\n  transform:\n    - { calculate: "sequence(0, 100000000)", as: many }`),
      chart(`  mark: tick\n  encoding:\n    x: { field: timeS, type: quantitative, axis: { tickCount: 100000000 } }`),
    ].join('\n'),
  );
  const out = join(dir, 'report.html');
  const r = cli(['export', lab, '--out', out]);
  assert.equal(r.code, 2, r.stdout);
  const lines = r.stderr.trimEnd().split('\n');
  const text = readFileSync(lab, 'utf8');
  /** The problem must be reported where `needle` (its nth occurrence) starts in the file. */
  const at = (needle: string, what: RegExp, nth = 1) => {
    let offset = -1;
    for (let k = 0; k < nth; k++) offset = text.indexOf(needle, offset + 1);
    assert.ok(offset >= 0, needle);
    const before = text.slice(0, offset).split('\n');
    const where = `${lab}:${before.length}:${before[before.length - 1]!.length + 1}: `;
    assert.ok(
      lines.some((l) => l.startsWith(where) && what.test(l)),
      `${where}${what}\n${r.stderr}`,
    );
  };
  at('data: { url: secret', /a chart draws the run table it names .* it cannot bring data of its own/);
  at('data: { url: "http', /a chart draws the run table it names/);
  at('image\n  encoding', /image marks load pictures from URLs/);
  at('url: { value', /a chart cannot load files or URLs/);
  at('"javascript:alert(1)"', /a link may only go to http:, https:, mailto: or # addresses/);
  at('usermeta', /`usermeta` is not allowed: it could change how the chart is embedded/);
  at('"sequence(0, 100000000)"', /sequence\(\), pad\(\), span\(\) and repeat\(\) are not allowed/);
  at('100000000 }', /tickCount: at most 10,000/);
  assert.equal(lines.length, 8, r.stderr);
  assert.equal(r.stdout, '');
  assert.throws(() => readFileSync(out));
  assert.deepEqual(hits, []);
});

test('drawing, even of a spec that was never validated: the loader refuses files and the network, links keep safe schemes only', async () => {
  const dir = tempDir('draw');
  const secret = join(dir, 'secret.json');
  writeFileSync(secret, JSON.stringify([{ x: SECRET }]));
  const spec = {
    layer: [
      { data: { url: pathToFileURL(secret).href }, mark: 'text', encoding: { text: { field: 'x' } } },
      { data: { url: secret }, mark: 'text', encoding: { text: { field: 'x' } } },
      { data: { url: `http://127.0.0.1:${port}/data.json` }, mark: 'point' },
      {
        data: {
          values: [{ u: `http://127.0.0.1:${port}/img.png`, h: 'javascript:alert(1)', s: 'https://example.org/ok' }],
        },
        mark: 'image',
        encoding: { url: { field: 'u' } },
      },
      { data: { values: [{ h: 'javascript:alert(1)' }] }, mark: 'point', encoding: { href: { field: 'h' } } },
      { data: { values: [{ s: 'https://example.org/ok' }] }, mark: 'point', encoding: { href: { field: 's' } } },
    ],
    usermeta: { embedOptions: { loader: { baseURL: 'file:///' } } },
  };
  const svg = await drawChartSvg(spec as never);
  assert.doesNotMatch(svg, new RegExp(SECRET));
  // Data values may show as text (labels); as link or image targets, only safe ones remain.
  assert.doesNotMatch(svg, /href="javascript:/);
  assert.doesNotMatch(svg, /href="[^"]*127\.0\.0\.1/);
  assert.match(svg, /<a rel="noopener noreferrer" xlink:href="https:\/\/example\.org\/ok">/);
  assert.deepEqual(hits, [], 'nothing was fetched');
  // Too many rows or marks: a clear error, not a runaway.
  await assert.rejects(
    drawChartSvg({ data: { sequence: { start: 0, stop: 300_000 } }, mark: 'point' } as never),
    /has 300,000 rows, more than the 200,000 a chart may draw/,
  );
  await assert.rejects(
    drawChartSvg({
      data: { sequence: { start: 0, stop: 150_000 } },
      mark: 'point',
      encoding: { x: { field: 'data', type: 'quantitative' } },
    } as never),
    /has 15\d,\d{3} marks, more than the 100,000 a chart may draw/,
  );
});

test('the report of a lab full of tricks, opened in Chromium: no file content, and not one request leaves', async () => {
  const dir = tempDir('hostile');
  const labDir = join(dir, 'lab');
  mkdirSync(labDir);
  writeFileSync(join(dir, 'secret.png'), SECRET);
  writeFileSync(join(labDir, 'fake.png'), SECRET);
  writeFileSync(join(labDir, 'real.png'), PNG);
  symlinkSync(join(dir, 'secret.png'), join(labDir, 'link.png'));
  const lab = join(labDir, 'hostile.lab.md');
  writeFileSync(
    lab,
    [
      '# A lab from a stranger <script>alert(1)</script>\n',
      `![passwd](file:///etc/passwd) ![abs](${join(dir, 'secret.png')}) ![up](../secret.png) ![link](link.png) ![fake](fake.png)`,
      `![web](http://127.0.0.1:${port}/md.png) ![proto](//127.0.0.1:${port}/proto.png) ![ok](real.png)\n`,
      `<img src="http://127.0.0.1:${port}/raw.png"> <iframe src="http://127.0.0.1:${port}/frame"></iframe> [click](javascript:alert(1))\n`,
      WORKLOAD,
      '```policy name=loud lang=js\ndefinePolicy({ place(view, p) { console.log("</pre><script>alert(1)</script>", "<img src=http://127.0.0.1:' +
        port +
        '/log.png>"); return p % view.cpuCount; } });\n```\n',
      RUN.replace('least-loaded', 'loud'),
      '```chart\nrun: r\ntable: processes\nvegaLite:\n  mark: point\n  title: "<img src=x onerror=alert(1)>"\n  encoding:\n    x: { field: arrivalS, type: quantitative }\n    href: { value: "https://example.org/only-if-clicked" }\n```\n',
      '```chart\nshow: load\nruns: [r]\n```\n',
    ].join('\n'),
  );
  const html = join(dir, 'report.html');
  const r = cli(['export', lab, '--out', html]);
  assert.equal(r.code, 0, r.stderr);
  const text = readFileSync(html, 'utf8');
  assert.doesNotMatch(text, new RegExp(SECRET), 'no file content');
  // Everything the lab wrote is text: no element it could make active.
  assert.doesNotMatch(text, /<(script|iframe|object|embed)\b|href="javascript:|<img[^>]+src="(?!data:)/i);
  assert.match(text, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:/);
  assert.equal(
    (text.match(/data:image\/png;base64,/g) ?? []).length,
    1,
    'only the real image in the lab folder is inlined',
  );
  // file: links are not even read as images by markdown-it (shown as text); the 6 others get a note.
  assert.equal((text.match(/\[image not included/g) ?? []).length, 6);
  assert.match(text, /policy loud printed:/);
  assert.deepEqual(hits, [], 'the export fetched nothing');

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--headless'],
  });
  const requests: string[] = [];
  try {
    const context = await browser.newContext();
    await context.route('**/*', (route) => {
      requests.push(route.request().url());
      return route.request().url() === pathToFileURL(html).href ? route.continue() : route.abort();
    });
    const page = await context.newPage();
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(html).href);
    await page.waitForLoadState('networkidle');
    const drawn = await page.$$eval('figure.chart > svg', (nodes) => nodes.length);
    assert.equal(drawn, 2);
    assert.ok(
      await page.$eval('img[alt="ok"]', (img) => (img as HTMLImageElement).naturalWidth === 1),
      'the inlined image shows',
    );
    assert.equal(await page.evaluate(() => document.body.innerText.includes('TOP-SECRET')), false);
    // In the page as the browser built it: nothing that runs or loads.
    const active = await page.evaluate(
      () =>
        [...document.querySelectorAll('*')].filter(
          (e) => /^(SCRIPT|IFRAME|OBJECT|EMBED)$/.test(e.tagName) || [...e.attributes].some((a) => /^on/i.test(a.name)),
        ).length,
    );
    assert.equal(active, 0);
    mkdirSync(join(REPO, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(REPO, 'test-results', 'export-hostile.png'), fullPage: true });
  } finally {
    await browser.close();
  }
  assert.deepEqual([...new Set(requests)], [pathToFileURL(html).href], 'the only request is the report itself');
  assert.deepEqual(hits, []);
});
