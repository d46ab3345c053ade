// The summary a request run on a cluster gives its checks, through the path users take (the lab
// text parsed, resolved and its cells executed by a session): requestsDropped is there (0)
// without host events, every key of the summary is a metric a check may name, and a run in
// which no request completed has no response times, so a check on them fails saying why
// instead of passing on 0 s; a one-machine run with no job completed likewise.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLab } from '../../src/lab/document/markdown';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { METRICS } from '../../src/lab/language/schema';
import { LabSession } from '../../src/lab/notebook/execute';
import { RUN_MIME, type RunOutput } from '../../src/lab/outputs/contract';
import { inProcessRunHost } from '../../src/worker/runSimulation';

/** Cells: 0 machine, 1 cluster (no host events), 2 service, 3 run r, then the checks given. */
const LAB = (demand: string, checks: string[]) =>
  [
    '```machine\nname: one\nsockets: 1\ncoresPerSocket: 1\n```',
    '```cluster\nname: rack\nhosts:\n  - { machine: one, count: 2 }\npolicy: least-loaded\n```',
    `\`\`\`service\nname: web\narrival: poisson 100/s\ndemand: ${demand}\n\`\`\``,
    '```run\nname: r\ncluster: rack\nservice: web\nduration: 1s\n```',
    ...checks.map((expect) => `\`\`\`check\nexpect: ${expect}\n\`\`\``),
  ].join('\n\n');

const signal = () => new AbortController().signal;

async function summaryOf(text: string): Promise<RunOutput['summary']> {
  const outcome = await new LabSession(inProcessRunHost).execute(parseLab(text), 3, { signal: signal() });
  assert.ok(outcome.ok, JSON.stringify(outcome));
  return (outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === RUN_MIME)!.data as RunOutput).summary;
}

/** A check cell's outcome: passed or not, its score and (failed) message. */
async function checkOf(text: string, index: number) {
  const outcome = await new LabSession(inProcessRunHost).execute(parseLab(text), index, { signal: signal() });
  if (outcome.ok) return { passed: true, score: outcome.check?.score };
  assert.ok(!outcome.cancelled);
  return { passed: false, score: outcome.check?.score, message: outcome.message };
}

test('without host events requestsDropped is 0, and a "nothing dropped" check passes', async () => {
  const text = LAB('exp 1ms', ['runs.r.requestsDropped == 0']);
  assert.equal((await summaryOf(text)).requestsDropped, 0);
  assert.deepEqual(await checkOf(text, 4), { passed: true, score: 1 });
});

test("every key of a request run's summary is a metric checks accept: routed is one", async () => {
  const text = LAB('exp 1ms', ['runs.r.routed == runs.r.completed + runs.r.unfinished']);
  assert.deepEqual(resolveLab(parseLab(text)).diagnostics.get(4) ?? [], []);
  const summary = await summaryOf(text);
  assert.deepEqual(
    Object.keys(summary).filter((key) => !Object.hasOwn(METRICS, key)),
    [],
  );
  assert.ok((summary.routed as number) > 50, String(summary.routed));
  assert.deepEqual(await checkOf(text, 4), { passed: true, score: 1 });
});

test('no request completed: no response times in the summary, and a "responses are fast" check fails saying why', async () => {
  // Each request needs 1000 s of CPU: none completes within the 1 s run.
  const text = LAB('1000s', ['runs.r.meanResponseS < 1ms', 'runs.r.completed == 0 || runs.r.p99ResponseS < 1ms']);
  const summary = await summaryOf(text);
  assert.equal(summary.completed, 0);
  assert.deepEqual(
    ['meanResponseS', 'p95ResponseS', 'p99ResponseS'].filter((m) => Object.hasOwn(summary, m)),
    [],
  );
  assert.deepEqual(await checkOf(text, 4), {
    passed: false,
    score: 0,
    message:
      'Expected runs.r.meanResponseS < 1ms (runs.r has no "meanResponseS": no request completed within the run, so it has no response times)',
  });
  // A check that allows for it first still passes: || does not read the missing metric.
  assert.deepEqual(await checkOf(text, 5), { passed: true, score: 1 });
});

test('a one-machine run in which no job completed: a "responses are fast" check fails saying why, not on 0 s', async () => {
  // One process of 1000 s on one core in a 1 s run: nothing completes; the summary keeps its 0 s
  // (the simulator's digest covers it) but a check must not read it as a fast response.
  const text = [
    '```machine\nname: one\nsockets: 1\ncoresPerSocket: 1\n```',
    '```workload\nname: long\nprocesses:\n  - { name: batch, count: 1, arrival: 0s, demand: 1000s }\n```',
    '```run\nname: r\nmachine: one\nworkload: long\npolicy: pinned\nduration: 1s\n```',
    '```check\nexpect: runs.r.meanResponseS < 1ms\n```',
    '```check\nexpect: runs.r.jobsCompleted == 0 || runs.r.p99ResponseS < 1ms\n```',
  ].join('\n\n');
  const outcome = await new LabSession(inProcessRunHost).execute(parseLab(text), 2, { signal: signal() });
  assert.ok(outcome.ok, JSON.stringify(outcome));
  const summary = (outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === RUN_MIME)!.data as RunOutput).summary;
  assert.equal(summary.jobsCompleted, 0);
  assert.equal(summary.meanResponseS, 0);
  assert.deepEqual(await checkOf(text, 3), {
    passed: false,
    score: 0,
    message:
      'Expected runs.r.meanResponseS < 1ms (runs.r has no "meanResponseS": no job completed within the run, so it has no response times)',
  });
  assert.deepEqual(await checkOf(text, 4), { passed: true, score: 1 });
});
