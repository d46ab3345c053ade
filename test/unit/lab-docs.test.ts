import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CHART_KINDS, METRICS, POLICY_NAMES } from '../../src/lab/language/schema';
import { DIMENSIONS } from '../../src/lab/language/units';
import { CELL_KINDS, parseLab } from '../../src/lab/document/markdown';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { blocksIn, GENERATED, regenerate } from '../../src/lab/language/docTables';
import { METRIC_DEFINITIONS, metricExplanation, summaryGroups } from '../../src/lab/outputs/metrics';
import { simulate, type SimConfig } from '../../src/sim';

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

test('the walkthrough lists every chart kind, on its page and on the step card VS Code shows', () => {
  const walkthrough = readFileSync(join(import.meta.dirname, '../../media/walkthrough/charts.md'), 'utf8');
  assert.deepEqual(
    Object.keys(CHART_KINDS).filter((kind) => !walkthrough.includes(`| \`${kind}\` |`)),
    [],
  );
  const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as {
    contributes: { walkthroughs: { steps: { id: string; description: string }[] }[] };
  };
  const card = manifest.contributes.walkthroughs
    .flatMap((w) => w.steps)
    .find((step) => step.id === 'charts')!
    .description.toLowerCase();
  // The card names each kind in words: cache-misses as "cache misses".
  assert.deepEqual(
    Object.keys(CHART_KINDS).filter((kind) => !card.includes(kind.replace(/-/g, ' '))),
    [],
    `the charts step card: ${card}`,
  );
  // Offline CPUs are drawn solid dark grey and labelled (src/lab/charts/offline.ts), not hatched.
  assert.doesNotMatch(walkthrough, /hatch/i);
  assert.match(walkthrough, /dark grey, labelled `failed` or `maintenance`/);
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
  // Nor the code that writes a doc (bench/run.ts writes BENCHMARKS.md) or the tests' titles and comments.
  const sources = [
    ...readdirSync(join(root, 'bench')).map((f) => `bench/${f}`),
    ...readdirSync(join(root, 'test/unit'))
      .filter((f) => f !== 'lab-docs.test.ts')
      .map((f) => `test/unit/${f}`),
  ].filter((f) => f.endsWith('.ts'));
  assert.deepEqual(
    sources.filter((f) => /MODEL\.md/.test(readFileSync(join(root, f), 'utf8'))),
    [],
    'sources that cite a design note outside the repository',
  );
});

test('the metrics table of docs/lab-format.md is the table of metric definitions, word for word', () => {
  const rows = Object.entries(METRICS).map(([name, explanation]) => `| \`${name}\` | ${explanation} |`);
  assert.ok(
    doc.includes(['| metric | meaning |', '|---|---|', ...rows].join('\n') + '\n'),
    'docs/lab-format.md: the metrics table differs from src/lab/outputs/metrics.ts',
  );
  // Every metric a summary can show is there, with the explanation its hover gives, the
  // breakdowns and bookkeeping figures under "All metrics" included.
  const shown = new Set(Object.keys(METRIC_DEFINITIONS));
  const { key, rest } = summaryGroups(simulate(faultyRun()).summary as unknown as Record<string, unknown>);
  for (const group of [...key, ...rest]) for (const name of group.keys) shown.add(name);
  for (const name of ['migrationsByReason', 'cacheMissesByCause', 'energyByCpuJ', 'events', 'processRowsOmitted'])
    assert.ok(shown.has(name), name);
  assert.deepEqual(
    [...shown].filter((name) => !doc.includes(`| \`${name}\` | ${metricExplanation(name)} |\n`)),
    [],
    'metrics a summary shows without their row in docs/lab-format.md',
  );
});

/** A run whose summary has every kind of metric: power, heat and a machine event. */
function faultyRun(): SimConfig {
  return {
    machine: {
      sockets: 1,
      coresPerSocket: 2,
      power: {},
      thermal: {},
      events: [{ kind: 'maintenance', atNs: 100e6, cpu: 1, durationNs: 100e6 }],
    },
    workload: {
      groups: [{ name: 'job', arrival: { kind: 'poisson', ratePerS: 200 }, demand: { kind: 'exp', meanNs: 5e6 } }],
    },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fair' },
    durationNs: 5e8,
    seed: 1,
  };
}
