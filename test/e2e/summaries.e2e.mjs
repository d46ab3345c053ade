// The run summaries a student reads first, as screenshots: the intro lab's own exercise (its
// batch jobs raised from 6 to 12, as the lab's questions ask) and the real-time lab. Each run's
// summary output is found by its heading ("<run name>: ...") and photographed on its own.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite, suiteSetup, test } from 'mocha';
import { repoRoot } from '../../scripts/code-server.mjs';
import {
  allInFrames,
  env,
  leaveWorkspaceAsFound,
  mouseAway,
  quickOpen,
  runAll,
  screenshotPath,
  waitFor,
  wheelNotebook,
  workbenchSuite,
} from './workbench.mjs';

const workspace = env('MIGRATION_LAB_E2E_WORKSPACE');
const EXERCISE = 'intro-12-batch.lab.md';
/** Page y below the editor tabs, breadcrumbs and notebook toolbar. */
const BELOW_TOOLBAR = 110;

/** Scrolls until the summary output of run `name` is fully in view; returns it and its box. */
export async function showRunSummary(page, name) {
  const { height } = page.viewportSize();
  await page.locator('.notebook-editor .cell-list-container').first().hover();
  let direction = 1;
  return waitFor(
    `the summary of run ${name} to scroll into view`,
    async () => {
      for (const output of await allInFrames(page, '.migration-lab-output')) {
        const heading = await output.$('.run-heading');
        if (!heading || !(await heading.textContent())?.startsWith(`${name}:`)) continue;
        if (!(await output.$('table.run-summary'))) continue;
        const box = await output.boundingBox();
        if (!box || box.height === 0) continue;
        if (box.y >= BELOW_TOOLBAR && box.y + box.height <= height - 10) {
          await mouseAway(page);
          return { output, box };
        }
        await wheelNotebook(page, Math.max(-height / 2, Math.min(height / 2, box.y - BELOW_TOOLBAR)));
        return null;
      }
      // Not drawn (outputs render near the viewport only): sweep down, then back up.
      const before = await page
        .locator('.notebook-editor .monaco-list-rows')
        .first()
        .evaluate((rows) => rows.style.top);
      await wheelNotebook(page, direction * height * 0.6);
      const after = await page
        .locator('.notebook-editor .monaco-list-rows')
        .first()
        .evaluate((rows) => rows.style.top);
      if (before === after) direction = -direction;
      return null;
    },
    60_000,
  );
}

async function photographSummaries(page, lab, runs, prefix) {
  await quickOpen(page, lab);
  await page.locator('.notebook-editor .code-cell-row').first().waitFor({ state: 'visible', timeout: 30_000 });
  await runAll(page);
  for (const run of runs) {
    const { output, box } = await showRunSummary(page, run);
    await mouseAway(page);
    await page.screenshot({ path: screenshotPath(`summary-${prefix}-${run}.png`), clip: box });
    console.log(`      ${run}: ${(await output.textContent())?.replace(/\s+/g, ' ').slice(0, 160)}`);
  }
}

suite('run summaries a student reads first', () => {
  leaveWorkspaceAsFound();
  const workbench = workbenchSuite({
    theme: 'Light Modern',
    closeEditorsAfterEach: true,
    // The intro lab's exercise: its batch jobs raised from 6 to 12, as its questions ask.
    before: () => {
      const intro = readFileSync(join(workspace, 'intro.lab.md'), 'utf8');
      const exercise = intro.replace('name: batch, count: 6,', 'name: batch, count: 12,');
      assert.notEqual(exercise, intro, 'the intro lab no longer has 6 batch jobs to raise to 12');
      writeFileSync(join(workspace, EXERCISE), exercise);
    },
  });
  let page;
  suiteSetup(() => {
    ({ page } = workbench);
  });

  test('the intro exercise (12 batch jobs): summaries of pinned and cfs', async () => {
    await photographSummaries(page, EXERCISE, ['pinned', 'cfs'], 'intro-12-batch');
  });

  test('hovering a metric of a summary shows its definition, the one the docs give', async () => {
    await quickOpen(page, EXERCISE);
    await page.locator('.notebook-editor .code-cell-row').first().waitFor({ state: 'visible', timeout: 30_000 });
    await runAll(page);
    const { output } = await showRunSummary(page, 'cfs');
    const name = await output.$('th[data-metric="makespanS"]');
    assert.ok(name, 'the summary shows makespanS');
    await name.hover();
    const definition = await output.$('.metric-definition');
    const shown = await waitFor('the definition under the table', async () => {
      const text = (await definition.textContent()) ?? '';
      return text.startsWith('makespanS:') && text;
    });
    // docs/lab-format.md's metrics table is the table of definitions (test/unit/lab-docs.test.ts).
    const documented = /^\| `makespanS` \| (.+) \|$/m.exec(
      readFileSync(join(repoRoot, 'docs', 'lab-format.md'), 'utf8'),
    )?.[1];
    assert.equal(shown, `makespanS: ${documented}`);
    assert.equal(await name.getAttribute('title'), documented);
    const box = await output.boundingBox();
    await page.screenshot({ path: screenshotPath('summary-hover-definition.png'), clip: box });
  });

  test('the real-time lab: summaries of its three runs', async () => {
    await photographSummaries(page, 'realtime.lab.md', ['pinned', 'partitioned', 'global'], 'realtime');
  });
});
