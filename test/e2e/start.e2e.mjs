// `npm start` as a newcomer runs it: the start script (in its browser mode, as on these machines)
// serves VS Code with the extension, and the page shows the intro lab with Migration Lab's
// walkthrough beside it, not VS Code's generic welcome page.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, suiteSetup, suiteTeardown, teardown, test } from 'mocha';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath, freePort, repoRoot } from '../../scripts/code-server.mjs';
import { screenshotIfFailed, screenshotPath, waitFor } from './workbench.mjs';

suite('npm start', () => {
  let start;
  let home;
  let browser;
  let page;
  let output = '';

  suiteSetup(async () => {
    home = mkdtempSync(join(tmpdir(), 'migration-lab-start-'));
    const port = await freePort(8080);
    // The script `npm start` runs (its build is the suite's own).
    start = spawn(
      process.execPath,
      [join(repoRoot, 'scripts', 'start.mjs'), '--no-build', '--browser', '--port', String(port)],
      {
        cwd: repoRoot,
        env: { ...process.env, MIGRATION_LAB_START_HOME: home },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    start.stdout.on('data', (chunk) => (output += chunk));
    start.stderr.on('data', (chunk) => (output += chunk));
    const url = await waitFor(
      'the start script to print its URL',
      () => /^\s+(http:\/\/127\.0\.0\.1:\d+\/\S+)$/m.exec(output)?.[1],
      120_000,
    );
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(url);
  });

  teardown(async function () {
    await screenshotIfFailed(this.currentTest, page);
  });

  suiteTeardown(async () => {
    await browser?.close();
    if (start && start.exitCode === null) {
      const exited = new Promise((resolve) => start.once('exit', resolve));
      start.kill('SIGTERM');
      await exited;
    }
    if (home) rmSync(home, { recursive: true, force: true });
  });

  test("opens the intro lab and Migration Lab's walkthrough beside it", async () => {
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await waitFor(
      "the intro lab's tab",
      async () => (await page.locator('.tabs-container .tab', { hasText: 'intro.lab.md' }).count()) > 0,
      60_000,
    );
    await page.locator('.notebook-editor .code-cell-row').first().waitFor({ state: 'visible', timeout: 30_000 });
    await page.getByText('Get started with Migration Lab').first().waitFor({ state: 'visible', timeout: 30_000 });
    const tabs = await page.locator('.tabs-container .tab').allTextContents();
    assert.deepEqual(
      tabs.map((t) => t.trim()),
      ['intro.lab.md', 'Walkthrough: Migration Lab'],
      "the editors open (VS Code's own Welcome page would be one)",
    );
    await page.screenshot({ path: screenshotPath('npm-start.png') });
  });
});
