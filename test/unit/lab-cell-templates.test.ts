// New cells and their attributes as the notebook makes them: every template is a valid cell in
// the lab it is inserted into (and runs), the suggested kinds build a runnable lab from nothing,
// and attributes set in the notebook land on the fence line of the file.
import assert from 'node:assert/strict';
import test from 'node:test';
import {
  attributeEntries,
  attributeProblem,
  describeAttributes,
  freshPolicyName,
  withAttribute,
} from '../../src/lab/language/cellAttributes';
import { cellTemplate, suggestedKind } from '../../src/lab/language/cellTemplates';
import { LabSession } from '../../src/lab/notebook/execute';
import { labNames } from '../../src/lab/language/editorHelp';
import {
  CELL_KINDS,
  parseLab,
  serializeLab,
  type CellKind,
  type LabCell,
  type LabCodeCell,
} from '../../src/lab/document/markdown';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { POLICY_NAMES } from '../../src/lab/language/schema';
import { inProcessRunHost } from '../../src/worker/runSimulation';

const errorsOf = (cells: readonly LabCell[]) =>
  [...resolveLab(cells).diagnostics].flatMap(([i, ds]) =>
    ds.filter((d) => d.severity === 'error').map((d) => `cell ${i} (${cells[i].kind}): ${d.message}`),
  );

/** Appends the template of `kind` to the cells, as inserting a new cell at the end does. */
function insert(cells: LabCell[], kind: CellKind): LabCell[] {
  const template = cellTemplate(kind, labNames(cells));
  return [...cells, { kind, value: template.value, attributes: template.attributes }];
}

test('following the suggested kind from an empty lab builds a lab without errors at every step', () => {
  let cells: LabCell[] = [];
  const kinds: CellKind[] = [];
  for (let step = 0; step < 6; step++) {
    const kind = suggestedKind(
      cells.flatMap((c) => (c.kind === 'markdown' ? [] : [c.kind])),
      labNames(cells),
    );
    kinds.push(kind);
    cells = insert(cells, kind);
    assert.deepEqual(errorsOf(cells), [], `after inserting ${kinds.join(', ')}`);
  }
  assert.deepEqual(kinds.slice(0, 4), ['machine', 'workload', 'run', 'chart']);
});

test('every kind of template is a valid cell in a lab with a machine, a workload and a run', () => {
  let base: LabCell[] = [];
  for (const kind of ['machine', 'workload', 'run'] as const) base = insert(base, kind);
  for (const kind of CELL_KINDS) assert.deepEqual(errorsOf(insert(base, kind)), [], kind);
});

test('the policy template gets a fresh name and runs in the sandbox; a run of it follows', async () => {
  let cells: LabCell[] = [];
  for (const kind of ['machine', 'workload', 'policy', 'policy'] as const) cells = insert(cells, kind);
  const [first, second] = cells.filter((c): c is LabCodeCell => c.kind === 'policy').map((c) => c.attributes.name);
  assert.equal(first, 'my-policy');
  assert.equal(second, 'my-policy-2');
  cells = insert(cells, 'run');
  assert.match(cells[cells.length - 1].value, /^policy: my-policy-2$/m);
  assert.deepEqual(errorsOf(cells), []);
  const outcome = await new LabSession(inProcessRunHost).execute(cells, cells.length - 1, {
    signal: new AbortController().signal,
  });
  assert.equal(outcome.ok, true, JSON.stringify(outcome));
});

test('attributes: the kind decides which are offered; set ones read as one line; values are checked', () => {
  assert.deepEqual(
    attributeEntries('policy', {}).map((e) => e.key),
    ['name', 'id', 'lang', 'hidden', 'solution', 'locked'],
  );
  assert.deepEqual(
    attributeEntries('check', {}).map((e) => e.key),
    ['id', 'points', 'message', 'hidden', 'solution', 'locked'],
  );
  assert.equal(describeAttributes('check', { hidden: true, points: '2', id: 'q1' }), 'id q1 · 2 points · hidden');
  assert.equal(describeAttributes('check', { points: '1' }), '1 point');
  assert.equal(
    attributeProblem('policy', 'name', 'two words'),
    'Attribute "name" must be a name (letters, digits, - and _, starting with a letter)',
  );
  assert.equal(attributeProblem('check', 'points', '-1'), 'Attribute "points" must be a number of at least 0');
  assert.equal(attributeProblem('check', 'points', '2.5'), undefined);
  assert.deepEqual(withAttribute({ id: 'a', points: '2' }, 'points', undefined), { id: 'a' });
  assert.deepEqual(withAttribute({ id: 'a' }, 'hidden', true), { id: 'a', hidden: true });
  assert.deepEqual(withAttribute({ id: 'a', hidden: true }, 'hidden', false), { id: 'a' });
  assert.equal(freshPolicyName([...POLICY_NAMES, 'my-policy', 'my-policy-2']), 'my-policy-3');
});

test('an attribute set in the notebook is written on the fence line; the rest of the file is unchanged', () => {
  const text = '# Lab\n\n```policy\nexport default definePolicy({ place: () => 0 });\n```\n\nAfter.\n';
  const cells = parseLab(text);
  const policy = cells[1] as LabCodeCell;
  const named = cells.map((c) =>
    c === policy ? { ...policy, attributes: withAttribute(policy.attributes, 'name', 'mine') } : c,
  );
  assert.equal(serializeLab(named), text.replace('```policy\n', '```policy name=mine\n'));
  assert.equal(serializeLab(cells), text);
});
