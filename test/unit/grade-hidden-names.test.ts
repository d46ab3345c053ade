// A hostile student guesses the names of hidden cells: a run named like the hidden run, a check
// with the hidden check's id, a params cell declaring a hidden parameter. Grading replaces or
// leaves out those cells, but nothing a student reads (the text report, the Classroom JSON, the
// CSV, the JUnit XML) may tell a guessed hidden name from any other name: a note would confirm
// the guess, one per submission. The instructor reads it in --instructor-notes.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { parseLab } from '../../src/lab/document/markdown';
import { assembleSubmission } from '../../src/lab/grading/grade';
import { cli, REPO, tempDir } from './cli-helpers';

const SOURCE = join(REPO, 'examples', 'assignment.lab.md');
const STUDENT = readFileSync(join(REPO, 'test', 'fixtures', 'grading', 'assignment', 'student.lab.md'), 'utf8');

/** The released assignment with a run and a check of the student's own, named `run` and `check`. */
const withCells = (run: string, check: string) =>
  `${STUDENT}\n\`\`\`run\nname: ${run}\nmachine: octo\nworkload: skewed\npolicy: work-stealing\nduration: 4s\nseed: 11\n\`\`\`\n\n` +
  `\`\`\`check id=${check} points=3\nexpect: 1 < 2\n\`\`\`\n`;

let dir: string;
let guessed: string;
let unrelated: string;
const outputs: Record<'guessed' | 'unrelated', { stdout: string; classroom: string }> = {} as never;
let batchCsv: string;
let batchJunit: string;
let notes: string;

before(() => {
  dir = tempDir('guesses');
  // The same length, so that line numbers in any message are the same too.
  guessed = join(dir, 'a.lab.md');
  unrelated = join(dir, 'b.lab.md');
  writeFileSync(guessed, withCells('waves-mine', 'holds-up'));
  writeFileSync(unrelated, withCells('tides-mine', 'tidies-up'));
  for (const [key, file] of [
    ['guessed', guessed],
    ['unrelated', unrelated],
  ] as const) {
    const classroom = join(dir, `${key}.json`);
    const r = cli(['grade', file, '--source', SOURCE, '--classroom', classroom, '--cpu-limit', '20']);
    assert.equal(r.code, 1, r.stderr);
    outputs[key] = { stdout: r.stdout, classroom: readFileSync(classroom, 'utf8') };
  }
  const r = cli([
    'grade',
    guessed,
    unrelated,
    '--source',
    SOURCE,
    '--csv',
    join(dir, 'scores.csv'),
    '--junit',
    join(dir, 'junit.xml'),
    '--instructor-notes',
    join(dir, 'notes.csv'),
    '--cpu-limit',
    '20',
  ]);
  assert.equal(r.code, 1, r.stderr);
  batchCsv = readFileSync(join(dir, 'scores.csv'), 'utf8');
  batchJunit = readFileSync(join(dir, 'junit.xml'), 'utf8');
  notes = readFileSync(join(dir, 'notes.csv'), 'utf8');
});

/** A report with the submission's file name taken out. */
const anonymous = (text: string, file: string) => text.split(file).join('<submission>');

test('a guessed hidden run name and check id read exactly like unrelated names, in every report a student reads', () => {
  assert.equal(
    anonymous(outputs.guessed.stdout, guessed),
    anonymous(outputs.unrelated.stdout, unrelated),
    'the text report',
  );
  assert.equal(
    anonymous(outputs.guessed.classroom, guessed),
    anonymous(outputs.unrelated.classroom, unrelated),
    'the Classroom JSON',
  );
  const [, rowA, rowB] = batchCsv.trimEnd().split('\n');
  assert.equal(anonymous(rowA!, guessed), anonymous(rowB!, unrelated), 'the CSV rows');
  const suites = batchJunit.split(/(?=<testsuite )/).slice(1);
  const suite = (text: string, file: string) => anonymous(text, file).replace(/\s*(<\/testsuites>\s*)?$/, '');
  assert.equal(suite(suites[0]!, guessed), suite(suites[1]!, unrelated), 'JUnit');
  for (const text of [outputs.guessed.stdout, outputs.guessed.classroom, batchCsv, batchJunit])
    assert.doesNotMatch(text.split(dir).join('<dir>'), /waves|hidden|keeps|INTEGRITY/);
});

test('the instructor notes say which hidden cells were guessed, and only for the submission that guessed them', () => {
  const lines = notes.trimEnd().split('\n');
  assert.equal(lines[0], 'submission,visible,cell,problem,message');
  const rows = lines.slice(1);
  assert.equal(rows.length, 2, notes);
  for (const row of rows) {
    assert.ok(row.startsWith(`${guessed},no,`), row);
    assert.match(row, /reserved/);
  }
  assert.match(notes, /has the name or id of the hidden run waves-mine/);
  assert.match(notes, /has the name or id of the hidden check holds-up/);
  assert.doesNotMatch(notes, new RegExp(unrelated.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
});

test('a params cell declaring a hidden parameter is left out, with no student-visible note naming it', () => {
  const source = parseLab('```params hidden\nsecret: 3\n```\n\n```params locked\nopen: 1\n```\n');
  const guess = assembleSubmission(source, parseLab('```params\nsecret: 4\n```\n'));
  const other = assembleSubmission(source, parseLab('```params\nmine: 4\n```\n'));
  assert.deepEqual(guess.integrity, other.integrity);
  assert.doesNotMatch(JSON.stringify(guess.integrity), /secret|hidden/);
  assert.match(guess.withheld.map((n) => n.message).join('\n'), /declares hidden parameters \(secret\)/);
  assert.deepEqual(other.withheld, []);
  // Visible protected parameters are still named: the student can read them in the release.
  const visible = assembleSubmission(source, parseLab('```params\nopen: 2\n```\n'));
  assert.match(visible.integrity[0]!.message, /declares protected parameters again \(open\)/);
});
