import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CHART_KINDS, METRICS, POLICY_NAMES } from '../../src/lab/language/schema';
import { DIMENSIONS } from '../../src/lab/language/units';
import { CELL_KINDS, parseLab } from '../../src/lab/document/markdown';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { blocksIn, GENERATED, regenerate } from '../../src/lab/language/docTables';

const doc = readFileSync(join(import.meta.dirname, '../../docs/lab-format.md'), 'utf8');

test('docs name every cell kind, unit, policy, chart and metric', () => {
  for (const kind of CELL_KINDS) assert.ok(doc.includes(`| \`${kind}\` |`), kind);
  for (const info of Object.values(DIMENSIONS))
    for (const unit of Object.keys(info.units)) assert.ok(doc.includes(`\`${unit}\``), unit);
  for (const name of POLICY_NAMES) assert.ok(doc.includes(`| \`${name}\``), name);
  for (const name of Object.keys(CHART_KINDS)) assert.ok(doc.includes(`| \`${name}\` |`), name);
  for (const name of Object.keys(METRICS)) assert.ok(doc.includes(`| \`${name}\` |`), name);
});

test('the examples in the docs are labs that validate without errors', () => {
  const examples = [...doc.matchAll(/^````markdown\n([\s\S]*?)^````$/gm)].map((m) => m[1]);
  assert.ok(examples.length >= 4);
  const complete = examples[examples.length - 1];
  const lab = resolveLab(parseLab(complete));
  const errors = [...lab.diagnostics.values()].flat().filter((d) => d.severity === 'error');
  assert.deepEqual(errors, []);
  assert.equal(lab.runs.length, 2);
});

test('the generated tables of the docs are up to date (npm run docs rewrites them)', () => {
  for (const [doc, blocks] of Object.entries(GENERATED)) {
    const text = readFileSync(join(import.meta.dirname, '../..', doc), 'utf8');
    assert.deepEqual(blocksIn(text).sort(), Object.keys(blocks).sort(), `${doc} has every generated block`);
    assert.equal(regenerate(doc, text), text, `${doc} is stale: run npm run docs`);
  }
  // And the check bites: a changed default is a stale doc.
  const lab = readFileSync(join(import.meta.dirname, '../../docs/lab-format.md'), 'utf8');
  const edited = lab.replace(
    '| `processes[].workingSet` | Memory the process touches repeatedly (0 = no cache effects). | a size with a unit, e.g. 256KiB | `64KiB` |',
    '| `processes[].workingSet` | x | y | `0B` |',
  );
  assert.notEqual(edited, lab);
  assert.notEqual(regenerate('docs/lab-format.md', edited), edited);
});

test('the walkthrough lists every chart kind', () => {
  const walkthrough = readFileSync(join(import.meta.dirname, '../../media/walkthrough/charts.md'), 'utf8');
  assert.deepEqual(
    Object.keys(CHART_KINDS).filter((kind) => !walkthrough.includes(`| \`${kind}\` |`)),
    [],
  );
});

test('the docs cite only files in the repository: every relative link resolves, and no design note outside it is named', () => {
  const root = join(import.meta.dirname, '../..');
  const pages = [
    'README.md',
    'BENCHMARKS.md',
    'CHANGELOG.md',
    ...readdirSync(join(root, 'docs')).map((f) => `docs/${f}`),
    ...readdirSync(join(root, 'media/walkthrough')).map((f) => `media/walkthrough/${f}`),
  ];
  const broken: string[] = [];
  for (const page of pages.filter((p) => p.endsWith('.md'))) {
    const text = readFileSync(join(root, page), 'utf8');
    if (/MODEL\.md/.test(text)) broken.push(`${page}: cites MODEL.md, which is not in the repository`);
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(https?:|mailto:|#|command:)/.test(target)) continue;
      const path = join(root, dirname(page), target.split('#')[0]);
      if (!existsSync(path)) broken.push(`${page}: link to ${target}`);
    }
  }
  assert.deepEqual(broken, []);
});

test('the metrics table of docs/lab-format.md is the table of metric definitions, word for word', () => {
  const rows = Object.entries(METRICS).map(([name, explanation]) => `| \`${name}\` | ${explanation} |`);
  assert.ok(
    doc.includes(['| metric | meaning |', '|---|---|', ...rows].join('\n') + '\n'),
    'docs/lab-format.md: the metrics table differs from src/lab/outputs/metrics.ts',
  );
});
