/**
 * One parameter spec: every key's documented default (as the docs and hovers show it) is the
 * value the simulator uses when the key is left out, and values finer than the simulator keeps
 * are refused at the value instead of being rounded.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLab } from '../../src/lab/document/markdown';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { CELL_SCHEMAS, fieldAt } from '../../src/lab/language/schema';
import { GROUP, MACHINE, resolveMachine, RUN, SCHEDULER, simulate, type Section } from '../../src/sim/index';
import { resolveWorkload } from '../../src/sim';

/** Lab key paths (list items as "[]") of every key in `section` with a constant default. */
function keysWithDefaults(section: Section, prefix: string[] = []): string[][] {
  return Object.entries(section).flatMap(([simKey, spec]) => {
    const path = [...prefix, spec.lab ?? simKey];
    if (spec.kind === 'section') return keysWithDefaults(spec.keys, path);
    if (spec.kind === 'list')
      return spec.items.kind === 'section' ? keysWithDefaults(spec.items.keys, [...path, '[]']) : [];
    return (spec.kind === 'number' || spec.kind === 'enum') && spec.default !== undefined ? [path] : [];
  });
}

/** `base` with `value` at `path`; a "[]" segment is a list of one `item` holding the rest of the path. */
function withKey(
  base: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
  item: Record<string, unknown> = {},
): Record<string, unknown> {
  const [head, ...rest] = path;
  if (rest.length === 0) return { ...base, [head!]: value };
  if (rest[0] === '[]')
    return { ...base, [head!]: [rest.length === 1 ? item : withKey(item, rest.slice(1), value, item)] };
  return { ...base, [head!]: withKey((base[head!] as Record<string, unknown> | undefined) ?? {}, rest, value, item) };
}

const flow = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(flow).join(', ')}]`
    : typeof v === 'object' && v !== null
      ? `{ ${Object.entries(v)
          .map(([k, x]) => `${k}: ${flow(x)}`)
          .join(', ')} }`
      : String(v);

function labOf(cells: string): ReturnType<typeof resolveLab> {
  const lab = resolveLab(parseLab(cells));
  const errors = [...lab.diagnostics.values()].flat().filter((d) => d.severity === 'error');
  assert.deepEqual(errors, [], cells);
  return lab;
}

const documented = (root: keyof typeof CELL_SCHEMAS, path: readonly string[]): string => {
  const field = fieldAt(CELL_SCHEMAS[root], path);
  assert.ok(field?.default !== undefined, `${path.join('.')} has a documented default`);
  return field.default;
};

test('every machine key: writing its documented default resolves to what leaving it out does', () => {
  const keys = keysWithDefaults(MACHINE);
  assert.ok(keys.length >= 37, `${keys.length} keys`);
  // With power and thermal present their sections resolve; a core type needs its count.
  const base = { name: 'm', power: {}, thermal: {} };
  const coreType = { count: 1 };
  const resolved = (machine: Record<string, unknown>) => {
    const text = Object.entries(machine)
      .map(([k, v]) => `${k}: ${flow(v)}`)
      .join('\n');
    return resolveMachine(labOf(`\`\`\`machine\n${text}\n\`\`\`\n`).machines.get('m')!.config);
  };
  for (const path of keys) {
    const text = documented('machine', path);
    const list = path.indexOf('[]');
    const leftOut = list < 0 ? base : withKey(base, path.slice(0, list), [coreType]);
    assert.deepEqual(
      resolved(withKey(base, path, text, coreType)),
      resolved(leftOut),
      `machine ${path.join('.')}: ${text}`,
    );
  }
});

test('every workload group key: writing its documented default resolves to what leaving it out does', () => {
  const keys = keysWithDefaults(GROUP);
  assert.ok(keys.length >= 5, `${keys.length} keys`);
  const machine = resolveMachine({});
  const groupsOf = (group: Record<string, unknown>) => {
    const lab = labOf(`\`\`\`workload\nname: w\nprocesses:\n  - ${flow(group)}\n\`\`\`\n`);
    return resolveWorkload(lab.workloads.get('w')!.config, machine, 1);
  };
  for (const path of keys) {
    // A periodic task's keys need a task.
    const base: Record<string, unknown> =
      path[0] === 'periodic'
        ? { name: 'g', count: 1, periodic: { period: '10ms', wcet: '1ms' } }
        : { name: 'g', count: 1 };
    const text = documented('workload', ['processes', '[]', ...path]);
    assert.deepEqual(groupsOf(withKey(base, path, text)), groupsOf(base), `processes[].${path.join('.')}: ${text}`);
  }
});

test('a run: the documented duration, seed and scheduler are what a run without them gets', () => {
  const cells = (extra: string) =>
    labOf(
      `\`\`\`workload\nname: w\nprocesses:\n  - { name: g, count: 1 }\n\`\`\`\n\`\`\`run\nname: r\nmachine: laptop-4\nworkload: w\npolicy: pinned\n${extra}\`\`\`\n`,
    ).runs[0]!.config;
  const left = cells('');
  assert.equal(left.durationNs, RUN.durationNs.default);
  assert.equal(left.seed, RUN.seed.default);
  assert.equal(left.scheduler.kind, SCHEDULER.kind.default);
  assert.deepEqual(
    cells(
      `duration: ${documented('run', ['duration'])}\nseed: ${documented('run', ['seed'])}\nscheduler: ${documented('run', ['scheduler'])}\n`,
    ),
    left,
  );
});

test('the defaults that used to drift: a 64 KiB working set and 0.02 accesses per ns, simulated as documented', () => {
  const [g] = resolveWorkload({ groups: [{ name: 'g', count: 1 }] }, resolveMachine({}), 1);
  assert.equal(g!.workingSetLines, (64 * 1024) / 64);
  assert.equal(g!.memoryIntensity, 0.02);
  assert.equal(documented('workload', ['processes', '[]', 'workingSet']), '64KiB');
  assert.equal(documented('workload', ['processes', '[]', 'memoryIntensity']), '0.02');
  // Leaving the key out and writing the default give the same misses (the old 0 vs 2,048).
  const misses = (group: object) =>
    simulate({
      machine: { sockets: 1, coresPerSocket: 1 },
      workload: { groups: [{ name: 'g', count: 2, demand: { kind: 'fixed', valueNs: 20e6 }, ...group }] },
      policy: { name: 'pinned' },
      scheduler: { kind: 'rr', quantumNs: 1e6 },
      durationNs: 1e9,
      seed: 1,
    }).summary.cacheMisses;
  assert.ok(misses({}) > 0);
  assert.equal(misses({}), misses({ workingSetBytes: 65536 }));
});

test('nothing is rounded: 1.3 ns is kept; a time or size finer than the simulator keeps is refused at the value', () => {
  const lab = labOf('```machine\nname: m\nlatency: { l1: 1.3ns, llc: 12.5ns }\n```\n');
  assert.equal(resolveMachine(lab.machines.get('m')!.config).l1Ns, 1.3);
  assert.equal(resolveMachine(lab.machines.get('m')!.config).llcNs, 12.5);
  const refused = (cell: string, line: number, pattern: RegExp) => {
    const problems = [...resolveLab(parseLab(cell)).diagnostics.values()].flat().filter((d) => d.severity === 'error');
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.match(problems[0]!.message, pattern);
    assert.equal(problems[0]!.range.start.line, line);
  };
  refused('```machine\nname: m\ncontextSwitch: 4.2ns\n```\n', 1, /4.2ns is not a whole number of nanoseconds/);
  refused('```machine\nname: m\ncaches: { l1d: 0.1KiB }\n```\n', 1, /0.1KiB is not a whole number of bytes/);
  refused(
    '```workload\nname: w\nprocesses:\n  - { name: t, periodic: { period: 10ms, wcet: 1.5ns } }\n```\n',
    2,
    /1.5ns is not a whole number of nanoseconds/,
  );
  refused(
    '```workload\nname: w\nprocesses:\n  - { name: t, count: 2, arrival: every 2.5ns }\n```\n',
    2,
    /2.5ns is not a whole number of nanoseconds/,
  );
});
