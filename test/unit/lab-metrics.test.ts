// The table of metric definitions and the reading order of a summary, on real runs: a batch run
// that leaves work unfinished leads with what finished and heads its finished-only metrics with
// how many did not; a real-time run leads with jobs and deadlines; every metric a run reports is
// defined, explained and in the docs' words.
import assert from 'node:assert/strict';
import test from 'node:test';
import { simulate, type SimConfig } from '../../src/sim';
import {
  metricExplanation,
  METRIC_DEFINITIONS,
  periodic,
  summaryGroups,
  unfinishedCount,
} from '../../src/lab/outputs/metrics';
import { summaryMarkdown } from '../../src/lab/outputs/summaryText';
import type { RunOutput } from '../../src/lab/outputs/contract';

const machine = {
  sockets: 1,
  coresPerSocket: 2,
  power: {},
  thermal: {},
  events: [{ kind: 'fail' as const, atNs: 5e8, cpu: 1 }],
};

function summaryOf(groups: SimConfig['workload']['groups'], durationNs = 1e9): Record<string, unknown> {
  return simulate({
    machine,
    workload: { groups },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fair' },
    durationNs,
    seed: 1,
  }).summary as unknown as Record<string, unknown>;
}

// Two short jobs finish; two long ones cannot within the second the run lasts.
const batch = summaryOf([
  { name: 'short', count: 2, arrival: { kind: 'fixed', atNs: 0 }, demand: { kind: 'fixed', valueNs: 1e7 } },
  { name: 'long', count: 2, arrival: { kind: 'fixed', atNs: 0 }, demand: { kind: 'fixed', valueNs: 5e9 } },
]);
const realtime = summaryOf([
  { name: 'rt', count: 3, taskSet: { utilization: 1.2, periodMinNs: 5e6, periodMaxNs: 20e6 } },
]);

test('every metric a run reports (power, heat and faults included) is defined and explained', () => {
  for (const summary of [batch, realtime]) {
    for (const key of Object.keys(summary)) {
      assert.ok(key in METRIC_DEFINITIONS, `${key} has no definition`);
      assert.ok((metricExplanation(key) ?? '').length > 20, key);
    }
  }
  assert.match(metricExplanation('makespanS')!, /Finished processes only/);
  assert.doesNotMatch(metricExplanation('meanSojournS')!, /Finished processes only/);
});

test('a batch run leads with what finished; its finished-only metrics come next, headed with what they leave out', () => {
  assert.equal(periodic(batch), false);
  assert.equal(batch.unfinished, 2);
  assert.equal(unfinishedCount(batch), 2);
  const { key } = summaryGroups(batch);
  assert.deepEqual(key.map((g) => g.group).slice(0, 3), ['processes', 'finished', 'everyProcess']);
  assert.deepEqual(key[0].keys, ['arrived', 'completed', 'unfinished']);
  assert.ok(
    key[1].keys.includes('makespanS') &&
      key[1].keys.every((k) => METRIC_DEFINITIONS[k as keyof typeof METRIC_DEFINITIONS].finishedOnly),
  );
  const text = summaryMarkdown({
    name: 'b',
    policy: 'least-loaded',
    scheduler: 'fair',
    machine: 'm',
    workload: 'w',
    seed: 1,
    durationS: 1,
    digest: 'd',
    summary: batch as RunOutput['summary'],
  });
  assert.match(
    text,
    /\| \*\*Over finished processes only \(2 did not finish and are not counted\)\*\* \| \|\n\| makespanS \|/,
  );
  assert.ok(text.indexOf('| arrived |') < text.indexOf('| makespanS |'));
});

test('a real-time run leads with its jobs and deadlines; process counts and process-only metrics step back', () => {
  assert.equal(periodic(realtime), true);
  const { key, rest } = summaryGroups(realtime);
  assert.equal(key[0].group, 'jobs');
  assert.deepEqual(key[0].keys, [
    'jobsReleased',
    'jobsCompleted',
    'jobsUnfinished',
    'deadlineMisses',
    'deadlineMissRatio',
  ]);
  assert.equal(key.find((g) => g.group === 'finished')?.title, 'Over completed jobs only');
  const main = key.flatMap((g) => g.keys);
  for (const k of ['makespanS', 'throughputPerS', 'meanWaitS', 'meanSojournS']) {
    assert.ok(!main.includes(k) && rest.some((g) => g.keys.includes(k)), `${k} is behind All metrics`);
  }
  // And every key is shown once, in one table or the other.
  const shown = [...key, ...rest].flatMap((g) => g.keys).sort();
  assert.deepEqual(shown, Object.keys(realtime).sort());
});
