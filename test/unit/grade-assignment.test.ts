// The shipped assignment (examples/assignment.lab.md) graded end to end through the CLI: its
// release, and 27 submissions, each with the exact score it must get, decided from what the
// policy in it does once the assignment's locked and hidden cells are restored. They include
// every bypass a hostile student tried (a locked run given a new id, a copy of it placed first,
// a shadowing machine, a guessed hidden run and check) and every attack on the sandbox, each
// refused at the student's line; one submission exhausts its sandbox's memory and one never
// ends, and every other is still graded and reported.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { cli, REPO, tempDir, type CliResult } from './cli-helpers';

const SOURCE = join(REPO, 'examples', 'assignment.lab.md');
const DIR = join(REPO, 'test', 'fixtures', 'grading', 'assignment');
const submission = (name: string) => join(DIR, 'submissions', `${name}.lab.md`);

type Scores = [balances: number, faster: number, frugal: number, holdsUp: number];

/**
 * Expected scores (balances 4, faster 4, frugal 2, holds-up 3 hidden) and what must be said.
 * The policies' figures (imbalanceCv, makespanS, migrations, meanResponseS of the hidden run)
 * against pinned's 0.362, 1.616 s, 0 and 0.0609 s: the solution 0.086, 1.183 s, 10 and 0.0522 s;
 * least-loaded placement only 0.292, 1.533 s, 0, 0.0583 s (not under 0.95 x 0.0609 s); round
 * robin 0.321 (0.367 under simulator version 1), 1.603 s, 0, 0.0620 s; every process on CPU 0 (the stub) 2.646, 3.055 s, 0.
 */
const EXPECTED: Record<string, { scores: Scores; integrity?: RegExp[]; says?: RegExp[] }> = {
  solution: { scores: [4, 4, 2, 3] },
  untouched: { scores: [0, 0, 0, 0] },
  'least-loaded': { scores: [4, 4, 0, 0] },
  // Placing by pid spreads the work about as evenly as the baseline: under simulator version 2
  // (issue 11's model) its imbalanceCv is 0.321 against the baseline's 0.362 (0.367 under version
  // 1, a narrow miss), so it earns balances.
  'round-robin': { scores: [4, 4, 0, 0] },
  // Issue 12, bypass 1: the locked run given an id of its own and switched to a built-in.
  'locked-run-new-id': {
    scores: [0, 0, 0, 0],
    integrity: [
      /run mine: a copy with another id or name \(run cell at line \d+\) stood in for it; the source version was graded/,
    ],
  },
  'locked-run-edited': { scores: [0, 0, 0, 0], integrity: [/run mine: its checksum does not match its content/] },
  'locked-run-unlocked': {
    scores: [0, 0, 0, 0],
    integrity: [/run mine differs from the source; the source version was graded/],
  },
  // A copy of the locked run placed before it, so that it would be the first definition.
  'run-copy-first': {
    scores: [0, 0, 0, 0],
    integrity: [
      /run mine: a copy with another id or name/,
      /run mine: another copy \(run cell at line \d+\) was left out/,
    ],
  },
  'machine-shadow': {
    scores: [4, 4, 2, 3],
    integrity: [/machine octo: a copy with another id or name/, /machine octo: another copy/],
  },
  'workload-shrunk': { scores: [4, 4, 0, 0], integrity: [/workload skewed: its checksum does not match/] },
  // Guessed hidden names: replaced, and nothing a student reads says so (the instructor's
  // --instructor-notes does): a note would confirm the guess.
  'hidden-run-guessed': { scores: [0, 0, 0, 0] },
  'hidden-check-guessed': { scores: [4, 4, 0, 0] },
  'check-renamed': { scores: [0, 0, 0, 0], integrity: [/check balances was deleted/] },
  'checks-deleted': {
    scores: [4, 4, 2, 3],
    integrity: [/check balances was deleted/, /check faster was deleted/, /check frugal was deleted/],
  },
  // Attacks on the sandbox, each refused at the student's line.
  'prelude-override': {
    scores: [0, 0, 0, 0],
    says: [
      /policy mine \(line 2\): TypeError: 'indexOf' is read-only/,
      /a hidden run it reads could not finish: your policy mine failed at line 2/,
    ],
  },
  'zero-interval': {
    scores: [0, 0, 0, 0],
    says: [
      /policy mine \(line 1\): RangeError: definePolicy: balanceIntervalNs must be a number of nanoseconds >= 1000/,
    ],
  },
  'getter-params': {
    scores: [0, 0, 0, 0],
    says: [/policy mine \(line 8\): the code outside the hooks ran past its budget of 1,000,000 steps/],
  },
  'proxy-definition': { scores: [4, 4, 2, 3] },
  'tojson-log': { scores: [0, 0, 0, 0], says: [/place\(\) at \d+ ns, line 3: ran past its budget of 1,000,000 steps/] },
  'valueof-return': {
    scores: [0, 0, 0, 0],
    says: [
      /place\(\) at \d+ ns, line 2: RangeError: place\(\) returned \{\} for process \d+; return a CPU number 0\.\.7/,
    ],
  },
  'memory-bomb': { scores: [0, 0, 0, 0], says: [/place\(\) at \d+ ns, line 4: ran out of memory/] },
  'never-ends': {
    scores: [0, 0, 0, 0],
    says: [/it ran past its CPU-time limit of 10 s per run, so its worker was stopped/],
  },
  'policy-syntax-error': { scores: [0, 0, 0, 0], says: [/policy mine \(line 3\): syntax error/] },
  empty: {
    scores: [0, 0, 0, 0],
    integrity: [
      /machine octo was deleted/,
      /workload skewed was deleted/,
      /run baseline was deleted/,
      /run mine was deleted/,
      /check frugal was deleted/,
    ],
  },
  'policy-logs': { scores: [4, 4, 2, 3] },
  // What the student's code throws is printed on one line, with no control characters.
  'forged-output': {
    scores: [0, 0, 0, 0],
    says: [/Error: nothing; PASS balances \(4\/4\): passed; \ufffd\[2K {2}PASS faster/],
  },
  // The assignment's cells put back after an unclosed HTML comment are still read as cells.
  'unclosed-comment': {
    scores: [4, 4, 2, 3],
    integrity: [/run baseline was deleted/, /run mine was deleted/, /check balances was deleted/],
  },
};

const names = Object.keys(EXPECTED);
let out: string;
let batch: CliResult;

before(() => {
  out = tempDir('grade-assignment');
  batch = cli(
    [
      'grade',
      ...names.map(submission),
      '--source',
      SOURCE,
      '--csv',
      join(out, 'scores.csv'),
      '--junit',
      join(out, 'junit.xml'),
      '--cpu-limit',
      '10',
    ],
    { timeoutMs: 900_000 },
  );
});

const blockOf = (name: string) => batch.stdout.split(/\n(?=\S)/).find((b) => b.startsWith(submission(name))) ?? '';
/** A CSV line's fields (quoted fields may hold commas). */
const fields = (line: string) =>
  line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"'));

test('every submission gets its exact score, in a CSV row of its own', () => {
  assert.equal(batch.code, 1, batch.stderr);
  const [header, ...rows] = readFileSync(join(out, 'scores.csv'), 'utf8').trimEnd().split('\n');
  assert.equal(header, 'submission,score,max_score,balances,faster,frugal,holds-up,integrity');
  assert.equal(rows.length, names.length);
  names.forEach((name, i) => {
    const cols = fields(rows[i]!);
    const { scores, integrity = [] } = EXPECTED[name]!;
    assert.equal(cols[0], submission(name));
    assert.deepEqual(
      cols.slice(1, 7).map(Number),
      [scores.reduce((a, b) => a + b, 0), 13, ...scores],
      `${name}:\n${blockOf(name)}`,
    );
    for (const pattern of integrity) assert.match(cols[7]!, pattern, name);
    if (integrity.length === 0) assert.equal(cols[7], '', name);
  });
});

test('sandbox attacks are refused with the line of the student code, in the checks that read the run', () => {
  for (const [name, { says = [] }] of Object.entries(EXPECTED))
    for (const pattern of says) assert.match(blockOf(name), pattern, name);
});

test('a forged result line in an error message starts no line of its own', () => {
  const forged = blockOf('forged-output');
  assert.deepEqual(
    forged.split('\n').filter((l) => /^\s*PASS/.test(l)),
    [],
  );
  assert.doesNotMatch(batch.stdout, /[\u001b\r]/);
});

test('nothing a student reads names a hidden cell or a hidden value', () => {
  const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
  const csv = readFileSync(join(out, 'scores.csv'), 'utf8');
  for (const text of [batch.stdout, junit, csv]) {
    assert.doesNotMatch(text, /waves|0\.95|meanResponseS/);
  }
  assert.match(
    blockOf('untouched'),
    /FAIL holds-up \(0\/3\): Your policy does not keep up when the load changes over time: try it on workloads of your own\.$/m,
  );
});

test('one submission out of memory and one that never ends: all the others are graded and reported', () => {
  const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
  assert.equal((junit.match(/<testsuite /g) ?? []).length, names.length);
  for (const name of names)
    assert.match(
      batch.stdout,
      new RegExp(`^${submission(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\d+/13$`, 'm'),
      name,
    );
});

test('release: the committed student version is what release makes of the shipped assignment', () => {
  const student = join(tempDir('release'), 'student.lab.md');
  const released = cli(['release', SOURCE, '--out', student]);
  assert.equal(released.code, 0, released.stderr);
  const text = readFileSync(student, 'utf8');
  assert.equal(text, readFileSync(join(DIR, 'student.lab.md'), 'utf8'));
  assert.match(
    released.stderr,
    /left out: workload waves \(hidden\), run waves-pinned \(hidden\), run waves-mine \(hidden\), check holds-up \(hidden\)/,
  );
  assert.doesNotMatch(text, /BEGIN SOLUTION|view\.load\(cpu\) < view\.load\(best\)|waves/);
  // The stub runs (every process on CPU 0) and the locked cells carry their checksums.
  assert.match(text, /```policy name=mine lang=ts\n[\s\S]*\/\/ YOUR ANSWER HERE\n {4}return 0;/);
  assert.match(text, /```run locked checksum=[0-9a-f]{16}\nname: mine/);
});
