// The lab session: what each cell kind outputs, errors at the right place, cached runs,
// stale-output hashes, and policy code refused in untrusted workspaces.
import assert from 'node:assert/strict';
import test from 'node:test';
import { LabSession, outputInputsHash, type CellOutcome } from '../../src/lab/notebook/execute';
import { parseLab, type LabCell } from '../../src/lab/document/markdown';
import {
  CHART_MIME,
  COMPARE_MIME,
  RUN_MIME,
  type ChartOutput,
  type CompareOutput,
  type RunOutput,
} from '../../src/lab/outputs/contract';
import { resolveLab } from '../../src/lab/language/resolveLab';
import type { RunHost, RunRequest } from '../../src/lab/run/runHost';
import { inProcessRunHost } from '../../src/worker/runSimulation';

const LAB = `# A lab
\`\`\`machine
name: quad
sockets: 1
coresPerSocket: 4
\`\`\`
\`\`\`workload
name: jobs
processes:
  - { name: job, count: 12, arrival: 0s, demand: exp 20ms, workingSet: 128KiB }
\`\`\`
\`\`\`run
name: a
machine: quad
workload: jobs
policy: pinned
duration: 1s
seed: 3
\`\`\`
\`\`\`run
name: b
machine: quad
workload: jobs
policy: work-stealing
duration: 1s
seed: 3
\`\`\`
\`\`\`chart
show: load
runs: [a, b]
\`\`\`
\`\`\`compare
machine: quad
workload: jobs
policies: [pinned, work-stealing]
seeds: 3
duration: 1s
metrics: [makespanS, migrations]
\`\`\`
\`\`\`check id=steals points=2
expect: runs.b.migrations > runs.a.migrations
message: Stealing moves processes.
\`\`\`
\`\`\`check id=never points=1
expect: runs.b.migrations == 0
message: This one fails on purpose.
\`\`\`
`;

/** Counts simulations, so tests can see when a cached result was reused. */
function countingHost(): RunHost & { runs: RunRequest[] } {
  const runs: RunRequest[] = [];
  return {
    runs,
    run: (request) => (runs.push(request), inProcessRunHost.run(request)),
    summarize: (request) => (runs.push(request), inProcessRunHost.summarize(request)),
    runCluster: (request) => inProcessRunHost.runCluster(request),
  };
}

const signal = () => new AbortController().signal;
const indexOf = (cells: LabCell[], kind: string, nth = 0) =>
  cells.map((c, i) => [c.kind, i] as const).filter(([k]) => k === kind)[nth][1];
const item = (outcome: CellOutcome, mime: string) => {
  assert.ok(outcome.ok, JSON.stringify(outcome));
  return outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === mime)?.data;
};

test('a run cell outputs its summary, seed and digest; running it again reuses the result', async () => {
  const cells = parseLab(LAB);
  const host = countingHost();
  const session = new LabSession(host);
  const first = await session.execute(cells, indexOf(cells, 'run'), { signal: signal() });
  const run = item(first, RUN_MIME) as RunOutput;
  assert.equal(run.name, 'a');
  assert.equal(run.seed, 3);
  assert.equal(run.summary.completed, 12);
  assert.match(run.digest, /^[0-9a-f]{64}$/);
  await session.execute(cells, indexOf(cells, 'run'), { signal: signal() });
  assert.equal(host.runs.length, 1, 'the unchanged run was simulated again');
});

test('a chart cell simulates the runs it names and draws one row per CPU and run', async () => {
  const cells = parseLab(LAB);
  const host = countingHost();
  const chart = item(
    await new LabSession(host).execute(cells, indexOf(cells, 'chart'), { signal: signal() }),
    CHART_MIME,
  ) as ChartOutput;
  assert.equal(host.runs.length, 2);
  const heat = (chart.spec as { vconcat: { data: { values: { run: string; cpu: number }[] } }[] }).vconcat[0].data
    .values;
  assert.deepEqual(new Set(heat.map((r) => `${r.run}/${r.cpu}`)).size, 8);
});

test('a compare cell runs every policy on the same seeds and marks the best mean', async () => {
  const cells = parseLab(LAB);
  const host = countingHost();
  const compare = item(
    await new LabSession(host).execute(cells, indexOf(cells, 'compare'), { signal: signal() }),
    COMPARE_MIME,
  ) as CompareOutput;
  assert.equal(host.runs.length, 6);
  assert.deepEqual(host.runs.map((r) => `${r.config.policy.name}:${r.config.seed}`).sort(), [
    'pinned:1',
    'pinned:2',
    'pinned:3',
    'work-stealing:1',
    'work-stealing:2',
    'work-stealing:3',
  ]);
  const migrations = compare.cells.filter((c) => c.metric === 'migrations');
  assert.equal(migrations.find((c) => c.policy === 'pinned')!.interval.mean, 0);
  // Migrations have no better direction (moving is a cost and a cure): no best is claimed.
  assert.ok(
    migrations.every((c) => !c.best),
    'a best number of migrations is claimed',
  );
  assert.ok(migrations.find((c) => c.policy === 'work-stealing')!.difference!.mean > 0);
  const makespans = compare.cells.filter((c) => c.metric === 'makespanS');
  const shortest = Math.min(...makespans.map((c) => c.interval.mean));
  assert.deepEqual(
    makespans.filter((c) => c.best).map((c) => c.interval.mean),
    [shortest],
    'the shortest makespan is best',
  );
});

test('a passing check scores its points; a failing one fails the cell with its message and the values', async () => {
  const cells = parseLab(LAB);
  const session = new LabSession(inProcessRunHost);
  const passed = await session.execute(cells, indexOf(cells, 'check', 0), { signal: signal() });
  assert.match(String(item(passed, 'text/markdown')), /steals passed.*2 of 2 points/);
  const failed = await session.execute(cells, indexOf(cells, 'check', 1), { signal: signal() });
  assert.ok(!failed.ok && !failed.cancelled);
  assert.match(failed.title, /never failed \(0 of 1 point\)/);
  assert.match(failed.message, /This one fails on purpose/);
});

test('an invalid cell fails with the line and column of the problem, and the others still run', async () => {
  const cells = parseLab(LAB.replace('policy: pinned', 'polcy: pinned'));
  const session = new LabSession(inProcessRunHost);
  const outcome = await session.execute(cells, indexOf(cells, 'run'), { signal: signal() });
  assert.ok(!outcome.ok && !outcome.cancelled);
  assert.match(outcome.message, /^line 4, column 1: Unknown key "polcy"\. Did you mean "policy"\?/);
  assert.equal(outcome.at?.cellIndex, indexOf(cells, 'run'));
  const other = await session.execute(cells, indexOf(cells, 'run', 1), { signal: signal() });
  assert.ok(other.ok);
});

test('output hashes change with a cell a run uses, not with Markdown added around it', () => {
  const cells = parseLab(LAB);
  const before = resolveLab(cells);
  const chart = indexOf(cells, 'chart');
  const hash = outputInputsHash(before, cells, chart)!;

  const edited = parseLab(LAB.replace('coresPerSocket: 4', 'coresPerSocket: 2'));
  assert.notEqual(outputInputsHash(resolveLab(edited), edited, chart), hash);

  const moved = parseLab(LAB.replace('# A lab', '# A lab\n\nSome more words.\n\n```js\nconsole.log(1)\n```'));
  assert.equal(outputInputsHash(resolveLab(moved), moved, indexOf(moved, 'chart')), hash);
});

test('policy code does not run in an untrusted workspace, and says why', async () => {
  const lab = `${LAB}
\`\`\`policy name=mine lang=js
definePolicy({ place(view, p) { return 0; } });
\`\`\`
\`\`\`run
name: c
machine: quad
workload: jobs
policy: mine
duration: 1s
\`\`\`
`;
  const cells = parseLab(lab);
  const run = indexOf(cells, 'run', 2);
  const refused = await new LabSession(inProcessRunHost, {}, false).execute(cells, run, { signal: signal() });
  assert.ok(!refused.ok && !refused.cancelled);
  assert.match(refused.message, /not trusted/);
  const trusted = await new LabSession(inProcessRunHost, {}, true).execute(cells, run, { signal: signal() });
  assert.equal((item(trusted, RUN_MIME) as RunOutput).summary.completed, 12);
});

test('a cancelled run ends as cancelled, not as an error', async () => {
  const cells = parseLab(
    LAB.replace('duration: 1s\nseed: 3', 'duration: 1s\nseed: 3').replace(
      'count: 12, arrival: 0s',
      'arrival: poisson 2000/s',
    ),
  );
  const controller = new AbortController();
  controller.abort();
  const outcome = await new LabSession(inProcessRunHost).execute(cells, indexOf(cells, 'run'), {
    signal: controller.signal,
  });
  assert.deepEqual(outcome, { ok: false, cancelled: true });
});

test("a chart or check of a broken run refuses with that run cell's errors", async () => {
  const cells = parseLab(LAB.replace('name: a\nmachine: quad', 'name: a\nmachine: quadd'));
  const session = new LabSession(inProcessRunHost);
  const chart = await session.execute(cells, indexOf(cells, 'chart'), { signal: signal() });
  assert.ok(!chart.ok && !chart.cancelled);
  assert.equal(chart.title, 'Run a is invalid');
  assert.equal(chart.message, 'line 2, column 10: Unknown machine "quadd". Did you mean "quad"?');
  assert.equal(chart.at?.cellIndex, indexOf(cells, 'run'));
  const check = await session.execute(cells, indexOf(cells, 'check'), { signal: signal() });
  assert.ok(!check.ok && !check.cancelled);
  assert.match(check.message, /run "a" has no result: line 2, column 10: Unknown machine "quadd"/);
});
