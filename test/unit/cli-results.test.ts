// The results record (src/lab/run/resultsRecord.ts) in-process: paths, stable text, and each verdict.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  movedMetrics,
  parseResults,
  resultsPathFor,
  serializeResults,
  verifyAgainst,
  type ResultsRecord,
} from '../../src/lab/run/resultsRecord';

const record: ResultsRecord = {
  format: 1,
  lab: 'a.lab.md',
  version: '0.1.0+sim.1',
  params: { dur: '2s' },
  runs: {
    same: {
      policy: 'pinned',
      seed: 1,
      simVersion: '1',
      inputsHash: 'h1',
      digest: 'd1',
      summary: { meanResponseS: 0.5, migrationsByReason: { steal: 3 } },
    },
    moved: {
      policy: 'pinned',
      seed: 1,
      simVersion: '1',
      inputsHash: 'h2',
      digest: 'd2',
      summary: { meanResponseS: 0.5, migrationsByReason: { steal: 3 } },
    },
    edited: { policy: 'pinned', seed: 1, simVersion: '1', inputsHash: 'h3', digest: 'd3', summary: {} },
    gone: { policy: 'pinned', seed: 1, simVersion: '1', inputsHash: 'h4', digest: 'd4', summary: {} },
  },
  compares: {},
};

test('the record sits next to the lab and serialises with sorted keys', () => {
  assert.equal(resultsPathFor('labs/intro.lab.md'), 'labs/intro.lab.results.json');
  assert.equal(resultsPathFor('notes.md'), 'notes.md.results.json');
  const text = serializeResults({ ...record, runs: { b: record.runs.same, a: record.runs.moved } });
  assert.ok(text.indexOf('"a"') < text.indexOf('"b"'));
  assert.ok(text.indexOf('"compares"') < text.indexOf('"format"'));
  assert.ok(text.endsWith('}\n'));
  assert.deepEqual(parseResults(serializeResults(record)), JSON.parse(serializeResults(record)));
  assert.throws(() => parseResults('{"format": 2, "runs": {}, "compares": {}}'), /not a results record/);
});

test('verdicts: identical, drifted with moved metrics, stale, new, removed, failed', () => {
  const entries = verifyAgainst(
    record,
    [
      { kind: 'run', name: 'same', inputsHash: 'h1', result: { ok: true, digest: 'd1', values: {} } },
      {
        kind: 'run',
        name: 'moved',
        inputsHash: 'h2',
        result: { ok: true, digest: 'dX', values: { meanResponseS: 0.75, 'migrationsByReason.steal': 3 } },
      },
      { kind: 'run', name: 'edited', inputsHash: 'changed' },
      { kind: 'run', name: 'fresh', inputsHash: 'h5', result: { ok: true, digest: 'd5', values: {} } },
    ],
    '1',
  );
  assert.deepEqual(
    entries.map((e) => `${e.name} ${e.status}`),
    ['same identical', 'moved drifted', 'edited stale', 'fresh new', 'gone removed'],
  );
  assert.deepEqual(entries[1].moved, [{ metric: 'meanResponseS', recorded: 0.5, now: 0.75 }]);
  const failed = verifyAgainst(
    record,
    [{ kind: 'run', name: 'same', inputsHash: 'h1', result: { ok: false, error: 'boom' } }],
    '1',
  );
  assert.equal(failed[0].status, 'failed');
  const newSim = verifyAgainst(
    record,
    [
      {
        kind: 'run',
        name: 'moved',
        inputsHash: 'h2',
        result: { ok: true, digest: 'dX', values: { meanResponseS: 0.5, 'migrationsByReason.steal': 3 } },
      },
    ],
    '2',
  );
  assert.equal(newSim[0].status, 'drifted');
  assert.equal(newSim[0].note, 'simulator version 1 -> 2');
});

test('moved metrics ignore floating-point noise below 12 significant digits', () => {
  assert.deepEqual(movedMetrics({ a: 0.1 + 0.2 }, { a: 0.3 }), []);
  assert.deepEqual(
    movedMetrics({ a: 1 }, { a: 1.0001, b: 2 }).map((m) => m.metric),
    ['a', 'b'],
  );
});
