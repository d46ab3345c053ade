/**
 * The benchmarks' one way to bundle an entry for Node: esbuild, as the extension ships the
 * simulator (one CommonJS file, ES2022), so that a benchmark measures the code users run.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

/** Bundles `entry` into `outfile` (its folder made if missing) and returns `outfile`. */
export function bundleForNode(
  entry: string,
  outfile: string,
  options: Pick<esbuild.BuildOptions, 'nodePaths'> = {},
): string {
  mkdirSync(path.dirname(outfile), { recursive: true });
  esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'es2022',
    outfile,
    logLevel: 'warning',
    ...options,
  });
  return outfile;
}
