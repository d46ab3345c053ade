// `npm run docs`: rewrites the generated tables of the docs (src/lab/language/docTables.ts) from the
// schema and the simulator's parameter spec. test/unit/lab-docs.test.ts fails when they are stale.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED, regenerate } from '../src/lab/language/docTables';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
for (const doc of Object.keys(GENERATED)) {
  const file = path.join(root, doc);
  const before = readFileSync(file, 'utf8');
  const after = regenerate(doc, before);
  if (after !== before) writeFileSync(file, after);
  console.log(`${doc}: ${after === before ? 'up to date' : 'rewritten'}`);
}
