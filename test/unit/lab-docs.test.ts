import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_KINDS, METRICS, POLICY_NAMES } from '../../src/lab/schema';
import { DIMENSIONS } from '../../src/lab/units';
import { CELL_KINDS, parseLab } from '../../src/lab/markdown';
import { resolveLab } from '../../src/lab/resolve';
import { blocksIn, GENERATED, regenerate } from '../../src/lab/docTables';

const doc = readFileSync(join(import.meta.dirname, '../../docs/lab-format.md'), 'utf8');

test('docs name every cell kind, unit, policy, chart and metric', () => {
  for (const kind of CELL_KINDS) assert.ok(doc.includes(`| \`${kind}\` |`), kind);
  for (const info of Object.values(DIMENSIONS)) for (const unit of Object.keys(info.units)) assert.ok(doc.includes(`\`${unit}\``), unit);
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
  const edited = lab.replace('| `processes[].workingSet` | Memory the process touches repeatedly (0 = no cache effects). | a size with a unit, e.g. 256KiB | `64KiB` |', '| `processes[].workingSet` | x | y | `0B` |');
  assert.notEqual(edited, lab);
  assert.notEqual(regenerate('docs/lab-format.md', edited), edited);
});
