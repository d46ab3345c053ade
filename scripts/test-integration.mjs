// Runs the extension-host integration tests (test/integration, bundled to out/test/index.js)
// inside a real VS Code:
//
//   node scripts/test-integration.mjs             code-server's extension host, driven by Chromium
//   node scripts/test-integration.mjs --electron  desktop VS Code via @vscode/test-electron
//                                                 (needs to download VS Code: not possible here)
//   add --no-build when scripts/build.mjs has just run
//   add --restricted-only to run only the restricted-mode session (workspace trust on, the
//                                                 folder untrusted; the desktop run has none)
//
// Every run gets a throwaway user-data dir, extensions dir and copy of examples/ as its
// workspace. The tests report to a JSON-lines file (MIGRATION_LAB_TEST_REPORT) that this
// script follows, printing each test, and closing with `integration: N passed, N failed`.
// Exits non-zero on any failure, crash or timeout.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chromiumArgs,
  chromiumPath,
  freePort,
  realVsCodeAvailable,
  repoRoot,
  startCodeServer,
  workbenchUrl,
} from './code-server.mjs';

const electron = process.argv.includes('--electron');
// `npm test` has just built everything; a run on its own builds first.
const skipBuild = process.argv.includes('--no-build');
const restrictedOnly = process.argv.includes('--restricted-only');
const timeoutMs = Number(process.env.MIGRATION_LAB_INTEGRATION_TIMEOUT_MS ?? 10 * 60_000);
const testsModule = join(repoRoot, 'out', 'test', 'index.js');
const logDir = join(repoRoot, 'test-results', 'integration');

function build() {
  const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error('integration: the build failed');
    process.exit(1);
  }
}

/** A throwaway folder with a copy of examples/ as the workspace and a report file path. */
function makeSandbox() {
  const root = mkdtempSync(join(tmpdir(), 'migration-lab-integration-'));
  const workspace = join(root, 'workspace');
  cpSync(join(repoRoot, 'examples'), workspace, { recursive: true });
  return { root, workspace, report: join(root, 'report.jsonl'), screen: join(root, 'screen.txt') };
}

/**
 * In the restricted session, what the user sees: the workbench's text, written to `file` on
 * every poll (the tests read it), and a screenshot of it.
 */
async function recordScreen(page, file) {
  const text = await page.evaluate(() => document.body.innerText).catch(() => undefined);
  if (text === undefined) return;
  writeFileSync(file, text);
  await page.screenshot({ path: join(logDir, 'restricted.png') }).catch(() => undefined);
}

/** Prints report events as they arrive; keeps the tallies. */
class ReportFollower {
  constructor(file) {
    this.file = file;
    this.linesSeen = 0;
    this.passed = 0;
    this.failed = 0;
    this.pending = 0;
    this.finished = false;
  }

  poll() {
    if (!existsSync(this.file)) return;
    const lines = readFileSync(this.file, 'utf8').split('\n');
    // The last element is either '' or a line still being written.
    const complete = lines.slice(0, -1);
    for (const line of complete.slice(this.linesSeen)) this.print(JSON.parse(line));
    this.linesSeen = complete.length;
  }

  print(event) {
    switch (event.event) {
      case 'pass':
        this.passed += 1;
        console.log(`  ✔ ${event.title} (${event.durationMs} ms)`);
        break;
      case 'fail':
        this.failed += 1;
        console.log(`  ✘ ${event.title} (${event.durationMs} ms)\n${indent(event.stack || event.message)}`);
        break;
      case 'pending':
        this.pending += 1;
        console.log(`  - ${event.title} (pending)`);
        break;
      case 'note':
        console.log(`    · ${event.text}`);
        break;
      case 'crash':
        this.failed += 1;
        this.finished = true;
        console.log(`  ✘ loading the test suites crashed\n${indent(event.stack || event.message)}`);
        break;
      case 'end':
        this.finished = true;
        console.log(
          `  (mocha: ${event.passed} passed, ${event.failed} failed, ${event.pending} pending in ${event.durationMs} ms)`,
        );
        break;
      default:
        console.log(`  ? ${JSON.stringify(event)}`);
    }
  }
}

function indent(text) {
  return String(text)
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
}

function closingLine(follower, extraFailures = 0) {
  // A run in which no test reported anything is a failure, not a pass.
  const ranNothing = follower.passed + follower.failed === 0;
  if (ranNothing) console.log('  ✘ no test reported a result');
  const failed = follower.failed + extraFailures + (ranNothing && extraFailures === 0 ? 1 : 0);
  const skipped = follower.pending > 0 ? `, ${follower.pending} skipped` : '';
  console.log(`integration: ${follower.passed} passed, ${failed} failed${skipped}`);
  return failed;
}

/**
 * One VS Code session. `restricted`: workspace trust on and the folder untrusted (a fresh
 * user-data dir trusts nothing), running only the restricted-mode suite.
 */
async function runInCodeServer(sandbox, { restricted = false } = {}) {
  const { chromium } = await import('playwright-core');
  mkdirSync(logDir, { recursive: true });
  const suffix = restricted ? '-restricted' : '';
  const serverLog = createWriteStream(join(logDir, `code-server${suffix}.log`));
  const browserLog = createWriteStream(join(logDir, `browser-console${suffix}.log`));
  const port = await freePort();
  const started = Date.now();
  const server = await startCodeServer({
    port,
    userDataDir: join(sandbox.root, 'user-data'),
    extensionsDir: join(sandbox.root, 'extensions'),
    folder: sandbox.workspace,
    env: {
      MIGRATION_LAB_TEST_REPORT: sandbox.report,
      ...(restricted ? { MIGRATION_LAB_TEST_SUITES: 'restricted', MIGRATION_LAB_TEST_SCREEN: sandbox.screen } : {}),
    },
    output: serverLog,
    workspaceTrust: restricted,
  });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  const follower = new ReportFollower(sandbox.report);
  let timedOut = false;
  try {
    const page = await browser.newPage();
    page.on('console', (message) => browserLog.write(`[${message.type()}] ${message.text()}\n`));
    page.on('pageerror', (error) => browserLog.write(`[pageerror] ${error.stack ?? error}\n`));
    const url = workbenchUrl({
      port,
      folder: sandbox.workspace,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: testsModule,
    });
    console.log(
      `integration: VS Code ${url.split('?')[0]} (code-server, extension host tests${restricted ? ', workspace trust on, folder untrusted' : ''})`,
    );
    await page.goto(url);
    const deadline = Date.now() + timeoutMs;
    while (!follower.finished) {
      follower.poll();
      if (follower.finished) break;
      if (restricted) await recordScreen(page, sandbox.screen);
      if (Date.now() > deadline) {
        timedOut = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    follower.poll();
  } finally {
    await browser.close();
    await server.stop();
    serverLog.end();
    browserLog.end();
  }
  console.log(
    `integration: suite took ${((Date.now() - started) / 1000).toFixed(1)} s (logs in test-results/integration/)`,
  );
  if (timedOut) {
    console.log(
      `  ✘ timed out after ${timeoutMs / 1000} s waiting for the tests to finish (see test-results/integration/*.log)`,
    );
  }
  return { follower, extraFailures: timedOut ? 1 : 0 };
}

/** The suites in a normal session, then the restricted-mode suite in a session of its own. */
async function runBothInCodeServer(sandbox) {
  const none = { follower: new ReportFollower(sandbox.report), extraFailures: 0 };
  const normal = restrictedOnly ? none : await runInCodeServer(sandbox);
  const restrictedSandbox = makeSandbox();
  const restricted = await runInCodeServer(restrictedSandbox, { restricted: true });
  rmSync(restrictedSandbox.root, { recursive: true, force: true });
  const both = new ReportFollower(sandbox.report);
  both.passed = normal.follower.passed + restricted.follower.passed;
  both.failed = normal.follower.failed + restricted.follower.failed;
  both.pending = normal.follower.pending + restricted.follower.pending;
  // Each session must report something: one that ran nothing is a failure.
  const silent = (restrictedOnly ? [restricted] : [normal, restricted]).filter(
    (r) => r.follower.passed + r.follower.failed === 0,
  ).length;
  return closingLine(both, normal.extraFailures + restricted.extraFailures + silent);
}

async function runInElectron(sandbox) {
  const { runTests } = await import('@vscode/test-electron');
  const follower = new ReportFollower(sandbox.report);
  let exitCode;
  try {
    exitCode = await runTests({
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: testsModule,
      // Throwaway profile; --disable-extensions leaves only built-ins and the extension under test.
      launchArgs: [
        sandbox.workspace,
        '--disable-extensions',
        `--user-data-dir=${join(sandbox.root, 'user-data')}`,
        `--extensions-dir=${join(sandbox.root, 'extensions')}`,
      ],
      extensionTestsEnv: { MIGRATION_LAB_TEST_REPORT: sandbox.report },
    });
  } catch (error) {
    console.error(`integration: @vscode/test-electron failed: ${error?.message ?? error}`);
    exitCode = 1;
  }
  follower.poll();
  // A non-zero exit with no failure reported (e.g. VS Code could not start) still fails.
  return closingLine(follower, exitCode !== 0 && follower.failed === 0 ? 1 : 0);
}

if (!skipBuild) build();
if (!electron && !realVsCodeAvailable('integration')) process.exit(0);
const sandbox = makeSandbox();
const failed = electron ? await runInElectron(sandbox) : await runBothInCodeServer(sandbox);
if (failed === 0) rmSync(sandbox.root, { recursive: true, force: true });
else console.log(`integration: kept the sandbox for inspection: ${sandbox.root}`);
process.exit(failed === 0 ? 0 : 1);
