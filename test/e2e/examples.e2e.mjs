// Every example lab, as a person tries them one after another: Quick Open, Run All, read every
// output from the top of the notebook to its end. Data-driven over examples/*.lab.md (opened
// from the workspace, a copy of examples/), so a new example is covered without touching this file.
// Each screenful read is kept as a screenshot (example-<lab>-<n>.png) for a person to look at.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite, suiteSetup, test } from 'mocha';
import { repoRoot } from '../../scripts/code-server.mjs';
import {
  CELL_STATE,
  CHART_HOST,
  CHART_MARKS,
  ERROR_OUTPUT,
  allInFrames,
  env,
  leaveWorkspaceAsFound,
  quickOpen,
  runAll,
  screenshotPath,
  scrollThroughNotebook,
  waitFor,
  workbenchSuite,
} from './workbench.mjs';

const workspace = env('MIGRATION_LAB_E2E_WORKSPACE');
// The repo's list, not the workspace's: other suites add their own labs to the workspace.
const examples = readdirSync(join(repoRoot, 'examples'))
  .filter((name) => name.endsWith('.lab.md'))
  .sort();

/** Chart outputs a lab should show: one per chart cell and one (the whisker chart) per compare cell. */
function expectedCharts(text) {
  return [...text.matchAll(/^(`{3,}|~{3,})[ \t]*(chart|compare)\b/gm)].length;
}

suite('every example lab runs and draws', () => {
  leaveWorkspaceAsFound();
  // Pass or fail, the next example starts alone: a notebook left open (even hidden) would lend
  // it its outputs and cells.
  const workbench = workbenchSuite({ theme: 'Light Modern', closeEditorsAfterEach: true });
  let session;
  let page;
  suiteSetup(() => {
    ({ session, page } = workbench);
  });

  test('there are examples to run', () => {
    assert.ok(examples.includes('intro.lab.md'), `examples found: ${examples.join(', ')}`);
  });

  for (const example of examples) {
    test(`${example}: Run All, no errors, every chart drawn with marks`, async () => {
      const charts = expectedCharts(readFileSync(join(workspace, example), 'utf8'));
      await quickOpen(page, example);
      await page.locator('.notebook-editor .code-cell-row').first().waitFor({ state: 'visible', timeout: 30_000 });
      await waitFor("the lab's tab", async () =>
        (await page.locator('.tabs-container .tab.active').textContent())?.includes(example),
      );
      const started = await runAll(page);

      // Later cells may still be running when the first screenful is done: scrolling down shows
      // each cell's state; none may fail, and none may still run once the end is reached.
      const failedStates = [];
      await scrollThroughNotebook(page, async () => {
        failedStates.push(await page.locator(CELL_STATE('error')).count());
        await waitFor(
          'the shown cells to finish',
          async () => (await page.locator(`${CELL_STATE('executing')}, ${CELL_STATE('pending')}`).count()) === 0,
          120_000,
        );
        const shot = `example-${example.replace(/\.lab\.md$/, '')}-${failedStates.length}.png`;
        await page.screenshot({ path: screenshotPath(shot) });
      });
      console.log(`      ${example}: run all and read to the end in ${Date.now() - started} ms`);
      const errors = await allInFrames(page, ERROR_OUTPUT);
      const texts = await Promise.all(errors.map((error) => error.textContent()));
      assert.deepEqual(texts, [], 'error outputs are shown');
      assert.equal(Math.max(0, ...failedStates), 0, 'a cell shows the failed state');

      const hosts = await allInFrames(page, CHART_HOST);
      assert.equal(hosts.length, charts, `expected ${charts} chart outputs, found ${hosts.length}`);
      const marks = await Promise.all(hosts.map((host) => host.$$eval(CHART_MARKS, (found) => found.length)));
      assert.ok(
        marks.every((count) => count > 0),
        `a chart has no data marks (marks per chart: ${marks.join(', ')})`,
      );
      assert.deepEqual(session.consoleErrors, [], 'the workbench page threw');
    });
  }
});
