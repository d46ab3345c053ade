// Grading student policies (policy cells run in the QuickJS sandbox inside simulation
// workers): endless loops, memory bombs, crashes, syntax errors and wrong return types fail
// the checks that read their run, with a message, and grading goes on with the next one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { cli, REPO, tempDir, type CliResult } from './cli-helpers';

const DIR = join(REPO, 'test', 'fixtures', 'grading');
const SOURCE = join(DIR, 'instructor-policy.lab.md');
const submission = (name: string) => join(DIR, 'submissions', `${name}.lab.md`);

/** Expected score per check (even 2, faster 1, shortest 2 hidden) and why a run failed. */
const EXPECTED: Record<string, { scores: [number, number, number]; failure?: RegExp }> = {
  // least-loaded written as a policy cell.
  'policy-correct': { scores: [2, 1, 2] },
  // the better of two random CPUs: better than pinned, not as good as least-loaded.
  'policy-partial': { scores: [2, 1, 0] },
  // a random CPU: worse than pinned.
  'policy-random': { scores: [0, 0, 0] },
  // Line 4 (the loop) or 2 (the hook's first line): where QuickJS's interrupt counter comes round
  // decides it (see sandbox-attacks.test.ts, the wall-clock ceiling).
  'infinite-loop': {
    scores: [0, 0, 0],
    failure: /place\(\) at 0 ns, line [24]: ran past its budget of 1,000,000 steps/,
  },
  'memory-bomb': { scores: [0, 0, 0], failure: /line 4: ran out of memory/ },
  crash: { scores: [0, 0, 0], failure: /TypeError: cannot read property 'cpu' of undefined/ },
  'policy-syntax-error': { scores: [0, 0, 0], failure: /syntax error/ },
  'wrong-type': {
    scores: [0, 0, 0],
    failure: /place\(\) returned "the idle one" for process 0; return a CPU number 0\.\.7/,
  },
  // the released stub, unchanged.
  untouched: { scores: [0, 0, 0], failure: /place\(\) returned undefined/ },
};

let out: string;
let batch: CliResult;

before(() => {
  out = tempDir('grade-policies');
  batch = cli([
    'grade',
    ...Object.keys(EXPECTED).map(submission),
    '--source',
    SOURCE,
    '--csv',
    join(out, 'scores.csv'),
  ]);
});

const blockOf = (stdout: string, name: string) => stdout.split(/\n(?=\S)/).find((b) => b.startsWith(submission(name)))!;

test('every policy submission gets its exact score; one failing does not stop the next', () => {
  assert.equal(batch.code, 1, batch.stderr);
  const rows = readFileSync(join(out, 'scores.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(rows[0], 'submission,score,max_score,even,faster,shortest,integrity');
  Object.entries(EXPECTED).forEach(([name, { scores }], i) => {
    const cols = rows[i + 1].split(',');
    assert.equal(cols[0], submission(name));
    assert.deepEqual(cols.slice(1, 6).map(Number), [scores[0] + scores[1] + scores[2], 5, ...scores], name);
  });
});

test('a failed policy explains itself in every check that reads its run, hidden ones included', () => {
  for (const [name, { failure }] of Object.entries(EXPECTED)) {
    if (!failure) continue;
    const block = blockOf(batch.stdout, name);
    const lines = block.split('\n').filter((l) => l.includes('FAIL'));
    assert.equal(lines.length, 3, `${name}:\n${block}`);
    for (const line of lines) assert.match(line, failure, name);
    // The hidden check names the failure but not its own expression.
    assert.match(
      block,
      /FAIL shortest \(0\/2\): Some processes still land on busy CPUs: compare each CPU's load when placing \(run "yours" has no result: /,
    );
    assert.doesNotMatch(block, /meanWaitS/);
  }
});

test('a policy slow enough to pass the per-call budget is stopped by the CPU-time limit of its run', () => {
  const r = cli(['grade', submission('slow'), '--source', SOURCE, '--cpu-limit', '3']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /slow\.lab\.md: 0\/5/);
  assert.match(
    r.stdout,
    /FAIL even \(0\/2\): .*run "yours" has no result: it ran past its CPU-time limit of 3 s per run, so its worker was stopped/,
  );
});

test('release keeps the policy stub and drops the solution and hidden check', () => {
  const student = readFileSync(join(DIR, 'student-policy.lab.md'), 'utf8');
  const released = cli(['release', SOURCE]);
  assert.equal(released.code, 0, released.stderr);
  assert.equal(released.stdout, student, 'the committed student version is what release produces');
  assert.match(student, /```policy name=mine lang=ts\n[\s\S]*\/\/ YOUR ANSWER HERE\n/);
  assert.doesNotMatch(student, /view\.load\(cpu\) < view\.load\(best\)/);
  assert.doesNotMatch(student, /id=shortest/);
  assert.match(student, /```run locked checksum=[0-9a-f]{16}\nname: yours/);
});
