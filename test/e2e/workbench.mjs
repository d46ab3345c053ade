// Driving the VS Code workbench in Chromium the way a person does: keyboard shortcuts, the
// command palette and Quick Open. Selectors are VS Code's own DOM classes (1.100); outputs of
// a notebook live in iframes inside the notebook's webview, so lookups there go through every
// frame of the page.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { suiteSetup, suiteTeardown, teardown } from 'mocha';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../scripts/code-server.mjs';

export function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the e2e suites through scripts/test-e2e.mjs`);
  return value;
}

/**
 * Call first in a suite: files the suite adds to the workspace (labs it writes, results records
 * and reports its runs leave) are removed when it ends, so each suite starts in a workspace with
 * the examples only, as a person's would be (and as the README's screenshot shows it).
 */
export function leaveWorkspaceAsFound() {
  const workspace = env('MIGRATION_LAB_E2E_WORKSPACE');
  let found;
  suiteSetup(() => {
    found = new Set(readdirSync(workspace));
  });
  suiteTeardown(() => {
    for (const name of readdirSync(workspace))
      if (!found.has(name)) rmSync(join(workspace, name), { recursive: true, force: true });
  });
}

/**
 * The browser session of a suite, opened once for all its tests (like a person's): `before`
 * runs first (to write the labs the suite opens), then the workbench at `url` opens, in `theme`
 * when given. After each test a failure is photographed and, with `closeEditorsAfterEach`, every
 * editor is closed (the next test starts alone); the browser closes when the suite ends. The
 * returned object has the session and its page once the suite has started.
 */
export function workbenchSuite({ url, theme, closeEditorsAfterEach = false, before } = {}) {
  const workbench = { session: undefined, page: undefined };
  suiteSetup(async () => {
    await before?.();
    workbench.session = await openWorkbench(url);
    workbench.page = workbench.session.page;
    if (theme) await setTheme(workbench.page, theme);
  });
  teardown(async function () {
    const { page } = workbench;
    await screenshotIfFailed(this.currentTest, page);
    if (closeEditorsAfterEach && page && (await page.locator('.notebook-editor').count()))
      await closeAllEditors(page).catch(() => {});
  });
  suiteTeardown(async () => {
    await workbench.session?.browser.close();
  });
  return workbench;
}

/** Opens the workbench (the web-extension one at MIGRATION_LAB_E2E_WEB_URL, say) and waits until the explorer shows the workspace. */
export async function openWorkbench(url = env('MIGRATION_LAB_E2E_URL')) {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const consoleErrors = [];
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  // Every dedicated worker any frame of the page starts (extension hosts, simulation workers).
  const workers = [];
  page.on('worker', (worker) => workers.push(worker));
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
  return { browser, page, consoleErrors, workers };
}

/**
 * Runs a command by its label from the command palette (Ctrl+Shift+P; F1 does not reach the web
 * workbench). Right after the workbench opens, the extension under test may not have registered
 * its commands yet, and an open palette does not refresh: it is opened again until the command
 * is listed.
 */
export async function runCommand(page, label, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await closeQuickInput(page);
    await page.keyboard.press('Control+Shift+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${label}`);
    try {
      await clickQuickItem(page, label, Math.min(5_000, Math.max(1_000, deadline - Date.now())));
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

/**
 * Clicks the quick input row labelled exactly `label`: Enter would take the best fuzzy match,
 * which is not always the one asked for (e.g. "Browse Color Themes in Marketplace").
 */
async function clickQuickItem(page, label, timeout = 30_000) {
  const row = page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.getByText(label, { exact: true }) })
    .first();
  await row.waitFor({ state: 'visible', timeout });
  await row.click();
}

/** Closes a quick input a step before may have left open. */
async function closeQuickInput(page) {
  const widget = page.locator('.quick-input-widget');
  if (await widget.isVisible()) {
    await page.keyboard.press('Escape');
    await widget.waitFor({ state: 'hidden' });
  }
}

/** Quick Open (Ctrl+P), type a file name, Enter. */
export async function quickOpen(page, fileName) {
  await closeQuickInput(page);
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.pressSequentially(fileName, { delay: 20 });
  await page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
}

/**
 * Picks an entry in an open quick pick by typing its label. Enter accepts the entry the filter
 * focused when that is the one; a click is the fallback (a click on a list that the theme
 * picker's live preview is repainting can miss, and the picker then closes unaccepted).
 */
export async function pickQuickItem(page, label) {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(label);
  const focused = page
    .locator('.quick-input-list .monaco-list-row.focused')
    .filter({ has: page.getByText(label, { exact: true }) });
  const isFocused = await focused
    .waitFor({ state: 'visible', timeout: 5_000 })
    .then(() => true)
    .catch(() => false);
  if (isFocused) await input.press('Enter');
  else await clickQuickItem(page, label);
  await input.waitFor({ state: 'hidden' });
}

/** Every frame of the page that matches `selector` (open shadow roots included), with counts. */
export async function framesWith(page, selector) {
  const found = [];
  for (const frame of page.frames()) {
    const count = await frame
      .locator(selector)
      .count()
      .catch(() => 0);
    if (count > 0) found.push({ frame, count });
  }
  return found;
}

/** Polls `check` until it returns a truthy value; throws `what` on timeout. */
export async function waitFor(what, check, timeoutMs = 60_000) {
  return waitUntil(what, check, Boolean, timeoutMs);
}

/**
 * Polls `read` until `done(value)` holds and returns that value; on timeout throws `what` with
 * the last value read, so a failure says what the page showed instead.
 */
export async function waitUntil(what, read, done, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = await read();
    if (last && done(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function screenshotPath(name) {
  const dir = env('MIGRATION_LAB_E2E_RESULTS');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/** For a mocha teardown: a picture of the moment a test failed says more than its timeout message. */
export async function screenshotIfFailed(test, page) {
  if (test?.state !== 'failed') return;
  const name = test.title.replace(/[^\w]+/g, '-');
  await page?.screenshot({ path: screenshotPath(`failed-${name}.png`) }).catch(() => {});
}

/**
 * Scrolls the notebook with the mouse wheel, as a person would, until the element that
 * `find(page)` returns (a locator in any frame, or null while it is not rendered) is fully in view.
 * Notebook cells and outputs are only rendered near the viewport, so an element that is not
 * there yet means "further down". Returns the element's box in page coordinates.
 */
export async function scrollIntoView(page, find, what) {
  const { height } = page.viewportSize();
  const top = 100; // below the editor tabs and the notebook toolbar
  await page.locator('.notebook-editor .cell-list-container').first().hover();
  return waitFor(`${what} to scroll into view`, async () => {
    const locator = await find(page);
    const box = locator ? await locator.boundingBox().catch(() => null) : null;
    if (box && box.y >= top && box.y + box.height <= height - 30) return box;
    await wheelNotebook(page, box ? Math.max(-height / 2, Math.min(height / 2, box.y - top)) : height / 2);
    return null;
  });
}

/** Data marks of a Vega SVG chart (axes and legends have other roles). */
export const CHART_MARKS = 'svg g.role-mark path, svg g.role-mark rect';
/** A chart output of the Migration Lab renderer (vega-embed marks its container). */
export const CHART_HOST = '.migration-lab-output.vega-embed';
/**
 * What VS Code's built-in error renderer and our renderer draw for a failure: an error output
 * item is `div.output.error` in the output frame (VS Code 1.100); the others are stack traces,
 * stderr streams and a chart the renderer could not draw.
 */
export const ERROR_OUTPUT =
  '.output.error, .traceback, .error-output-header, .output-stream.error, .migration-lab-output.error';
export const CELL_STATE = (state) => `.notebook-editor .codicon-notebook-state-${state}`;

/** Closes every editor, so the next notebook's outputs are the only ones in the page. */
export async function closeAllEditors(page) {
  await runCommand(page, 'View: Close All Editors');
  await page.locator('.notebook-editor').first().waitFor({ state: 'hidden' });
}

/**
 * Switches the colour theme by its label (e.g. "Light Modern") unless it is already the one shown.
 * Right after the workbench opens it shows the default (light) theme before one an earlier suite
 * saved in the settings: so every suite that switches themes switches back to light at its end.
 */
export async function setTheme(page, label) {
  const kind = label.startsWith('Light') ? 'vs' : 'vs-dark';
  const workbench = page.locator(`.monaco-workbench.${kind}`);
  if (await workbench.count()) return;
  await runCommand(page, 'Preferences: Color Theme');
  await pickQuickItem(page, label);
  await workbench.waitFor();
}

/**
 * Notebook: Run All from the command palette, picking the Migration Lab kernel when VS Code
 * asks, then waits until no shown cell is pending or executing. Returns when it was started (ms).
 */
export async function runAll(page, timeoutMs = 120_000) {
  await runCommand(page, 'Notebook: Run All');
  const started = Date.now();
  const picker = page.locator('.quick-input-widget');
  const state = await waitFor('cells to start running, or the kernel picker', async () =>
    (await picker.isVisible())
      ? 'picker'
      : (await page
          .locator(
            `${CELL_STATE('executing')}, ${CELL_STATE('pending')}, ${CELL_STATE('success')}, ${CELL_STATE('error')}`,
          )
          .count()) > 0 && 'running',
  );
  if (state === 'picker') await pickQuickItem(page, 'Migration Lab');
  await waitFor(
    'every shown code cell to finish',
    async () =>
      (await page.locator(`${CELL_STATE('success')}, ${CELL_STATE('error')}`).count()) > 0 &&
      (await page.locator(`${CELL_STATE('executing')}, ${CELL_STATE('pending')}`).count()) === 0,
    timeoutMs,
  );
  return started;
}

/** Every element matching `selector` in any frame of the page, as element handles. */
export async function allInFrames(page, selector) {
  const handles = [];
  for (const frame of page.frames())
    handles.push(
      ...(await frame
        .locator(selector)
        .elementHandles()
        .catch(() => [])),
    );
  return handles;
}

/**
 * Scrolls the notebook from its top to its bottom with the mouse wheel, calling `visit()` at
 * every position, so each cell (and its outputs, which VS Code renders only near the viewport)
 * is drawn once. Stops when scrolling down moves nothing any more.
 */
export async function scrollThroughNotebook(page, visit, maxSteps = 200) {
  await page.locator('.notebook-editor .cell-list-container').first().hover();
  const { height } = page.viewportSize();
  for (let i = 0; i < maxSteps; i++) {
    const before = await scrollTop(page);
    await wheelNotebook(page, -height);
    if ((await scrollTop(page)) === before) break;
  }
  for (let step = 0; step < maxSteps; step++) {
    await visit();
    const before = await scrollTop(page);
    await wheelNotebook(page, height * 0.6);
    // Smooth scrolling may still be moving: the end is where the position stays put.
    await new Promise((r) => setTimeout(r, 150));
    if ((await scrollTop(page)) === before) return;
  }
  throw new Error(`the notebook did not reach its end in ${maxSteps} scroll steps`);
}

/**
 * Scrolls the notebook under the mouse by about `pixels` (VS Code moves a notebook about 50 px
 * per wheel event, whatever the event's delta), then lets it settle.
 */
export async function wheelNotebook(page, pixels) {
  for (let i = 0; i < Math.ceil(Math.abs(pixels) / 50); i++) await page.mouse.wheel(0, Math.sign(pixels) * 50);
  await new Promise((r) => setTimeout(r, 100));
}

/**
 * Moves the mouse off the notebook, so no chart shows a hover tooltip in a screenshot: to the
 * middle of the status bar, where no item is (its corners have items with tooltips of their own).
 */
export async function mouseAway(page) {
  const { width, height } = page.viewportSize();
  await page.mouse.move(width / 2, height - 5);
}

/** How far the notebook list is scrolled, in pixels (its rows container moves up by that much). */
export async function scrollTop(page) {
  return page
    .locator('.notebook-editor .monaco-list-rows')
    .first()
    .evaluate((rows) => -parseFloat(rows.style.top || '0'));
}
