// A real VS Code on machines that can reach only the npm registry and Debian's packages:
// code-server (VS Code's server and web workbench) installed from npm into the git-ignored
// folder `.code-server/` of this repo, kept out of the project's own node_modules and lock
// file so that `npm ci` stays fast.
//
// Usage:  node scripts/code-server.mjs ensure      install (idempotent), print the binary path
//         node scripts/code-server.mjs check-deb   report the Debian packages that are missing
//
// Also imported by start.mjs, test-integration.mjs and test-e2e.mjs for ensureCodeServer,
// startCodeServer and workbenchUrl.
//
// code-server 4.100.3 (VS Code 1.100.3) is the last release that accepts Node 20. Its npm
// postinstall downloads things from outside the npm registry, so it is installed with
// --ignore-scripts and the postinstall is redone here step by step (see
// shared/design/VSCODE.md, "Running a real VS Code on these machines").
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync, lstatSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const installDir = join(repoRoot, '.code-server');
const packageDir = join(installDir, 'node_modules', 'code-server');
const vscodeDir = join(packageDir, 'lib', 'vscode');
const markerFile = join(installDir, `installed-${CODE_SERVER_VERSION}`);
export const codeServerBin = join(packageDir, 'out', 'node', 'entry.js');

export const isCI = process.env.CI === 'true' || process.env.CI === '1';
/** Debian's Chromium; CHROMIUM_PATH points elsewhere (e.g. Ubuntu's chromium-browser). */
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** What each Debian package provides, and how to tell it is there without dpkg. */
const debianPackages = {
  'libkrb5-dev': {
    why: "headers for code-server's kerberos native module",
    present: () => existsSync('/usr/include/krb5.h') || existsSync('/usr/include/krb5/krb5.h'),
  },
  ripgrep: {
    why: 'search in VS Code (its own ripgrep download is not reachable)',
    present: () => existsSync('/usr/bin/rg'),
  },
  chromium: { why: 'a browser to drive the VS Code workbench in tests', present: () => existsSync(chromiumPath) },
  'build-essential': {
    why: "a C++ toolchain to rebuild code-server's native modules",
    present: () => onPath('make') && onPath('g++'),
  },
  python3: { why: "node-gyp, to rebuild code-server's native modules", present: () => onPath('python3') },
};

function onPath(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export function log(message) {
  process.stderr.write(`[code-server] ${message}\n`);
}

/**
 * Makes sure the named Debian packages are installed. Under CI=true missing ones are installed
 * with apt-get (CI runs as root); elsewhere this prints exactly what to install and returns false.
 */
export function ensureDebianPackages(names) {
  const missing = names.filter((name) => !debianPackages[name].present());
  if (missing.length === 0) return true;
  if (isCI) {
    log(`installing Debian packages: ${missing.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    run('apt-get', ['update'], { env });
    run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
    const stillMissing = missing.filter((name) => !debianPackages[name].present());
    if (stillMissing.length > 0) throw new Error(`apt-get did not provide: ${stillMissing.join(' ')}`);
    return true;
  }
  log('missing Debian packages:');
  for (const name of missing) log(`  ${name}: ${debianPackages[name].why}`);
  log(`install them with:  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`);
  return false;
}

function run(command, args, { cwd = repoRoot, env = process.env } = {}) {
  const started = Date.now();
  log(`$ ${[command, ...args].join(' ')}${cwd === repoRoot ? '' : `   (in ${cwd.replace(repoRoot + '/', '')})`}`);
  // Progress goes to stderr, so that stdout of `ensure` is only the path it prints.
  const result = spawnSync(command, args, { cwd, env, stdio: ['ignore', 2, 2] });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}`);
  log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function symlinkOnce(target, path) {
  try {
    lstatSync(path);
  } catch {
    symlinkSync(target, path);
  }
}

/**
 * Installs code-server into .code-server/ unless the marker of a complete install is there.
 * Returns the path of its entry script (run it with `node`). Throws if it cannot.
 */
export function ensureCodeServer() {
  if (existsSync(markerFile) && existsSync(codeServerBin)) return codeServerBin;
  if (!ensureDebianPackages(['libkrb5-dev', 'ripgrep', 'build-essential', 'python3'])) {
    throw new Error('cannot install code-server: Debian packages are missing (see above)');
  }
  const started = Date.now();
  log(`installing code-server ${CODE_SERVER_VERSION} into ${installDir} (about a minute, once)`);
  // A fresh start: a half-finished install may hold partly rebuilt native modules.
  rmSync(installDir, { recursive: true, force: true });
  mkdirSync(installDir, { recursive: true });
  writeFileSync(
    join(installDir, 'package.json'),
    JSON.stringify({ name: 'code-server-install', private: true }, null, 2) + '\n',
  );
  // npm_config_yes lets `npm rebuild` run the packages' own install scripts without asking.
  const env = {
    ...process.env,
    npm_config_yes: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  // Node's headers, when Debian's nodejs provides them, spare node-gyp a download that fails here.
  if (!env.npm_config_nodedir && existsSync('/usr/include/node/node_version.h')) env.npm_config_nodedir = '/usr';

  log('step 1/5: the code-server package, without its install scripts');
  run('npm', ['install', '--ignore-scripts', `code-server@${CODE_SERVER_VERSION}`], { cwd: installDir, env });

  log("step 2/5: VS Code's own dependencies");
  run('npm', ['install', '--omit=dev', '--ignore-scripts'], { cwd: vscodeDir, env });
  run(
    'npm',
    ['rebuild', 'kerberos', 'node-pty', '@parcel/watcher', '@vscode/spdlog', '@vscode/deviceid', 'native-watchdog'],
    { cwd: vscodeDir, env },
  );

  log('step 3/5: ripgrep from Debian, and the links the postinstall would make');
  const rgDir = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  copyFileSync('/usr/bin/rg', join(rgDir, 'rg'));
  chmodSync(join(rgDir, 'rg'), 0o755);
  symlinkOnce('node_modules', join(vscodeDir, 'node_modules.asar'));
  symlinkOnce('code-linux.sh', join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  symlinkOnce('browser-linux.sh', join(vscodeDir, 'bin', 'helpers', 'browser.sh'));

  log("step 4/5: the built-in extensions' dependencies");
  run('npm', ['install', '--omit=dev', '--ignore-scripts'], { cwd: join(vscodeDir, 'extensions'), env });

  log("step 5/5: code-server's password hashing module, then a smoke test");
  // npm hoists argon2 next to code-server, so it is rebuilt from the install folder.
  run('npm', ['rebuild', 'argon2'], { cwd: installDir, env });
  run(process.execPath, [codeServerBin, '--version'], { cwd: installDir, env });

  writeFileSync(markerFile, `code-server ${CODE_SERVER_VERSION} installed ${new Date().toISOString()}\n`);
  log(`code-server ${CODE_SERVER_VERSION} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return codeServerBin;
}

/** A TCP port on the loopback interface that was free a moment ago. */
export function freePort(preferred = 0) {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error) => {
      if (preferred !== 0) freePort(0).then(resolvePort, reject);
      else reject(error);
    });
    server.listen(preferred, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts code-server with throwaway-able directories and resolves once it answers /healthz.
 * `output` receives its stdout and stderr (defaults to this process's stderr). Workspace trust
 * is disabled unless `workspaceTrust` is set.
 */
export async function startCodeServer({
  port,
  userDataDir,
  extensionsDir,
  folder,
  env = {},
  output = process.stderr,
  workspaceTrust = false,
}) {
  const bin = ensureCodeServer();
  mkdirSync(userDataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const args = [
    bin,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    // Workspace trust on (a restricted-mode test): a fresh user-data dir trusts no folder.
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    // Its own config file, so nothing is written to ~/.config/code-server.
    '--config',
    join(dirname(userDataDir), 'code-server.yaml'),
    folder,
  ];
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(output, { end: false });
  child.stderr.pipe(output, { end: false });
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited)
      throw new Error(`code-server exited before it was ready (code ${exited.code}, signal ${exited.signal})`);
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error('code-server did not answer /healthz within 60 s');
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    baseUrl,
    port,
    process: child,
    stop: () =>
      new Promise((resolveStop) => {
        if (exited) return resolveStop();
        child.once('exit', () => resolveStop());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

/**
 * The workbench URL for a folder, loading the extension from `extensionDevelopmentPath` (and
 * running the tests module at `extensionTestsPath`, if given) in code-server's Node extension host.
 */
export function workbenchUrl({ port, folder, extensionDevelopmentPath, extensionTestsPath }) {
  const remote = (path) => `vscode-remote://127.0.0.1:${port}${path}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  const query = new URLSearchParams({ folder });
  if (payload.length > 0) query.set('payload', JSON.stringify(payload));
  return `http://127.0.0.1:${port}/?${query}`;
}

/**
 * Makes sure a real VS Code (code-server) and Chromium can be had for a test suite. When they
 * cannot: under CI=true, prints what to install and exits non-zero; elsewhere prints a loud
 * notice and returns false so the suite is skipped.
 */
export function realVsCodeAvailable(suiteName) {
  const unavailable = (reason) => {
    const banner = '!'.repeat(78);
    console.error(`\n${banner}\n${suiteName}: ${reason}`);
    if (isCI) {
      console.error(`${suiteName}: FAILED — CI=true needs a real VS Code and Chromium.\n${banner}\n`);
      process.exit(1);
    }
    console.error(`${suiteName}: SKIPPED — no real VS Code or browser on this machine.\n${banner}\n`);
    return false;
  };
  try {
    if (!ensureDebianPackages(['chromium', 'libkrb5-dev', 'ripgrep', 'build-essential', 'python3'])) {
      return unavailable('missing Debian packages (see above)');
    }
    ensureCodeServer();
  } catch (error) {
    return unavailable(`VS Code (code-server) or Chromium could not be installed: ${error?.message ?? error}`);
  }
  return true;
}

/** Chromium flags that keep a headless Debian Chromium quiet and offline. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const command = process.argv[2];
  if (command === 'ensure') {
    try {
      console.log(ensureCodeServer());
    } catch (error) {
      log(String(error?.message ?? error));
      process.exit(1);
    }
  } else if (command === 'check-deb') {
    process.exit(ensureDebianPackages(Object.keys(debianPackages)) ? 0 : 1);
  } else {
    console.error('usage: node scripts/code-server.mjs ensure | check-deb');
    process.exit(2);
  }
}
