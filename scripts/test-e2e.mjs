// End-to-end tests: a person's use of the extension in VS Code in a browser. Starts
// code-server (the extension loaded from this repo through extensionDevelopmentPath) on a
// throwaway copy of examples/, then runs the mocha suites in test/e2e/*.e2e.mjs, which drive
// Debian's Chromium through playwright-core. Screenshots go to test-results/e2e/. A second
// code-server, on a copy of its own, runs the extension as a web extension, in the browser's
// web-worker extension host (MIGRATION_LAB_E2E_WEB_URL, for test/e2e/web.e2e.mjs).
// Closes with `e2e: N passed, N failed`; exits non-zero on any failure.
//
//   node scripts/test-e2e.mjs [--no-build] [--grep <text>]
//
// --grep runs only the tests whose full title contains <text> (mocha's grep, as a fixed string).
import { spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Mocha from 'mocha';
import { freePort, realVsCodeAvailable, repoRoot, startCodeServer, workbenchUrl } from './code-server.mjs';

const skipBuild = process.argv.includes('--no-build');
const resultsDir = join(repoRoot, 'test-results', 'e2e');
const suitesDir = join(repoRoot, 'test', 'e2e');

if (!skipBuild) {
  const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error('e2e: the build failed');
    process.exit(1);
  }
}
if (!realVsCodeAvailable('e2e')) process.exit(0);

const root = mkdtempSync(join(tmpdir(), 'migration-lab-e2e-'));

/** A copy of examples/ to open, and a fresh profile whose settings let nothing but the lab claim the screen. */
function sandbox(name, settings = {}) {
  // Named as the repo's folder is, so the workbench shows what `npm start` shows (README screenshots).
  const workspace = join(root, name, 'examples');
  cpSync(join(repoRoot, 'examples'), workspace, { recursive: true });
  const userDataDir = join(root, name, 'user-data');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  const defaults = {
    'workbench.colorTheme': 'Default Light Modern',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'extensions.ignoreRecommendations': true,
    'telemetry.telemetryLevel': 'off',
    'chat.commandCenter.enabled': false,
    'window.commandCenter': false,
  };
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...defaults, ...settings }, null, 2));
  return { workspace, userDataDir, extensionsDir: join(root, name, 'extensions') };
}
const { workspace, userDataDir, extensionsDir } = sandbox('node');
// The web extension: VS Code 1.100's browser workbench ignores the `extensionDevelopmentKind`
// of its payload (its running-location tracker reads a property the browser environment
// service names differently), but honours the user setting remote.extensionKind, which may
// name "web" and puts the extension in the web-worker extension host, as on vscode.dev.
const web = sandbox('web', { 'remote.extensionKind': { 'migration-lab.migration-lab': ['web'] } });

// Screenshots of this run only: one left by an earlier run (say of a chart kind since removed,
// or of a failure since fixed) would be mistaken for a current one.
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });
const serverLog = createWriteStream(join(resultsDir, 'code-server.log'));
const webServerLog = createWriteStream(join(resultsDir, 'code-server-web.log'));
const port = await freePort();
const started = Date.now();
const server = await startCodeServer({ port, userDataDir, extensionsDir, folder: workspace, output: serverLog });
const webPort = await freePort();
const webServer = await startCodeServer({
  port: webPort,
  userDataDir: web.userDataDir,
  extensionsDir: web.extensionsDir,
  folder: web.workspace,
  output: webServerLog,
});

// The suites read where VS Code is and where to save screenshots from the environment, so
// each can also be pointed at a code-server started by hand.
process.env.MIGRATION_LAB_E2E_URL = workbenchUrl({ port, folder: workspace, extensionDevelopmentPath: repoRoot });
process.env.MIGRATION_LAB_E2E_RESULTS = resultsDir;
process.env.MIGRATION_LAB_E2E_WORKSPACE = workspace;
process.env.MIGRATION_LAB_E2E_WEB_URL = workbenchUrl({
  port: webPort,
  folder: web.workspace,
  extensionDevelopmentPath: repoRoot,
});
process.env.MIGRATION_LAB_E2E_WEB_WORKSPACE = web.workspace;

const grepAt = process.argv.indexOf('--grep');
const grep = grepAt > 0 ? process.argv[grepAt + 1] : undefined;
const mocha = new Mocha({
  ui: 'tdd',
  timeout: 120_000,
  reporter: 'spec',
  color: false,
  ...(grep ? { fgrep: grep } : {}),
});
for (const file of readdirSync(suitesDir)
  .filter((name) => name.endsWith('.e2e.mjs'))
  .sort()) {
  mocha.addFile(join(suitesDir, file));
}
let stats;
try {
  await mocha.loadFilesAsync();
  stats = await new Promise((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats));
  });
} finally {
  await Promise.all([server.stop(), webServer.stop()]);
  serverLog.end();
  webServerLog.end();
}

const passed = stats?.passes ?? 0;
// A run in which no test ran is a failure, not a pass.
const failed = (stats?.failures ?? 0) + (passed + (stats?.failures ?? 0) === 0 ? 1 : 0);
console.log(
  `e2e: suite took ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots and logs in test-results/e2e/`,
);
console.log(`e2e: ${passed} passed, ${failed} failed${stats?.pending ? `, ${stats.pending} skipped` : ''}`);
if (failed === 0) rmSync(root, { recursive: true, force: true });
else console.log(`e2e: kept the sandbox for inspection: ${root}`);
process.exit(failed === 0 ? 0 : 1);
