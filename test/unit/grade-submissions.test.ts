// The grading suite: every submission under test/fixtures/grading/submissions graded against
// the instructor's lab, with the exact score expected for each and why.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { cli, REPO, tempDir, type CliResult } from './cli-helpers';

const DIR = join(REPO, 'test', 'fixtures', 'grading');
const SOURCE = join(DIR, 'instructor.lab.md');

/** Submission -> expected score per check (even 2, faster 1, balanced 2 hidden, bounded 1 hidden). */
const EXPECTED: Record<
  string,
  { even: number; faster: number; balanced: number; bounded: number; integrity: RegExp[] }
> = {
  // global-queue: one shared queue evens the load and needs only a few hundred migrations.
  correct: { even: 2, faster: 1, balanced: 2, bounded: 1, integrity: [] },
  // least-loaded: better than pinned, but placement alone cannot even out the batch jobs.
  partial: { even: 2, faster: 1, balanced: 0, bounded: 1, integrity: [] },
  // pinned again, with the `even` check loosened to <=: the source's check is graded.
  'tampered-check': {
    even: 0,
    faster: 0,
    balanced: 0,
    bounded: 1,
    integrity: [/check even: its checksum does not match/],
  },
  // one batch job instead of twelve in the locked workload: the source's workload is run.
  'tampered-workload': {
    even: 2,
    faster: 1,
    balanced: 0,
    bounded: 1,
    integrity: [/workload mixed: its checksum does not match/],
  },
  // the `faster` check deleted: restored and graded.
  'deleted-check': { even: 2, faster: 1, balanced: 0, bounded: 1, integrity: [/check faster was deleted/] },
  // `policy: [global-queue` does not parse: every check that reads the run fails.
  'syntax-error': { even: 0, faster: 0, balanced: 0, bounded: 0, integrity: [] },
  // `duration: 2 parsecs`, `seed: seven`.
  'wrong-types': { even: 0, faster: 0, balanced: 0, bounded: 0, integrity: [] },
  // nothing at all: every protected cell restored, no `yours` run.
  empty: {
    even: 0,
    faster: 0,
    balanced: 0,
    bounded: 0,
    integrity: [/check even was deleted/, /machine duo was deleted/],
  },
  // prose, no cells.
  'not-a-lab': { even: 0, faster: 0, balanced: 0, bounded: 0, integrity: [/check faster was deleted/] },
  // a memory bomb in YAML: eight million processes; the worker hits its heap limit, not the grader.
  'huge-workload': { even: 0, faster: 0, balanced: 0, bounded: 0, integrity: [] },
  // a run that never ends (requests for ever, 100,000 s of them): stopped at its CPU-time limit.
  'never-ends': { even: 0, faster: 0, balanced: 0, bounded: 0, integrity: [] },
  // and after those two, a good one again: graded as if nothing had happened.
  'correct-again': { even: 2, faster: 1, balanced: 2, bounded: 1, integrity: [] },
};

const submission = (name: string) => join(DIR, 'submissions', `${name === 'correct-again' ? 'correct' : name}.lab.md`);

let out: string;
let batch: CliResult;

before(() => {
  out = tempDir('grade');
  batch = cli([
    'grade',
    ...Object.keys(EXPECTED).map(submission),
    '--source',
    SOURCE,
    '--csv',
    join(out, 'scores.csv'),
    '--junit',
    join(out, 'junit.xml'),
    '--memory-limit',
    '256',
    '--cpu-limit',
    '20',
  ]);
});

test('batch grading exits 1 (some checks failed) and writes a CSV with the exact score of every check', () => {
  assert.equal(batch.code, 1, batch.stderr);
  const [header, ...rows] = readFileSync(join(out, 'scores.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(header, 'submission,score,max_score,even,faster,balanced,bounded,integrity');
  assert.equal(rows.length, Object.keys(EXPECTED).length);
  Object.entries(EXPECTED).forEach(([name, e], i) => {
    const cols = rows[i].match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, ''));
    assert.equal(cols[0], submission(name));
    const total = e.even + e.faster + e.balanced + e.bounded;
    assert.deepEqual(cols.slice(1, 7).map(Number), [total, 6, e.even, e.faster, e.balanced, e.bounded], name);
    for (const pattern of e.integrity) assert.match(cols[7], pattern, name);
    if (e.integrity.length === 0) assert.equal(cols[7], '', name);
  });
});

test('JUnit XML has one suite per submission with a failure per failed check', () => {
  const xml = readFileSync(join(out, 'junit.xml'), 'utf8');
  assert.equal((xml.match(/<testsuite /g) ?? []).length, Object.keys(EXPECTED).length);
  assert.match(xml, /<testsuite name="[^"]*correct\.lab\.md" tests="4" failures="0"/);
  assert.match(xml, /<testsuite name="[^"]*partial\.lab\.md" tests="4" failures="1"/);
  assert.match(xml, /<system-err>check faster was deleted; the source version was graded<\/system-err>/);
});

test('hidden checks explain without revealing; broken runs say which cell and why', () => {
  const partial = batch.stdout.split(/\n(?=\S)/).find((block) => block.includes('partial.lab.md'))!;
  assert.match(
    partial,
    /FAIL balanced \(0\/2\): Close, but the CPUs are still far from evenly loaded: look at the load chart\n/,
  );
  assert.doesNotMatch(batch.stdout, /imbalanceCv < 0\.4/);
  const wrong = batch.stdout.split(/\n(?=\S)/).find((block) => block.includes('wrong-types.lab.md'))!;
  assert.match(
    wrong,
    /FAIL even \(0\/2\): .*run "yours" has no result: .*Unknown time unit "parsecs".*"seed" must be a whole number/,
  );
  const huge = batch.stdout.split(/\n(?=\S)/).find((block) => block.includes('huge-workload.lab.md'))!;
  assert.match(
    huge,
    /FAIL bounded \(0\/1\): Too many migrations: each one costs cache reloads \(run "yours" has no result: it used more than its memory limit of 256 MB per run, so its worker was stopped\)/,
  );
  const endless = batch.stdout.split(/\n(?=\S)/).find((block) => block.includes('never-ends.lab.md'))!;
  assert.match(
    endless,
    /FAIL even \(0\/2\): .*\(run "yours" has no result: it ran past its CPU-time limit of 20 s per run, so its worker was stopped\)/,
  );
});

test('GitHub Classroom result JSON for one submission', () => {
  const path = join(tempDir('classroom'), 'result.json');
  const r = cli(['grade', submission('partial'), '--source', SOURCE, '--classroom', path]);
  assert.equal(r.code, 1, r.stderr);
  const result = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(result.version, 1);
  assert.equal(result.status, 'fail');
  assert.equal(result.max_score, 6);
  assert.deepEqual(
    result.tests.map((t: { name: string; status: string; score: number }) => [t.name, t.status, t.score]),
    [
      ['even', 'pass', 2],
      ['faster', 'pass', 1],
      ['balanced', 'fail', 0],
      ['bounded', 'pass', 1],
    ],
  );
  const correct = cli(['grade', submission('correct'), '--source', SOURCE, '--classroom', path]);
  assert.equal(correct.code, 0, correct.stderr);
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).status, 'pass');
});

test('bad input: a missing source or submission is exit 2 with file:line:col and nothing written', () => {
  const dir = tempDir('badgrade');
  const r = cli([
    'grade',
    submission('correct'),
    '--source',
    join(dir, 'nope.lab.md'),
    '--csv',
    join(dir, 'scores.csv'),
  ]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /nope\.lab\.md:1:1: cannot read the lab: no such file/);
  const s = cli(['grade', join(dir, 'missing.lab.md'), '--source', SOURCE, '--csv', join(dir, 'scores.csv')]);
  assert.equal(s.code, 2);
  assert.match(s.stderr, /missing\.lab\.md:1:1: cannot read the submission/);
  assert.throws(() => readFileSync(join(dir, 'scores.csv')));
});
