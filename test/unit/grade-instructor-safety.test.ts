// Traps an instructor could fall into, each refused before anything is written: an output
// onto an input (the answer key, a submission), check ids that are columns of the reports, a
// check reading a compare known only by its place, and a grade run whose own baseline (the
// instructor's lab) fails under the limits given, which exits 3 and writes no scores.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, linkSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, REPO, tempDir } from './cli-helpers';

const ASSIGNMENT = join(REPO, 'examples', 'assignment.lab.md');
const SOLUTION = join(REPO, 'test', 'fixtures', 'grading', 'assignment', 'submissions', 'solution.lab.md');

function copies() {
  const dir = tempDir('instructor');
  const source = join(dir, 'assignment.lab.md');
  const submission = join(dir, 'alice.lab.md');
  copyFileSync(ASSIGNMENT, source);
  copyFileSync(SOLUTION, submission);
  return {
    dir,
    source,
    submission,
    sourceText: readFileSync(source, 'utf8'),
    submissionText: readFileSync(submission, 'utf8'),
  };
}

test('release X --out X, through a symlink or a hard link too, is refused and the answer key is untouched', () => {
  const { dir, source, sourceText } = copies();
  symlinkSync(source, join(dir, 'link.lab.md'));
  linkSync(source, join(dir, 'hard.lab.md'));
  for (const out of [source, join(dir, 'link.lab.md'), join(dir, 'hard.lab.md'), join(dir, '.', 'assignment.lab.md')]) {
    const r = cli(['release', source, '--out', out]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /--out .*: that is the input .*assignment\.lab\.md; write the output to another file/);
  }
  assert.equal(readFileSync(source, 'utf8'), sourceText);
});

test('grade outputs onto the source or a submission, or two outputs onto one file, are refused before grading', () => {
  const { dir, source, submission, sourceText, submissionText } = copies();
  for (const args of [
    ['--csv', source],
    ['--junit', submission],
    ['--classroom', submission],
    ['--csv', join(dir, 'x.csv'), '--junit', join(dir, 'x.csv')],
  ]) {
    const r = cli(['grade', submission, '--source', source, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, /that is the input|writes the same file/);
    assert.equal(r.stdout, '', 'nothing was graded');
  }
  assert.equal(readFileSync(source, 'utf8'), sourceText);
  assert.equal(readFileSync(submission, 'utf8'), submissionText);
  assert.equal(existsSync(join(dir, 'x.csv')), false);
});

test('other commands: export, run --out, merge and sweep never write over their inputs', () => {
  const { dir, source, sourceText } = copies();
  for (const args of [
    ['export', source, '--out', source],
    ['run', source, '--out', source],
    ['sweep', source, '--out', source],
    ['merge', source, '--out', source],
  ]) {
    const r = cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /that is the input/, args.join(' '));
  }
  assert.equal(readFileSync(source, 'utf8'), sourceText);
  void dir;
});

test('check ids that are columns of the reports, and checks on unnamed compares, are refused at release', () => {
  const dir = tempDir('reserved');
  const lab = join(dir, 'a.lab.md');
  writeFileSync(
    lab,
    [
      '```run\nname: a\nmachine: laptop-4\nworkload: w\npolicy: pinned\nduration: 10ms\n```\n',
      '```workload\nname: w\nprocesses:\n  - { name: x, count: 2, demand: 1ms }\n```\n',
      '```compare\nmachine: laptop-4\nworkload: w\npolicies: [pinned, least-loaded]\nseeds: 2\n```\n',
      '```check id=score\nexpect: runs.a.migrations == 0\n```\n',
      '```check id=Submission\nexpect: runs.a.migrations == 0\n```\n',
      '```check id=ok\nexpect: compares.compare1.pinned.migrations.mean == 0\n```\n',
    ].join('\n'),
  );
  const r = cli(['release', lab, '--out', join(dir, 'student.lab.md')]);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /a\.lab\.md:22:1: check id "score" is a column of the grading reports \(submission, score, max_score, integrity\); choose another/,
  );
  assert.match(r.stderr, /a\.lab\.md:26:1: check id "Submission" is a column of the grading reports/);
  assert.match(r.stderr, /a\.lab\.md:30:1: the check reads compare1, a compare cell without a name: give it one/);
  assert.equal(existsSync(join(dir, 'student.lab.md')), false);
});

test('a memory limit too low for the instructor lab itself: exit 3, the reason, and no scores for anyone', () => {
  const { dir, source, submission } = copies();
  const csv = join(dir, 'scores.csv');
  const r = cli([
    'grade',
    submission,
    '--source',
    source,
    '--memory-limit',
    '16',
    '--csv',
    csv,
    '--junit',
    join(dir, 'junit.xml'),
  ]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(
    r.stderr,
    /the instructor's lab .*assignment\.lab\.md does not pass its own checks under these limits, so no scores were written/,
  );
  assert.match(r.stderr, /it used more than its memory limit of 16 MB per run/);
  assert.match(r.stderr, /raise --cpu-limit, --memory-limit or --submission-cpu-limit/);
  assert.equal(r.stdout, '');
  assert.equal(existsSync(csv), false);
  assert.equal(existsSync(join(dir, 'junit.xml')), false);
  // The same with room to run: the instructor's lab passes and the submission is graded.
  const ok = cli(['grade', submission, '--source', source, '--csv', csv]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(readFileSync(csv, 'utf8'), /alice\.lab\.md,13,13,4,4,2,3,\n/);
});
