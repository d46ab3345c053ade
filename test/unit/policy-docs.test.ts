/**
 * docs/policies.md explains every built-in policy: a section per policy with its source, every
 * reason it records and every parameter with the default the simulator really uses.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatQuantity } from '../../src/lab/language/units';
import { POLICY_INFO, POLICY_NAMES } from '../../src/sim';
import type { ParamSpec } from '../../src/sim';

const doc = readFileSync(join(import.meta.dirname, '../../docs/policies.md'), 'utf8');

/** The text from a policy's heading to the next heading. */
function section(name: string): string {
  const start = doc.indexOf(`### \`${name}\`\n`);
  assert.ok(start >= 0, `docs/policies.md has a section for ${name}`);
  const next = doc.slice(start + 4).search(/^#{2,3} /m);
  return next < 0 ? doc.slice(start) : doc.slice(start, start + 4 + next);
}

function lab(spec: ParamSpec): string {
  if (spec.kind === 'time') return formatQuantity(spec.default, 'time');
  if (spec.kind === 'fraction') return formatQuantity(spec.default, 'fraction');
  return String(spec.default);
}

for (const name of POLICY_NAMES) {
  test(`docs/policies.md documents ${name}: source, reasons, parameters and defaults`, () => {
    const text = section(name);
    const info = POLICY_INFO[name];
    assert.match(text, /Source:/);
    for (const reason of info.reasons)
      assert.ok(text.includes(`\`${reason}\``), `${name} section names reason ${reason}`);
    const params = Object.entries(info.params as Record<string, ParamSpec>);
    if (params.length === 0) assert.match(text, /Parameters: none/);
    for (const [key, spec] of params) {
      assert.ok(
        text.includes(`| \`${key}\` | \`${lab(spec)}\` |`),
        `${name}: row for ${key} with default ${lab(spec)}`,
      );
    }
    const documentedParams = [...text.matchAll(/^\| `([a-zA-Z]+)` \| `/gm)].map((m) => m[1]);
    assert.deepEqual(documentedParams.sort(), params.map(([k]) => k).sort(), `${name}: no stale parameter rows`);
  });
}

test('docs/policies.md lists every reason code', () => {
  for (const reason of [
    'load-balance',
    'cache-contention',
    'cpu-contention',
    'heterogeneity',
    'energy',
    'fault',
    'deadline',
    'thermal',
    'numa',
    'maintenance',
  ]) {
    assert.ok(doc.includes(`| \`${reason}\` |`), reason);
  }
});
