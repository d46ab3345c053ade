// One build script for every bundle: the extension (Node and web), the simulation workers
// (Node worker thread and web worker), the notebook renderer (ESM, runs in the notebook
// webview), the command-line runner, and the integration-test suite that runs inside VS
// Code's extension host.
import { copyFileSync, mkdirSync } from 'node:fs';
import * as esbuild from 'esbuild';

const args = new Set(process.argv.slice(2));
const watch = args.has('--watch');
const production = args.has('--production');

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
    build.onResolve({ filter: /^vega-canvas$/ }, () => ({ path: new URL('../node_modules/vega-canvas/build/vega-canvas.browser.js', import.meta.url).pathname }));
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
    entryPoints: { 'chartSvg.node': 'src/lab/chartSvg.ts' },
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
