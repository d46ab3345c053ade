/**
 * One parameter spec: every key's documented default (as the docs and hovers show it) is the
 * value the simulator uses when the key is left out, and values finer than the simulator keeps
 * are refused at the value instead of being rounded.
 *
 * Every key of every section with a documented default is checked, whatever its kind: a constant
 * (a number or an enum) is written into a cell as the docs give it; a default in words that is a
 * value (`10ms`, the default P-states) is turned into the cell value it describes (WRITTEN); a
 * default computed from other keys or the machine (the fair slice, first touch) has a check of
 * its own against the formula (COMPUTED). A key with a default none of these covers fails.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseLab } from '../../src/lab/document/markdown';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { CELL_SCHEMAS, fieldAt, fieldOfKey, schemaOfKey } from '../../src/lab/language/schema';
import { parseQuantity } from '../../src/lab/language/units';
import {
  AUTO_CONVERGE,
  AUTOSCALE,
  BALANCER,
  CLUSTER_LINK,
  REQUEST_LINK,
  GROUP,
  HEALTH,
  HOST_EVENT,
  HOST_POWER,
  LIVE_MIGRATION_LINK,
  LIVE_MIGRATION_VM,
  MACHINE,
  POST_COPY,
  PRE_COPY,
  resolveCluster,
  resolveVmCluster,
  resolveLiveMigration,
  SERVICE,
  VM_CLUSTER,
  VM_HOTSPOT,
  VM_LOAD,
  VM_MIGRATION,
  resolveConfig,
  resolveMachine,
  OUTPUT,
  resolveWorkload,
  RUN,
  SCHEDULER,
  simulate,
  type KeySpec,
  type ResolvedMachine,
  type Section,
  type SimConfig,
} from '../../src/sim/index';

// ---- the keys ---------------------------------------------------------------------------------

/** Where a section's keys are written: a machine cell, a workload group, a run cell, or only the simulator's API (OUTPUT). */
type Root = 'machine' | 'group' | 'run' | 'scheduler' | 'output';

/** The sections every key is reached from (a test below checks they reach every section declared in src/sim). */
const ROOTS: Readonly<Record<Root, Section>> = {
  machine: MACHINE,
  group: GROUP,
  run: RUN,
  scheduler: SCHEDULER,
  output: OUTPUT,
};

interface Defaulted {
  /** `root.simKey.simKey`, list items as `[]`: `machine.coreTypes[].name`. */
  name: string;
  root: Root;
  /** The key's path in its cell, in lab names (list items `[]`); undefined when a lab cannot write it. */
  labPath: string[] | undefined;
  spec: KeySpec;
  /** The default as the docs and hovers show it. */
  documented: string;
}

/** Every key of `root`'s sections with a documented default, and the sections reached. */
function walk(root: Root, sections: Set<Section>): Defaulted[] {
  const out: Defaulted[] = [];
  const visit = (section: Section, simPath: string[], labPath: string[] | undefined) => {
    sections.add(section);
    for (const [simKey, spec] of Object.entries(section)) {
      const sim = [...simPath, simKey];
      // A run's scheduler is one lab key (`scheduler: rr 4ms`): its kind is the key, its quantum part of the value.
      const lab =
        root === 'scheduler'
          ? simKey === 'kind'
            ? ['scheduler']
            : undefined
          : labPath && [...labPath, spec.lab ?? simKey];
      const documented = fieldOfKey(simKey, spec).default;
      if (documented !== undefined) out.push({ name: [root, ...sim].join('.'), root, labPath: lab, spec, documented });
      if (spec.kind === 'section') visit(spec.keys, sim, lab);
      else if (spec.kind === 'list' && spec.items.kind === 'section')
        visit(spec.items.keys, [...sim.slice(0, -1), `${simKey}[]`], lab && [...lab, '[]']);
    }
  };
  visit(ROOTS[root], [], root === 'output' ? undefined : root === 'group' ? ['processes', '[]'] : []);
  return out;
}

function allDefaulted(): { keys: Defaulted[]; sections: Set<Section> } {
  const sections = new Set<Section>();
  const keys = (Object.keys(ROOTS) as Root[]).flatMap((root) => walk(root, sections));
  return { keys, sections };
}

// ---- labs ---------------------------------------------------------------------------------------

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

/** A value in YAML flow style, strings as they are (`4ms`, `poisson 400/s`). */
const flow = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(flow).join(', ')}]`
    : typeof v === 'object' && v !== null
      ? `{ ${Object.entries(v)
          .map(([k, x]) => `${k}: ${flow(x)}`)
          .join(', ')} }`
      : String(v);

const lines = (fields: Record<string, unknown>): string =>
  Object.entries(fields)
    .map(([k, v]) => `${k}: ${flow(v)}\n`)
    .join('');

type Fields = Record<string, unknown>;

const machineCell = (fields: Fields): string => `\`\`\`machine\nname: m\n${lines(fields)}\`\`\`\n`;
const workloadCell = (groups: Fields[]): string =>
  `\`\`\`workload\nname: w\nprocesses:\n${groups.map((g) => `  - ${flow(g)}\n`).join('')}\`\`\`\n`;
const runCell = (fields: Fields): string =>
  `\`\`\`run\nname: r\nmachine: m\nworkload: w\n${lines({ policy: 'pinned', ...fields })}\`\`\`\n`;

function errorsOf(cells: string): string[] {
  const lab = resolveLab(parseLab(cells));
  return [...lab.diagnostics.values()]
    .flat()
    .filter((d) => d.severity === 'error')
    .map((d) => d.message);
}

function labOf(cells: string): ReturnType<typeof resolveLab> {
  assert.deepEqual(errorsOf(cells), [], cells);
  return resolveLab(parseLab(cells));
}

/** The machine a machine cell with `fields` describes. */
const machineOf = (fields: Fields): ResolvedMachine =>
  resolveMachine(labOf(machineCell(fields)).machines.get('m')!.config);

/** The simulator's groups of a workload cell (on the default machine unless given). */
const groupsOf = (groups: Fields[], machine: Fields = {}) => {
  const lab = labOf(machineCell(machine) + workloadCell(groups));
  return resolveWorkload(lab.workloads.get('w')!.config, resolveMachine(lab.machines.get('m')!.config), 1);
};

/** The simulator config of a run cell over a machine cell and a workload cell. */
const runOf = (machine: Fields, groups: Fields[], run: Fields = {}): SimConfig =>
  labOf(machineCell(machine) + workloadCell(groups) + runCell(run)).runs[0]!.config;

const digestOf = (config: SimConfig): string => simulate(config).digest;

/** A config for the simulator's API (no lab: OUTPUT's keys are the API's alone). */
const apiConfig = (extra: Partial<SimConfig> & Record<string, unknown> = {}): SimConfig => ({
  machine: {},
  workload: { groups: [{ name: 'g', count: 1 }] },
  policy: { name: 'pinned' },
  scheduler: { kind: 'fair' },
  durationNs: 1e9,
  seed: 1,
  ...extra,
});

const ns = (text: string): number => {
  const parsed = parseQuantity(text, 'time');
  assert.ok(parsed.ok, text);
  return parsed.value;
};

// ---- how each default is checked ---------------------------------------------------------------

/** One list item holding the keys a check writes inside a list (a core type needs its count). */
const ITEMS: Readonly<Record<string, Fields>> = {
  'machine.coreTypes': { count: 1 },
};

/** `documented`, parsed as the item list it describes: `A/B, C/D` with `pattern` for one item. */
function itemsOf(documented: string, pattern: RegExp, item: (m: RegExpExecArray) => Fields): Fields[] {
  return documented.split(', ').map((text) => {
    const m = pattern.exec(text);
    assert.ok(m, `"${text}" (of "${documented}") reads as ${pattern}`);
    return item(m);
  });
}

const none = (documented: string): unknown[] => {
  assert.equal(documented, 'none');
  return [];
};

/** Defaults in words that are values: the cell value each describes, as a user writes it. */
const WRITTEN: Readonly<Record<string, (documented: string) => unknown>> = {
  // `1.2GHz/0.8V, ...`: one P-state per item.
  'machine.pstates': (d) => itemsOf(d, /^(\d+(?:\.\d+)?GHz)\/(\d+(?:\.\d+)?V)$/, (m) => ({ freq: m[1], volt: m[2] })),
  // `C1 50%/2us/100us, ...`: name, power, exit latency and break-even of each state.
  'machine.power.idleStates': (d) =>
    itemsOf(d, /^(\w+) (\d+%)\/(\w+)\/(\w+)$/, (m) => ({ name: m[1], power: m[2], exit: m[3], breakEven: m[4] })),
  'machine.events': none,
  'group.demand': (d) => d,
  // `0s (all at once)`: the arrival, and what it means.
  'group.arrival': (d) => {
    const m = /^(\S+) \(all at once\)$/.exec(d);
    assert.ok(m, d);
    return m[1];
  },
  'group.setAffinity': none,
};

/**
 * Defaults computed from other keys, the machine or the run, each with its own check against the
 * formula its text gives (which each check asserts first, so the text and the check change together).
 */
const COMPUTED: Readonly<Record<string, (documented: string) => void>> = {
  // The socket count, cores per socket and SMT threads.
  'machine.name': (d) => {
    assert.equal(d, 'sockets x cores per socket (x threads with SMT): 2x8, 2x8x2');
    const cases: [Fields, string][] = [
      [{}, '1x4'],
      [{ sockets: 2, coresPerSocket: 8 }, '2x8'],
      [{ sockets: 2, coresPerSocket: 8, smt: 2 }, '2x8x2'],
      [{ coreTypes: [{ count: 4 }, { count: 2 }] }, '1x6'],
    ];
    // The lab requires a machine's name (the cell's): only the API leaves it out.
    for (const [machine, name] of cases) {
      assert.equal(resolveMachine(machine).name, name);
      assert.deepEqual(resolveMachine({ ...machine, name }), resolveMachine(machine));
    }
  },
  // The position in the list, named types counted too.
  'machine.coreTypes[].name': (d) => {
    assert.equal(d, 'type0, type1...');
    const left = machineOf({ coreTypes: [{ count: 1 }, { name: 'big', count: 1 }, { count: 2 }] });
    assert.deepEqual(
      left.coreTypes.map((t) => t.name),
      ['type0', 'big', 'type2'],
    );
    assert.deepEqual(
      machineOf({
        coreTypes: [
          { name: 'type0', count: 1 },
          { name: 'big', count: 1 },
          { name: 'type2', count: 2 },
        ],
      }),
      left,
    );
  },
  // The machine's pstates key, or its default when that is left out too.
  'machine.coreTypes[].pstates': (d) => {
    assert.equal(d, "the machine's pstates");
    const own = [
      { freq: '1GHz', volt: '0.9V' },
      { freq: '2GHz', volt: '1.1V' },
    ];
    assert.deepEqual(
      machineOf({ pstates: own, coreTypes: [{ count: 1 }, { count: 2 }] }),
      machineOf({
        pstates: own,
        coreTypes: [
          { count: 1, pstates: own },
          { count: 2, pstates: own },
        ],
      }),
    );
    const machineDefault = WRITTEN['machine.pstates']!(documentedOf('machine.pstates'));
    assert.deepEqual(
      machineOf({ coreTypes: [{ count: 1 }] }),
      machineOf({ coreTypes: [{ count: 1, pstates: machineDefault }] }),
    );
  },
  // The machine's power.dynamicCoefficient, given or its own default.
  'machine.coreTypes[].dynamicCoefficient': (d) => {
    assert.equal(d, 'power.dynamicCoefficient');
    const powerOf = (power: Fields, type: Fields) => machineOf({ power, coreTypes: [{ count: 1, ...type }] }).power;
    assert.deepEqual(
      powerOf({ dynamicCoefficient: 200 }, {}),
      powerOf({ dynamicCoefficient: 200 }, { dynamicCoefficient: 200 }),
    );
    const machineDefault = documentedOf('machine.power.dynamicCoefficient');
    assert.deepEqual(powerOf({}, {}), powerOf({}, { dynamicCoefficient: machineDefault }));
  },
  // The machine's power.static, given or its own default.
  'machine.coreTypes[].staticW': (d) => {
    assert.equal(d, 'power.static');
    const powerOf = (power: Fields, type: Fields) => machineOf({ power, coreTypes: [{ count: 1, ...type }] }).power;
    assert.deepEqual(powerOf({ static: '0.5W' }, {}), powerOf({ static: '0.5W' }, { static: '0.5W' }));
    const machineDefault = documentedOf('machine.power.staticW');
    assert.deepEqual(powerOf({}, {}), powerOf({}, { static: machineDefault }));
  },
  // A sockets x sockets matrix.
  'machine.numa.distances': (d) => {
    const m = /^(\d+) on the diagonal, (\d+) elsewhere$/.exec(d);
    assert.ok(m, d);
    const [, local, remote] = m;
    for (const sockets of [1, 2, 3, 4]) {
      const distances: string[][] = Array.from({ length: sockets }, (_, a) =>
        Array.from({ length: sockets }, (_, b) => (a === b ? local! : remote!)),
      );
      assert.deepEqual(machineOf({ sockets }), machineOf({ sockets, numa: { distances } }), `${sockets} sockets`);
    }
  },
  // The position in the list as given (the states are then sorted by break-even).
  'machine.power.idleStates[].name': (d) => {
    assert.equal(d, 'C1, C2...');
    const states = [
      { power: '10%', exit: '50us', breakEven: '2ms' },
      { power: '50%', exit: '2us', breakEven: '100us' },
    ];
    const left = machineOf({ power: { idleStates: states } });
    assert.deepEqual(
      left.power!.idleStates.map((s) => s.name),
      ['C2', 'C1'],
    );
    assert.deepEqual(machineOf({ power: { idleStates: states.map((s, i) => ({ name: `C${i + 1}`, ...s })) } }), left);
  },
  // No fixed frequency: every governor but userspace picks its own, and userspace cannot run without one.
  'machine.dvfs.frequencyHz': (d) => {
    assert.equal(d, 'none: the userspace governor needs one');
    for (const governor of ['performance', 'powersave', 'ondemand', 'schedutil'])
      assert.equal(machineOf({ governor }).dvfs.frequencyHz, 0, governor);
    assert.match(errorsOf(machineCell({ governor: 'userspace' })).join('\n'), /userspace governor needs a frequency/);
    assert.equal(machineOf({ governor: 'userspace', dvfs: { frequency: '2GHz' } }).dvfs.frequencyHz, 2e9);
  },
  // The rest of the run: a window left open is one that ends when the run does, or later.
  'machine.events[].durationNs': (d) => {
    assert.equal(d, 'until the end of the run');
    // 80 ms of work on 4 CPUs, one out from 2 ms: the run lasts its full 20 ms.
    const run = (event: Fields) =>
      digestOf(
        runOf(
          { events: [{ event: 'maintenance', at: '2ms', cpu: 0, ...event }] },
          [{ name: 'g', count: 8, demand: '10ms' }],
          { duration: '20ms' },
        ),
      );
    const left = run({});
    assert.equal(left, run({ duration: '18ms' }));
    assert.equal(left, run({ duration: '1s' }));
    assert.notEqual(left, run({ duration: '5ms' }), 'a window that closes within the run differs');
  },
  // No work lost: as if every process checkpointed continuously.
  'machine.events[].checkpointNs': (d) => {
    assert.equal(d, 'nothing lost');
    const summary = (event: Fields) =>
      simulate(
        runOf({ events: [{ event: 'fail', at: '5ms', cpu: 0, ...event }] }, [{ name: 'g', count: 4, demand: '20ms' }]),
      ).summary;
    assert.equal(summary({}).lostWorkS, 0);
    assert.ok(summary({ checkpoint: '2ms' }).lostWorkS! > 0, 'the failure stops work that a checkpoint would lose');
  },
  // Depends on the arrival.
  'group.count': (d) => {
    assert.equal(d, 'an open stream with poisson arrivals, one per record with a trace, else 1');
    assert.equal(groupsOf([{ name: 'g', arrival: 'poisson 400/s' }])[0]!.count, Infinity);
    assert.equal(groupsOf([{ name: 'g', arrival: ['1ms', '2ms', '5ms'] }])[0]!.count, 3);
    for (const group of [
      { name: 'g' },
      { name: 'g', arrival: '2ms' },
      { name: 'g', arrival: 'every 10ms' },
      { name: 'g', periodic: { period: '10ms', wcet: '1ms' } },
    ]) {
      assert.deepEqual(groupsOf([group]), groupsOf([{ ...group, count: 1 }]), flow(group));
      assert.equal(groupsOf([group])[0]!.count, 1);
    }
  },
  // No deadline: none is counted, where a deadline the processes cannot meet is.
  'group.deadlineNs': (d) => {
    assert.equal(d, 'none');
    const group = { name: 'g', count: 4, demand: '10ms' };
    assert.equal(groupsOf([group])[0]!.deadlineNs, Infinity);
    const summary = (extra: Fields) => simulate(runOf({ coresPerSocket: 1 }, [{ ...group, ...extra }])).summary;
    assert.equal(summary({}).deadlineMisses, 0);
    assert.equal(summary({ deadline: '15ms' }).deadlineMisses, 4);
  },
  // Rate-monotonic for periodic tasks; other processes after all of them.
  'group.priority': (d) => {
    assert.equal(d, 'the period for periodic tasks, else after every periodic task');
    const run = (priorities: (number | undefined)[]) =>
      digestOf(
        runOf(
          { coresPerSocket: 1 },
          [
            { name: 'slow', periodic: { period: '10ms', wcet: '5ms' } },
            { name: 'fast', periodic: { period: '4ms', wcet: '1ms' } },
            { name: 'batch', count: 2, demand: '30ms' },
          ].map((g, i) => (priorities[i] === undefined ? g : { ...g, priority: priorities[i] })),
          { scheduler: 'priority', duration: '100ms' },
        ),
      );
    // The periods in ns, and the batch just after the largest.
    assert.equal(run([]), run([10_000_000, 4_000_000, 10_000_001]));
    assert.notEqual(run([]), run([10_000_000, 4_000_000, 0]), 'a batch before the periodic tasks differs');
    assert.notEqual(run([]), run([1, 1, 10_000_001]), 'periodic tasks of equal priority differ');
  },
  // Every CPU of the machine.
  'group.affinity': (d) => {
    assert.equal(d, 'every CPU');
    for (const [machine, cpus] of [
      [{ coresPerSocket: 1 }, 1],
      [{ sockets: 2, coresPerSocket: 2, smt: 2 }, 8],
    ] as const) {
      const group = { name: 'g', count: 12, demand: 'exp 3ms', arrival: 'poisson 2000/s' };
      const all = Array.from({ length: cpus }, (_, cpu) => cpu);
      const run = (g: Fields) => digestOf(runOf(machine, [g], { policy: 'linux-cfs', duration: '50ms' }));
      assert.equal(run(group), run({ ...group, affinity: all }), `${cpus} CPUs`);
      if (cpus > 1) assert.notEqual(run(group), run({ ...group, affinity: [0] }));
    }
  },
  // Not a default: a change gives exactly one of the two keys, and the one left out does not apply.
  'group.setAffinity[].atNs': (d) => atOrOnWake(d),
  'group.setAffinity[].onWake': (d) => atOrOnWake(d),
  // First touch: the node of the first CPU the process runs on.
  'group.homeNode': (d) => {
    assert.equal(d, 'the node of the first CPU it runs on (first touch)');
    // CPUs 2 and 3 are socket 1's.
    const group = { name: 'g', count: 2, demand: '5ms', affinity: [2, 3], workingSet: '4MiB', memoryIntensity: 0.5 };
    const run = (extra: Fields) => digestOf(runOf({ sockets: 2, coresPerSocket: 2 }, [{ ...group, ...extra }]));
    assert.equal(run({}), run({ homeNode: 1 }));
    assert.notEqual(run({}), run({ homeNode: 0 }), 'memory on the other node differs');
  },
  // The same task's period.
  'group.periodic.deadlineNs': (d) => {
    assert.equal(d, 'the period');
    const group = { name: 'g', count: 2, periodic: { period: '7ms', wcet: '1ms', offset: '1ms' } };
    assert.deepEqual(groupsOf([group]), groupsOf([withKey(group, ['periodic', 'deadline'], '7ms')]));
  },
  // rr: a constant; fair: Linux's base slice scaled by 1 + ilog2(min(CPUs, 8)) (kernel/sched/fair.c,
  // get_update_sysctl_factor: ilog2 rounds down, so 3 CPUs scale by 2 and 5 to 7 by 3).
  'scheduler.quantumNs': (d) => {
    const m = /^rr: (\S+); fair: (\S+) x \(1 \+ floor\(log2\(min\(CPUs, (\d+)\)\)\)\)$/.exec(d);
    assert.ok(m, d);
    const fairSliceNs = (cpus: number) => ns(m[2]!) * (1 + Math.floor(Math.log2(Math.min(cpus, Number(m[3])))));
    const CPUS = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    assert.deepEqual(
      CPUS.map(fairSliceNs),
      [0.7e6, 1.4e6, 1.4e6, 2.1e6, 2.1e6, 2.1e6, 2.1e6, 2.8e6, 2.8e6],
      'the formula, worked by hand',
    );
    for (const cpus of CPUS) {
      // More processes than CPUs, each longer than a slice or a quantum: every CPU time-slices.
      const groups = [{ name: 'g', count: 2 * cpus + 1, demand: '12ms' }];
      const run = (scheduler: string) => digestOf(runOf({ coresPerSocket: cpus }, groups, { scheduler }));
      assert.equal(run('fair'), run(`fair ${fairSliceNs(cpus)}ns`), `fair on ${cpus} CPUs`);
      assert.equal(run('rr'), run(`rr ${m[1]}`), `rr on ${cpus} CPUs`);
    }
    // And the slice shows: another one gives another run.
    const groups = [{ name: 'g', count: 7, demand: '5ms' }];
    assert.notEqual(
      digestOf(runOf({ coresPerSocket: 3 }, groups, { scheduler: 'fair' })),
      digestOf(runOf({ coresPerSocket: 3 }, groups, { scheduler: `fair ${Math.round(0.7e6 * (1 + Math.log2(3)))}ns` })),
      'log2 without the floor differs for 3 CPUs',
    );
  },
  // The series of a run hold at most 4,000,000 points (CPUs x bins), in an even number of bins.
  'output.maxBins': (d) => {
    assert.equal(d, '1000, fewer on machines with more than 4,000 CPUs');
    const cases: [Fields, number, number][] = [
      [{}, 4, 1000],
      [{ sockets: 4, coresPerSocket: 1000 }, 4000, 1000],
      // 4e6 / 4002 = 999.5: 998, the even number below.
      [{ sockets: 6, coresPerSocket: 667 }, 4002, 998],
      // 4e6 / 4096 = 976.6: 976.
      [{ sockets: 4, coresPerSocket: 1024 }, 4096, 976],
    ];
    for (const [machine, cpus, bins] of cases) {
      const left = resolveConfig(apiConfig({ machine }));
      assert.equal(left.machine.cpuCount, cpus);
      assert.equal(left.maxBins, bins, `${cpus} CPUs`);
      assert.deepEqual(resolveConfig(apiConfig({ machine, maxBins: bins })), left);
    }
  },
};

/** setAffinity[].at and .onWake: exactly one is given; with `at` the change is timed, with `onWake` counted in wake-ups. */
function atOrOnWake(d: string): void {
  assert.equal(d, 'give at or onWake');
  const group = (change: Fields) => ({
    name: 'g',
    count: 1,
    phases: { compute: '1ms', sleep: '1ms' },
    setAffinity: [{ cpus: [1], ...change }],
  });
  const [timed] = groupsOf([group({ at: '3ms' })]);
  assert.deepEqual([timed!.setAffinity.map((c) => c.atNs), timed!.wakeAffinity], [[3e6], []]);
  const [woken] = groupsOf([group({ onWake: 2 })]);
  assert.deepEqual([woken!.setAffinity, woken!.wakeAffinity.map((c) => c.wake)], [[], [2]]);
  for (const change of [{}, { at: '3ms', onWake: 2 }])
    assert.match(
      errorsOf(machineCell({}) + workloadCell([group(change)]) + runCell({})).join('\n'),
      /exactly one of at .* and onWake/,
      flow(change),
    );
}

let KEYS: Defaulted[] | undefined;

/** The documented default of the key named `name`. */
function documentedOf(name: string): string {
  KEYS ??= allDefaulted().keys;
  const key = KEYS.find((k) => k.name === name);
  assert.ok(key, `${name} has a documented default`);
  return key.documented;
}

/** A constant or written default: writing it as the docs give it resolves to what leaving it out does. */
function sameAsLeftOut(key: Defaulted, value: unknown): void {
  const path = key.labPath;
  const what = `${key.name}: ${key.documented}`;
  if (key.root === 'output') {
    const schema = schemaOfKey(key.spec);
    const parsed = schema.type === 'quantity' ? parseQuantity(key.documented, schema.dimension) : undefined;
    const number = parsed === undefined ? Number(key.documented) : parsed.ok ? parsed.value : NaN;
    const simKey = key.name.split('.').pop()!;
    assert.deepEqual(resolveConfig(apiConfig({ [simKey]: number })), resolveConfig(apiConfig()), what);
    return;
  }
  assert.ok(path, `${key.name} is a lab key`);
  // The hover shows the same default.
  const cell = key.root === 'group' ? 'workload' : key.root === 'scheduler' ? 'run' : key.root;
  assert.equal(fieldAt(CELL_SCHEMAS[cell], path)?.default, key.documented, `${key.name}'s hover`);
  switch (key.root) {
    case 'machine': {
      // With power and thermal present their sections resolve.
      const base = { power: {}, thermal: {} };
      const list = path.indexOf('[]');
      const item = list < 0 ? {} : ITEMS[`machine.${path.slice(0, list).join('.')}`];
      assert.ok(item, `${key.name}: ITEMS has an item for its list`);
      const leftOut = list < 0 ? base : withKey(base, path.slice(0, list), [item]);
      assert.deepEqual(machineOf(withKey(base, path, value, item)), machineOf(leftOut), what);
      return;
    }
    case 'group': {
      const inGroup = path.slice(2);
      // A periodic task's keys need a task.
      const base: Fields =
        inGroup[0] === 'periodic'
          ? { name: 'g', count: 1, periodic: { period: '10ms', wcet: '1ms' } }
          : { name: 'g', count: 1 };
      assert.deepEqual(groupsOf([withKey(base, inGroup, value)]), groupsOf([base]), what);
      return;
    }
    case 'run':
    case 'scheduler': {
      // The simulator's API requires a run's keys: a lab run supplies the default.
      const group = [{ name: 'g', count: 1 }];
      const left = runOf({}, group);
      assert.deepEqual(runOf({}, group, withKey({}, path, value)), left, what);
      const simKey = key.name.split('.').pop()!;
      const used = key.root === 'run' ? (left as unknown as Fields)[simKey] : left.scheduler.kind;
      assert.equal(used, (key.spec as { default?: unknown }).default, what);
      return;
    }
  }
}

function checkDefault(key: Defaulted): void {
  const computed = COMPUTED[key.name];
  if (computed) return computed(key.documented);
  const written = WRITTEN[key.name];
  const constant = (key.spec.kind === 'number' || key.spec.kind === 'enum') && key.spec.default !== undefined;
  assert.ok(
    constant || written,
    `${key.name}: no check for its documented default "${key.documented}" (give it one in WRITTEN or COMPUTED)`,
  );
  sameAsLeftOut(key, written ? written(key.documented) : key.documented);
}

test('every key of every section with a documented default, whatever its kind: the default the docs give is the one the simulator uses', async (t) => {
  const { keys } = allDefaulted();
  KEYS = keys;
  assert.ok(keys.length >= 75, `${keys.length} keys`);
  // Every entry of the lists names a key with a documented default in words.
  for (const name of [...Object.keys(WRITTEN), ...Object.keys(COMPUTED)]) {
    const key = keys.find((k) => k.name === name);
    assert.ok(key, `${name} is a key with a documented default`);
    assert.ok(!('default' in key.spec) || key.spec.default === undefined, `${name}'s default is not a constant`);
  }
  for (const key of keys) await t.test(`${key.name}: ${key.documented}`, () => checkDefault(key));
  t.diagnostic(`${keys.length} keys: ${keys.map((k) => k.name).join(', ')}`);
});

/** Sections declared in the files of src/sim under `under` (all of them when absent). */
function declaredSections(filter: (file: string) => boolean): number {
  const sim = join(import.meta.dirname, '../../src/sim');
  const files = readdirSync(sim, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && filter(f));
  return files
    .map((f) => readFileSync(join(sim, f), 'utf8').match(/\} satisfies Section;/g)?.length ?? 0)
    .reduce((a, b) => a + b, 0);
}

/** The cluster's sections (src/sim/cluster): no lab cell writes them yet, so the test after next checks them through their resolvers. */
const CLUSTER_SECTIONS: Readonly<Record<string, Section>> = {
  LIVE_MIGRATION_VM,
  LIVE_MIGRATION_LINK,
  PRE_COPY,
  POST_COPY,
  AUTO_CONVERGE,
  SERVICE,
  BALANCER,
  VM_CLUSTER,
  VM_LOAD,
  VM_MIGRATION,
  VM_HOTSPOT,
  HEALTH,
  HOST_POWER,
  HOST_EVENT,
  AUTOSCALE,
  REQUEST_LINK,
  CLUSTER_LINK,
};

test('the keys checked are those of every section src/sim declares', () => {
  const declared = declaredSections((f) => !f.startsWith('cluster'));
  assert.ok(declared >= 21, `${declared} sections`);
  assert.equal(allDefaulted().sections.size, declared, 'every section is reached from ROOTS');
  assert.equal(
    Object.keys(CLUSTER_SECTIONS).length,
    declaredSections((f) => f.startsWith('cluster')),
    'every cluster section is in CLUSTER_SECTIONS',
  );
});

test("the cluster's sections: every constant default is the value their resolvers use when the key is left out", () => {
  /** `section`'s keys with a constant default all have it in `resolved` (keys resolved otherwise are listed in `skip`). */
  const same = (section: Section, resolved: Record<string, unknown>, skip: string[] = []) => {
    let checked = 0;
    for (const [key, spec] of Object.entries(section)) {
      if (skip.includes(key) || !('default' in spec) || spec.default === undefined) continue;
      assert.equal(resolved[key], spec.default, key);
      checked++;
    }
    assert.ok(checked > 0);
  };
  const vm = { ramBytes: 2 ** 30, dirtyBytesPerS: 1e6 };
  const pre = resolveLiveMigration({ vm, method: { kind: 'pre-copy' } });
  same(LIVE_MIGRATION_VM, pre.vm);
  same(LIVE_MIGRATION_LINK, pre.link);
  same(PRE_COPY, pre.method as unknown as Record<string, unknown>);
  const auto = resolveLiveMigration({ vm, method: { kind: 'pre-copy', onNonConvergence: 'auto-converge' } });
  same(AUTO_CONVERGE, (auto.method as { autoConverge: Record<string, unknown> }).autoConverge);
  // pullBytesPerS defaults to the migration's rate (bandwidth x share), in words.
  const post = resolveLiveMigration({ vm, method: { kind: 'post-copy' } });
  same(POST_COPY, post.method as unknown as Record<string, unknown>);
  assert.equal((post.method as { pullBytesPerS: number }).pullBytesPerS, post.link.migrationBytesPerS);
  const cluster = (balancer?: object) =>
    resolveCluster({
      hosts: [{ machine: {}, count: 3 }],
      service: {
        name: 'web',
        arrival: { kind: 'poisson', ratePerS: 10 },
        demand: { kind: 'fixed', valueNs: 1000 },
        balancer,
      },
      policy: { name: 'pinned' },
      scheduler: { kind: 'fair' },
      durationNs: 1e9,
      seed: 1,
    });
  const plain = cluster();
  same(SERVICE, plain.service as unknown as Record<string, unknown>);
  // A request run's link latency is 0 without a network; the cluster's network has the VM
  // runs' defaults but for its latency, whose default depends on the kind of run (in words).
  same(REQUEST_LINK, plain.hosts[0]! as unknown as Record<string, unknown>);
  assert.equal(plain.hosts[0]!.latencyNs, 0);
  assert.ok(!('default' in CLUSTER_LINK.latencyNs) && CLUSTER_LINK.latencyNs.defaultText !== undefined);
  for (const key of ['bandwidthBytesPerS', 'migrationShare'] as const)
    assert.equal(CLUSTER_LINK[key].default, LIVE_MIGRATION_LINK[key].default);
  assert.equal(plain.service.workingSetBytes, GROUP.workingSetBytes.default);
  assert.equal(plain.service.memoryIntensity, GROUP.memoryIntensity.default);
  same(BALANCER, plain.service.balancer as unknown as Record<string, unknown>, ['d', 'sessions', 'replicas']);
  // d applies to power-of-d only, sessions and replicas to consistent-hash only.
  assert.equal(cluster({ policy: 'power-of-d' }).service.balancer.d, BALANCER.d.default);
  same(BALANCER, cluster({ policy: 'consistent-hash' }).service.balancer as unknown as Record<string, unknown>, [
    'd',
    'policy',
  ]);
  same(HEALTH, cluster({ health: { intervalNs: 1e9 } }).service.balancer.health as unknown as Record<string, unknown>);
  // Host power is given per cluster or per hosts entry; events have no defaults but their duration's, in words.
  const powered = resolveCluster({
    hosts: [{ machine: {} }],
    service: { name: 'web', arrival: { kind: 'poisson', ratePerS: 10 }, demand: { kind: 'fixed', valueNs: 1000 } },
    policy: { name: 'pinned' },
    scheduler: { kind: 'fair' },
    durationNs: 1e9,
    seed: 1,
    power: {},
  });
  same(HOST_POWER, powered.hosts[0]!.power as unknown as Record<string, unknown>);
  // A boot is charged boot x peak, in words, in both kinds of run.
  assert.equal(powered.hosts[0]!.power!.bootEnergyJ, (HOST_POWER.bootNs.default / 1e9) * HOST_POWER.peakW.default);
  assert.ok(Object.values(HOST_EVENT).every((spec) => !('default' in spec)));
  // An autoscaler's max is every host and its initial count min, in words.
  const scaled = cluster().service;
  assert.equal(scaled.autoscale, undefined);
  const autoscale = resolveCluster({
    hosts: [{ machine: {}, count: 3 }],
    service: {
      name: 'web',
      arrival: { kind: 'poisson', ratePerS: 10 },
      demand: { kind: 'fixed', valueNs: 1000 },
      autoscale: {},
    },
    policy: { name: 'pinned' },
    scheduler: { kind: 'fair' },
    durationNs: 1e9,
    seed: 1,
  }).service.autoscale!;
  same(AUTOSCALE, autoscale as unknown as Record<string, unknown>);
  assert.deepEqual([autoscale.max, autoscale.initial], [3, autoscale.min]);
  const vms = resolveVmCluster({
    hosts: [{ machine: {}, ramBytes: 2 ** 34 }],
    vms: [{ name: 'v', vcpus: 1, ramBytes: 2 ** 30, dirtyBytesPerS: 0 }],
    policy: { name: 'pinned' },
    scheduler: { kind: 'fair' },
    durationNs: 1e9,
    seed: 1,
  });
  // overcommit shows as the vCPU slots (cores x 1), consolidate as a boolean.
  same(VM_CLUSTER, vms as unknown as Record<string, unknown>, ['overcommit']);
  assert.equal(vms.hosts[0]!.vcpuSlots, vms.hosts[0]!.cores * VM_CLUSTER.overcommit.default);
  same(VM_MIGRATION, vms as unknown as Record<string, unknown>, ['consolidate']);
  assert.equal(vms.consolidate, VM_MIGRATION.consolidate.default === 'on');
  same(HOST_POWER, vms.hosts[0]!.power);
  assert.equal(vms.hosts[0]!.power.bootEnergyJ, (HOST_POWER.bootNs.default / 1e9) * HOST_POWER.peakW.default);
  same(VM_LOAD, { ...vms.vms[0]!, utilization: vms.vms[0]!.trace[0] });
  // The hot-spot section: its threshold is required, migrate shows as a boolean.
  assert.equal(vms.hotspot, null);
  const hot = resolveVmCluster({
    hosts: [{ machine: {}, ramBytes: 2 ** 34 }],
    vms: [{ name: 'v', vcpus: 1, ramBytes: 2 ** 30, dirtyBytesPerS: 0 }],
    migration: { hotspot: { thresholdC: 70 } },
    policy: { name: 'pinned' },
    scheduler: { kind: 'fair' },
    durationNs: 1e9,
    seed: 1,
  }).hotspot!;
  same(VM_HOTSPOT, hot as unknown as Record<string, unknown>, ['migrate']);
  assert.equal(hot.migrate, VM_HOTSPOT.migrate.default === 'on');
});

test('the defaults that used to drift: a 64 KiB working set and 0.02 accesses per ns, simulated as documented', () => {
  const [g] = resolveWorkload({ groups: [{ name: 'g', count: 1 }] }, resolveMachine({}), 1);
  assert.equal(g!.workingSetLines, (64 * 1024) / 64);
  assert.equal(g!.memoryIntensity, 0.02);
  assert.equal(documentedOf('group.workingSetBytes'), '64KiB');
  assert.equal(documentedOf('group.memoryIntensity'), '0.02');
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
