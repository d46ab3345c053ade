/**
 * Nesting in a cell's YAML: a stranger's lab may nest lists or maps thousands deep. The reader
 * refuses what passes MAX_YAML_DEPTH at the node where it does (line and column), and the yaml
 * library's own recursion limit reads as a sentence, not as the engine's stack message.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { MAX_YAML_DEPTH, parseYaml } from '../../src/lab/language/yaml';

const flow = (levels: number) => `name: t\nvms: ${'['.repeat(levels)}${']'.repeat(levels)}\n`;

test('nesting up to the limit reads as written; one level more is an error at the node that passes it', () => {
  // The root map is level 1 and `vms:` its value level 2: MAX_YAML_DEPTH levels in all.
  const within = parseYaml(flow(MAX_YAML_DEPTH - 1));
  assert.deepEqual(within.diagnostics, []);
  let levels = 0;
  for (let node = within.root ?? undefined; node !== undefined && node.kind !== 'scalar'; levels++)
    node = node.kind === 'map' ? node.entries.at(-1)?.value : node.items[0];
  assert.equal(levels, MAX_YAML_DEPTH, 'every level kept, down to the empty innermost list');

  const over = parseYaml(flow(MAX_YAML_DEPTH));
  assert.equal(over.diagnostics.length, 1);
  const [d] = over.diagnostics;
  assert.equal(d!.message, `Nested more than ${MAX_YAML_DEPTH} levels deep`);
  // "vms: " is 5 characters of line 1, and the list that is level MAX_YAML_DEPTH + 1 opens after MAX_YAML_DEPTH - 1 others.
  assert.deepEqual(d!.range.start, { line: 1, character: 5 + MAX_YAML_DEPTH - 1 });
});

test('nesting deeper than the yaml library can read is an error in words, never a stack overflow', () => {
  for (const levels of [2000, 20_000]) {
    const parsed = parseYaml(flow(levels));
    assert.ok(parsed.diagnostics.length > 0, `${levels} levels`);
    for (const d of parsed.diagnostics) {
      assert.equal(d.severity, 'error');
      assert.doesNotMatch(d.message, /call stack/i);
    }
    assert.ok(parsed.diagnostics.some((d) => /nested/i.test(d.message)));
  }
});

test('deep block maps are refused at the key whose value passes the limit', () => {
  const levels = MAX_YAML_DEPTH + 3;
  const text = Array.from({ length: levels }, (_, i) => `${' '.repeat(2 * i)}k${i}:`).join('\n') + ' 1\n';
  const parsed = parseYaml(text);
  assert.equal(parsed.diagnostics.length, 1);
  // Level MAX_YAML_DEPTH + 1 is the map under key k(MAX_YAML_DEPTH - 1), on the line after it.
  assert.equal(parsed.diagnostics[0]!.range.start.line, MAX_YAML_DEPTH);
  assert.equal(parsed.diagnostics[0]!.range.start.character, 2 * MAX_YAML_DEPTH);
});
