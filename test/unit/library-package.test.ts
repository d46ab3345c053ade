// The simulator as a library, the way a researcher gets it: the npm package built from
// library/ is packed with `npm pack`, installed from the tarball into an empty folder (no
// registry needed: it has no dependencies), and used from a plain Node script (ESM and
// CommonJS), from TypeScript (its types check a correct call and reject a wrong one), from a
// browser bundle in Chromium, and through its `migration-lab` binary. Every digest equals the
// repository's own command line's.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { cli, REPO } from './cli-helpers';

const LABS = ['assignment.lab.md', 'load-sweep.lab.md'];
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const isCI = process.env.CI === 'true' || process.env.CI === '1';

function run(command: string, args: string[], cwd: string): string {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `${command} ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** What each consumer prints: per lab, each run's digest and each check's verdict. */
const CONSUMER = `
export async function report(api, labs) {
  const out = {};
  for (const [name, text] of Object.entries(labs)) {
    const lab = await api.runLab(text, { fileName: name });
    if (!lab.ok) throw new Error(lab.problems.join('\\n'));
    out[name] = {
      runs: Object.fromEntries(Object.entries(lab.runs).map(([run, r]) => [run, r.ok ? r.value.digest : r.error])),
      checks: lab.checks.map((c) => \`\${c.name}:\${c.passed}\`),
      charts: lab.charts.filter((c) => c.ok).length,
    };
  }
  const table = await api.compare({
    machine: { preset: 'laptop-4' },
    workload: { groups: [{ name: 'web', arrival: { kind: 'poisson', ratePerS: 600 }, demand: { kind: 'exp', meanNs: 4e6 } }] },
    policies: ['pinned', 'work-stealing'],
    seeds: 3,
    durationNs: 5e8,
    metrics: ['meanResponseS'],
  });
  out.compare = table.cells.map((c) => \`\${c.policy} \${c.interval.mean}\`);
  out.version = api.SIM_VERSION;
  return out;
}
`;

test('the packed library installs from its tarball and runs in Node, TypeScript, a browser and its CLI', { timeout: 600_000 }, async (t) => {
  run(process.execPath, ['scripts/build.mjs', '--library'], REPO);
  const dir = mkdtempSync(join(tmpdir(), 'ml-library-'));
  const packed = JSON.parse(run('npm', ['pack', join(REPO, 'library'), '--pack-destination', dir, '--json'], REPO))[0] as { filename: string; size: number; unpackedSize: number; files: { path: string }[] };
  const files = packed.files.map((f) => f.path).sort();
  assert.deepEqual(files, ['LICENSE', 'README.md', 'dist/cli.js', 'dist/index.browser.mjs', 'dist/index.cjs', 'dist/index.d.ts', 'dist/simWorker.node.js', 'package.json']);

  const project = join(dir, 'project');
  run('mkdir', ['-p', project], dir);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  run('npm', ['install', join(dir, packed.filename), '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], project);
  for (const lab of LABS) copyFileSync(join(REPO, 'examples', lab), join(project, lab));
  writeFileSync(join(project, 'report.mjs'), CONSUMER);

  // The repository's command line (worker threads, Node's hash) is the reference.
  const reference: Record<string, Record<string, string>> = {};
  for (const lab of LABS) {
    const r = cli(['run', join(project, lab), '--json']);
    assert.ok(r.code === 0, r.stderr);
    reference[lab] = Object.fromEntries((JSON.parse(r.stdout) as { runs: { name: string; digest: string }[] }).runs.map((x) => [x.name, x.digest]));
  }

  // A plain Node script, ES module and CommonJS.
  const labsJson = JSON.stringify(Object.fromEntries(LABS.map((lab) => [lab, readFileSync(join(project, lab), 'utf8')])));
  writeFileSync(join(project, 'labs.json'), labsJson);
  writeFileSync(join(project, 'esm.mjs'), `import * as api from 'migration-lab';\nimport { report } from './report.mjs';\nimport labs from './labs.json' with { type: 'json' };\nconsole.log(JSON.stringify(await report(api, labs)));\n`);
  writeFileSync(join(project, 'cjs.cjs'), `const api = require('migration-lab');\nconst labs = require('./labs.json');\nimport('./report.mjs').then(async ({ report }) => console.log(JSON.stringify(await report(api, labs))));\n`);
  const esm = JSON.parse(run(process.execPath, ['esm.mjs'], project));
  const cjs = JSON.parse(run(process.execPath, ['cjs.cjs'], project));
  for (const lab of LABS) assert.deepEqual(esm[lab].runs, reference[lab], `${lab}: library digests vs the CLI's`);
  assert.deepEqual(esm['assignment.lab.md'].checks, ['balances:true', 'faster:true', 'frugal:true']);
  assert.deepEqual(esm['load-sweep.lab.md'].checks, ['benefit:true', 'beyond-placement:true', 'worth-it:true']);
  assert.deepEqual(cjs, esm);

  // TypeScript: a correct call typechecks against the shipped declarations; a wrong one does not.
  writeFileSync(
    join(project, 'typed.ts'),
    `import { runLab, simulate, type LabRun, type SimResult } from 'migration-lab';
const result: SimResult = simulate({ machine: { preset: 'laptop-4' }, workload: { groups: [{ name: 'a', count: 2, demand: { kind: 'fixed', valueNs: 1e6 } }] }, policy: { name: 'pinned' }, scheduler: { kind: 'fair' }, durationNs: 1e9, seed: 1 });
const migrations: number = result.summary.migrations;
const lab: LabRun = await runLab('');
if (lab.ok) for (const check of lab.checks) check.passed satisfies boolean;
// @ts-expect-error: a policy is required
simulate({ machine: {}, workload: { groups: [] }, scheduler: { kind: 'fair' }, durationNs: 1, seed: 1 });
// @ts-expect-error: no such scheduler
simulate({ machine: {}, workload: { groups: [] }, policy: { name: 'pinned' }, scheduler: { kind: 'lottery' }, durationNs: 1, seed: 1 });
export { migrations };
`,
  );
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, types: [], lib: ['es2022'] }, files: ['typed.ts'] }));
  run(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], project);

  // Its binary: a sweep through the installed CLI and its worker file gives the repository CLI's bytes.
  const sweep = ['sweep', 'assignment.lab.md', '--seeds', '2', '--workers', '1'];
  run(join(project, 'node_modules', '.bin', 'migration-lab'), [...sweep, '--out', 'installed.json'], project);
  assert.equal(cli([...sweep.slice(0, 1), join(project, 'assignment.lab.md'), ...sweep.slice(2), '--out', join(project, 'repo.json')]).code, 0);
  assert.equal(readFileSync(join(project, 'installed.json'), 'utf8'), readFileSync(join(project, 'repo.json'), 'utf8'));

  // A browser bundle: the package's browser build, bundled as a web page would, run in Chromium.
  if (!existsSync(CHROMIUM)) {
    assert.ok(!isCI, `CI=true: Chromium is required at ${CHROMIUM}`);
    console.error(`\n${'!'.repeat(78)}\nlibrary: browser part SKIPPED — no Chromium at ${CHROMIUM}\n${'!'.repeat(78)}\n`);
    return;
  }
  writeFileSync(join(project, 'page.mjs'), `import * as api from 'migration-lab';\nimport { report } from './report.mjs';\nimport labs from './labs.json';\nwindow.report = report(api, labs);\n`);
  const bundle = await esbuild.build({ entryPoints: [join(project, 'page.mjs')], bundle: true, format: 'esm', platform: 'browser', write: false, metafile: true, absWorkingDir: project, logLevel: 'silent' });
  const code = bundle.outputFiles[0].text;
  assert.ok(Object.keys(bundle.metafile.inputs).includes('node_modules/migration-lab/dist/index.browser.mjs'), 'the browser build was bundled');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'], headless: true });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setContent('<!doctype html><title>library</title>');
    await page.addScriptTag({ content: code, type: 'module' });
    const inBrowser = await page.evaluate(() => (window as unknown as { report: Promise<unknown> }).report);
    assert.deepEqual(errors, []);
    assert.deepEqual(inBrowser, esm, 'the browser gives what Node gives');
  } finally {
    await browser.close();
  }
  t.diagnostic(`library: ${packed.filename}, ${(packed.size / 1024).toFixed(0)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked; digests equal in Node (ESM, CJS), Chromium and the CLI`);
});
