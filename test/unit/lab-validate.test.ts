import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from '../../src/lab/document/diagnostic';
import { parseLab } from '../../src/lab/document/markdown';
import { resolveLab } from '../../src/lab/language/resolveLab';

const MACHINE = '```machine\nname: duo\nsockets: 2\ncoresPerSocket: 4\n```\n';
const WORKLOAD = '```workload\nname: mixed\nprocesses:\n  - { name: web, count: 4, demand: exp 4ms }\n```\n';
const RUN = '```run\nname: base\nmachine: duo\nworkload: mixed\npolicy: pinned\n```\n';

/** Diagnostics of one cell (by index) of a lab. */
function diagnosticsOf(lab: string, cellIndex: number, params?: Record<string, string>): Diagnostic[] {
  return resolveLab(parseLab(lab), { params }).diagnostics.get(cellIndex) ?? [];
}

/** [line, character, endLine, endCharacter] of a diagnostic. */
const at = (d: Diagnostic) => [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character];

/** Asserts exactly one diagnostic with this code, message and range. */
function expectOne(ds: Diagnostic[], code: string, message: string | RegExp, range: number[], severity = 'error') {
  assert.equal(ds.length, 1, `expected one diagnostic, got: ${JSON.stringify(ds, null, 1)}`);
  const [d] = ds;
  assert.equal(d.code, code);
  if (typeof message === 'string') assert.equal(d.message, message);
  else assert.match(d.message, message);
  assert.deepEqual(at(d), range);
  assert.equal(d.severity, severity);
}

test('1. unknown key, with "did you mean"', () => {
  const lab = '```machine\nname: duo\nsokets: 2\n```\n';
  expectOne(diagnosticsOf(lab, 0), 'unknown-key', 'Unknown key "sokets". Did you mean "sockets"?', [1, 0, 1, 6]);
});

test('2. unknown key in a nested flow mapping', () => {
  const lab = '```machine\nname: duo\ncaches: { l1: 32KiB, llc: 8MiB }\n```\n';
  expectOne(diagnosticsOf(lab, 0), 'unknown-key', 'Unknown key "l1" in caches. Did you mean "l1d"?', [1, 10, 1, 12]);
});

test('3. wrong type: text where a whole number is needed', () => {
  const lab = '```machine\nname: duo\nsockets: two\n```\n';
  expectOne(
    diagnosticsOf(lab, 0),
    'wrong-type',
    '"sockets" must be a whole number from 1 to 64; got "two"',
    [1, 9, 1, 12],
  );
});

test('4. wrong type: a scalar where a list is needed', () => {
  const lab = MACHINE + WORKLOAD + RUN + '```chart\nshow: load\nruns: base\n```\n';
  expectOne(
    diagnosticsOf(lab, 3),
    'wrong-type',
    /^"runs" must be a list of items, each the name of a run cell; got "base"$/,
    [1, 6, 1, 10],
  );
});

test('5. bad unit: points at the unit and lists the allowed ones', () => {
  const lab = '```machine\nname: duo\ncaches: { l1d: 32kb }\n```\n';
  expectOne(diagnosticsOf(lab, 0), 'bad-unit', 'Unknown size unit "kb": use one of B, KiB, MiB, GiB', [1, 17, 1, 19]);
});

test('6. bad unit inside a distribution', () => {
  const lab = '```workload\nname: w\nprocesses:\n  - { name: web, demand: exp 4mz }\n```\n';
  expectOne(diagnosticsOf(lab, 0), 'bad-unit', 'Unknown time unit "mz": use one of ns, us, µs, ms, s', [2, 30, 2, 32]);
});

test('7. a quantity without a unit', () => {
  const lab = MACHINE + WORKLOAD + '```run\nname: r\nmachine: duo\nworkload: mixed\npolicy: pinned\nduration: 5\n```\n';
  expectOne(diagnosticsOf(lab, 2), 'bad-unit', 'A time needs a unit: one of ns, us, µs, ms, s', [4, 10, 4, 11]);
});

test('8. out-of-range value', () => {
  const lab = '```machine\nname: duo\nsockets: 0\n```\n';
  expectOne(diagnosticsOf(lab, 0), 'out-of-range', '"sockets" must be at least 1; got 0', [1, 9, 1, 10]);
  const pct = '```workload\nname: w\nprocesses:\n  - name: a\n    dirty: 150%\n```\n';
  expectOne(diagnosticsOf(pct, 0), 'out-of-range', '"dirty" must be at most 100%; got 150%', [3, 11, 3, 15]);
});

test('9. missing required keys are reported on the first line', () => {
  const lab = MACHINE + '```run\nname: r\nmachine: duo\npolicy: pinned\n```\n';
  expectOne(
    diagnosticsOf(lab, 1),
    'missing-key',
    'Missing required key "workload" (with "machine"): The workload cell to run.',
    [0, 0, 0, 7],
  );
  // In a nested mapping, on the mapping itself.
  const pstate = '```machine\nname: m\npstates: [ { freq: 1GHz } ]\n```\n';
  expectOne(
    diagnosticsOf(pstate, 0),
    'missing-key',
    /^Missing required key "volt" in pstates: Supply voltage/,
    [1, 11, 1, 11],
  );
});

test('10. duplicate names across cells', () => {
  const lab = MACHINE + '```machine\nname: duo\nsockets: 1\n```\n';
  expectOne(
    diagnosticsOf(lab, 1),
    'duplicate-name',
    'Duplicate machine name "duo": cell 1 already defines it',
    [0, 6, 0, 9],
  );
  assert.equal(diagnosticsOf(lab, 0).length, 0, 'the first definition is fine');
  const preset = '```machine\nname: laptop-4\n```\n';
  expectOne(
    diagnosticsOf(preset, 0),
    'duplicate-name',
    'Duplicate machine name "laptop-4": it is a built-in preset',
    [0, 6, 0, 14],
  );
});

test('11. YAML syntax errors keep their position', () => {
  const lab = '```machine\nname: duo\nsockets: 2\n  cores: 4\n```\n';
  const [d] = diagnosticsOf(lab, 0);
  assert.equal(d.code, 'yaml-syntax');
  assert.equal(d.message, 'YAML: Nested mappings are not allowed in compact mappings');
  assert.deepEqual(at(d), [1, 9, 1, 10]);
  const unclosed = diagnosticsOf('```machine\nname: duo\ncaches: { l1d: 32KiB\n```\n', 0)[0];
  assert.match(unclosed.message, /^YAML: Flow map .* must .* end with a \}$/);
  assert.deepEqual(at(unclosed), [1, 20, 1, 20], 'at the end of the cell, where the } is missing');
  const dup = '```machine\nname: duo\nname: trio\n```\n';
  const dd = diagnosticsOf(dup, 0).find((x) => x.code === 'yaml-syntax');
  assert.ok(dd && /unique/i.test(dd.message) && dd.range.start.line === 1, JSON.stringify(dd));
});

test('12. unknown machine / workload reference, with "did you mean"', () => {
  const lab = MACHINE + WORKLOAD + '```run\nname: r\nmachine: dou\nworkload: mixd\npolicy: pinned\n```\n';
  const ds = diagnosticsOf(lab, 2);
  assert.equal(ds.length, 2, JSON.stringify(ds));
  assert.equal(ds[0].code, 'unknown-reference');
  assert.equal(ds[0].message, 'Unknown machine "dou". Did you mean "duo"?');
  assert.deepEqual(at(ds[0]), [1, 9, 1, 12]);
  assert.equal(ds[1].message, 'Unknown workload "mixd". Did you mean "mixed"?');
  assert.deepEqual(at(ds[1]), [2, 10, 2, 14]);
});

test('13. unknown policy, inside a policy mapping too', () => {
  const lab =
    MACHINE + WORKLOAD + '```run\nname: r\nmachine: duo\nworkload: mixed\npolicy: { name: least-loded }\n```\n';
  expectOne(
    diagnosticsOf(lab, 2),
    'unknown-reference',
    'Unknown policy "least-loded". Did you mean "least-loaded"?',
    [3, 16, 3, 27],
  );
  const plain = MACHINE + WORKLOAD + '```run\nname: r\nmachine: duo\nworkload: mixed\npolicy: pinnned\n```\n';
  expectOne(
    diagnosticsOf(plain, 2),
    'unknown-reference',
    'Unknown policy "pinnned". Did you mean "pinned"?',
    [3, 8, 3, 15],
  );
  const param =
    MACHINE +
    WORKLOAD +
    '```run\nname: r\nmachine: duo\nworkload: mixed\npolicy: { name: linux-cfs, migrationcost: 500us }\n```\n';
  // (linux-cfs may also draw a warning while the simulator does not implement it yet.)
  expectOne(
    diagnosticsOf(param, 2),
    'unknown-key',
    'Unknown key "migrationcost" in policy linux-cfs. Did you mean "migrationCost"?',
    [3, 27, 3, 40],
  );
});

test('14. unknown run in a check expression; unknown metric', () => {
  const lab = MACHINE + WORKLOAD + RUN + '```check id=q\nexpect: runs.bse.migrations > runs.base.migratoins\n```\n';
  const ds = diagnosticsOf(lab, 3);
  assert.equal(ds.length, 2, JSON.stringify(ds));
  assert.equal(ds[0].message, 'Unknown run "bse". Did you mean "base"?');
  assert.deepEqual(at(ds[0]), [0, 13, 0, 16]);
  assert.equal(ds[1].code, 'unknown-metric');
  assert.equal(ds[1].message, 'Unknown metric "migratoins". Did you mean "migrations"?');
  assert.deepEqual(at(ds[1]), [0, 40, 0, 50]);
  // Quoted: still exact. Folded over lines: the whole value, since offsets no longer match the text.
  const quoted = MACHINE + WORKLOAD + RUN + '```check\nexpect: "runs.bse.migrations > 0"\n```\n';
  expectOne(diagnosticsOf(quoted, 3), 'unknown-reference', 'Unknown run "bse". Did you mean "base"?', [0, 14, 0, 17]);
  const folded =
    MACHINE + WORKLOAD + RUN + '```check\nexpect: >-\n  runs.base.migrations >\n  runs.bse.migrations\n```\n';
  expectOne(diagnosticsOf(folded, 3), 'unknown-reference', 'Unknown run "bse". Did you mean "base"?', [0, 8, 2, 21]);
});

test('14b. a check reads one part of a breakdown: a reason or a miss cause, by name or in brackets; others are refused where they are', () => {
  const check = (expect: string) =>
    diagnosticsOf(MACHINE + WORKLOAD + RUN + '```check id=q\nexpect: ' + expect + '\n```\n', 3);
  for (const ok of [
    'runs.base.migrationsByReason.numa > 0',
    'runs.base.migrationsByReason.load-balance >= 1',
    'runs.base.migrationsByReason["cache-contention"] == 0',
    "runs.base.cacheMissesByCause ['coherence'] < runs.base.cacheMissesByCause.migration",
  ]) {
    assert.deepEqual(check(ok), [], ok);
  }
  // "steal" is no reason (docs/grading.md once said it was).
  expectOne(
    check('runs.base.migrationsByReason.steal > 0'),
    'unknown-metric',
    /^Unknown reason "steal" of migrationsByReason\..* The reasons: load-balance, cache-contention, cpu-contention, heterogeneity, energy, fault, deadline, thermal, numa, maintenance, request\.$/,
    [0, 37, 0, 42],
  );
  expectOne(
    check('runs.base.migrationsByReason["energie"] > 0'),
    'unknown-metric',
    /^Unknown reason "energie" of migrationsByReason\. Did you mean "energy"\?/,
    [0, 38, 0, 45],
  );
  expectOne(
    check('runs.base.cacheMissesByCause.evictions > 0'),
    'unknown-metric',
    /^Unknown cause "evictions" of cacheMissesByCause\. Did you mean "eviction"\?/,
    [0, 37, 0, 46],
  );
  // The whole breakdown is not a number: say how to read one part, at the metric.
  expectOne(
    check('runs.base.migrationsByReason > 3'),
    'unknown-metric',
    '"migrationsByReason" counts by reason: read one reason, e.g. runs.base.migrationsByReason.request.',
    [0, 18, 0, 36],
  );
  // A typo of the breakdown's own name still gets its "did you mean".
  expectOne(
    check('runs.base.migrationsByReasons.numa > 0'),
    'unknown-metric',
    'Unknown metric "migrationsByReasons". Did you mean "migrationsByReason"?',
    [0, 18, 0, 37],
  );
});
test('15. unknown $param, with "did you mean"', () => {
  const lab =
    '```params\ndur: 5s\n```\n' +
    MACHINE +
    WORKLOAD +
    '```run\nname: r\nmachine: duo\nworkload: mixed\npolicy: pinned\nduration: $durr\n```\n';
  expectOne(
    diagnosticsOf(lab, 3),
    'unknown-param',
    'Unknown parameter $durr. Did you mean $dur? Declare it in a params cell.',
    [4, 10, 4, 15],
  );
});

test('16. a parameter whose value is wrong where it is used', () => {
  const lab =
    '```params\ndur: 5\n```\n' +
    MACHINE +
    WORKLOAD +
    '```run\nname: r\nmachine: duo\nworkload: mixed\npolicy: pinned\nduration: $dur\n```\n';
  expectOne(diagnosticsOf(lab, 3), 'bad-unit', 'A time needs a unit: one of ns, us, µs, ms, s', [4, 10, 4, 14]);
  // An override fixes it, and an override of an undeclared parameter is a problem of the whole lab.
  assert.equal(diagnosticsOf(lab, 3, { dur: '2s' }).length, 0);
  const lab2 = resolveLab(parseLab(lab), { params: { dru: '1s' } });
  assert.deepEqual(lab2.problems, ['--param dru: no params cell declares "dru" (declared: dur)']);
});

test('17. enum values, with "did you mean" and the allowed list', () => {
  const lab = MACHINE + WORKLOAD + RUN + '```chart\nshow: loads\nruns: [base]\n```\n';
  expectOne(
    diagnosticsOf(lab, 3),
    'bad-value',
    /^"loads" is not a valid show\. Did you mean "load"\? Use one of: load, queues, cache-misses/,
    [0, 6, 0, 11],
  );
  const metric =
    MACHINE + WORKLOAD + '```compare\nmachine: duo\nworkload: mixed\npolicies: [pinned]\nmetrics: [energy]\n```\n';
  expectOne(
    diagnosticsOf(metric, 2),
    'bad-value',
    /^"energy" is not a valid metrics\. Did you mean "energyJ"\?/,
    [3, 10, 3, 16],
  );
});

test('18. chart needs exactly one of show / vegaLite', () => {
  const none = MACHINE + WORKLOAD + RUN + '```chart\nruns: [base]\n```\n';
  expectOne(diagnosticsOf(none, 3), 'missing-key', 'Needs one of "show" or "vegaLite"', [0, 0, 0, 12]);
  const both = MACHINE + WORKLOAD + RUN + '```chart\nshow: load\nrun: base\nvegaLite: { mark: bar }\n```\n';
  expectOne(diagnosticsOf(both, 3), 'conflicting-keys', 'Use only one of "show" and "vegaLite"', [0, 0, 0, 10]);
});

test('19. info-string attributes are checked', () => {
  const lab = MACHINE + WORKLOAD + RUN + '```check pts=2\nexpect: runs.base.migrations >= 0\n```\n';
  expectOne(
    diagnosticsOf(lab, 3),
    'unknown-attribute',
    'Unknown attribute "pts" on a check cell. Did you mean "points"?',
    [0, 0, 0, 0],
    'warning',
  );
  const bad = MACHINE + WORKLOAD + RUN + '```check points=lots\nexpect: runs.base.migrations >= 0\n```\n';
  expectOne(diagnosticsOf(bad, 3), 'bad-attribute', 'Attribute "points" must be a number of at least 0', [0, 0, 0, 0]);
  const quote = MACHINE + WORKLOAD + RUN + '```check message="open\nexpect: runs.base.migrations >= 0\n```\n';
  expectOne(diagnosticsOf(quote, 3), 'bad-attribute', 'Unterminated quoted value for "message"', [0, 0, 0, 0]);
});

test('20. a cell that is not a mapping; an empty cell', () => {
  expectOne(
    diagnosticsOf('```machine\n- duo\n```\n', 0),
    'wrong-type',
    'A machine cell is a YAML mapping of keys, e.g. "name: ..."',
    [0, 0, 0, 5],
  );
  const empty = diagnosticsOf('```run\n```\n', 0);
  assert.deepEqual(
    empty.map((d) => d.message.split(':')[0]),
    // A run is on a machine or on a cluster: which keys it needs besides depends on which.
    ['Missing required key "name"', 'Needs one of "machine" or "cluster"'],
  );
  assert.ok(empty.every((d) => at(d).join() === '0,0,0,0'));
});

test('21. names must be identifiers; list lengths are checked', () => {
  expectOne(
    diagnosticsOf('```machine\nname: my machine\n```\n', 0),
    'wrong-type',
    /^"name" must be a name \(letters, digits, - and _, starting with a letter\); got "my machine"$/,
    [0, 6, 0, 16],
  );
  const uu =
    '```workload\nname: rt\nprocesses:\n  - name: tasks\n    uunifast: { n: 8, utilization: 0.7, period: [10ms] }\n```\n';
  expectOne(diagnosticsOf(uu, 0), 'out-of-range', '"period" needs at least 2 items', [3, 48, 3, 54]);
});

test('22. a broken dependency is shown once, where it is; the run waits for it, saying which cell', () => {
  const lab = '```machine\nname: duo\nsockets: 0\n```\n' + WORKLOAD + RUN + '```chart\nshow: load\nruns: [base]\n```\n';
  const resolved = resolveLab(parseLab(lab));
  assert.deepEqual([...resolved.diagnostics.keys()], [0]);
  assert.equal(resolved.runs.length, 0);
  assert.deepEqual(resolved.blocked.get(2), ['cell 1 (machine duo) has errors; fix it first']);
  assert.deepEqual(resolved.blocked.get(3), [
    'cell 3 (run base) cannot run: cell 1 (machine duo) has errors; fix it first',
  ]);
});

test('22b. after a YAML syntax error: the syntax error alone, in its cell; cells using a name it hides wait for it', () => {
  // "name mixed" (no colon) hides the workload's name and breaks the mapping.
  const lab =
    MACHINE +
    '```workload\nname mixed\nprocesses:\n  - { name: web, count: 4, demand: exp 4ms }\n```\n' +
    RUN +
    '```check\nexpect: runs.base.completed > 0\n```\n';
  const resolved = resolveLab(parseLab(lab));
  const shown = [...resolved.diagnostics].flatMap(([i, ds]) => ds.map((d) => `${i} ${d.code}`));
  assert.deepEqual(shown, ['1 yaml-syntax']);
  assert.deepEqual(resolved.blocked.get(2), [
    'workload "mixed" is not defined yet: cell 2 (workload) has no name it can be found by; fix that first',
  ]);
  assert.match(resolved.blocked.get(3)?.[0] ?? '', /^cell 3 \(run base\) cannot run: workload "mixed"/);
});

test('22c. a flow mapping left open reports the syntax error only, not the keys it swallowed', () => {
  const lab = '```machine\nname: duo\ncaches: { l1d: 32KiB\nsockets: 2\n```\n';
  const ds = diagnosticsOf(lab, 0);
  assert.ok(ds.length > 0 && ds.every((d) => d.code === 'yaml-syntax'), JSON.stringify(ds));
});

test('23. policy cells need a name and add to the policy names', () => {
  const noName = MACHINE + WORKLOAD + '```policy lang=ts\nexport default {}\n```\n';
  expectOne(diagnosticsOf(noName, 2), 'policy-needs-name', /^A policy cell needs a name/, [
    0,
    0,
    0,
    'export default {}'.length,
  ]);
  const named =
    MACHINE +
    WORKLOAD +
    '```policy name=sticky lang=ts\nexport default {}\n```\n' +
    '```run\nname: r\nmachine: duo\nworkload: mixed\npolicy: { name: sticky, threshold: 3 }\n```\n';
  const resolved = resolveLab(parseLab(named));
  assert.equal(resolved.diagnostics.size, 0, JSON.stringify([...resolved.diagnostics]));
  assert.deepEqual(resolved.runs[0].config.policy, { name: 'sticky', params: { threshold: 3 } });
  assert.equal(resolved.runs[0].policyCell, 2);
});

test('property: resolution, completions and hovers never throw, and every range lies inside its cell', async () => {
  const fc = (await import('fast-check')).default;
  const { completions, hover, labNames } = await import('../../src/lab/language/editorHelp');
  const { CELL_KINDS } = await import('../../src/lab/document/markdown');
  const pieces = [
    'name: duo',
    'sockets: 2',
    'caches: { l1d: 32KiB',
    ' }',
    'processes:',
    '  - { name: web, demand: exp 4ms }',
    '  - name: x',
    '    arrival: poisson 400/s',
    'machine: duo',
    'workload: mixed',
    'policy: { name: linux-cfs, migrationCost: 5 }',
    'runs: [a, b',
    'show: load',
    'expect: runs.a.migrations > 0',
    'duration: $dur',
    'dur: 5s',
    '  ',
    ':',
    '- ',
    '{',
    '[',
    ']',
    '"',
    "'",
    'µs',
    '\t',
    '#c',
    '*a',
    '&x y',
  ];
  const cellArb = fc.record({
    kind: fc.constantFrom(...CELL_KINDS),
    value: fc.array(fc.constantFrom(...pieces), { maxLength: 8 }).map((ls) => ls.join('\n')),
    attributes: fc.constant({}),
  });
  fc.assert(
    fc.property(fc.array(cellArb, { maxLength: 6 }), fc.nat(), (cells, seed) => {
      const lab = resolveLab(cells);
      for (const [index, ds] of lab.diagnostics) {
        const lines = cells[index].value.split('\n');
        for (const d of ds) {
          for (const p of [d.range.start, d.range.end]) {
            assert.ok(p.line >= 0 && p.line < Math.max(1, lines.length), `line out of cell: ${JSON.stringify(d)}`);
            assert.ok(
              p.character >= 0 && p.character <= lines[p.line].length,
              `character out of line: ${JSON.stringify(d)}`,
            );
          }
        }
      }
      const names = labNames(cells);
      for (const cell of cells) {
        const lines = cell.value.split('\n');
        const line = seed % lines.length;
        const character = seed % (lines[line].length + 1);
        completions(cell.kind, cell.value, { line, character }, names);
        hover(cell.kind, cell.value, { line, character }, names);
      }
    }),
    { numRuns: 400 },
  );
});

test("24. the simulator's own checks land on the exact value: matrix shape, CPUs the machine lacks", () => {
  const numa =
    '```machine\nname: duo\nsockets: 2\nnuma: { distances: [[10, 20, 20], [20, 10, 20], [20, 20, 10]] }\n```\n';
  expectOne(
    diagnosticsOf(numa, 0),
    'simulator-check',
    'numa.distances: must have 2 rows (one per socket) (simulator check)',
    [2, 19, 2, 61],
  );
  const diagonal = '```machine\nname: duo\nsockets: 2\nnuma: { distances: [[10, 20], [20, 11]] }\n```\n';
  expectOne(
    diagnosticsOf(diagonal, 0),
    'simulator-check',
    'numa.distances[1][1]: a node is at distance 10 from itself (simulator check)',
    [2, 35, 2, 37],
  );

  const affinity =
    MACHINE +
    '```workload\nname: mixed\nprocesses:\n  - { name: web, affinity: [0, 9] }\n```\n' +
    '```run\nname: r\nmachine: duo\nworkload: mixed\npolicy: pinned\n```\n';
  const resolved = resolveLab(parseLab(affinity));
  expectOne(
    resolved.diagnostics.get(1) ?? [],
    'simulator-check',
    'processes[0].affinity[1]: must be at most 7 (with machine "duo", in run cell 3)',
    [2, 31, 2, 32],
  );
  expectOne(
    resolved.diagnostics.get(2) ?? [],
    'simulator-check',
    'Workload "mixed" does not fit machine "duo": processes[0].affinity[1]: must be at most 7 (simulator check)',
    [2, 10, 2, 15],
  );
  assert.equal(resolved.runs.length, 0);
});

test('numbers too large to keep: an overflowing number and a time past 2^53 ns are refused at the value, never shown as Infinity', () => {
  // 2^53 ns = 9,007,199.254740992 s: the first time the clock could not count to the nanosecond.
  const workload = (process: string) =>
    MACHINE + '```workload\nname: mixed\nprocesses:\n  - { name: web, count: 4, ' + process + ' }\n```\n' + RUN;
  const line = '  - { name: web, count: 4, ';
  const cases: { process: string; value: string; code: string; message: RegExp }[] = [
    { process: 'demand: 1e400s', value: '1e400s', code: 'out-of-range', message: /^1e400s is too large a number$/ },
    {
      process: 'demand: 9007199.254740992s',
      value: '9007199.254740992s',
      code: 'out-of-range',
      message: /at most 2\^53 - 1 nanoseconds \(about 104 days\)$/,
    },
    {
      process: 'demand: 1s, dirty: 1e400%',
      value: '1e400%',
      code: 'out-of-range',
      message: /^1e400% is too large a number$/,
    },
  ];
  for (const { process, value, code, message } of cases) {
    const ds = diagnosticsOf(workload(process), 1);
    const column = line.length + process.indexOf(value);
    assert.ok(ds.length >= 1, process);
    assert.equal(ds[0].code, code, process);
    assert.match(ds[0].message, message, process);
    assert.doesNotMatch(ds[0].message, /Infinity|must be an integer/, process);
    assert.deepEqual(at(ds[0]).slice(0, 2), [2, column], process);
  }
  // One nanosecond less than 2^53 is a time the clock keeps: no error at the value.
  const justBelow = diagnosticsOf(workload('demand: 9007199.254740991s'), 1);
  assert.deepEqual(justBelow, []);
  // A run's duration past 2^53 ns the same way (a window's end: lab-units.test.ts).
  const longRun = diagnosticsOf(
    MACHINE + WORKLOAD + RUN.replace('policy: pinned\n', 'policy: pinned\nduration: 1e8s\n'),
    2,
  );
  assert.equal(longRun[0]?.code, 'out-of-range');
  assert.match(longRun[0].message, /^"duration": 1e8s is more than the simulator can count exactly/);
});
