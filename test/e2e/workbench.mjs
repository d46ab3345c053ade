// Driving the VS Code workbench in Chromium the way a person does: keyboard shortcuts, the
// command palette and Quick Open. Selectors are VS Code's own DOM classes (1.100); outputs of
// a notebook live in iframes inside the notebook's webview, so lookups there go through every
// frame of the page.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../scripts/code-server.mjs';

export function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the e2e suites through scripts/test-e2e.mjs`);
  return value;
}

/** Opens the workbench and waits until the explorer shows the workspace. */
export async function openWorkbench() {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const consoleErrors = [];
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  await page.goto(env('MIGRATION_LAB_E2E_URL'));
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
  return { browser, page, consoleErrors };
}

/** Runs a command by its label from the command palette (Ctrl+Shift+P; F1 does not reach the web workbench). */
export async function runCommand(page, label) {
  await closeQuickInput(page);
  await page.keyboard.press('Control+Shift+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${label}`);
  await clickQuickItem(page, label);
}

/**
 * Clicks the quick input row labelled exactly `label`: Enter would take the best fuzzy match,
 * which is not always the one asked for (e.g. "Browse Color Themes in Marketplace").
 */
async function clickQuickItem(page, label) {
  const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.getByText(label, { exact: true }) }).first();
  await row.waitFor({ state: 'visible' });
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

/** Picks an entry in an open quick pick by typing its label. */
export async function pickQuickItem(page, label) {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(label);
  await clickQuickItem(page, label);
  await input.waitFor({ state: 'hidden' });
}

/** Every frame of the page that matches `selector` (open shadow roots included), with counts. */
export async function framesWith(page, selector) {
  const found = [];
  for (const frame of page.frames()) {
    const count = await frame.locator(selector).count().catch(() => 0);
    if (count > 0) found.push({ frame, count });
  }
  return found;
}

/** Polls `check` until it returns a truthy value; throws `what` with the last value on timeout. */
export async function waitFor(what, check, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function screenshotPath(name) {
  const dir = env('MIGRATION_LAB_E2E_RESULTS');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
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
    await page.mouse.wheel(0, box ? Math.max(-400, Math.min(400, box.y - top)) : 400);
    await new Promise((r) => setTimeout(r, 100));
    return null;
  });
}
