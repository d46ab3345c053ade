// Every kind of chart, drawn in VS Code in the browser, in a light and a dark theme: a lab with
// one chart cell per kind the docs list (docs/lab-format.md, the chart cell's `show`), written
// into the throwaway workspace. Kinds the simulator cannot draw yet say so in their cell; the
// kinds it can must draw data marks. Also measures how long each chart takes to render and
// checks the stale-output marker a person sees after editing a machine.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite, suiteSetup, test } from 'mocha';
import { repoRoot } from '../../scripts/code-server.mjs';
import {
  CHART_HOST,
  CHART_MARKS,
  ERROR_OUTPUT,
  allInFrames,
  env,
  leaveWorkspaceAsFound,
  mouseAway,
  quickOpen,
  runAll,
  screenshotPath,
  scrollTop,
  setTheme,
  waitFor,
  wheelNotebook,
  workbenchSuite,
} from './workbench.mjs';

const LAB = 'chart-kinds.lab.md';
/** Charts of VM runs on a cluster, and of request runs: drawn from runs of their own kind only. */
const VM_KINDS = ['live-migrations', 'downtime', 'host-energy', 'hosts-on', 'host-load', 'host-temperature'];
const REQUEST_KINDS = ['response-by-server'];
/** The kinds the simulator draws today; a kind the docs add later may say it is not drawn yet. */
const REQUIRED = [
  'load',
  'queues',
  'cache-misses',
  'migrations',
  'timeline',
  'migration-cost',
  'response',
  'deadlines',
  'energy',
  'frequency',
  'temperature',
  'sweep',
  ...VM_KINDS,
  ...REQUEST_KINDS,
];
/** What a chart cell of a kind needs besides `show:` and `runs:`: a sweep sweeps the lab's `rate`. */
const EXTRA_KEYS = { sweep: 'param: rate\nvalues: [200/s, 600/s]\nseeds: 2\n' };
/** What a chart cell says when its kind needs results the simulator does not produce yet. */
const NOT_YET = /needs results this simulator does not produce yet/;
/** Page y below the editor tabs, breadcrumbs and notebook toolbar, which cover the notebook's top. */
const BELOW_TOOLBAR = 110;

/** Every chart kind the docs list: "| `show` | ... | one of load, queues, ... |". */
function documentedKinds() {
  const row = readFileSync(join(repoRoot, 'docs', 'lab-format.md'), 'utf8')
    .split('\n')
    .find((line) => line.startsWith('| `show` |'));
  assert.ok(row, "docs/lab-format.md has no row for the chart cell's `show`");
  const kinds = /one of ([\w, -]+)/
    .exec(row)?.[1]
    .split(',')
    .map((k) => k.trim());
  assert.ok(kinds?.length, `cannot read the kinds from: ${row}`);
  return kinds;
}

/**
 * Three runs of one workload (requests with deadlines, batch jobs, periodic tasks) under three
 * policies, a VM run and a request run on clusters, and one chart cell per kind (of the runs
 * of its kind). The `show:` line comes first in each chart cell: it is
 * how the test finds the cell on screen.
 */
function chartKindsLab(kinds) {
  const run = (name, policy) =>
    `\`\`\`run\nname: ${name}\nmachine: duo\nworkload: mixed\npolicy: ${policy}\nduration: 2s\nseed: 7\n\`\`\`\n`;
  return [
    '# Every chart kind\n',
    '```params\nrate: 400/s\n```\n',
    // P-states, a power model and a thermal model, for the energy, frequency and temperature charts.
    '```machine\nname: duo\nsockets: 2\ncoresPerSocket: 4\ncaches: { l1d: 32KiB, l2: 1MiB, llc: 16MiB }\n' +
      'pstates: [ { freq: 1.2GHz, volt: 0.8V }, { freq: 2.4GHz, volt: 1.0V }, { freq: 3.2GHz, volt: 1.2V } ]\n' +
      'power: { dynamicCoefficient: 436, static: 0.3W }\n' +
      'thermal: { ambient: 45C, resistance: 2K/W, capacitance: 0.05J/K, throttle: 85C }\n' +
      'governor: schedutil\n```\n',
    '```workload\nname: mixed\nprocesses:\n' +
      '  - { name: web, count: 200, arrival: poisson $rate, demand: exp 4ms, workingSet: 256KiB, deadline: 20ms }\n' +
      '  - { name: batch, count: 6, arrival: 0s, demand: 1s, workingSet: 8MiB, dirty: 30% }\n' +
      '  - { name: tick, count: 2, periodic: { period: 10ms, wcet: 2ms } }\n```\n',
    run('pinned', 'pinned'),
    run('balanced', 'least-loaded'),
    run('shared', 'global-queue'),
    // Two hosts, one drained for maintenance at 1 s: its VM moves live (pre-copy) and the host
    // switches off, for the VM charts; requests on two other hosts for the request chart.
    '```cluster\nname: pair\nhosts:\n  - { machine: duo, count: 2, ram: 32GiB }\npolicy: least-loaded\n' +
      'network: { bandwidth: 1.25GB/s }\nevents:\n  - { event: maintenance, at: 1s, host: host-0 }\n```\n',
    // Its hosts' temperatures watched (hotspot, migrate: off) for the host-temperature chart.
    '```vms\nname: tenants\nmigration: { method: { kind: pre-copy }, hotspot: { threshold: 60C, migrate: off } }\nvms:\n' +
      '  - { name: db, vcpus: 2, ram: 4GiB, dirtyRate: 200MB/s, load: { utilization: 50% } }\n```\n',
    '```run\nname: moved\ncluster: pair\nvms: [tenants]\nduration: 30s\nseed: 7\n```\n',
    '```cluster\nname: rack\nhosts:\n  - { machine: duo, count: 2 }\npolicy: least-loaded\n```\n',
    '```service\nname: shop\narrival: poisson $rate\ndemand: exp 4ms\nbalancer: { policy: random }\n```\n',
    '```run\nname: served\ncluster: rack\nservice: shop\nduration: 2s\nseed: 7\n```\n',
    ...kinds.map(
      (kind) =>
        `The ${kind} chart.\n\n\`\`\`chart\nshow: ${kind}\nruns: [${VM_KINDS.includes(kind) ? 'moved' : REQUEST_KINDS.includes(kind) ? 'served' : 'pinned, balanced, shared'}]\n${EXTRA_KEYS[kind] ?? ''}\`\`\`\n`,
    ),
  ].join('\n');
}

/**
 * Installed in the output frames before anything renders: the renderer gives each output a
 * shadow root first thing, so the time from attachShadow until the chart's SVG has data marks is
 * its render time (Vega-Lite compile, Vega parse and SVG drawing). Notes the time, the number of
 * marks and the chart's title. A MutationObserver on the document cannot see into shadow roots,
 * so each new root is polled.
 */
function installRenderProbe({ hostSelector, marksSelector }) {
  if (window.__chartRenders) return;
  window.__chartRenders = [];
  const attachShadow = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attachShadow.call(this, init);
    const started = performance.now();
    const poll = setInterval(() => {
      const host = root.querySelector(hostSelector);
      const marks = host ? host.querySelectorAll(marksSelector).length : 0;
      if (marks > 0) {
        clearInterval(poll);
        // The chart's title is the largest title text (facet headers are titles too).
        const titles = [...host.querySelectorAll('svg g.role-title text')];
        const size = (t) => parseFloat(t.getAttribute('font-size') ?? '0');
        const title = titles.sort((a, b) => size(b) - size(a))[0]?.textContent ?? '';
        window.__chartRenders.push({ ms: Math.round(performance.now() - started), marks, title });
      } else if (
        performance.now() - started > 60_000 ||
        root.querySelector('.migration-lab-output:not(.vega-embed)')?.textContent
      ) {
        clearInterval(poll); // not a chart (a run table), or never drawn
      }
    }, 5);
    return root;
  };
}

suite('every chart kind in light and dark themes', () => {
  leaveWorkspaceAsFound();
  const kinds = documentedKinds();
  /** kind → 'drawn' | 'not yet' after the light pass. */
  const status = new Map();
  const lightFill = new Map();

  /** The chart cell's row: the notebook row whose editor has the line `show: <kind>`. */
  const chartRow = (kind) =>
    page
      .locator('.notebook-editor .code-cell-row')
      .filter({ has: page.locator('.view-line', { hasText: new RegExp(`^show:\\s+${kind}$`) }) });

  /**
   * Scrolls until the chart cell's output is in view; returns the output's container (a chart,
   * or the error the cell shows) and its box. Outputs are drawn in the notebook's webview, laid
   * over the list just below the cell's row (editor and status bar): the first output below it.
   */
  async function showChart(kind) {
    const { height } = page.viewportSize();
    await page.locator('.notebook-editor .cell-list-container').first().hover();
    return waitFor(
      `the ${kind} chart to scroll into view`,
      async () => {
        const row = chartRow(kind);
        const rowBox = (await row.count()) ? await row.first().boundingBox() : null;
        if (!rowBox) {
          // Not rendered: up if a chart cell further down the lab is on screen, else down.
          const shown = await page.locator('.notebook-editor .code-cell-row .view-line').allTextContents();
          const below = shown.some((line) => kinds.indexOf(/^show:\s+(\S+)$/.exec(line)?.[1]) > kinds.indexOf(kind));
          await wheelNotebook(page, below ? -height / 2 : height / 2);
          return null;
        }
        const below = [];
        for (const output of await allInFrames(page, `.migration-lab-output, ${ERROR_OUTPUT}`)) {
          const box = await output.boundingBox();
          if (box && box.height > 0 && box.y >= rowBox.y + rowBox.height - 2) below.push({ output, box });
        }
        const found = below.sort((a, b) => a.box.y - b.box.y)[0];
        if (found && found.box.y >= BELOW_TOOLBAR && found.box.y + found.box.height <= height - 10) {
          await mouseAway(page);
          return found;
        }
        // Taller than the screen (a timeline of three runs): its top just below the toolbar,
        // and what is in view of it.
        if (
          found &&
          found.box.height > height - BELOW_TOOLBAR - 10 &&
          found.box.y >= BELOW_TOOLBAR &&
          found.box.y <= BELOW_TOOLBAR + 80
        ) {
          await mouseAway(page);
          return { output: found.output, box: { ...found.box, height: height - 10 - found.box.y } };
        }
        // Not drawn yet, or off screen: bring the cell towards the top.
        const top = found?.box.y ?? rowBox.y;
        const by = top - BELOW_TOOLBAR;
        await wheelNotebook(page, by > 0 ? Math.min(by, height / 2) : Math.max(by, -height / 2));
        return null;
      },
      30_000,
    );
  }

  const workbench = workbenchSuite({
    theme: 'Light Modern',
    before: () => writeFileSync(join(env('MIGRATION_LAB_E2E_WORKSPACE'), LAB), chartKindsLab(kinds)),
  });
  let page;
  suiteSetup(() => {
    ({ page } = workbench);
  });

  test('the docs list every chart kind the simulator draws', () => {
    assert.deepEqual(
      REQUIRED.filter((kind) => !kinds.includes(kind)),
      [],
    );
  });

  test('runs the lab and draws every chart kind it can, with marks (light theme screenshots)', async function () {
    // Ten kinds, each scrolled to and drawn: about 10 s each on a loaded two-core machine.
    this.timeout(400_000);
    await quickOpen(page, LAB);
    await page.locator('.notebook-editor .code-cell-row').first().waitFor({ state: 'visible', timeout: 30_000 });
    // The notebook's webview exists once its Markdown is shown: probe it before charts arrive.
    await waitFor('the notebook webview', async () => (await allInFrames(page, '#container')).length > 0);
    for (const frame of page.frames().slice(1)) {
      await frame
        .evaluate(installRenderProbe, { hostSelector: CHART_HOST, marksSelector: CHART_MARKS })
        .catch(() => {});
    }
    await runAll(page);
    for (const kind of kinds) {
      const { output, box } = await showChart(kind);
      const text = (await output.textContent()) ?? '';
      if (await output.evaluate((element) => element.matches('.output.error'))) {
        assert.match(text, NOT_YET, `the ${kind} chart shows an error`);
        status.set(kind, 'not yet');
        console.log(`      ${kind}: not drawn yet (${text.trim().slice(0, 100)})`);
        continue;
      }
      const marks = await waitFor(
        `the ${kind} chart's marks`,
        async () => (await output.$$(CHART_MARKS)).length || null,
        30_000,
      );
      lightFill.set(kind, await output.$eval('svg g.role-axis-title text', (t) => t.getAttribute('fill')));
      status.set(kind, 'drawn');
      await page.screenshot({ path: screenshotPath(`chart-${kind}-light.png`), clip: box });
      console.log(`      ${kind}: ${marks} marks, ${Math.round(box.width)}×${Math.round(box.height)} px`);
    }
    const missing = REQUIRED.filter((kind) => status.get(kind) !== 'drawn');
    assert.deepEqual(missing, [], 'required chart kinds that were not drawn');
  });

  test('reports how long each chart took to render', async () => {
    const renders = [];
    for (const frame of page.frames().slice(1))
      renders.push(...((await frame.evaluate(() => window.__chartRenders ?? []).catch(() => [])) ?? []));
    const drawn = [...status.values()].filter((s) => s === 'drawn').length;
    assert.ok(renders.length >= drawn, `the probe saw ${renders.length} charts render, ${drawn} were drawn`);
    for (const r of renders) console.log(`      render: ${r.ms} ms, ${r.marks} marks — ${r.title}`);
    // The largest chart by data marks (of equally large ones, the slowest), and the slowest of all.
    const largest = renders.reduce((a, b) => (b.marks > a.marks || (b.marks === a.marks && b.ms > a.ms) ? b : a));
    const slowest = renders.reduce((a, b) => (b.ms > a.ms ? b : a));
    console.log(`      largest chart (${largest.marks} marks, ${largest.title}): rendered in ${largest.ms} ms`);
    console.log(`      slowest chart (${slowest.marks} marks, ${slowest.title}): rendered in ${slowest.ms} ms`);
    assert.ok(largest.ms < 10_000, 'the largest chart took more than 10 s to render');
  });

  test('redraws every chart in the dark theme (dark screenshots)', async function () {
    this.timeout(400_000);
    await setTheme(page, 'Dark Modern');
    for (const kind of kinds.filter((k) => status.get(k) === 'drawn')) {
      const { output } = await showChart(kind);
      await waitFor(`the ${kind} chart redrawn for the dark theme`, async () => {
        const fill = await output.$eval('svg g.role-axis-title text', (t) => t.getAttribute('fill')).catch(() => null);
        return fill && fill !== lightFill.get(kind);
      });
      // The redraw may have changed the chart's size: measure again.
      const { box } = await showChart(kind);
      await page.screenshot({ path: screenshotPath(`chart-${kind}-dark.png`), clip: box });
    }
    await setTheme(page, 'Light Modern');
  });

  test("editing the machine marks the runs' outputs stale; clicking the marker runs the cell again", async () => {
    const STALE = 'output may be stale';
    const row = (firstLine) =>
      page
        .locator('.notebook-editor .code-cell-row')
        .filter({ has: page.locator('.view-line', { hasText: new RegExp(`^${firstLine.replace(' ', '\\s+')}$`) }) });
    const statusText = async (r) => (await r.locator('.cell-statusbar-container').first().textContent()) ?? '';
    await page.locator('.notebook-editor .cell-list-container').first().hover();
    // All the way to the top (the machine cell is near it): a line only just scrolled into view
    // can sit under the editor tabs or a cell's insertion bar, which then take the click.
    await waitFor('the top of the notebook', async () => {
      await wheelNotebook(page, -page.viewportSize().height);
      return (await scrollTop(page)) === 0 && (await row('name: duo').count()) > 0;
    });
    const machine = row('name: duo');
    const pinned = row('name: pinned');
    assert.ok(!(await statusText(pinned)).includes(STALE), 'the run is marked stale before any edit');

    // Change the number of cores as a person would: click the line, retype its value.
    await machine.locator('.view-line', { hasText: /^coresPerSocket:\s+4$/ }).click();
    await page.keyboard.press('End');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('8');
    await page.keyboard.press('Escape');
    await waitFor('the stale marker on the run', async () => (await statusText(pinned)).includes(STALE), 10_000);
    assert.ok(!(await statusText(machine)).includes(STALE), 'the machine cell itself is marked stale');
    await mouseAway(page);
    await page.screenshot({ path: screenshotPath('stale-marker.png') });

    await pinned.locator('.cell-statusbar-container').getByText(STALE).click();
    await waitFor(
      'the run to run again and lose its marker',
      async () => !(await statusText(pinned)).includes(STALE),
      30_000,
    );
    const balanced = row('name: balanced');
    if (await balanced.count())
      assert.ok((await statusText(balanced)).includes(STALE), 'the other run lost its marker too');
  });
});
