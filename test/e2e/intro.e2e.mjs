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
  waitUntil,
  workbenchSuite,
} from './workbench.mjs';

const LAB = 'intro.lab.md';
const AXIS_TITLE = 'svg g.role-axis-title text';

/** The first chart's SVG, in whichever output frame holds it; null while none is rendered. */
async function chartSvg(page) {
  const [found] = await framesWith(page, CHART_MARKS);
  return found ? found.frame.locator('svg.marks').first() : null;
}

/**
 * The output frame's colours: the theme kind VS Code set on it, the editor foreground the
 * charts take their text colour from (webview/theme.ts), and every axis title's fill.
 */
async function chartColours(page) {
  const [found] = await framesWith(page, AXIS_TITLE);
  if (!found) return null;
  const fills = await found.frame
    .locator(AXIS_TITLE)
    .evaluateAll((titles) => titles.map((t) => t.getAttribute('fill')));
  const theme = await found.frame.evaluate(() => {
    const style = getComputedStyle(document.documentElement);
    return {
      kind: document.body.dataset.vscodeThemeKind,
      foreground:
        style.getPropertyValue('--vscode-editor-foreground').trim() ||
        style.getPropertyValue('--vscode-foreground').trim(),
    };
  });
  return { ...theme, fills };
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
    const screenshots = async (theme) => {
      // Switching themes moves the notebook back to the focused cell: bring the chart back.
      const chart = await scrollIntoView(page, chartSvg, 'the chart');
      await page.screenshot({ path: screenshotPath(`intro-${theme}.png`) });
      await page.screenshot({ path: screenshotPath(`intro-chart-${theme}.png`), clip: chart });
    };
    // Picks a theme, then waits until every chart's axis titles are drawn in that theme's
    // foreground, as the output frame has it. Returns the foreground.
    const switchTo = async (label, kind) => {
      await runCommand(page, 'Preferences: Color Theme');
      await pickQuickItem(page, label);
      await page.locator(`.monaco-workbench.${kind}`).waitFor();
      await scrollIntoView(page, chartSvg, 'the chart');
      const colours = await waitUntil(
        `the charts drawn in ${label}`,
        () => chartColours(page),
        (c) =>
          c.kind === `vscode-${kind === 'vs' ? 'light' : 'dark'}` &&
          c.fills.length > 0 &&
          c.fills.every((f) => f === c.foreground),
      );
      return colours.foreground;
    };

    const light = await switchTo('Light Modern', 'vs');
    await screenshots('light');
    const dark = await switchTo('Dark Modern', 'vs-dark');
    await screenshots('dark');
    assert.notEqual(dark, light, 'the two themes have the same foreground: the test shows nothing');
    // Back to light, as the workbench was found: the theme is saved in the settings, and the
    // suites after this one photograph the light theme.
    assert.equal(await switchTo('Light Modern', 'vs'), light);
  });
});
