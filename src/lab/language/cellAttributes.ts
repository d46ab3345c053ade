// A code cell's info-string attributes (```policy name=mine, ```check id=q1 points=2 hidden) as
// the notebook edits them: which ones a kind takes, how each reads in one line, checking a new
// value and setting or clearing one. The file format is unchanged: the attributes stay on the
// fence line, and the serializer writes them back there.
import type { Attributes, CellKind } from '../document/markdown';
import { CELL_ATTRIBUTES, type Field } from './schema';
import { validateAttributes } from './validateCell';

/** Written by `release`, not by hand: shown nowhere for editing. */
const NOT_EDITABLE = new Set(['checksum']);

export interface AttributeEntry {
  key: string;
  field: Field;
  /** Flags are on or off; the others hold text. */
  flag: boolean;
  value: string | true | undefined;
}

/** The attributes a cell of this kind takes, the most used first, with their current values. */
export function attributeEntries(kind: CellKind, attributes: Attributes): AttributeEntry[] {
  const fields = CELL_ATTRIBUTES[kind];
  const order = ['name', 'id', 'points', 'lang', 'message', 'hidden', 'solution', 'locked'];
  return Object.keys(fields)
    .filter((key) => !NOT_EDITABLE.has(key))
    .sort((a, b) => rank(order, a) - rank(order, b))
    .map((key) => ({ key, field: fields[key], flag: fields[key].schema.type === 'boolean', value: attributes[key] }));
}

const rank = (order: readonly string[], key: string) => (order.includes(key) ? order.indexOf(key) : order.length);

/** The attributes that are set, as the cell's status bar shows them: `name mine · 2 points · hidden`. */
export function describeAttributes(kind: CellKind, attributes: Attributes): string {
  const parts: string[] = [];
  for (const entry of attributeEntries(kind, attributes)) {
    if (entry.value === undefined) continue;
    if (entry.flag) parts.push(entry.key);
    else if (entry.key === 'points') parts.push(`${entry.value} ${entry.value === '1' ? 'point' : 'points'}`);
    else parts.push(`${entry.key} ${entry.value}`);
  }
  return parts.join(' · ');
}

/** Why `text` is not a valid value of the attribute, or undefined when it is. */
export function attributeProblem(kind: CellKind, key: string, text: string): string | undefined {
  if (text.trim() === '') return undefined;
  return validateAttributes(kind, { [key]: text.trim() }).find((d) => d.severity === 'error')?.message;
}

/** The attributes with `key` set to `value` (undefined or false clears it); the others keep their order. */
export function withAttribute(attributes: Attributes, key: string, value: string | boolean | undefined): Attributes {
  const next: Attributes = { ...attributes };
  const text = typeof value === 'string' ? value.trim() : value;
  if (text === undefined || text === false || text === '') delete next[key];
  else next[key] = text;
  return next;
}

/** A policy name not yet taken by a built-in policy or another cell: my-policy, my-policy-2... */
export function freshPolicyName(taken: readonly string[], base = 'my-policy'): string {
  if (!taken.includes(base)) return base;
  for (let n = 2; ; n++) if (!taken.includes(`${base}-${n}`)) return `${base}-${n}`;
}
