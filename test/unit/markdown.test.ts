import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  CELL_KINDS,
  cellPositionToFile,
  formatInfoString,
  parseInfoString,
  parseLab,
  serializeLab,
  type Attributes,
  type CellKind,
  type LabCell,
} from '../../src/lab/document/markdown';

const fixtureDir = join(import.meta.dirname, '../fixtures/roundtrip');
const fixtures = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.lab.md'))
  .sort();
const readFixture = (name: string) => readFileSync(join(fixtureDir, name), 'utf8');

/** Compact picture of a split: kind per cell, code cells with their value. */
const kinds = (text: string) => parseLab(text).map((c) => c.kind);

test('round-trip corpus has at least 15 files', () => {
  assert.ok(fixtures.length >= 15, `only ${fixtures.length} fixtures`);
});

for (const name of fixtures) {
  test(`round-trips byte-exact: ${name}`, () => {
    const text = readFixture(name);
    assert.equal(serializeLab(parseLab(text)), text);
  });
}

test('CRLF file: values use LF, cells and body lines are found', () => {
  const cells = parseLab(readFixture('01-crlf.lab.md'));
  assert.deepEqual(
    cells.map((c) => c.kind),
    ['markdown', 'machine', 'run'],
  );
  assert.equal(cells[0].value, '# CRLF lab\n\nSome text.');
  assert.equal(cells[1].value, 'name: duo\nsockets: 2');
  assert.equal(cells[1].kind !== 'markdown' && cells[1].bodyLine, 5);
});

test('fences inside blockquotes, list items, HTML comments, indented code and front matter stay markdown', () => {
  assert.deepEqual(kinds(readFixture('11-blockquote-and-lists.lab.md')), ['markdown', 'chart']);
  assert.deepEqual(kinds(readFixture('09-html-comment.lab.md')), ['markdown', 'run']);
  assert.deepEqual(kinds(readFixture('10-indented-code-block.lab.md')), ['markdown', 'machine']);
  assert.deepEqual(kinds(readFixture('08-front-matter.lab.md')), ['markdown', 'markdown', 'machine']);
  assert.deepEqual(kinds(readFixture('20-tabs.lab.md')), ['markdown', 'machine']);
});

test('non-lab fences stay in markdown; kind must match exactly', () => {
  const cells = parseLab(readFixture('17-other-fences.lab.md'));
  assert.deepEqual(
    cells.map((c) => c.kind),
    ['markdown', 'machine', 'markdown'],
  );
  assert.match(cells[0].value, /```yaml\nmachine: no\n```/);
  assert.match(cells[2].value, /```Machine/);
});

test('tilde and longer fences close only on the same character and at least the same length', () => {
  const tilde = parseLab(readFixture('04-tilde-fences.lab.md'));
  assert.deepEqual(
    tilde.map((c) => c.kind),
    ['machine', 'markdown', 'run'],
  );
  assert.equal(tilde[2].value, 'name: r\n~~~');
  const long = parseLab(readFixture('05-long-fence.lab.md'));
  assert.equal(long.length, 1);
  assert.match(long[0].value, /```js\nnested\n```/);
  const rules = parseLab(readFixture('22-fence-closing-rules.lab.md'));
  assert.deepEqual(
    rules.map((c) => c.kind),
    ['machine', 'markdown'],
  );
  assert.equal(rules[0].value, 'name: m\n~~~\n``` not-a-closer\n``\n    ```');
});

test('indented fences strip up to the fence indentation from body lines', () => {
  const cells = parseLab(readFixture('07-indented-fences.lab.md'));
  const machine = cells[1];
  if (machine.kind !== 'machine') throw new Error(`expected a machine cell, got ${machine.kind}`);
  assert.equal(machine.value, 'name: indented\ncores: 4\nsockets: 1\n  deep: x');
  // Body line 3 ("     deep: x") lost 3 spaces; the error column maps back to the file.
  assert.deepEqual(cellPositionToFile(machine, 3, 2), { line: 6, character: 5 });
  assert.deepEqual(cellPositionToFile(machine, 1, 0), { line: 4, character: 2 });
});

test('unclosed fence runs to the end of the file', () => {
  const cells = parseLab(readFixture('06-unclosed-at-eof.lab.md'));
  assert.deepEqual(
    cells.map((c) => c.kind),
    ['markdown', 'check'],
  );
  assert.equal(cells[1].value, 'expect: runs.a.migrations > 0\n');
});

test('empty cells and consecutive cells', () => {
  const empty = parseLab(readFixture('12-empty-cells.lab.md'));
  assert.deepEqual(
    empty.map((c) => [c.kind, c.value]),
    [
      ['params', ''],
      ['machine', ''],
      ['run', '\n'],
    ],
  );
  assert.deepEqual(kinds(readFixture('13-consecutive-cells.lab.md')), ['machine', 'workload', 'run', 'compare']);
});

test('byte order mark and front matter with fences', () => {
  const bom = parseLab(readFixture('21-bom.lab.md'));
  assert.deepEqual(
    bom.map((c) => [c.kind, c.value]),
    [['machine', 'name: bom']],
  );
  const fm = parseLab(readFixture('08-front-matter.lab.md'));
  assert.match(fm[0].value, /^---\ntitle/);
  // An unclosed `---` is a thematic break, so the fence after it is a cell.
  assert.deepEqual(kinds(readFixture('18-unclosed-front-matter.lab.md')), ['markdown', 'machine']);
});

test('info-string attributes: key=value, quoted, flags', () => {
  const cells = parseLab(readFixture('16-attributes.lab.md'));
  const [check, policy] = cells;
  if (check.kind !== 'check' || policy.kind !== 'policy') throw new Error('expected check and policy cells');
  assert.deepEqual(check.attributes, {
    id: 'q1',
    points: '2',
    hidden: true,
    solution: true,
    message: 'a b',
    label: 'single quoted',
  });
  assert.deepEqual(policy.attributes, { lang: 'ts' });
  assert.deepEqual(parseInfoString('check message="say \\"hi\\""').attributes, { message: 'say "hi"' });
  const bad = parseInfoString('check id="open =x id=2');
  assert.equal(bad.kind, 'check');
  assert.ok(bad.problems.some((p) => /Unterminated/.test(p.message)));
  assert.ok(parseInfoString('check a=1 a=2').problems.some((p) => /Duplicate attribute "a"/.test(p.message)));
});

test('bodyLine is the 0-based file line of the first body line', () => {
  const text = 'a\n\n```machine\nx: 1\n```\n\n```run\ny: 2\n```\n';
  const lines = text.split('\n');
  for (const cell of parseLab(text)) {
    if (cell.kind === 'markdown') continue;
    assert.equal(lines[cell.bodyLine], cell.value);
  }
});

test('edited cells serialize with LF and ``` fences; untouched cells keep their bytes', () => {
  const text = readFixture('01-crlf.lab.md');
  const cells: LabCell[] = parseLab(text);
  cells[1] = { ...cells[1], value: 'name: trio\nsockets: 3' };
  const out = serializeLab(cells);
  assert.equal(
    out,
    '# CRLF lab\r\n\r\nSome text.\r\n' + // markdown cell untouched
      '\n```machine\nname: trio\nsockets: 3\n```\n' + // edited: its gap becomes one LF blank line
      '\r\n```run\r\nname: r\r\nmachine: duo\r\n```\r\n', // untouched run keeps CRLF
  );
  const again = parseLab(out);
  assert.deepEqual(
    again.map((c) => [c.kind, c.value]),
    cells.map((c) => [c.kind, c.value]),
  );
});

test('changed attributes or kind count as edits', () => {
  const cell = parseLab('~~~~check id=a\r\nexpect: true\r\n~~~~\r\n')[0];
  if (cell.kind !== 'check') throw new Error(`expected a check cell, got ${cell.kind}`);
  assert.equal(
    serializeLab([{ ...cell, attributes: { id: 'b', points: '2' } }]),
    '```check id=b points=2\nexpect: true\n```\n',
  );
  assert.equal(serializeLab([{ ...cell, kind: 'params' }]), '```params id=a\nexpect: true\n```\n');
});

test('new cells without metadata: LF, blank line between, trailing newline, longer fence when needed', () => {
  const cells: LabCell[] = [
    { kind: 'markdown', value: '# New\r\nlab' },
    { kind: 'machine', value: 'name: m', attributes: {} },
    { kind: 'policy', value: 'const s = `\n```\n`;', attributes: { lang: 'ts' } },
    { kind: 'check', value: '', attributes: { message: 'a "b"', hidden: true } },
  ];
  const out = serializeLab(cells);
  assert.equal(
    out,
    '# New\nlab\n\n```machine\nname: m\n```\n\n````policy lang=ts\nconst s = `\n```\n`;\n````\n\n```check message="a \\"b\\"" hidden\n```\n',
  );
  const back = parseLab(out);
  assert.deepEqual(
    back.map((c) => [c.kind, c.value, c.kind === 'markdown' ? null : c.attributes]),
    [
      ['markdown', '# New\nlab', null],
      ['machine', 'name: m', {}],
      ['policy', 'const s = `\n```\n`;', { lang: 'ts' }],
      ['check', '', { message: 'a "b"', hidden: true }],
    ],
  );
});

test('a cell added after a file without final newline, or after an unclosed fence, stays separate', () => {
  const noEol: LabCell[] = parseLab('Intro\n\n```params\ndur: 5s\n```');
  noEol.push({ kind: 'run', value: 'name: r', attributes: {} });
  assert.equal(serializeLab(noEol), 'Intro\n\n```params\ndur: 5s\n```\n\n```run\nname: r\n```\n');
  const unclosed: LabCell[] = parseLab('```machine\nname: m\n');
  unclosed.push({ kind: 'run', value: 'name: r', attributes: {} });
  assert.deepEqual(
    parseLab(serializeLab(unclosed)).map((c) => [c.kind, c.value]),
    [
      ['machine', 'name: m'],
      ['run', 'name: r'],
    ],
  );
});

test('malformed metadata from outside falls back to canonical output', () => {
  const cell = {
    kind: 'machine',
    value: 'a: 1',
    attributes: {},
    metadata: { v: 1, type: 'code', eols: 'zz' },
  } as unknown as LabCell;
  assert.equal(serializeLab([cell]), '```machine\na: 1\n```\n');
});

// ---- property tests -------------------------------------------------------------------------

const eolArb = fc.constantFrom('\n', '\r\n', '\r');
const word = fc.constantFrom(
  'alpha',
  'beta',
  'name: x',
  'cores: 4',
  '- item',
  '> quote',
  '# head',
  '`x`',
  '~',
  'ü 進',
  '   ',
  '',
);
const kindArb = fc.constantFrom(...CELL_KINDS);
const attrArb: fc.Arbitrary<Attributes> = fc.dictionary(
  fc.constantFrom('id', 'points', 'hidden', 'lang', 'message'),
  fc.oneof(fc.constant(true as const), fc.constantFrom('q1', '2', 'a b', 'x"y', '', 'tick`s')),
  { maxKeys: 3 },
);
const bodyArb = fc.array(fc.oneof(word, fc.constantFrom('```', '~~~', '````js', '  ```', '    ```')), { maxLength: 5 });

/** Pieces of a document: each is a list of lines (without EOLs). */
const piece: fc.Arbitrary<string[]> = fc.oneof(
  fc.array(word, { minLength: 1, maxLength: 3 }),
  fc.constant<string[]>(['']),
  fc
    .tuple(kindArb, attrArb, bodyArb, fc.constantFrom('```', '~~~', '````'), fc.constantFrom('', ' ', '  ', '   '))
    .map(([kind, attrs, body, fence, indent]) => [
      `${indent}${fence}${formatInfoString(kind, attrs)}`,
      ...body,
      `${indent}${fence}`,
    ]),
  fc.tuple(fc.constantFrom('js', '', 'python', 'yaml'), bodyArb).map(([info, body]) => ['```' + info, ...body, '```']),
  fc.constant<string[]>(['<!--', '```machine', 'name: hidden', '```', '-->']),
  fc.constant<string[]>(['---', 'title: t', '---']),
  fc.constant<string[]>(['- item', '', '  ```run', '  name: listed', '  ```']),
  fc.constant<string[]>(['> ```chart', '> show: load']),
  fc.constant<string[]>(['    ```machine', '    indented code']),
  fc.constant<string[]>(['```policy lang=ts']), // unclosed when last
);

const documentArb = fc
  .tuple(
    fc.array(piece, { maxLength: 8 }),
    fc.array(eolArb, { minLength: 1, maxLength: 4 }),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([pieces, eols, trailingEol, bom]) => {
    const lines = pieces.flat();
    const body = lines.map((l, i) => l + (i < lines.length - 1 || trailingEol ? eols[i % eols.length] : '')).join('');
    return (bom ? '\uFEFF' : '') + body;
  });

test('property: documents built from random pieces round-trip exactly', () => {
  fc.assert(
    fc.property(documentArb, (text) => serializeLab(parseLab(text)) === text),
    { numRuns: 500 },
  );
});

test('property: any string over fence-heavy characters round-trips exactly', () => {
  const chars = fc.constantFrom(
    '`',
    '`',
    '~',
    ' ',
    '\n',
    '\r',
    '\t',
    '>',
    '-',
    '<',
    '!',
    'a',
    'machine',
    'run ',
    '=',
    '"',
    '\uFEFF',
  );
  fc.assert(
    fc.property(fc.array(chars, { maxLength: 60 }), (parts) => {
      const text = parts.join('');
      return serializeLab(parseLab(text)) === text;
    }),
    { numRuns: 1000 },
  );
});

test('property: canonical cells (no metadata) reparse to the same kinds, values and attributes', () => {
  const safeLine = fc.constantFrom('name: x', 'cores: 4', 'a `b`', '```', '````', 'text', '');
  const cellArb: fc.Arbitrary<LabCell> = fc.oneof(
    fc
      .array(fc.constantFrom('para', '# head', 'more text'), { minLength: 1, maxLength: 3 })
      .map((ls) => ({ kind: 'markdown' as const, value: ls.join('\n') })),
    fc.tuple(kindArb, attrArb, fc.array(safeLine, { maxLength: 4 })).map(([kind, attributes, ls]) => ({
      kind: kind as CellKind,
      attributes,
      value: ls.join('\n'),
    })),
  );
  // Two markdown cells in a row merge into one on reparse, so keep them apart.
  const docArb = fc
    .array(cellArb, { maxLength: 6 })
    .filter((cells) => cells.every((c, i) => i === 0 || c.kind !== 'markdown' || cells[i - 1].kind !== 'markdown'));
  fc.assert(
    fc.property(docArb, (cells) => {
      const out = serializeLab(cells);
      assert.ok(!out.includes('\r'));
      assert.ok(out === '' || out.endsWith('\n'));
      const back = parseLab(out);
      assert.deepEqual(
        back.map((c) => [c.kind, c.value, c.kind === 'markdown' ? null : c.attributes]),
        cells.map((c) => [c.kind, c.value, c.kind === 'markdown' ? null : { ...c.attributes }]),
      );
      // And that output is itself stable.
      assert.equal(serializeLab(back), out);
    }),
    { numRuns: 300 },
  );
});
