// Red team, session 5: a hostile student and a stranger's lab against the built command line
// (dist/cli.js: npm run build first) and the sandbox. Attacks the code defeated are asserted as
// the defence it shows; the ones that worked are asserted as their fix:
//   - a visible check reading a run the student renamed listed the hidden runs ("known: ...");
//   - a student's own run could read a hidden workload (confirming its guessed name, and
//     showing its figures in a check's message);
//   - the line a policy failed at in a hidden run (a line the policy chooses) told the student
//     what the policy saw there;
//   - U+FFFF in a message the student's policy threw made the whole class's JUnit XML unreadable;
//   - a submission file name could forge a line of the grader's log and be a CSV formula;
//   - a submission of many tiny cells stalled the grader itself (outside every budget) for minutes;
//   - any unbounded recursion in a policy overflowed the host's native stack inside QuickJS:
//     "Aborted(Assertion failed ...)" instead of the user's line, and, about 35 runs later, no
//     policy at all could start in that thread.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { compilePolicy, loadQuickJs, PolicyCodeError, PolicyRuntimeError } from '../../src/sandbox/index';
import { simulate, type SimConfig } from '../../src/sim/index';
import { BUILT_CLI, cli, tempDir } from './cli-helpers';

const built = (args: string[], cwd?: string) => {
  assert.ok(existsSync(BUILT_CLI), `${BUILT_CLI} is missing: run npm run build first`);
  return cli(args, { entry: BUILT_CLI, timeoutMs: 120_000, ...(cwd ? { cwd } : {}) });
};

/**
 * An assignment where a visible check reads a run the student owns (`yours`, unlocked, as
 * docs/grading.md allows), next to a locked baseline, a hidden workload, a hidden run of the
 * student's policy on it and a hidden check.
 */
const SOURCE = `# Small assignment

\`\`\`workload locked
name: w
processes:
  - { name: a, count: 20, arrival: poisson 400/s, demand: exp 3ms }
\`\`\`

\`\`\`policy name=mine lang=js
definePolicy({ place(view, p) { return p % view.cpuCount; } });
\`\`\`

\`\`\`run
name: yours
machine: laptop-4
workload: w
policy: mine
duration: 1s
\`\`\`

\`\`\`run locked
name: base
machine: laptop-4
workload: w
policy: pinned
duration: 1s
\`\`\`

\`\`\`workload hidden
name: secretload
processes:
  - { name: b, count: 30, arrival: poisson 300/s, demand: exp 4ms }
\`\`\`

\`\`\`run hidden
name: secret-run
machine: laptop-4
workload: secretload
policy: mine
duration: 1s
\`\`\`

\`\`\`check id=waits points=2
expect: runs.yours.meanWaitS < runs.base.meanWaitS
\`\`\`

\`\`\`check id=general points=1 hidden
message: Try your policy on workloads of your own.
expect: runs.secret-run.completed > 0
\`\`\`
`;

const POLICY = '```policy name=mine lang=js\ndefinePolicy({ place(view, p) { return p % view.cpuCount; } });\n```\n';

let dir: string;
let source: string;
let student: string;

before(() => {
  dir = tempDir('redteam-s5');
  source = join(dir, 'source.lab.md');
  writeFileSync(source, SOURCE);
  const released = built(['release', source, '--out', join(dir, 'student.lab.md')]);
  assert.equal(released.code, 0, released.stderr);
  student = readFileSync(join(dir, 'student.lab.md'), 'utf8');
  assert.doesNotMatch(student, /secret/);
});

/** Grades `text` as a submission named `name`; the text report with the file name taken out. */
function grade(name: string, text: string, extra: string[] = []) {
  const file = join(dir, name);
  writeFileSync(file, text);
  const r = built(['grade', file, '--source', source, ...extra]);
  return { ...r, report: r.stdout.split(file).join('<submission>') };
}

/** The released lab with its policy cell replaced. */
const withPolicy = (code: string) => student.replace(POLICY, `\`\`\`policy name=mine lang=js\n${code}\n\`\`\`\n`);

test('a visible check on a run the student renamed lists the runs it knows, never a hidden one', () => {
  const r = grade('renamed.lab.md', student.replace('name: yours\n', 'name: other\n'));
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.report, /FAIL waits \(0\/2\): Expected .* \(runs has no "yours" \(known: base\)\)/);
  assert.doesNotMatch(r.stdout, /secret/);
});

test("a student's own run cannot read a hidden cell: a guessed hidden name reads like any other", () => {
  // Before: `workload: secretload` ran the hidden workload (and a failing check would show its
  // figures), while `workload: tides` was "Unknown workload": the difference confirmed the guess.
  const guess = grade(
    'guess.lab.md',
    student.replace('workload: w\npolicy: mine', 'workload: secretload\npolicy: mine'),
  );
  const other = grade(
    'other.lab.md',
    student.replace('workload: w\npolicy: mine', 'workload: tidesloadx\npolicy: mine'),
  );
  assert.match(
    guess.report,
    /run "yours" has no result: Invalid run cell: line 3, column 11: Unknown workload "secretload"/,
  );
  assert.equal(guess.report.replace('secretload', 'tidesloadx'), other.report);
  // A workload of the student's own with the hidden one's name is theirs in their own run.
  const own =
    '```workload\nname: secretload\nprocesses:\n  - { name: a, count: 20, arrival: poisson 400/s, demand: exp 3ms }\n```\n';
  const ownGuess = grade(
    'own-guess.lab.md',
    `${student}\n${own}`.replace('workload: w\npolicy: mine', 'workload: secretload\npolicy: mine'),
  );
  const ownOther = grade(
    'own-other.lab.md',
    `${student}\n${own.replace('secretload', 'tidesloadx')}`.replace(
      'workload: w\npolicy: mine',
      'workload: tidesloadx\npolicy: mine',
    ),
  );
  assert.equal(ownGuess.code, 0, ownGuess.stdout);
  assert.equal(ownGuess.report, ownOther.report);
});

test('the line a policy fails at in a hidden run is not told, unless a visible run failed there too', () => {
  // The visible workload has 20 processes, the hidden one 30: a policy that throws at the line of
  // the count it reached would read the hidden workload's size off the message.
  const probe = withPolicy(`let n = 0;
definePolicy({
  place(view, p) {
    n++;
    if (n === 25) throw new Error('25 or more');
    return p % view.cpuCount;
  },
});`);
  const r = grade('probe.lab.md', probe);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.report, /PASS waits/);
  assert.match(
    r.report,
    /FAIL general \(0\/1\): Try your policy on workloads of your own\. \(a hidden run it reads could not finish: your policy mine failed \(in a run you do not see: try it on workloads of your own\)\)$/m,
  );
  assert.doesNotMatch(r.stdout, /line 5|25 or more/);
  // A line the student already sees failing is named in the hidden run too.
  const both = grade(
    'both.lab.md',
    withPolicy(`let n = 0;
definePolicy({
  place(view, p) {
    if (++n === 15) throw new Error('15');
    return p % view.cpuCount;
  },
});`),
  );
  assert.match(both.report, /FAIL waits .*place\(\) at \d+ ns, line 4: Error: 15/);
  assert.match(both.report, /a hidden run it reads could not finish: your policy mine failed at line 4\)$/m);
});

/** XML 1.0's Char production: anything else makes the document not well-formed. */
const NOT_XML = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

test('what a policy throws cannot break the JUnit XML (U+FFFE, U+FFFF, lone surrogates) or start a log line (U+2028)', () => {
  const junit = join(dir, 'junit.xml');
  const r = grade(
    'noise.lab.md',
    withPolicy(
      "definePolicy({ place(view, p) { throw new Error('x\\uffff\\ufffe\\ud800 y\\u2028  PASS waits (2/2): passed\\u0085  PASS general (1/1): passed'); } });",
    ),
    ['--junit', junit, '--csv', join(dir, 'noise.csv')],
  );
  assert.equal(r.code, 1, r.stderr);
  const xml = readFileSync(junit, 'utf8');
  assert.match(xml, /<failure message="[^"]*Error: x y; PASS waits \(2\/2\): passed; PASS general/);
  assert.doesNotMatch(xml, NOT_XML);
  assert.doesNotMatch(r.stdout, /[\u2028\u2029\u0085]/);
  assert.deepEqual(
    r.stdout.split('\n').filter((l) => /^\s*PASS/.test(l)),
    [],
  );
});

test('a submission file name forges no log line and is no spreadsheet formula', () => {
  // (A file name cannot hold a slash: `9 of 9`.)
  const name = '=HYPERLINK("http:evil")\n  PASS forged (9 of 9): passed';
  writeFileSync(join(dir, name), student);
  const r = built(['grade', name, '--source', source, '--csv', 'names.csv'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /^\s*PASS forged/m);
  assert.match(r.stdout, /^=HYPERLINK\("http:evil"\)\ufffd {2}PASS forged \(9 of 9\): passed: 3\/3$/m);
  const row = readFileSync(join(dir, 'names.csv'), 'utf8').split('\n')[1]!;
  assert.ok(row.startsWith(`"'=HYPERLINK(""http:evil"")`), row);
});

test('a submission of 150,000 tiny cells costs the grader seconds, not minutes (it was quadratic)', () => {
  const started = Date.now();
  const r = grade('tiny.lab.md', `${student}\n${'```run\n```\n\n'.repeat(150_000)}`, [
    '--cpu-limit',
    '2',
    '--submission-cpu-limit',
    '3',
  ]);
  const seconds = (Date.now() - started) / 1000;
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.report, /<submission>: 0\/3/);
  assert.match(r.report, /CPU-time limit/);
  assert.ok(seconds < 40, `took ${seconds} s`);
});

test('held: work inside one built-in call over a huge array-like is stopped by the run budget', () => {
  // No step is counted and QuickJS never polls inside it, so the sandbox's 5 s wall-clock
  // ceiling does not see it either: the run's CPU-time limit stops the worker.
  const lab = join(dir, 'stall.lab.md');
  writeFileSync(
    lab,
    `${SOURCE.split('```workload hidden')[0]!.replace(
      'definePolicy({ place(view, p) { return p % view.cpuCount; } });',
      'definePolicy({ place(view, p) { return Array.prototype.indexOf.call({ length: 2 ** 53 - 1 }, 1) + 1; } });',
    )}`,
  );
  const r = built(['run', lab, '--cpu-limit', '2']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stdout,
    /run yours failed: RunLimit: it ran past its CPU-time limit of 2 s per run, so its worker was stopped/,
  );
  assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, 'no stack trace');
  assert.match(r.stdout, /\*\*base\*\*: pinned/);
});

test('unbounded recursion is a stack overflow at the line of the policy, in run and in grade', () => {
  const recursive = `function deeper(n) {
  return deeper(n + 1) + 1;
}
definePolicy({
  place(view, p) {
    return deeper(0);
  },
});`;
  const lab = join(dir, 'recursive.lab.md');
  writeFileSync(lab, withPolicy(recursive));
  const r = built(['run', lab]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stdout,
    /run yours failed: Policy mine failed: policy mine: place\(\) at \d+ ns, line 2: stack overflow \(unbounded recursion\?\)/,
  );
  assert.doesNotMatch(r.stdout + r.stderr, /Aborted|Assertion|Maximum call stack/);
  const g = grade('recursive.lab.md', withPolicy(recursive));
  assert.match(g.report, /FAIL waits .*line 2: stack overflow \(unbounded recursion\?\)/);
});

const CONFIG: SimConfig = {
  machine: { preset: 'laptop-4' },
  workload: {
    groups: [
      { name: 'a', count: 20, arrival: { kind: 'poisson', ratePerS: 400 }, demand: { kind: 'exp', meanNs: 5e6 } },
    ],
  },
  policy: { name: 'cell' },
  scheduler: { kind: 'fair' },
  durationNs: 1e8,
  seed: 3,
};

test('sixty runs that overflow the stack, in every way, leave the thread able to run any policy', async () => {
  // Compiled before: it must still work once the module it was compiled in has been discarded.
  const good = await compilePolicy(
    `const hoard = []; for (let i = 0; i < 100000; i++) hoard.push({ i });
definePolicy({ place(view, p) { return p % view.cpuCount; } });`,
    'js',
    { name: 'good' },
  );
  const ways = {
    recursion: 'function f() { return f() + 1; } f();',
    getter: 'const o = { get x() { return this.x; } }; o.x;',
    proxy: 'const q = new Proxy({}, { get(t, k) { return q[k]; } }); q.x;',
    toJSON: 'const o = { toJSON() { return JSON.stringify(o); } }; JSON.stringify(o);',
    'deep JSON.parse': "JSON.parse('['.repeat(200000));",
    'deep source': "Function('return ' + '['.repeat(100000) + ']'.repeat(100000));",
    'deep array join': 'let a = []; for (let i = 0; i < 200000; i++) a = [a]; String(a);',
  };
  const policies = await Promise.all(
    Object.values(ways).map((code) =>
      compilePolicy(`definePolicy({ place(view, p) { try { ${code} } catch (e) {} return 0; } });`, 'js', {
        name: 'deep',
      }),
    ),
  );
  for (let i = 0; i < 60; i++) {
    const policy = policies[i % policies.length]!;
    await loadQuickJs(); // what a worker's next run awaits
    try {
      simulate(CONFIG, { policy: policy.factory });
    } catch (e) {
      assert.ok(e instanceof PolicyRuntimeError, `${Object.keys(ways)[i % policies.length]}: ${String(e)}`);
      assert.match(e.message, /stack overflow \(unbounded recursion\?\)$/);
    }
  }
  for (const [what, code] of Object.entries(ways)) {
    await assert.rejects(
      compilePolicy(`${code}\ndefinePolicy({ place() { return 0; } });`, 'js', { name: 'top' }),
      (e) => e instanceof PolicyCodeError && /stack overflow \(unbounded recursion\?\)$/.test(e.message),
      what,
    );
  }
  assert.ok(simulate(CONFIG, { policy: good.factory }).summary.completed > 0);
  const memory = (await loadQuickJs()).getWasmMemory().buffer.byteLength;
  assert.ok(memory < 64 * 1024 * 1024, `the module holds ${memory} bytes`);
  // A recursion of a reasonable depth still works.
  const depth = await compilePolicy(
    'function f(n) { return n === 0 ? 0 : f(n - 1) + 1; }\ndefinePolicy({ place(view, p) { return f(800) - 800; } });',
    'js',
    { name: 'depth' },
  );
  assert.ok(simulate(CONFIG, { policy: depth.factory }).summary.completed > 0);
});

test('held: Promise jobs never run, async and generator hooks are refused, and two runs are the same run', async () => {
  const jobs = await compilePolicy(
    `Promise.resolve().then(() => { for (;;) {} });
const refs = [];
definePolicy({
  place(view, p) {
    Promise.resolve().then(() => { for (;;) {} });
    refs.push(new WeakRef({ p }));
    const alive = refs.filter((r) => r.deref() !== undefined).length;
    return (alive + Math.floor(Math.random() * 4) + (typeof Date) .length) % view.cpuCount;
  },
});`,
    'js',
    { name: 'jobs' },
  );
  const a = simulate(CONFIG, { policy: jobs.factory });
  const b = simulate(CONFIG, { policy: jobs.factory });
  assert.equal(a.digest, b.digest);
  for (const hook of ['async place(view, p) { return 0; }', '*place(view, p) { return 0; }']) {
    const compiled = await compilePolicy(`definePolicy({ ${hook} });`, 'js', { name: 'odd' });
    assert.throws(
      () => simulate(CONFIG, { policy: compiled.factory }),
      /place\(\) returned \{\} for process \d+; return a CPU number 0\.\.3/,
    );
  }
});

test('held: a check shadowed through a BOM and CRLF, an HTML comment, a tilde fence or a look-alike name scores as the source says', () => {
  const forged = '```check id=waits points=99\nexpect: 1 < 2\n```\n\n';
  const cases = {
    // A forged copy first, the whole file with a BOM and CRLF line endings.
    bom: { text: `\ufeff${forged}${student}`.replace(/\n/g, '\r\n'), score: '3/3', note: /another copy/ },
    // The real check inside an unclosed HTML comment.
    comment: {
      text: student.replace('```check id=waits', '<!--\n```check id=waits'),
      score: '3/3',
      note: /was deleted/,
    },
    // An indented tilde fence with odd attributes, and a kind in another case (markdown, not a check).
    fences: {
      text: `${student}\n   ~~~~check   id=waits points=50 hidden=false\nexpect: 1 < 2\n   ~~~~\n\n\`\`\`Check id=waits points=50\nexpect: 1 < 2\n\`\`\`\n`,
      score: '3/3',
      note: /another copy/,
    },
    // The run the check reads renamed with a Cyrillic o: it is not that run.
    lookalike: { text: student.replace('name: yours', 'name: y\u043eurs'), score: '1/3', note: undefined },
  };
  for (const [name, { text, score, note }] of Object.entries(cases)) {
    const r = grade(`${name}.lab.md`, text);
    assert.match(r.report, new RegExp(`^<submission>: ${score}$`, 'm'), `${name}:\n${r.report}`);
    assert.doesNotMatch(r.report, /\/99|\/50/, name);
    if (note) assert.match(r.report, new RegExp(`INTEGRITY check waits.*${note.source}`), name);
  }
});
