// The lab as a web extension, as on vscode.dev: the extension runs in the browser's web-worker
// extension host from its `browser` entry (scripts/test-e2e.mjs starts a code-server whose
// profile puts it there), reads the labs through the workspace file system, runs simulations
// in web workers and policy cells in QuickJS, all inside Chromium. A person runs the intro,
// the assignment and the sweep lab; every run's digest shown equals the command line's for the
// same lab. What the browser cannot do (cap a worker's memory) the cell says, and the tab
// survives.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, suiteSetup, test } from 'mocha';
import { repoRoot } from '../../scripts/code-server.mjs';
import {
  CELL_STATE,
  CHART_HOST,
  CHART_MARKS,
  ERROR_OUTPUT,
  allInFrames,
  closeAllEditors,
  env,
  mouseAway,
  quickOpen,
  runAll,
  runCommand,
  screenshotPath,
  scrollIntoView,
  scrollThroughNotebook,
  waitFor,
  workbenchSuite,
} from './workbench.mjs';

const LABS = ['intro.lab.md', 'assignment.lab.md', 'load-sweep.lab.md'];
const DIGEST = /^[0-9a-f]{64}$/;

/** Each run's digest from `migration-lab run --json` of a copy of the lab (the CLI writes a record next to it). */
function cliDigests(lab) {
  const dir = mkdtempSync(join(tmpdir(), 'ml-web-cli-'));
  copyFileSync(join(repoRoot, 'examples', lab), join(dir, lab));
  const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'run', join(dir, lab), '--json'], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout)
    .runs.map((run) => run.digest)
    .sort();
}

/** Digests of the run summaries shown: each footer reads `digest 1a2b…` with the whole digest as its title. */
async function digestsShown(page) {
  const digests = [];
  for (const frame of page.frames()) {
    for (const footer of await frame
      .locator('.run-footer')
      .all()
      .catch(() => []))
      digests.push((await footer.getAttribute('title').catch(() => null)) ?? '');
  }
  return digests.filter((t) => DIGEST.test(t));
}

suite("the lab as a web extension, in the browser's web-worker extension host", function () {
  this.timeout(400_000);
  const expected = new Map();
  const workbench = workbenchSuite({
    url: env('MIGRATION_LAB_E2E_WEB_URL'),
    theme: 'Light Modern',
    before: () => {
      for (const lab of LABS) expected.set(lab, cliDigests(lab));
    },
  });
  let session;
  let page;
  suiteSetup(() => {
    ({ session, page } = workbench);
  });

  for (const lab of LABS) {
    test(`${lab}: Run All in the browser, no errors, the CLI's digests`, async () => {
      await quickOpen(page, lab);
      await page.locator('.notebook-editor .code-cell-row').first().waitFor({ state: 'visible', timeout: 60_000 });
      const started = await runAll(page, 300_000);
      const failed = [];
      const shown = new Set();
      await scrollThroughNotebook(page, async () => {
        failed.push(await page.locator(CELL_STATE('error')).count());
        await waitFor(
          'the shown cells to finish',
          async () => (await page.locator(`${CELL_STATE('executing')}, ${CELL_STATE('pending')}`).count()) === 0,
          300_000,
        );
        for (const digest of await digestsShown(page)) shown.add(digest);
      });
      console.log(`      ${lab}: run all and read to the end in ${Date.now() - started} ms in the web extension host`);
      const errors = await Promise.all((await allInFrames(page, ERROR_OUTPUT)).map((e) => e.textContent()));
      assert.deepEqual(errors, [], 'error outputs are shown');
      assert.equal(Math.max(0, ...failed), 0, 'a cell shows the failed state');
      assert.deepEqual([...shown].sort(), expected.get(lab), "the digests shown are the command line's");
      const hosts = await allInFrames(page, CHART_HOST);
      const marks = await Promise.all(hosts.map((host) => host.$$eval(CHART_MARKS, (found) => found.length)));
      assert.ok(hosts.length > 0 && marks.every((count) => count > 0), `charts without marks: ${marks.join(', ')}`);
      assert.deepEqual(session.consoleErrors, [], 'the workbench page threw');
      // A picture of the lab at its first chart (the load sweep's, in the sweep lab).
      const title = lab === 'load-sweep.lab.md' ? 'meanResponseS against $rate' : '';
      const chart = async (p) => {
        for (const frame of p.frames()) {
          const found = frame.locator(CHART_HOST, { hasText: title });
          if ((await found.count()) > 0 && (await found.first().locator(CHART_MARKS).count()) > 0) return found.first();
        }
        return null;
      };
      const box = await scrollIntoView(page, chart, `the first chart of ${lab}`);
      await mouseAway(page);
      const name = `web-${lab.replace('.lab.md', '')}`;
      await page.screenshot({ path: screenshotPath(`${name}.png`) });
      await page.screenshot({ path: screenshotPath(`${name}-chart.png`), clip: box });
      await closeAllEditors(page);
    });
  }

  test('a run too large for a browser tab is refused, with the reason in its cell', async () => {
    const lab = 'too-large.lab.md';
    const groups = Array.from(
      { length: 8 },
      (_, i) => `  - { name: g${i}, count: 1000000, arrival: 0s, demand: 1s, workingSet: 8MiB }`,
    ).join('\n');
    writeFileSync(
      join(env('MIGRATION_LAB_E2E_WEB_WORKSPACE'), lab),
      `# Too large\n\n\`\`\`workload\nname: huge\nprocesses:\n${groups}\n\`\`\`\n\n\`\`\`run\nname: big\nmachine: laptop-4\nworkload: huge\npolicy: pinned\nduration: 2s\n\`\`\`\n`,
    );
    await quickOpen(page, lab);
    await page.locator('.notebook-editor .code-cell-row').first().waitFor({ state: 'visible', timeout: 60_000 });
    await runAll(page);
    const message = await waitFor('the refusal in the run cell', async () => {
      for (const error of await allInFrames(page, ERROR_OUTPUT)) {
        const text = (await error.textContent()) ?? '';
        if (/Too large to run in the browser/.test(text)) return text;
      }
      return null;
    });
    assert.match(message, /about 8,000,000 processes.*Run this lab in VS Code on the desktop/s);
    const run = page.locator('.notebook-editor .code-cell-row').filter({ hasText: 'name: big' });
    assert.equal(await run.locator('.codicon-notebook-state-error').count(), 1, 'the run cell shows the failed state');
    await mouseAway(page);
    await page.screenshot({ path: screenshotPath('web-too-large.png') });
    await closeAllEditors(page);
  });

  test('simulations ran in web workers the extension started from a blob URL', async () => {
    const urls = session.workers.map((w) => w.url());
    console.log(`      workers seen: ${urls.map((u) => u.replace(/^(blob:[^/]+\/\/[^/]+\/).*/, '$1…')).join(', ')}`);
    assert.ok(
      urls.some((u) => u.startsWith('blob:')),
      `no blob: worker among ${urls.join(', ')}`,
    );
  });

  test('the extension runs in the web worker extension host', async () => {
    await runCommand(page, 'Developer: Show Running Extensions');
    const row = page.locator('.monaco-list-row', { hasText: 'migration-lab.migration-lab' });
    await row.first().waitFor({ timeout: 30_000 });
    const text = await row.first().textContent();
    assert.match(text, /web worker/i, `the running-extensions row says: ${text}`);
    await page.screenshot({ path: screenshotPath('web-running-extensions.png') });
  });
});
