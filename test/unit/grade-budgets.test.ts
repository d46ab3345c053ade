// Through the built command line (dist/cli.js, npm run build first): grading's budgets cost only
// the submission that goes over them. A submission whose runs each stay well under --cpu-limit
// but together use up --submission-cpu-limit scores 0, with a note naming the submission's
// budget; one that the schema accepts but that would never end (the issue's million processes
// arriving at 1e9/s, which once made V8 abort a whole batch with exit 134 and no CSV for anyone)
// is stopped at its run's limit. Every other submission of the batch gets its exact score, and
// the CSV, the JUnit XML and the Classroom JSON are written.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BUILT_CLI, cli, REPO, tempDir } from './cli-helpers';

const built = (args: string[]) => {
  assert.ok(existsSync(BUILT_CLI), `${BUILT_CLI} is missing: run npm run build first`);
  return cli(args, { entry: BUILT_CLI, timeoutMs: 120_000 });
};

/** CSV rows of `grade --csv`, split into columns (no quoted commas in these). */
const csvRows = (path: string) =>
  readFileSync(path, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => line.split(','));

/** The block `grade` prints for one submission: its total line and its checks. */
const blockOf = (stdout: string, file: string) => stdout.split(/\n(?=\S)/).find((b) => b.startsWith(`${file}:`))!;

const RUNS = [1, 2, 3, 4, 5, 6].map((seed) => `r${seed}`);

/**
 * Six locked runs of the student's policy, one per seed, each read by both checks: a run the
 * budget stopped fails them all, wherever in the six the budget ran out.
 */
const SOURCE = `# Budgets

Two CPUs and forty jobs that start at once: place them so both CPUs work.

\`\`\`machine locked
name: duo
sockets: 1
coresPerSocket: 2
\`\`\`

\`\`\`workload locked
name: jobs
processes:
  - { name: job, count: 40, arrival: 0s, demand: exp 20ms }
\`\`\`

\`\`\`policy name=mine lang=ts solution
export default definePolicy({
  place(view: PolicyView, p: Proc): number {
    // BEGIN SOLUTION
    return p % 2;
    // END SOLUTION
    return 0;
  },
});
\`\`\`

${RUNS.map(
  (name, i) => `\`\`\`run locked
name: ${name}
machine: duo
workload: jobs
policy: mine
duration: 2s
seed: ${i + 1}
\`\`\`
`,
).join('\n')}
\`\`\`check id=spread points=2 message="Spread the jobs over both CPUs"
expect: max(${RUNS.map((r) => `runs.${r}.imbalanceCv`).join(', ')}) < 0.5
\`\`\`

\`\`\`check id=done points=1 message="Every job should finish"
expect: min(${RUNS.map((r) => `runs.${r}.completed`).join(', ')}) == 40
\`\`\`
`;

test('grade --submission-cpu-limit: runs each under --cpu-limit that together use up the budget score 0, naming it; the others exact', () => {
  const dir = tempDir('grade-budget');
  const source = join(dir, 'source.lab.md');
  writeFileSync(source, SOURCE);
  const student = join(dir, 'student.lab.md');
  const released = built(['release', source, '--out', student]);
  assert.equal(released.code, 0, released.stderr);
  const starter = readFileSync(student, 'utf8');
  assert.ok(starter.includes('    // YOUR ANSWER HERE\n'));
  const submit = (name: string, answer: string) => {
    const path = join(dir, `${name}.lab.md`);
    writeFileSync(path, starter.replace('    // YOUR ANSWER HERE\n', answer));
    return path;
  };
  // Alternating CPUs: imbalance CV 0.05 to 0.23 over the six seeds, all 40 jobs done: 3 of 3.
  const solution = submit('solution', '    return p % 2;\n');
  // The starter: everything on CPU 0, the other idle (CV 1); 0.8 s of work in 2 s all done: 1 of 3.
  const stub = submit('stub', '');
  // The solution, after 300,000 loop iterations per placement (within the sandbox's steps per
  // call): about 0.65 s of CPU time per run here, 4 s for the six, against a budget of 2 s. It
  // would score 3 of 3; the budget stops it, and both checks read every run: 0 of 3.
  const greedy = submit(
    'greedy',
    '    let spin = 0;\n    for (let i = 0; i < 300000; i++) spin += i;\n    return (p + spin * 0) % 2;\n',
  );
  const again = submit('solution-again', '    return p % 2;\n');
  const csv = join(dir, 'scores.csv');
  const junit = join(dir, 'junit.xml');
  const r = built([
    'grade',
    ...[solution, stub, greedy, again],
    '--source',
    source,
    '--csv',
    csv,
    '--junit',
    junit,
    '--cpu-limit',
    '10',
    '--submission-cpu-limit',
    '2',
  ]);
  // 1: some checks failed (3 would be the source failing its own; anything else a crash).
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  assert.deepEqual(csvRows(csv), [
    ['submission', 'score', 'max_score', 'spread', 'done', 'integrity'],
    [solution, '3', '3', '2', '1', ''],
    [stub, '1', '3', '0', '1', ''],
    [greedy, '0', '3', '0', '0', ''],
    [again, '3', '3', '2', '1', ''],
  ]);
  const budget =
    /\(run "r[1-6]" has no result: the submission used up its CPU-time budget of 2 s, so its worker was stopped\)/;
  const block = blockOf(r.stdout, greedy);
  assert.match(block, new RegExp(`FAIL spread \\(0/2\\): Spread the jobs over both CPUs ${budget.source}`));
  assert.match(block, new RegExp(`FAIL done \\(0/1\\): Every job should finish ${budget.source}`));
  // No run of it reached the limit of a run.
  assert.doesNotMatch(r.stdout, /limit of 10 s per run/);
  const xml = readFileSync(junit, 'utf8');
  assert.equal((xml.match(/<testsuite /g) ?? []).length, 4);
  assert.match(xml, new RegExp(`<testsuite name="${greedy}" tests="2" failures="2"`));
  assert.match(
    xml,
    /<failure message="Spread the jobs over both CPUs \(run &quot;r[1-6]&quot; has no result: the submission used up its CPU-time budget of 2 s/,
  );
  assert.match(xml, new RegExp(`<testsuite name="${again}" tests="2" failures="0"`));
  // Under the default budget (600 s) each of its six runs ends under --cpu-limit: 3 of 3.
  const alone = built(['grade', greedy, '--source', source, '--cpu-limit', '10']);
  assert.equal(alone.code, 0, `${alone.stdout}\n${alone.stderr}`);
  assert.match(alone.stdout, /^\S*greedy\.lab\.md: 3\/3$/m);
});

const GRADING = join(REPO, 'test', 'fixtures', 'grading');

test('a submission with a million processes arriving at 1e9/s is stopped at its limit; the batch is graded and written', () => {
  const dir = tempDir('grade-flood');
  const correct = join(GRADING, 'submissions', 'correct.lab.md');
  const partial = join(GRADING, 'submissions', 'partial.lab.md');
  // The correct submission with its own run pointed at the issue's workload: valid, and endless.
  const yours = 'name: yours\nmachine: duo\nworkload: mixed\npolicy: global-queue\nduration: $dur\n';
  const text = readFileSync(correct, 'utf8');
  assert.ok(text.includes(yours));
  const flood = join(dir, 'flood.lab.md');
  writeFileSync(
    flood,
    `${text.replace(yours, 'name: yours\nmachine: duo\nworkload: flood\npolicy: global-queue\nduration: 3600s\n')}
\`\`\`workload
name: flood
processes:
  - { name: p, count: 1000000, arrival: poisson 1000000000/s, demand: exp 1s }
\`\`\`
`,
  );
  const csv = join(dir, 'scores.csv');
  const junit = join(dir, 'junit.xml');
  const source = join(GRADING, 'instructor.lab.md');
  const r = built([
    'grade',
    correct,
    flood,
    partial,
    '--source',
    source,
    '--csv',
    csv,
    '--junit',
    junit,
    '--cpu-limit',
    '2',
  ]);
  const said = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 1, said);
  assert.doesNotMatch(said, /^\s+at .+:\d+:\d+\)?$/m, said);
  // Scores as grade-submissions.test.ts has them: correct 6 (2, 1, 2, 1), partial 4 (balanced
  // fails); every check reads yours, which the limit stopped: 0.
  assert.deepEqual(csvRows(csv), [
    ['submission', 'score', 'max_score', 'even', 'faster', 'balanced', 'bounded', 'integrity'],
    [correct, '6', '6', '2', '1', '2', '1', ''],
    [flood, '0', '6', '0', '0', '0', '0', ''],
    [partial, '4', '6', '2', '1', '0', '1', ''],
  ]);
  const limit = 'run "yours" has no result: it ran past its CPU-time limit of 2 s per run, so its worker was stopped';
  const block = blockOf(r.stdout, flood);
  for (const check of ['even', 'faster', 'balanced', 'bounded'])
    assert.ok(
      block.split('\n').some((line) => line.startsWith(`  FAIL ${check} `) && line.endsWith(`(${limit})`)),
      block,
    );
  const xml = readFileSync(junit, 'utf8');
  assert.equal((xml.match(/<testsuite /g) ?? []).length, 3);
  assert.match(xml, new RegExp(`<testsuite name="${flood}" tests="4" failures="4"`));
  // Alone, with the Classroom result JSON: the same note in every test.
  const classroom = join(dir, 'result.json');
  const one = built(['grade', flood, '--source', source, '--classroom', classroom, '--cpu-limit', '2']);
  assert.equal(one.code, 1, `${one.stdout}\n${one.stderr}`);
  const result = JSON.parse(readFileSync(classroom, 'utf8')) as {
    status: string;
    tests: { name: string; status: string; score: number; message: string }[];
  };
  assert.equal(result.status, 'fail');
  assert.deepEqual(
    result.tests.map((t) => [t.name, t.status, t.score, t.message.endsWith(`(${limit})`)]),
    ['even', 'faster', 'balanced', 'bounded'].map((name) => [name, 'fail', 0, true]),
  );
});
