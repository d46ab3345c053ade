// executeLab starts every run and compare cell at once (so a pool's workers are all busy from
// the first cell), takes their outcomes in file order, and gives the same execution as running
// one simulation at a time: same texts in the same order, same digests, each run simulated once
// even when a chart above it reads it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { executeLab, type LabExecution } from '../../src/cli/executeLab';
import { parseLab } from '../../src/lab/document/markdown';
import type { RunHost, RunRequest } from '../../src/lab/run/runHost';
import { simulate } from '../../src/sim/index';
import { inProcessRunHost } from '../../src/worker/runSimulation';

const LAB = `# Order

\`\`\`machine
name: quad
sockets: 1
coresPerSocket: 4
\`\`\`

\`\`\`workload
name: w
processes:
  - { name: job, count: 30, arrival: poisson 300/s, demand: exp 5ms }
  - { name: batch, count: 4, arrival: 0s, demand: 100ms }
\`\`\`

A chart above the run it reads.

\`\`\`chart
show: load
runs: [b]
\`\`\`

\`\`\`run
name: a
machine: quad
workload: w
policy: pinned
duration: 500ms
seed: 3
\`\`\`

\`\`\`compare
name: policies
machine: quad
workload: w
policies: [pinned, least-loaded]
seeds: 3
duration: 500ms
metrics: [meanResponseS, migrations]
\`\`\`

\`\`\`run
name: b
machine: quad
workload: w
policy: least-loaded
duration: 500ms
seed: 3
\`\`\`

\`\`\`chart
show: cache-misses
runs: [a, b]
\`\`\`
`;

/** The in-process host, counting requests in flight, each run's simulations, and allowing `parallel` at a time. */
function countingHost(parallel: number) {
  let inFlight = 0;
  let queue = Promise.resolve();
  const stats = { maxInFlight: 0, full: new Map<string, number>(), summaries: 0 };
  const admit = async <T>(request: RunRequest, call: () => Promise<T>): Promise<T> => {
    inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    try {
      if (parallel > 1) return await call();
      // One at a time, in the order asked: what executing the cells one by one amounts to.
      const turn = queue.then(call);
      queue = turn.then(
        () => undefined,
        () => undefined,
      );
      return await turn;
    } finally {
      inFlight--;
      void request;
    }
  };
  const host: RunHost = {
    run: (request) => {
      const key = `${request.config.policy.name}/${request.config.seed}`;
      stats.full.set(key, (stats.full.get(key) ?? 0) + 1);
      return admit(request, () => inProcessRunHost.run(request));
    },
    summarize: (request) => {
      stats.summaries++;
      return admit(request, () => inProcessRunHost.summarize(request));
    },
    runCluster: (request) => inProcessRunHost.runCluster(request),
  };
  return { host, stats };
}

/** What an execution produced, in plain values: texts by cell, each run's digest, each comparison, each chart's data. */
const produced = (execution: LabExecution) => ({
  text: [...execution.text],
  runs: [...execution.runs].map(([name, run]) => [name, run.ok ? run.value.output.digest : run.error]),
  compares: [...execution.compares].map(([name, compare]) => [name, compare.ok ? compare.value.output : compare.error]),
  charts: execution.charts.map(({ cellIndex, chart }) => [cellIndex, chart.ok ? chart.value : chart.error]),
});

test('run and compare cells start at once; the execution is the one-at-a-time one, each run simulated once', async () => {
  const cells = parseLab(LAB);
  const together = countingHost(Infinity);
  const execution = await executeLab(cells, { host: together.host });
  const serial = countingHost(1);
  const reference = await executeLab(cells, { host: serial.host });

  // Both runs and the comparison's six simulations were asked for before any finished.
  assert.equal(together.stats.maxInFlight, 8);
  assert.deepEqual(produced(execution), produced(reference));
  // The chart above run b waited for it instead of simulating it a second time.
  assert.deepEqual(
    [...together.stats.full],
    [
      ['pinned/3', 1],
      ['least-loaded/3', 1],
    ],
  );
  assert.equal(together.stats.summaries, 6);

  // Texts come in file order, and the digests are the simulator's own.
  const indexes = [...execution.text.keys()];
  assert.deepEqual(
    indexes,
    [...indexes].sort((x, y) => x - y),
  );
  const lab = execution.lab;
  for (const [name, run] of execution.runs) {
    assert.ok(run.ok);
    assert.equal(run.value.output.digest, simulate(lab.runs.find((r) => r.name === name)!.config).digest, name);
  }
  assert.ok(execution.charts.every(({ chart }) => chart.ok));
});

test('skipped cells are neither started nor run', async () => {
  const cells = parseLab(LAB);
  const { host, stats } = countingHost(Infinity);
  const execution = await executeLab(cells, { host, skip: (cell) => cell.kind === 'compare' || cell.kind === 'chart' });
  assert.equal(stats.summaries, 0);
  assert.deepEqual([...execution.runs.keys()], ['a', 'b']);
  assert.equal(execution.compares.size, 0);
  assert.equal(execution.charts.length, 0);
});
