// A person opens the introductory lab, runs every cell, and reads the chart, in a light and
// a dark theme. Each test builds on the one before (one browser session, like a person's).
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import {
  CELL_STATE,
  CHART_MARKS,
  ERROR_OUTPUT,
  framesWith,
  leaveWorkspaceAsFound,
  pickQuickItem,
  quickOpen,
  runAll,
  runCommand,
  screenshotPath,
  scrollIntoView,
  waitFor,
  workbenchSuite,
} from './workbench.mjs';

const LAB = 'intro.lab.md';
const AXIS_TITLE = 'svg g.role-axis-title text';

/** The first chart's SVG, in whichever output frame holds it; null while none is rendered. */
async function chartSvg(page) {
  const [found] = await framesWith(page, CHART_MARKS);
  return found ? found.frame.locator('svg.marks').first() : null;
}

suite('intro lab in VS Code in the browser', () => {
  leaveWorkspaceAsFound();
  const workbench = workbenchSuite();
  let session;
  let page;
  suiteSetup(() => {
    ({ session, page } = workbench);
  });

  test('opens intro.lab.md as a notebook through Quick Open', async () => {
    await quickOpen(page, LAB);
    await page.locator('.notebook-editor .code-cell-row').first().waitFor({ state: 'visible', timeout: 30_000 });
    const tab = page.locator('.tabs-container .tab.active');
    await waitFor('the active tab to be the lab', async () => (await tab.textContent())?.includes(LAB));
    // The notebook shows Markdown and code cells, not the raw file in a text editor.
    assert.ok((await page.locator('.notebook-editor .code-cell-row').count()) > 0, 'no code cells are shown');
    assert.ok((await page.locator('.notebook-editor .markdown-cell-row').count()) > 0, 'no Markdown cells are shown');
  });

  test('runs all cells from the command palette', async () => {
    await runAll(page);
    assert.equal(await page.locator(CELL_STATE('error')).count(), 0, 'a cell shows the failed state');
  });

  test('draws the chart in an output frame', async () => {
    await scrollIntoView(page, chartSvg, 'the chart');
    const marks = (await framesWith(page, CHART_MARKS)).reduce((sum, { count }) => sum + count, 0);
    assert.ok(marks >= 2, `expected the chart's data marks, found ${marks}`);
  });

  test('shows no error output', async () => {
    const errors = await framesWith(page, ERROR_OUTPUT);
    const texts = await Promise.all(errors.map(({ frame }) => frame.locator(ERROR_OUTPUT).first().textContent()));
    assert.deepEqual(texts, [], 'error outputs are shown');
    assert.deepEqual(session.consoleErrors, [], 'the workbench page threw');
  });

  test('follows the colour theme: light and dark screenshots', async () => {
    const axisTitleFill = async () => {
      const [found] = await framesWith(page, AXIS_TITLE);
      return found ? found.frame.locator(AXIS_TITLE).first().getAttribute('fill') : null;
    };
    const screenshots = async (theme) => {
      // Switching themes moves the notebook back to the focused cell: bring the chart back.
      const chart = await scrollIntoView(page, chartSvg, 'the chart');
      await page.screenshot({ path: screenshotPath(`intro-${theme}.png`) });
      await page.screenshot({ path: screenshotPath(`intro-chart-${theme}.png`), clip: chart });
    };

    await runCommand(page, 'Preferences: Color Theme');
    await pickQuickItem(page, 'Light Modern');
    await page.locator('.monaco-workbench.vs').waitFor();
    await scrollIntoView(page, chartSvg, 'the chart');
    const lightFill = await waitFor('the chart drawn in the light theme', axisTitleFill);
    await screenshots('light');

    await runCommand(page, 'Preferences: Color Theme');
    await pickQuickItem(page, 'Dark Modern');
    await page.locator('.monaco-workbench.vs-dark').waitFor();
    await scrollIntoView(page, chartSvg, 'the chart');
    const darkFill = await waitFor('the chart redrawn in the dark theme', async () => {
      const fill = await axisTitleFill();
      return fill && fill !== lightFill ? fill : null;
    });
    await screenshots('dark');
    assert.notEqual(darkFill, lightFill);

    // Back to light, as the workbench was found: the theme is saved in the settings, and the
    // suites after this one photograph the light theme.
    await runCommand(page, 'Preferences: Color Theme');
    await pickQuickItem(page, 'Light Modern');
    await page.locator('.monaco-workbench.vs').waitFor();
    await scrollIntoView(page, chartSvg, 'the chart');
    assert.equal(
      await waitFor('the chart redrawn in the light theme again', async () =>
        (await axisTitleFill()) === lightFill ? lightFill : null,
      ),
      lightFill,
    );
  });
});
