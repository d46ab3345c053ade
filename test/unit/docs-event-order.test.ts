/**
 * docs/model.md's order of events at one instant is the engine's: the kinds of EventKind
 * (src/sim/event-kinds.ts), by number. EventKind is a const enum (no object at run time), so
 * both sides are read as text.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const read = (path: string): string => readFileSync(join(import.meta.dirname, '../..', path), 'utf8');

/** The kinds of EventKind, by their number. */
function enumKinds(): string[] {
  const source = read('src/sim/event-kinds.ts');
  const body = /export const enum EventKind \{([\s\S]*?)\n\}/.exec(source)?.[1];
  assert.ok(body !== undefined, 'EventKind found');
  const members = [...body.matchAll(/^\s*(\w+) = (\d+),?$/gm)].map((m) => ({ name: m[1]!, n: Number(m[2]) }));
  assert.ok(members.length >= 10, `${members.length} kinds`);
  return members.sort((a, b) => a.n - b.n).map((m) => m.name);
}

/** The kinds docs/model.md names in its three phases: phase 1's, then phase 2's list, in order. */
function documentedKinds(): string[] {
  const doc = read('docs/model.md');
  const start = doc.indexOf('### What happens at one instant');
  assert.ok(start >= 0, 'the section is there');
  const section = doc.slice(start, doc.indexOf('\n3. **Decisions.**', start));
  const phase1 = /^1\. \*\*Ends\*\* \(`(\w+)`\)/m.exec(section)?.[1];
  assert.ok(phase1 !== undefined, 'phase 1 names its kind');
  const phase2 = [...section.matchAll(/^ {3}- `(\w+)`:/gm)].map((m) => m[1]!);
  return [phase1, ...phase2];
}

test('docs/model.md lists the event kinds of one instant exactly in the order of EventKind', () => {
  assert.deepEqual(documentedKinds(), enumKinds());
});
