// Release and restore, in-process: what the student gets, and how a submission is put back
// together with the instructor's protected cells.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assembleSubmission, classroomResult, junitXml, type GradedCheck } from '../../src/lab/grading/grade';
import { parseLab, serializeLab, type LabCodeCell } from '../../src/lab/document/markdown';
import { cellChecksum, releaseLab, stripSolution } from '../../src/lab/grading/release';
import { REPO } from './cli-helpers';

const DIR = join(REPO, 'test', 'fixtures', 'grading');
const instructor = parseLab(readFileSync(join(DIR, 'instructor.lab.md'), 'utf8'));
const released = releaseLab(instructor);
const student = serializeLab(released.cells);

test('the committed student version is exactly what release produces', () => {
  assert.equal(readFileSync(join(DIR, 'student.lab.md'), 'utf8'), student);
  assert.deepEqual(released.removed, ['check balanced (hidden)', 'check bounded (hidden)']);
});

test('solution regions become a stub; cells without markers go entirely', () => {
  assert.equal(stripSolution('a: 1\n# BEGIN SOLUTION\nb: 2\n# END SOLUTION\nc: 3'), 'a: 1\n# YOUR ANSWER HERE\nc: 3');
  assert.equal(stripSolution('  // BEGIN SOLUTION\n  return 1;\n  // END SOLUTION'), '  // YOUR ANSWER HERE');
  assert.equal(stripSolution('no markers'), undefined);
  const lab = parseLab(
    '```policy name=p solution\ndefinePolicy({ place() { return 0; } });\n```\n\n```check id=q\nexpect: 1 < 2\n```\n',
  );
  const r = releaseLab(lab);
  assert.deepEqual(r.removed, ['policy p (solution)']);
  assert.equal(r.cells.length, 1);
});

test('every protected cell carries a checksum of its own content, and only those', () => {
  for (const cell of parseLab(student)) {
    if (cell.kind === 'markdown') continue;
    const isProtected = cell.kind === 'check' || cell.attributes.locked === true;
    assert.equal(
      typeof cell.attributes.checksum === 'string',
      isProtected,
      `${cell.kind}: ${cell.value.split('\n')[0]}`,
    );
    if (isProtected) assert.equal(cell.attributes.checksum, cellChecksum(cell));
  }
});

test('checksums ignore line endings and trailing spaces, not content', () => {
  const check = parseLab('```check id=q points=2\nexpect: runs.a.migrations > 0\n```\n')[0] as LabCodeCell;
  const crlf = parseLab('```check id=q points=2\r\nexpect: runs.a.migrations > 0   \r\n```\r\n')[0] as LabCodeCell;
  const edited = parseLab('```check id=q points=2\nexpect: runs.a.migrations >= 0\n```\n')[0] as LabCodeCell;
  const morePoints = parseLab('```check id=q points=20\nexpect: runs.a.migrations > 0\n```\n')[0] as LabCodeCell;
  assert.equal(cellChecksum(crlf), cellChecksum(check));
  assert.notEqual(cellChecksum(edited), cellChecksum(check));
  assert.notEqual(cellChecksum(morePoints), cellChecksum(check));
});

test('assembly: an untouched submission needs no notes and gets the hidden checks merged', () => {
  const a = assembleSubmission(instructor, parseLab(student));
  assert.deepEqual(a.integrity, []);
  const ids = a.cells.flatMap((c) => (c.kind === 'check' ? [c.attributes.id] : []));
  assert.deepEqual(ids, ['even', 'faster', 'balanced', 'bounded']);
});

test('assembly: an edit with the checksum removed is still caught by comparing with the source', () => {
  const sneaky = student
    .replace(/(```check id=even[^\n]*) checksum=[0-9a-f]+/, '$1')
    .replace('runs.yours.imbalanceCv < runs.pinned.imbalanceCv', 'true');
  assert.notEqual(sneaky, student);
  const a = assembleSubmission(instructor, parseLab(sneaky));
  assert.deepEqual(
    a.integrity.map((n) => [n.cell, n.problem]),
    [['check even', 'modified']],
  );
  const even = a.cells.find((c) => c.kind === 'check' && c.attributes.id === 'even')!;
  assert.match(even.value, /runs\.yours\.imbalanceCv < runs\.pinned\.imbalanceCv/);
});

test('assembly: a duplicated protected cell counts once, in the first place', () => {
  const check = student.match(/```check id=faster[^\n]*\n[^\n]*\n```\n/)![0];
  const a = assembleSubmission(instructor, parseLab(`${student}\n${check.replace('<', '>')}`));
  assert.equal(a.cells.filter((c) => c.kind === 'check' && c.attributes.id === 'faster').length, 1);
});

test('reports: Classroom JSON and JUnit escape messages and carry integrity notes', () => {
  const checks: GradedCheck[] = [
    { name: 'q1', points: 2, hidden: false, passed: true, score: 2, message: 'passed' },
    { name: 'q<2>', points: 1, hidden: true, passed: false, score: 0, message: 'a "hidden" check & more' },
  ];
  const grade = {
    submission: 'a.lab.md',
    checks,
    integrity: [{ cell: 'check q1', problem: 'deleted' as const, message: 'check q1 was deleted' }],
  };
  const json = classroomResult(grade);
  assert.equal(json.status, 'fail');
  assert.equal(json.max_score, 3);
  assert.deepEqual(json.integrity, ['check q1 was deleted']);
  const xml = junitXml([grade]);
  assert.match(
    xml,
    /<testcase classname="a\.lab\.md" name="q&lt;2&gt;">\n {6}<failure message="a &quot;hidden&quot; check &amp; more">/,
  );
  assert.match(xml, /<system-err>check q1 was deleted<\/system-err>/);
});

test('assembly: a second params cell cannot change a protected parameter', () => {
  const sneaky = student.replace(
    '# Assignment: spread the work\n',
    '# Assignment: spread the work\n\n```params\ndur: 1ms\nmine: 3\n```\n',
  );
  assert.notEqual(sneaky, student);
  const a = assembleSubmission(instructor, parseLab(sneaky));
  assert.deepEqual(
    a.integrity.map((n) => n.message),
    ['a params cell declares protected parameters again (dur); it was left out'],
  );
  const params = a.cells.filter((c) => c.kind === 'params');
  assert.equal(params.length, 1);
  assert.equal(params[0].value, 'dur: 2s');
});

test('release refuses checks without a distinct id or with an expression that does not parse (file:line:col, exit 2, nothing written)', async () => {
  const { cli, tempDir } = await import('./cli-helpers');
  const { existsSync, writeFileSync } = await import('node:fs');
  const dir = tempDir('release');
  const lab = join(dir, 'a.lab.md');
  writeFileSync(
    lab,
    '```check points=1\nexpect: 1 < 2\n```\n\n```check id=q\nexpect: 1 < 2\n```\n\n```check id=q\nexpect: 2 < 3\n```\n\n```check id=r\nexpect: (1 < 2\n```\n',
  );
  const r = cli(['release', lab, '--out', join(dir, 'student.lab.md')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /a\.lab\.md:1:1: a check needs an id for grading/);
  assert.match(r.stderr, /a\.lab\.md:9:1: check id "q" is already used by the check on line 5/);
  assert.match(r.stderr, /a\.lab\.md:14:15: Expected "\)" before the end/);
  assert.equal(existsSync(join(dir, 'student.lab.md')), false);
});

test('assembly: a hidden run read by a hidden check is merged back too', () => {
  const source = parseLab(
    '```run\nname: a\nmachine: m\nworkload: w\npolicy: pinned\n```\n\n```run hidden\nname: secret\nmachine: m\nworkload: w\npolicy: random\n```\n\n```check id=q hidden\nexpect: runs.secret.migrations == 0\n```\n',
  );
  const release = releaseLab(source);
  assert.deepEqual(release.removed, ['run secret (hidden)', 'check q (hidden)']);
  const a = assembleSubmission(source, parseLab(serializeLab(release.cells)));
  assert.deepEqual(a.integrity, []);
  assert.deepEqual(
    a.cells.map((c) => (c.kind === 'markdown' ? 'md' : `${c.kind}`)),
    ['run', 'run', 'check'],
  );
  assert.match(a.cells[1].value, /name: secret/);
});
