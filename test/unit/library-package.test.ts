// The simulator as a library, the way a researcher gets it: the npm package built from
// library/ is packed with `npm pack`, installed from the tarball into an empty folder (no
// registry needed: it has no dependencies), and used from a plain Node script (ESM and
// CommonJS), from TypeScript (its types check a correct call and reject a wrong one), from a
// browser bundle in Chromium, and through its `migration-lab` binary. Every digest equals the
// repository's own command line's. Then the GitHub Actions templates that install that
// tarball (templates/github/) run here, job by job (test/unit/workflow-runner.ts): the sweep
// matrix merges to the unsharded sweep's bytes, and the autograding workflow reports the grade.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { cli, REPO } from './cli-helpers';
import { artifactStore, LocalRunner, readWorkflow } from './workflow-runner';

const LABS = ['assignment.lab.md', 'load-sweep.lab.md'];
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const isCI = process.env.CI === 'true' || process.env.CI === '1';

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env } });
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

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

let dir: string;
let packed: Packed;
let tarball: string;

before(() => {
  run(process.execPath, ['scripts/build.mjs', '--library'], REPO);
  dir = mkdtempSync(join(tmpdir(), 'ml-library-'));
  packed = (
    JSON.parse(run('npm', ['pack', join(REPO, 'library'), '--pack-destination', dir, '--json'], REPO)) as Packed[]
  )[0];
  tarball = join(dir, packed.filename);
});

test(
  'the packed library installs from its tarball and runs in Node, TypeScript, a browser and its CLI',
  { timeout: 600_000 },
  async (t) => {
    const files = packed.files.map((f) => f.path).sort();
    assert.deepEqual(files, [
      'LICENSE',
      'README.md',
      'dist/cli.js',
      'dist/index.browser.mjs',
      'dist/index.cjs',
      'dist/index.d.ts',
      'dist/simWorker.node.js',
      'package.json',
    ]);

    const project = join(dir, 'project');
    run('mkdir', ['-p', project], dir);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    run('npm', ['install', tarball, '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], project);
    for (const lab of LABS) copyFileSync(join(REPO, 'examples', lab), join(project, lab));
    writeFileSync(join(project, 'report.mjs'), CONSUMER);

    // The repository's command line (worker threads, Node's hash) is the reference.
    const reference: Record<string, Record<string, string>> = {};
    for (const lab of LABS) {
      const r = cli(['run', join(project, lab), '--json']);
      assert.ok(r.code === 0, r.stderr);
      reference[lab] = Object.fromEntries(
        (JSON.parse(r.stdout) as { runs: { name: string; digest: string }[] }).runs.map((x) => [x.name, x.digest]),
      );
    }

    // A plain Node script, ES module and CommonJS.
    const labsJson = JSON.stringify(
      Object.fromEntries(LABS.map((lab) => [lab, readFileSync(join(project, lab), 'utf8')])),
    );
    writeFileSync(join(project, 'labs.json'), labsJson);
    writeFileSync(
      join(project, 'esm.mjs'),
      `import * as api from 'migration-lab';\nimport { report } from './report.mjs';\nimport labs from './labs.json' with { type: 'json' };\nconsole.log(JSON.stringify(await report(api, labs)));\n`,
    );
    writeFileSync(
      join(project, 'cjs.cjs'),
      `const api = require('migration-lab');\nconst labs = require('./labs.json');\nimport('./report.mjs').then(async ({ report }) => console.log(JSON.stringify(await report(api, labs))));\n`,
    );
    const esm = JSON.parse(run(process.execPath, ['esm.mjs'], project));
    const cjs = JSON.parse(run(process.execPath, ['cjs.cjs'], project));
    for (const lab of LABS) assert.deepEqual(esm[lab].runs, reference[lab], `${lab}: library digests vs the CLI's`);
    assert.deepEqual(esm['assignment.lab.md'].checks, ['balances:true', 'faster:true', 'frugal:true', 'holds-up:true']);
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
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          noEmit: true,
          types: [],
          lib: ['es2022'],
        },
        files: ['typed.ts'],
      }),
    );
    run(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], project);

    // Its binary: a sweep through the installed CLI and its worker file gives the repository CLI's bytes.
    const sweep = ['sweep', 'assignment.lab.md', '--seeds', '2', '--workers', '1'];
    run(join(project, 'node_modules', '.bin', 'migration-lab'), [...sweep, '--out', 'installed.json'], project);
    assert.equal(
      cli([
        ...sweep.slice(0, 1),
        join(project, 'assignment.lab.md'),
        ...sweep.slice(2),
        '--out',
        join(project, 'repo.json'),
      ]).code,
      0,
    );
    assert.equal(
      readFileSync(join(project, 'installed.json'), 'utf8'),
      readFileSync(join(project, 'repo.json'), 'utf8'),
    );

    // A browser bundle: the package's browser build, bundled as a web page would, run in Chromium.
    if (!existsSync(CHROMIUM)) {
      assert.ok(!isCI, `CI=true: Chromium is required at ${CHROMIUM}`);
      console.error(
        `\n${'!'.repeat(78)}\nlibrary: browser part SKIPPED — no Chromium at ${CHROMIUM}\n${'!'.repeat(78)}\n`,
      );
      return;
    }
    writeFileSync(
      join(project, 'page.mjs'),
      `import * as api from 'migration-lab';\nimport { report } from './report.mjs';\nimport labs from './labs.json';\nwindow.report = report(api, labs);\n`,
    );
    const bundle = await esbuild.build({
      entryPoints: [join(project, 'page.mjs')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      metafile: true,
      absWorkingDir: project,
      logLevel: 'silent',
    });
    const code = bundle.outputFiles[0].text;
    assert.ok(
      Object.keys(bundle.metafile.inputs).includes('node_modules/migration-lab/dist/index.browser.mjs'),
      'the browser build was bundled',
    );
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu'],
      headless: true,
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.setContent('<!doctype html><title>library</title>');
      await page.addScriptTag({ content: code, type: 'module' });
      // A module script runs after it is added, not during: on a busy machine the page can be
      // asked before the bundle has set window.report.
      await page.waitForFunction(() => 'report' in window, undefined, { timeout: 120_000 });
      const inBrowser = await page.evaluate(() => (window as unknown as { report: Promise<unknown> }).report);
      assert.deepEqual(errors, []);
      assert.deepEqual(inBrowser, esm, 'the browser gives what Node gives');
    } finally {
      await browser.close();
    }
    t.diagnostic(
      `library: ${packed.filename}, ${(packed.size / 1024).toFixed(0)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked; digests equal in Node (ESM, CJS), Chromium and the CLI`,
    );
  },
);

/** checkout: copies a folder of files (path -> content or file to copy) into the workspace, or into `with.path`. */
function checkout(repos: Record<string, Record<string, string>>) {
  return ({ workspace, inputs }: { workspace: string; inputs: Record<string, string> }) => {
    const files = repos[inputs.repository ?? 'this'];
    assert.ok(files, `checkout of an unknown repository ${inputs.repository}`);
    for (const [path, source] of Object.entries(files)) {
      const target = join(workspace, inputs.path ?? '.', path);
      run('mkdir', ['-p', join(target, '..')], workspace);
      if (existsSync(source)) copyFileSync(source, target);
      else writeFileSync(target, source);
    }
  };
}

const setupNode = ({ inputs }: { inputs: Record<string, string> }) => {
  assert.ok(
    Number(process.versions.node.split('.')[0]) >= Number(inputs['node-version']),
    `the template wants Node ${inputs['node-version']}`,
  );
};

test(
  "the sweep matrix template: every shard job, then the merge job, give the unsharded sweep's files",
  { timeout: 600_000 },
  () => {
    const workflow = readWorkflow(join(REPO, 'templates', 'github', 'sweep.yml'));
    // Its shape: a matrix over shards, an artifact per shard, a merge job after them all.
    const shards = workflow.jobs.sweep.strategy!.matrix!.shard;
    assert.ok(shards.length >= 2);
    assert.ok(
      workflow.jobs.sweep.steps.some(
        (s) => s.uses?.startsWith('actions/upload-artifact') && String(s.with?.name).includes('${{ matrix.shard }}'),
      ),
    );
    assert.equal(workflow.jobs.merge.needs, 'sweep');
    assert.equal(
      workflow.env!.MIGRATION_LAB_PACKAGE,
      `./vendor/${packed.filename}`,
      'the template installs this version of the package',
    );

    const lab = `# Study\n\n\`\`\`params\npol: pinned\n\`\`\`\n\n\`\`\`machine\nname: duo\nsockets: 1\ncoresPerSocket: 2\n\`\`\`\n\n\`\`\`workload\nname: w\nprocesses:\n  - { name: web, count: 20, arrival: poisson 200/s, demand: exp 3ms }\n\`\`\`\n\n\`\`\`run\nname: r\nmachine: duo\nworkload: w\npolicy: $pol\nduration: 200ms\n\`\`\`\n`;
    const repo = { [workflow.env!.LAB]: lab, [workflow.env!.MIGRATION_LAB_PACKAGE]: tarball };
    const runner = new LocalRunner(workflow, {
      actions: { 'actions/checkout': checkout({ this: repo }), 'actions/setup-node': setupNode, ...artifactStore() },
    });
    const shardJobs = runner.runJob('sweep');
    assert.equal(shardJobs.length, shards.length);
    const [merge] = runner.runJob('merge');

    // The same sweep in one piece, through the same installed runner.
    const whole = shardJobs[0].workspace;
    run(
      'bash',
      [
        '-c',
        `npx --no-install migration-lab sweep "$LAB" $SWEEP --out whole.json --csv whole.csv --stats whole-stats.json --stats-csv whole-stats.csv`,
      ],
      whole,
      workflow.env,
    );
    const reference: Record<string, string> = {
      'sweep.json': 'whole.json',
      'sweep.csv': 'whole.csv',
      'stats.json': 'whole-stats.json',
      'stats.csv': 'whole-stats.csv',
    };
    for (const [name, ref] of Object.entries(reference))
      assert.equal(readFileSync(join(merge.workspace, name), 'utf8'), readFileSync(join(whole, ref), 'utf8'), name);
    const rows = (JSON.parse(readFileSync(join(merge.workspace, 'sweep.json'), 'utf8')) as { rows: unknown[] }).rows
      .length;
    assert.ok(rows > shards.length, `${rows} rows`);
  },
);

test('the autograding template grades a submission and hands GitHub Classroom its result', { timeout: 600_000 }, () => {
  const workflow = readWorkflow(join(REPO, 'templates', 'github', 'classroom.yml'));
  const fixtures = join(REPO, 'test', 'fixtures', 'grading');
  const env = workflow.env!;
  assert.equal(
    env.MIGRATION_LAB_PACKAGE,
    `./.instructor/vendor/${packed.filename}`,
    'the template installs this version of the package',
  );
  const reported: unknown[] = [];
  const grade = (submission: string) =>
    new LocalRunner(workflow, {
      secrets: { LAB_SOURCES_TOKEN: 'a read token' },
      github: { actor: 'a-student' },
      actions: {
        'actions/checkout': checkout({
          this: { [env.SUBMISSION]: join(fixtures, 'submissions', `${submission}.lab.md`) },
          'my-course/lab-sources': {
            [env.SOURCE.replace('./.instructor/', '')]: join(fixtures, 'instructor.lab.md'),
            [env.MIGRATION_LAB_PACKAGE.replace('./.instructor/', '')]: tarball,
          },
        }),
        'actions/setup-node': setupNode,
        // What the reporter reads: <RUNNER>_RESULTS, base64 of the Classroom result JSON.
        'classroom-resources/autograding-grading-reporter': ({ inputs, env: stepEnv }) => {
          assert.equal(inputs.runners, 'lab');
          reported.push(JSON.parse(Buffer.from(stepEnv.LAB_RESULTS, 'base64').toString('utf8')));
        },
        ...artifactStore(),
      },
    }).runJob('grade')[0];
  const partial = grade('partial');
  assert.ok(existsSync(join(partial.workspace, 'junit.xml')));
  grade('correct');
  const results = reported as { status: string; max_score: number; tests: { name: string; score: number }[] }[];
  assert.deepEqual(
    results.map((r) => [r.status, r.max_score, r.tests.map((x) => `${x.name}:${x.score}`).join(' ')]),
    [
      ['fail', 6, 'even:2 faster:1 balanced:0 bounded:1'],
      ['pass', 6, 'even:2 faster:1 balanced:2 bounded:1'],
    ],
  );
});
