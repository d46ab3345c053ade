// Outputs restored from a results record: the record the command line writes, read back through
// its text, gives exactly the outputs a fresh execution shows (run summaries, comparison tables
// and charts of means, check verdicts); edited cells make them stale; a doctored table is refused.
import assert from 'node:assert/strict';
import test from 'node:test';
import { executeLab } from '../../src/cli/executeLab';
import { recordOf } from '../../src/cli/record';
import { LabSession, outputInputsHash } from '../../src/lab/notebook/execute';
import { parseLab, type LabCell } from '../../src/lab/document/markdown';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { restoredOutputs } from '../../src/lab/notebook/restore';
import { parseResults, serializeResults, type ResultsRecord } from '../../src/lab/run/resultsRecord';
import { inProcessRunHost } from '../../src/worker/runSimulation';

const LAB = `# Restore
\`\`\`machine
name: quad
sockets: 1
coresPerSocket: 4
\`\`\`
\`\`\`workload
name: jobs
processes:
  - { name: job, count: 10, arrival: 0s, demand: exp 20ms }
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
\`\`\`compare
name: both
machine: quad
workload: jobs
policies: [pinned, work-stealing]
seeds: 3
duration: 1s
metrics: [makespanS, migrations]
\`\`\`
\`\`\`compare
machine: quad
workload: jobs
policies: [pinned]
seeds: 1
duration: 1s
metrics: [makespanS]
\`\`\`
\`\`\`check id=steals points=2
expect: runs.b.migrations > runs.a.migrations && compares.both.pinned.migrations.mean == 0
\`\`\`
\`\`\`check id=never points=1
expect: runs.b.migrations == 0
\`\`\`
\`\`\`chart
show: load
runs: [a, b]
\`\`\`
`;

async function recorded(cells: ReturnType<typeof parseLab>): Promise<ResultsRecord> {
  const execution = await executeLab(cells, { host: inProcessRunHost });
  // Through the record's text, as the extension reads the file.
  return parseResults(serializeResults(recordOf('restore.lab.md', execution)));
}

test('restored outputs are the outputs a fresh execution shows, with the same inputs hashes and scores', async () => {
  const cells = parseLab(LAB);
  const record = await recorded(cells);
  const lab = resolveLab(cells);
  const restored = restoredOutputs(cells, lab, record);
  const chart = cells.findIndex((c) => c.kind === 'chart');
  assert.deepEqual(
    restored.map((r) => r.cellIndex),
    cells.flatMap((c, i) => (c.kind === 'run' || c.kind === 'compare' || c.kind === 'check' ? [i] : [])),
    'every run, compare and check cell is restored; charts are not',
  );
  assert.ok(!restored.some((r) => r.cellIndex === chart));
  const session = new LabSession(inProcessRunHost);
  for (const { cellIndex, outcome } of restored) {
    const fresh = await session.execute(cells, cellIndex, { signal: new AbortController().signal });
    assert.deepEqual(
      JSON.parse(JSON.stringify(outcome)),
      JSON.parse(JSON.stringify(fresh)),
      `cell ${cellIndex} (${cells[cellIndex].kind})`,
    );
    assert.equal(outcome.inputsHash, outputInputsHash(lab, cells, cellIndex));
  }
  const scores = restored.flatMap((r) => (r.outcome.check ? [r.outcome.check] : []));
  assert.deepEqual(scores, [
    { score: 2, points: 2 },
    { score: 0, points: 1 },
  ]);
});

test('after an edit the restored outputs keep their recorded hashes, so they show as stale', async () => {
  const cells = parseLab(LAB);
  const record = await recorded(cells);
  const edited: LabCell[] = cells.map((c) =>
    c.kind === 'workload' ? { ...c, value: c.value.replace('count: 10', 'count: 11') } : c,
  );
  const lab = resolveLab(edited);
  const restored = restoredOutputs(edited, lab, record);
  const run = restored.find((r) => edited[r.cellIndex].kind === 'run')!;
  assert.ok(run, 'a stale run is still shown');
  assert.notEqual(run.outcome.inputsHash, outputInputsHash(lab, edited, run.cellIndex));
  const check = restored.find((r) => edited[r.cellIndex].kind === 'check')!;
  assert.notEqual(check.outcome.inputsHash, outputInputsHash(lab, edited, check.cellIndex));
});

test('a comparison table edited by hand (its digest no longer matches) and records without tables are not shown', async () => {
  const cells = parseLab(LAB);
  const record = await recorded(cells);
  const doctored = structuredClone(record);
  doctored.compares.both.cells![0].interval.mean = 42;
  const both = cells.findIndex((c) => c.kind === 'compare');
  assert.ok(!restoredOutputs(cells, resolveLab(cells), doctored).some((r) => r.cellIndex === both));
  const old = structuredClone(record);
  for (const run of Object.values(old.runs)) delete run.machine;
  for (const compare of Object.values(old.compares)) delete compare.cells;
  assert.deepEqual(
    restoredOutputs(cells, resolveLab(cells), old).filter((r) => cells[r.cellIndex].kind !== 'check'),
    [],
  );
});
