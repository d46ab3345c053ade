// One build script for every bundle: the extension (Node and web), the simulation workers
// (Node worker thread and web worker), the notebook renderer (ESM, runs in the notebook
// webview), the command-line runner, and the integration-test suite that runs inside VS
// Code's extension host. `--library` builds the npm package in library/ instead (see
// library/README.md): the library for Node and for browsers, its bundled type declarations,
// and the command-line runner with its worker.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as esbuild from 'esbuild';
import { generateDtsBundle } from 'dts-bundle-generator';

const args = new Set(process.argv.slice(2));
const watch = args.has('--watch');
const library = args.has('--library');
const production = args.has('--production') || library;

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  target: 'es2022',
};

/**
 * Vega's Node build of vega-canvas probes for the optional `canvas` package with a top-level
 * await, which a CommonJS bundle cannot hold. Without that package it returns no canvas, as its
 * browser build does outside a page: the extension's chart drawing takes the browser build (charts
 * of an exported report are drawn as SVG, which needs no canvas).
 */
const vegaCanvasWithoutProbe = {
  name: 'vega-canvas-without-probe',
  setup(build) {
    build.onResolve({ filter: /^vega-canvas$/ }, () => ({
      path: new URL('../node_modules/vega-canvas/build/vega-canvas.browser.js', import.meta.url).pathname,
    }));
  },
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: { 'extension.node': 'src/extension/main.node.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
  },
  {
    ...common,
    // Loaded by the desktop extension on the first Export Lab to HTML only.
    entryPoints: { 'drawChart.node': 'src/lab/charts/draw.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    plugins: [vegaCanvasWithoutProbe],
  },
  {
    ...common,
    entryPoints: { 'extension.web': 'src/extension/main.web.ts' },
    outdir: 'dist',
    platform: 'browser',
    format: 'cjs',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: { 'simWorker.node': 'src/worker/simWorker.node.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    // The CLI's workers draw report charts with Vega, loaded from node_modules as for the CLI
    // (below); the editor's workers never draw, so the extension needs neither.
    external: ['vega', 'vega-lite'],
  },
  {
    ...common,
    entryPoints: { 'simWorker.web': 'src/worker/simWorker.web.ts' },
    outdir: 'dist',
    platform: 'browser',
    format: 'iife',
    // QuickJS's single-file build mentions Node's modules on a path that only runs under Node.
    external: ['fs', 'path', 'crypto', 'module', 'url'],
  },
  {
    ...common,
    entryPoints: { renderer: 'webview/renderer.ts' },
    outdir: 'dist',
    platform: 'browser',
    format: 'esm',
  },
  {
    ...common,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: 'dist',
    platform: 'node',
    format: 'cjs',
    // Vega's Node build uses a top-level await (ES modules only): the HTML export imports
    // vega and vega-lite dynamically from node_modules instead of bundling them.
    external: ['vega', 'vega-lite'],
    banner: { js: '#!/usr/bin/env node' },
  },
];

if (!production) {
  builds.push({
    ...common,
    entryPoints: { index: 'test/integration/index.ts' },
    outdir: 'out/test',
    platform: 'node',
    format: 'cjs',
    // mocha is loaded from node_modules at run time: one instance for the runner and the
    // suites' `import { suite, test } from 'mocha'`.
    external: ['vscode', 'mocha'],
  });
}

/** The npm package: what it ships is built from scratch, so nothing stale goes into the tarball. */
function libraryBuilds() {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
  const packageManifest = JSON.parse(readFileSync('library/package.json', 'utf8'));
  if (packageManifest.version !== manifest.version) {
    throw new Error(
      `library/package.json is version ${packageManifest.version}, package.json ${manifest.version}: give them the same version`,
    );
  }
  rmSync('library/dist', { recursive: true, force: true });
  mkdirSync('library/dist', { recursive: true });
  copyFileSync('LICENSE', 'library/LICENSE');
  const entry = { index: 'src/library/index.ts' };
  const fromApp = (name) => ({ ...builds.find((b) => Object.keys(b.entryPoints)[0] === name), outdir: 'library/dist' });
  return [
    {
      ...common,
      entryPoints: entry,
      outdir: 'library/dist',
      outExtension: { '.js': '.cjs' },
      platform: 'node',
      format: 'cjs',
    },
    // QuickJS's single-file build mentions Node's modules on a path that only runs under Node.
    {
      ...common,
      entryPoints: { 'index.browser': entry.index },
      outdir: 'library/dist',
      outExtension: { '.js': '.mjs' },
      platform: 'browser',
      format: 'esm',
      external: ['fs', 'path', 'crypto', 'module', 'url'],
    },
    fromApp('cli'),
    fromApp('simWorker.node'),
  ];
}

/** One .d.ts for the package's public API: only the types its exports reach. */
function writeLibraryTypes() {
  const [types] = generateDtsBundle(
    [{ filePath: 'src/library/index.ts', output: { noBanner: true, exportReferencedTypes: false } }],
    { preferredConfigPath: 'tsconfig.base.json' },
  );
  writeFileSync('library/dist/index.d.ts', types);
}

if (library) {
  const started = Date.now();
  await Promise.all(libraryBuilds().map((options) => esbuild.build({ ...options, logLevel: 'warning' })));
  writeLibraryTypes();
  console.log(`library built in library/dist in ${Date.now() - started} ms: pack it with  npm pack ./library`);
  process.exit(0);
}

// The policy API types ship as they are: policy cells' completions and hovers read them.
mkdirSync('dist', { recursive: true });
copyFileSync('src/policy-api/migration-lab-policy.d.ts', 'dist/policy-api.d.ts');

if (watch) {
  for (const options of builds) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
  }
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
