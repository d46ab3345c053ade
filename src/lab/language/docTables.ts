// The tables of the docs that are generated from the schema, so they cannot drift from what is
// checked, completed and simulated: the key tables of docs/lab-format.md (one per cell kind), its
// metrics table, and the parameter defaults with their sources in docs/model.md. Each lives in
// its doc between `<!-- generated: NAME -->` and `<!-- end generated -->`; `npm run docs`
// rewrites them and a unit test fails when a doc is stale.

import { GROUP, MACHINE, RUN, SCHEDULER, type KeySpec, type Section } from '../../sim';
import { METRIC_DEFINITIONS, metricExplanation } from '../outputs/metrics';
import { CELL_SCHEMAS, describeSchema, fieldOfKey, METRICS, type ObjectSchema, type Schema } from './schema';

/** `| key | meaning | value | default |` rows for every key of a schema, nested keys as `a.b`, list items as `a[].b`. */
export function keyTable(root: ObjectSchema): string {
  const rows = ['| key | meaning | value | default |', '|---|---|---|---|'];
  const visit = (schema: Schema, prefix: string) => {
    while (schema.type === 'list') {
      schema = schema.items;
      prefix += '[]';
    }
    if (schema.type !== 'object') return;
    const object = schema;
    for (const [key, field] of Object.entries(schema.fields)) {
      const path = `${prefix}${prefix ? '.' : ''}${key}`;
      // A key another key requires (a run's workload with machine:) says so, as the hover does.
      const by = Object.entries(object.with ?? {}).flatMap(([k, rule]) =>
        rule.requires?.includes(key) ? [`\`${k}\``] : [],
      );
      const shown = field.required
        ? 'required'
        : by.length > 0
          ? `required with ${by.join(' or ')}`
          : field.default !== undefined
            ? `\`${field.default}\``
            : '';
      rows.push(`| \`${path}\` | ${field.doc} | ${describeSchema(field.schema)} | ${shown} |`);
      visit(field.schema, path);
    }
  };
  visit(root, '');
  return rows.join('\n');
}

/** Every simulator key with a default or a documented meaning of its absence, with the default's source. */
export function defaultsTable(section: Section, prefix = ''): string {
  const rows = ['| key (lab / simulator) | default | source |', '|---|---|---|'];
  const visit = (keys: Section, labPrefix: string, simPrefix: string) => {
    for (const [simKey, spec] of Object.entries(keys)) {
      const labPath = `${labPrefix}${spec.lab ?? simKey}`;
      const simPath = `${simPrefix}${simKey}`;
      const shown = defaultShown(simKey, spec);
      if (shown !== undefined) {
        const names = labPath === simPath ? `\`${labPath}\`` : `\`${labPath}\` / \`${simPath}\``;
        rows.push(`| ${names} | ${shown} | ${spec.source ?? ''} |`);
      }
      if (spec.kind === 'section') visit(spec.keys, `${labPath}.`, `${simPath}.`);
      else if (spec.kind === 'list' && spec.items.kind === 'section')
        visit(spec.items.keys, `${labPath}[].`, `${simPath}[].`);
    }
  };
  visit(section, prefix, prefix);
  return rows.join('\n');
}

function defaultShown(simKey: string, spec: KeySpec): string | undefined {
  const shown = fieldOfKey(simKey, spec).default;
  if (shown === undefined) return undefined;
  const constant = (spec.kind === 'number' || spec.kind === 'enum') && spec.default !== undefined;
  return constant ? `\`${shown}\`` : shown;
}

/** The selectable metrics, then the ones a summary shows that compare cells and checks cannot select. */
function metricsTable(): string {
  const table = (names: readonly string[]) => [
    '| metric | meaning |',
    '|---|---|',
    ...names.map((name) => `| \`${name}\` | ${metricExplanation(name)} |`),
  ];
  const all = Object.keys(METRIC_DEFINITIONS);
  return [
    ...table(all.filter((name) => name in METRICS)),
    '',
    "A run's summary also shows these breakdowns and bookkeeping figures. Compare cells, sweeps and",
    'check expressions cannot select them (a check reads one part of a breakdown, see below):',
    '',
    ...table(all.filter((name) => !(name in METRICS))),
  ].join('\n');
}

/** Every generated block, by doc and name. */
export const GENERATED: Readonly<Record<string, Readonly<Record<string, () => string>>>> = {
  'docs/lab-format.md': {
    ...Object.fromEntries(
      Object.entries(CELL_SCHEMAS).map(([kind, schema]) => [`keys ${kind}`, () => keyTable(schema)]),
    ),
    metrics: metricsTable,
  },
  'docs/model.md': {
    'defaults machine': () => defaultsTable(MACHINE),
    'defaults workload': () => defaultsTable(GROUP),
    'defaults run': () => [defaultsTable(RUN), '', defaultsTable(SCHEDULER, 'scheduler.')].join('\n'),
  },
};

const BLOCK = /<!-- generated: ([^>]+?) -->[\s\S]*?<!-- end generated -->/g;

/** `text` with each generated block of `doc` rewritten; throws on a block it does not know. */
export function regenerate(doc: string, text: string): string {
  const blocks = GENERATED[doc] ?? {};
  return text.replace(BLOCK, (_all, name: string) => {
    const make = blocks[name];
    if (!make) throw new Error(`${doc}: no generated block named "${name}"`);
    return `<!-- generated: ${name} -->\n${make()}\n<!-- end generated -->`;
  });
}

/** The names of the generated blocks `text` has. */
export function blocksIn(text: string): string[] {
  return [...text.matchAll(BLOCK)].map((m) => m[1]!);
}
