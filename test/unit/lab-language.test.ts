import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completions, hover, labNames, type LabNames } from '../../src/lab/language/editorHelp';
import { parseLab } from '../../src/lab/document/markdown';
import type { CellKind } from '../../src/lab/document/markdown';
import {
  CELL_ATTRIBUTES,
  CELL_SCHEMAS,
  MACHINE_PRESET_NAMES,
  METRICS,
  POLICY_NAMES,
  type Schema,
} from '../../src/lab/language/schema';

const names: LabNames = {
  machine: ['duo'],
  workload: ['mixed'],
  cluster: ['rack'],
  service: ['web'],
  vms: ['tenants'],
  run: ['pinned', 'cfs'],
  policy: ['sticky'],
  params: ['dur', 'seed'],
};

/** Completion labels with the cursor at the end of `text`. */
function labelsAtEnd(kind: CellKind, text: string): string[] {
  const lines = text.split('\n');
  const position = { line: lines.length - 1, character: lines[lines.length - 1].length };
  return completions(kind, text, position, names).map((c) => c.label);
}

/** Hover at the first occurrence of `marker` (cursor one character into it). */
function hoverAt(kind: CellKind, text: string, marker: string) {
  const offset = text.indexOf(marker) + 1;
  const before = text.slice(0, offset).split('\n');
  return hover(kind, text, { line: before.length - 1, character: before[before.length - 1].length }, names);
}

test('top-level keys, minus those already written', () => {
  const labels = labelsAtEnd('run', 'name: r\nmachine: duo\n');
  assert.deepEqual(labels, ['workload', 'policy', 'scheduler', 'duration', 'window', 'seed']);
  const item = completions('run', 'name: r\nmac', { line: 1, character: 3 }, names).find((c) => c.label === 'machine');
  assert.ok(item);
  assert.equal(item.insertText, 'machine: ');
  assert.deepEqual(item.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 3 } });
  assert.match(item.documentation ?? '', /The machine cell or preset to run on/);
});

test('nested keys in block and flow mappings, and in list items', () => {
  assert.deepEqual(labelsAtEnd('machine', 'name: m\ncaches:\n  '), ['lineSize', 'l1d', 'l2', 'llc']);
  assert.deepEqual(labelsAtEnd('machine', 'caches: { l1d: 32KiB, '), ['lineSize', 'l2', 'llc']);
  assert.deepEqual(labelsAtEnd('machine', 'pstates: [ { freq: 1.2GHz, '), ['volt']);
  const group = labelsAtEnd('workload', 'name: w\nprocesses:\n  - name: web\n    ');
  assert.ok(group.includes('arrival') && group.includes('workingSet') && group.includes('uunifast'), group.join());
  assert.deepEqual(labelsAtEnd('workload', 'name: w\nprocesses:\n  - name: web\n    phases:\n      '), [
    'compute',
    'sleep',
  ]);
  assert.deepEqual(labelsAtEnd('workload', 'name: w\nprocesses:\n  - name: rt\n    periodic: { period: 10ms, '), [
    'wcet',
    'deadline',
    'offset',
  ]);
});

test('enum values, references to cells, presets and policies', () => {
  assert.deepEqual(labelsAtEnd('chart', 'show: '), [
    'load',
    'queues',
    'cache-misses',
    'migrations',
    'timeline',
    'migration-cost',
    'energy',
    'frequency',
    'temperature',
    'deadlines',
    'response',
    'sweep',
    'live-migrations',
    'downtime',
    'host-energy',
    'hosts-on',
    'host-load',
    'host-temperature',
    'response-by-server',
  ]);
  assert.deepEqual(labelsAtEnd('run', 'machine: '), ['duo', ...MACHINE_PRESET_NAMES]);
  assert.deepEqual(labelsAtEnd('run', 'workload: mi'), ['mixed']);
  assert.deepEqual(labelsAtEnd('run', 'policy: '), [...POLICY_NAMES, 'sticky']);
  assert.deepEqual(labelsAtEnd('chart', 'runs: [pinned, '), ['pinned', 'cfs']);
  assert.deepEqual(labelsAtEnd('chart', 'runs:\n  - '), ['pinned', 'cfs']);
  assert.deepEqual(labelsAtEnd('compare', 'policies:\n  - '), [...POLICY_NAMES, 'sticky']);
  assert.deepEqual(labelsAtEnd('compare', 'metrics: ['), Object.keys(METRICS));
  assert.deepEqual(labelsAtEnd('machine', 'governor: '), [
    'performance',
    'powersave',
    'ondemand',
    'schedutil',
    'userspace',
  ]);
});

test('value forms for schedulers, distributions and arrivals; units after a number; $params', () => {
  assert.ok(labelsAtEnd('run', 'scheduler: ').includes('rr 4ms'));
  assert.ok(labelsAtEnd('workload', 'processes:\n  - { name: a, demand: ').includes('exp 4ms'));
  assert.ok(labelsAtEnd('workload', 'processes:\n  - { name: a, arrival: ').includes('poisson 400/s'));
  assert.deepEqual(labelsAtEnd('machine', 'caches: { l1d: 32'), ['32B', '32KiB', '32MiB', '32GiB']);
  assert.deepEqual(labelsAtEnd('run', 'duration: 5'), ['5ns', '5us', '5µs', '5ms', '5s']);
  assert.deepEqual(labelsAtEnd('run', 'duration: $'), ['$dur', '$seed']);
  const dollar = completions('run', 'duration: $d', { line: 0, character: 12 }, names)[0];
  assert.deepEqual(dollar.range, { start: { line: 0, character: 10 }, end: { line: 0, character: 12 } });
});

test('check expressions complete run names after runs. and metrics after runs.<run>.', () => {
  assert.deepEqual(labelsAtEnd('check', 'expect: runs.'), ['pinned', 'cfs']);
  assert.deepEqual(labelsAtEnd('check', 'expect: runs.cfs.imbalanceCv < runs.p'), ['pinned', 'cfs']);
  assert.deepEqual(labelsAtEnd('check', 'expect: runs.cfs.'), Object.keys(METRICS));
  const item = completions('check', 'expect: runs.cfs.imb', { line: 0, character: 20 }, names)[0];
  assert.deepEqual(item.range, { start: { line: 0, character: 17 }, end: { line: 0, character: 20 } });
  assert.deepEqual(labelsAtEnd('check', 'expect: 1 <'), []);
});

test("policy mappings complete name first, then only that policy's parameters", () => {
  assert.ok(labelsAtEnd('run', 'policy: { ').includes('name'));
  // least-loaded takes no parameters and the name is given: nothing left to offer.
  assert.deepEqual(labelsAtEnd('run', 'policy: { name: least-loaded, '), []);
  assert.deepEqual(labelsAtEnd('run', 'policy: { name: '), [...POLICY_NAMES, 'sticky']);
});

test('hover on keys: doc, type with unit, default', () => {
  const h = hoverAt('machine', 'name: duo\ncaches: { l1d: 32KiB }', 'l1d');
  assert.ok(h);
  assert.equal(
    h.contents,
    '**l1d** — Private L1 data cache per core.\n\nType: a size with a unit, e.g. 256KiB.\n\nDefault: `32KiB`.',
  );
  assert.deepEqual(h.range, { start: { line: 1, character: 10 }, end: { line: 1, character: 13 } });
  const nested = hoverAt('workload', 'name: w\nprocesses:\n  - name: web\n    demand: exp 4ms', 'demand');
  assert.match(nested?.contents ?? '', /^\*\*demand\*\* — CPU time each process needs/);
  assert.match(nested?.contents ?? '', /Default: `10ms`/);
  const required = hoverAt('run', 'workload: mixed', 'workload');
  assert.match(required?.contents ?? '', /Required with `machine`\./);
});

test('hover on values: enum docs, references, quantities in base units, metrics in expressions', () => {
  assert.equal(
    hoverAt('chart', 'show: load', 'load')?.contents,
    '**load** — Busy share of each CPU over time (a heat map: one row per CPU).',
  );
  assert.match(hoverAt('run', 'policy: pinned', 'pinned')?.contents ?? '', /round-robin/);
  assert.equal(hoverAt('run', 'machine: duo', 'duo')?.contents, '**duo** — Machine cell in this lab.');
  assert.equal(hoverAt('machine', 'caches: { l1d: 32KiB }', '32KiB')?.contents, '**32KiB** = 32768 B (size)');
  assert.equal(hoverAt('run', 'duration: 5s', '5s')?.contents, '**5s** = 5000000000 ns (time)');
  assert.equal(
    hoverAt('run', 'policy: { name: linux-cfs, migrationCost: 500us }', '500us')?.contents,
    '**500us** = 500000 ns (time)',
  );
  assert.match(
    hoverAt('workload', 'processes:\n  - { name: web, arrival: poisson 400/s }', 'arrival')?.contents ?? '',
    /^\*\*arrival\*\* — When processes arrive/,
  );
  assert.match(
    hoverAt('check', 'expect: runs.cfs.imbalanceCv < 1', 'runs')?.contents ?? '',
    /run cell \*\*cfs\*\* — \*\*imbalanceCv\*\*: Coefficient of variation/,
  );
  assert.equal(hoverAt('machine', 'sockets: 2', '2'), undefined, 'plain numbers need no hover');
});

test('every key of every cell schema has a one-sentence doc; quantities and defaults are described', () => {
  const visit = (schema: Schema, path: string) => {
    if (schema.type === 'list') return visit(schema.items, `${path}[]`);
    if (schema.type !== 'object') return;
    for (const [key, field] of Object.entries(schema.fields)) {
      assert.match(field.doc, /^[A-Z].*\.$/, `${path}.${key} doc should be a sentence: "${field.doc}"`);
      visit(field.schema, `${path}.${key}`);
    }
  };
  for (const [kind, schema] of Object.entries(CELL_SCHEMAS)) visit(schema, kind);
  for (const [kind, attrs] of Object.entries(CELL_ATTRIBUTES))
    for (const [key, field] of Object.entries(attrs)) assert.match(field.doc, /\.$/, `${kind} attribute ${key}`);
  // Every key is reachable by hover from its own line.
  for (const [kind, schema] of Object.entries(CELL_SCHEMAS)) {
    for (const key of Object.keys(schema.fields)) {
      const h = hover(kind as CellKind, `${key}: x`, { line: 0, character: 1 }, names);
      assert.ok(h?.contents.startsWith(`**${key}** — `), `${kind}.${key}`);
    }
  }
});

test('policy and params cells have no YAML completions or hovers', () => {
  assert.deepEqual(completions('policy', 'export default {', { line: 0, character: 5 }, names), []);
  assert.equal(hover('params', 'dur: 5s', { line: 0, character: 1 }, names), undefined);
});

test('labNames collects the names cells define', () => {
  const cells = parseLab(
    '```params\ndur: 5s\n```\n```machine\nname: duo\n```\n```workload\nname: mixed\n```\n```cluster\nname: rack\n```\n```service\nname: web\n```\n```run\nname: a\n```\n```run\nname: b\n```\n```policy name=sticky\nx\n```\n```machine\nsockets: oops\n```\n',
  );
  assert.deepEqual(labNames(cells), {
    machine: ['duo'],
    workload: ['mixed'],
    cluster: ['rack'],
    service: ['web'],
    vms: [],
    run: ['a', 'b'],
    policy: ['sticky'],
    params: ['dur'],
  });
});
