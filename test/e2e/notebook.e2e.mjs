// A new lab written in the notebook as a person would, never opening the text editor: New Lab,
// save it, insert a policy cell (its kind picked, its name set through the cell's status bar),
// compare it with built-in policies, export the lab to HTML from the command palette, close it
// and reopen it to find the outputs restored from the results record. Each test builds on the
// one before (one browser session, like a person's).
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { suite, suiteSetup, test } from 'mocha';
import {
  CELL_STATE,
  CHART_MARKS,
  ERROR_OUTPUT,
  allInFrames,
  closeAllEditors,
  env,
  leaveWorkspaceAsFound,
  mouseAway,
  pickQuickItem,
  quickOpen,
  runAll,
  runCommand,
  screenshotPath,
  waitFor,
  wheelNotebook,
  workbenchSuite,
} from './workbench.mjs';

const workspace = env('MIGRATION_LAB_E2E_WORKSPACE');
const LAB = 'lab-1.lab.md';
const POLICY = 'spread';
/** A comparison's table output (its chart is a .migration-lab-output too). */
const COMPARE_OUTPUT = '.migration-lab-output:has(table.compare)';
/** Page y below the editor tabs, breadcrumbs and notebook toolbar. */
const BELOW_TOOLBAR = 110;

/** The notebook row (a cell) whose editor shows a line with exactly this text. */
const cellRow = (page, line) => page.locator('.notebook-editor .code-cell-row').filter({ has: lineIn(page, line) });

/** An editor line showing exactly this text (the editor draws spaces as no-break spaces). */
const lineIn = (scope, line) =>
  scope.locator('.view-line', {
    hasText: new RegExp(`^\\s*${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+')}\\s*$`),
  });

/** The text of a cell's status bar. */
const statusOf = async (row) =>
  ((await row.locator('.cell-statusbar-container').first().textContent()) ?? '').replace(/\s+/g, ' ');

/**
 * Clicks a cell's status bar item and waits for the quick input it opens. The notebook redraws
 * status bar items after every edit, and a click on one being replaced is lost: then, as a
 * person would, click again.
 */
async function clickStatusItem(page, row, text) {
  await waitFor(
    `the status bar item "${text}" to open its picker`,
    async () => {
      await row.locator('.cell-status-item', { hasText: text }).click();
      return page
        .locator('.quick-input-widget')
        .waitFor({ state: 'visible', timeout: 2_000 })
        .then(
          () => true,
          () => false,
        );
    },
    20_000,
  );
}

/** Scrolls until `find()` gives an element fully in view below the toolbar; returns it and its box. */
async function showInView(page, find, what) {
  const { height } = page.viewportSize();
  await page.locator('.notebook-editor .cell-list-container').first().hover();
  let direction = 1;
  return waitFor(
    `${what} to scroll into view`,
    async () => {
      const element = await find();
      const box = element ? await element.boundingBox().catch(() => null) : null;
      if (box && box.height > 0) {
        if (box.y >= BELOW_TOOLBAR && box.y + box.height <= height - 10) {
          await mouseAway(page);
          return { element, box };
        }
        await wheelNotebook(page, Math.max(-height / 2, Math.min(height / 2, box.y - BELOW_TOOLBAR)));
        return null;
      }
      // Not rendered (cells and outputs are drawn near the viewport only): sweep down, then up.
      const rows = page.locator('.notebook-editor .monaco-list-rows').first();
      const before = await rows.evaluate((r) => r.style.top);
      await wheelNotebook(page, direction * height * 0.6);
      if ((await rows.evaluate((r) => r.style.top)) === before) direction = -direction;
      return null;
    },
    60_000,
  );
}

/** The first output element in any frame matching `selector` whose text matches `text`, or null. */
async function outputWith(page, selector, text) {
  for (const element of await allInFrames(page, selector)) {
    if (text.test((await element.textContent()) ?? '')) return element;
  }
  return null;
}

/** Inserts a code cell below the cell showing `afterLine` with the "+ Code" button under it, and picks its kind. */
async function insertCell(page, afterLine, kind) {
  const row = cellRow(page, afterLine).first();
  await showInView(
    page,
    async () => ((await cellRow(page, afterLine).count()) ? row : null),
    `the cell with "${afterLine}"`,
  );
  // The buttons between cells show when the mouse is over the cell.
  await row.hover();
  await row.locator('.cell-bottom-toolbar-container .action-label[aria-label^="Add Code Cell"]').click();
  const pick = page.locator('.quick-input-widget');
  await waitFor(
    'the question what kind of cell it is',
    async () => (await pick.isVisible()) && (await pick.textContent())?.includes('New lab cell'),
  );
  await pickQuickItem(page, kind);
}

suite('a new lab written in the notebook', () => {
  leaveWorkspaceAsFound();
  const workbench = workbenchSuite({ theme: 'Light Modern' });
  let session;
  let page;
  suiteSetup(() => {
    ({ session, page } = workbench);
  });

  test('New Lab opens an untitled lab-1.lab.md, which saves as a lab', async () => {
    await runCommand(page, 'Migration Lab: New Lab');
    await page.locator('.notebook-editor .code-cell-row').first().waitFor({ state: 'visible', timeout: 30_000 });
    await waitFor("the new lab's tab", async () =>
      (await page.locator('.tabs-container .tab.active').textContent())?.includes(LAB),
    );
    await page.keyboard.press('Control+S');
    const input = page.locator('.quick-input-widget input');
    await waitFor(
      'the Save As dialog to propose lab-1.lab.md',
      async () => (await input.isVisible()) && (await input.inputValue()).endsWith(`/${LAB}`),
    );
    await page.screenshot({ path: screenshotPath('new-lab-save-as.png') });
    await page.keyboard.press('Enter');
    await waitFor(
      'the lab on disk',
      () =>
        existsSync(join(workspace, LAB)) && /^```run\nname: pinned$/m.test(readFileSync(join(workspace, LAB), 'utf8')),
    );
    await waitFor(
      'the tab to show it saved',
      async () => !(await page.locator('.tabs-container .tab.active').getAttribute('class'))?.includes('dirty'),
    );
  });

  test('a policy cell: inserted from the toolbar, its kind picked, its name set through the status bar', async () => {
    await insertCell(page, 'runs: [pinned, balanced]', 'policy');
    const policy = cellRow(page, 'export default definePolicy({');
    await policy.first().waitFor({ state: 'visible', timeout: 10_000 });
    // A new policy has a name no other policy has, shown (and changed) in its status bar.
    await waitFor("the policy's name in its status bar", async () =>
      (await statusOf(policy.first())).includes('name my-policy'),
    );
    await clickStatusItem(page, policy.first(), 'name my-policy');
    // The attribute picked, an input box for its value takes the picker's place.
    const input = page.locator('.quick-input-widget input');
    await input.fill('name');
    await page
      .locator('.quick-input-list .monaco-list-row')
      .filter({ has: page.getByText('name', { exact: true }) })
      .first()
      .click();
    await waitFor(
      'the name box',
      async () =>
        (await page.locator('.quick-input-widget').textContent())?.includes('policy cell: name') &&
        (await input.inputValue()) === 'my-policy',
    );
    await input.fill('two words');
    await waitFor('the name refused', async () =>
      /must be a name/.test((await page.locator('.quick-input-widget').textContent()) ?? ''),
    );
    await input.fill(POLICY);
    await page.keyboard.press('Enter');
    await waitFor('the new name in the status bar', async () =>
      (await statusOf(policy.first())).includes(`name ${POLICY}`),
    );
    const { box } = await showInView(page, async () => policy.first(), 'the policy cell');
    await page.screenshot({
      path: screenshotPath('new-policy-cell.png'),
      clip: { x: box.x - 40, y: box.y - 10, width: box.width + 50, height: box.height + 20 },
    });
  });

  test("a compare cell of the new policy against built-in ones runs; the lab saves with the policy's name on its fence", async () => {
    await insertCell(page, '});', 'compare');
    const compare = cellRow(page, `policies: [pinned, least-loaded, ${POLICY}]`);
    await compare.first().waitFor({ state: 'visible', timeout: 10_000 });
    await runAll(page, 240_000);
    const table = await waitFor(
      'the comparison table',
      () => outputWith(page, COMPARE_OUTPUT, new RegExp(POLICY)),
      120_000,
    );
    const rows = await table.$$eval('table.compare tbody th', (cells) => cells.map((c) => c.textContent));
    assert.deepEqual(rows, ['pinned', 'least-loaded', POLICY]);
    const { box } = await showInView(
      page,
      () => outputWith(page, COMPARE_OUTPUT, new RegExp(POLICY)),
      'the comparison table',
    );
    await page.screenshot({ path: screenshotPath('compare-new-policy.png'), clip: box });
    assert.deepEqual(
      await Promise.all((await allInFrames(page, ERROR_OUTPUT)).map((e) => e.textContent())),
      [],
      'error outputs are shown',
    );
    assert.equal(await page.locator(CELL_STATE('error')).count(), 0, 'a cell shows the failed state');

    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+S');
    await waitFor('the lab saved', () =>
      readFileSync(join(workspace, LAB), 'utf8').includes(`\`\`\`policy name=${POLICY}\n`),
    );
    const text = readFileSync(join(workspace, LAB), 'utf8');
    assert.match(text, new RegExp(`^\`\`\`compare\\n[\\s\\S]*policies: \\[pinned, least-loaded, ${POLICY}\\]`, 'm'));
  });

  test('Export Lab to HTML from the command palette writes the report the command line writes', async () => {
    await runCommand(page, 'Migration Lab: Export Lab to HTML');
    const input = page.locator('.quick-input-widget input');
    await waitFor(
      'the Save As dialog to propose lab-1.html',
      async () => (await input.isVisible()) && (await input.inputValue()).endsWith('/lab-1.html'),
    );
    await page.keyboard.press('Enter');
    const report = join(workspace, 'lab-1.html');
    await waitFor('the report on disk', () => existsSync(report), 240_000);
    await waitFor(
      'the notification saying where it went',
      async () => (await page.locator('.notifications-toasts').textContent())?.includes('Report written to lab-1.html'),
      30_000,
    );
    const html = readFileSync(report, 'utf8');
    const charts = (readFileSync(join(workspace, LAB), 'utf8').match(/^```(chart|compare)/gm) ?? []).length;
    assert.equal((html.match(/<svg/g) ?? []).length, charts, 'one chart per chart and compare cell');
    assert.match(html, new RegExp(`<td>${POLICY}</td>`), 'the comparison table has a row of the new policy');
    assert.doesNotMatch(html, /<script/i);

    const viewer = await session.browser.newPage({ viewport: { width: 1100, height: 900 } });
    try {
      await viewer.goto(pathToFileURL(report).href);
      await viewer.locator('figure.chart svg').first().waitFor();
      await viewer.screenshot({ path: screenshotPath('exported-report.png'), fullPage: true });
    } finally {
      await viewer.close();
    }
  });

  test('closed and reopened, the lab shows its outputs again from the results record', async () => {
    const record = join(workspace, 'lab-1.lab.results.json');
    assert.ok(existsSync(record), 'running the cells recorded them beside the lab');
    await closeAllEditors(page);
    await quickOpen(page, LAB);
    await page.locator('.notebook-editor .code-cell-row').first().waitFor({ state: 'visible', timeout: 30_000 });
    const summary = await waitFor(
      'a run summary shown without running anything',
      () => outputWith(page, '.migration-lab-output', /^pinned: /),
      60_000,
    );
    assert.ok(await summary.$('table.run-summary'));
    const pinned = cellRow(page, 'name: pinned');
    await showInView(page, async () => ((await pinned.count()) ? pinned.first() : null), 'the pinned run');
    await waitFor('the restored marker', async () =>
      (await statusOf(pinned.first())).includes('restored from the results record'),
    );
    const { box } = await showInView(
      page,
      () => outputWith(page, COMPARE_OUTPUT, new RegExp(POLICY)),
      'the restored comparison table',
    );
    await page.screenshot({ path: screenshotPath('restored-compare.png'), clip: box });
    // The chart of the recorded runs is drawn again.
    await waitFor('the chart redrawn', async () => (await allInFrames(page, CHART_MARKS)).length > 0, 60_000);
    await mouseAway(page);
    await page.screenshot({ path: screenshotPath('restored-lab.png') });
    assert.deepEqual(
      await Promise.all((await allInFrames(page, ERROR_OUTPUT)).map((e) => e.textContent())),
      [],
      'error outputs are shown',
    );
    assert.deepEqual(session.consoleErrors, [], 'the workbench page threw');
  });
});
