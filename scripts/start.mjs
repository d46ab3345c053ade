// `npm start`: builds the extension and opens VS Code with it and the examples/ folder.
//
// - If the desktop `code` command is on PATH: `code --extensionDevelopmentPath=<repo> <repo>/examples`.
// - Otherwise VS Code in the browser, served locally by code-server (installed on first use
//   into .code-server/ by scripts/code-server.mjs); prints the URL and serves until Ctrl-C.
//   The URL loads the extension straight from this repo (extensionDevelopmentPath), so a
//   rebuild (`npm run build` or `npm run watch`) and a window reload pick up changes.
//
// Either way VS Code opens the intro lab and Migration Lab's walkthrough beside it (once per
// `npm start`: the extension reads MIGRATION_LAB_WELCOME), not VS Code's own welcome page.
//
// Options: --port N (default 8080, or a free port if 8080 is taken), --browser (use code-server
// even when `code` is on PATH), --no-build. MIGRATION_LAB_START_HOME moves code-server's user
// data and log (default .code-server/start).
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  ensureCodeServer,
  freePort,
  installDir,
  log,
  repoRoot,
  startCodeServer,
  workbenchUrl,
} from './code-server.mjs';

const args = process.argv.slice(2);
const forceBrowser = args.includes('--browser');
const skipBuild = args.includes('--no-build');
const portIndex = args.indexOf('--port');
const preferredPort = portIndex >= 0 ? Number(args[portIndex + 1]) : 8080;
const examples = join(repoRoot, 'examples');
// What the extension opens on start, and a token so it does so once per `npm start` (not at every reload).
const welcome = { MIGRATION_LAB_WELCOME: `${Date.now()} intro.lab.md` };

function build() {
  const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'build.mjs')], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error('start: the build failed, see above');
    process.exit(1);
  }
}

function desktopCodeOnPath() {
  return spawnSync('sh', ['-c', 'command -v code'], { stdio: 'ignore' }).status === 0;
}

function startDesktop() {
  console.log(`start: opening VS Code with the extension from ${repoRoot} and ${examples}`);
  const child = spawn('code', [`--extensionDevelopmentPath=${repoRoot}`, examples], {
    stdio: 'inherit',
    env: { ...process.env, ...welcome },
  });
  child.on('exit', (code) => process.exit(code ?? 0));
}

async function startInBrowser() {
  try {
    ensureCodeServer();
  } catch (error) {
    log(String(error?.message ?? error));
    console.error('start: VS Code (code-server) could not be installed, see above');
    process.exit(1);
  }
  const home = process.env.MIGRATION_LAB_START_HOME || join(installDir, 'start');
  mkdirSync(home, { recursive: true });
  startWithoutVsCodeWelcome(join(home, 'user-data'));
  const logFile = join(home, 'code-server.log');
  const port = await freePort(preferredPort);
  const server = await startCodeServer({
    port,
    // Kept between runs, so settings and open editors survive a restart.
    userDataDir: join(home, 'user-data'),
    extensionsDir: join(home, 'extensions'),
    folder: examples,
    env: welcome,
    output: createWriteStream(logFile, { flags: 'a' }),
  });
  const url = workbenchUrl({ port, folder: examples, extensionDevelopmentPath: repoRoot });
  console.log('');
  console.log('start: VS Code is running in the browser (code-server) with Migration Lab loaded from this repo.');
  console.log(
    'start: open this URL (on another machine, forward the port first, e.g. ssh -L ' + `${port}:127.0.0.1:${port}):`,
  );
  console.log('');
  console.log(`  ${url}`);
  console.log('');
  console.log(`start: server log: ${logFile}`);
  console.log('start: press Ctrl-C to stop.');
  let stopping = false;
  const stop = async () => {
    stopping = true;
    console.log('\nstart: stopping code-server');
    await server.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  server.process.once('exit', (code) => {
    if (stopping) return;
    console.error(`start: code-server exited (code ${code}); see ${logFile}`);
    process.exit(code ?? 1);
  });
}

/** VS Code's own welcome page would cover the lab and its walkthrough: turn it off in this profile. */
function startWithoutVsCodeWelcome(userDataDir) {
  const file = join(userDataDir, 'User', 'settings.json');
  mkdirSync(dirname(file), { recursive: true });
  let settings;
  try {
    settings = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  } catch {
    return; // settings the user edited by hand (comments...): leave them alone
  }
  if (settings['workbench.startupEditor'] === 'none') return;
  writeFileSync(file, `${JSON.stringify({ ...settings, 'workbench.startupEditor': 'none' }, null, 2)}\n`);
}

if (!skipBuild) build();
if (desktopCodeOnPath() && !forceBrowser) startDesktop();
else await startInBrowser();
