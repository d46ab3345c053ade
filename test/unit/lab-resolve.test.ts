import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLab, type LabCell } from '../../src/lab/document/markdown';
import { compareConfigs, resolveLab } from '../../src/lab/language/resolveLab';
import { resolveConfig } from '../../src/sim';
import { resolveMachine } from '../../src/sim';

const BRIEF = readFileSync(join(import.meta.dirname, '../fixtures/roundtrip/23-brief-lab.lab.md'), 'utf8');

const MACHINE = '```machine\nname: duo\nsockets: 2\ncoresPerSocket: 4\n```\n';
const WORKLOAD = '```workload\nname: mixed\nprocesses:\n  - { name: web, count: 4, demand: exp 4ms }\n```\n';

const DUO = {
  name: 'duo',
  sockets: 2,
  coresPerSocket: 4,
  pstates: [
    { freqHz: 1.2e9, voltV: 0.8 },
    { freqHz: 2.4e9, voltV: 1.0 },
    { freqHz: 3.2e9, voltV: 1.2 },
  ],
  caches: { l1dBytes: 32 * 1024, l2Bytes: 1024 ** 2, llcBytes: 16 * 1024 ** 2 },
  memory: { localNs: 90, remoteNs: 150 },
  power: { dynamicCoefficient: 436, staticW: 0.3 },
  thermal: { ambientC: 45, resistanceKPerW: 2, capacitanceJPerK: 0.05, throttleC: 85 },
};
const MIXED = {
  groups: [
    {
      name: 'web',
      count: 64,
      arrival: { kind: 'poisson', ratePerS: 400 },
      demand: { kind: 'exp', meanNs: 4e6 },
      workingSetBytes: 256 * 1024,
    },
    {
      name: 'batch',
      count: 6,
      arrival: { kind: 'fixed', atNs: 0 },
      demand: { kind: 'fixed', valueNs: 3e9 },
      workingSetBytes: 8 * 1024 ** 2,
      dirtyFraction: 0.3,
    },
  ],
};

test('the lab from the brief validates with no error', () => {
  const lab = resolveLab(parseLab(BRIEF));
  const all = [...lab.diagnostics.values()].flat();
  assert.deepEqual(
    all.filter((d) => d.severity === 'error'),
    [],
  );
  // Every key and policy of the lab is simulated: no notes or warnings at all.
  assert.deepEqual(all, []);
  assert.deepEqual(lab.problems, []);
});

test('the brief lab resolves into the SimConfigs its cells describe', () => {
  const lab = resolveLab(parseLab(BRIEF));
  const pinned = lab.runs.find((r) => r.name === 'pinned');
  assert.ok(pinned);
  assert.deepEqual(pinned.config, {
    machine: DUO,
    workload: MIXED,
    policy: { name: 'pinned' },
    scheduler: { kind: 'fair' },
    durationNs: 5e9,
    seed: 7,
  });
  assert.equal(pinned.cellIndex, 3);
  assert.equal(pinned.machineName, 'duo');
  assert.equal(pinned.workloadName, 'mixed');
  assert.deepEqual(pinned.dependsOn, [1, 2, 3]);
  assert.match(pinned.inputsHash, /^[0-9a-f]{64}$/);
  const cfs = lab.runs.find((r) => r.name === 'cfs');
  assert.deepEqual(cfs?.config.policy, { name: 'linux-cfs', params: { migrationCost: 500_000 } });
  assert.deepEqual(lab.machines.get('duo')?.config, DUO);
  assert.deepEqual(lab.workloads.get('mixed')?.config, MIXED);
});

test('the simulator accepts the resolved config (names line up with src/sim/config.ts)', () => {
  const lab = resolveLab(parseLab(BRIEF));
  const pinned = lab.runs.find((r) => r.name === 'pinned')!;
  const resolved = resolveConfig(pinned.config);
  assert.equal(resolved.machine.cpuCount, 8);
  assert.equal(resolved.machine.llcBytes, 16 * 1024 ** 2);
  assert.equal(resolved.machine.localNs, 90);
  assert.equal(resolved.durationNs, 5e9);
});

test('compare, chart and check cells of the brief lab', () => {
  const lab = resolveLab(parseLab(BRIEF));
  assert.equal(lab.compares.length, 1);
  const compare = lab.compares[0];
  assert.deepEqual(
    compare.policies.map((p) => p.name),
    ['pinned', 'least-loaded', 'work-stealing', 'linux-cfs', 'cache-affinity', 'energy-aware'],
  );
  assert.equal(compare.seeds, 10);
  assert.deepEqual(compare.metrics, ['meanResponseS', 'p99ResponseS', 'migrations', 'cacheMisses', 'energyJ']);
  assert.deepEqual(compare.base, { machine: DUO, workload: MIXED, scheduler: { kind: 'fair' }, durationNs: 5e9 });
  const all = compareConfigs(compare);
  assert.equal(all.length, 60);
  assert.deepEqual(
    all.slice(0, 2).map((c) => [c.policy.name, c.seed, c.config.seed]),
    [
      ['pinned', 1, 1],
      ['pinned', 2, 2],
    ],
  );
  assert.deepEqual(lab.charts, [{ cellIndex: 5, show: 'load', runs: ['pinned', 'cfs'] }]);
  assert.deepEqual(lab.checks, [
    {
      cellIndex: 7,
      id: 'balance',
      points: 2,
      hidden: false,
      solution: false,
      expect: 'runs.cfs.imbalanceCv < runs.pinned.imbalanceCv',
      message: 'Balancing should even out the load.',
      runs: ['cfs', 'pinned'],
    },
  ]);
});

test('inputsHash: stable, changes with a dependency, not with unrelated cells', () => {
  const cells: LabCell[] = parseLab(BRIEF);
  const hashes = (cs: LabCell[]) => Object.fromEntries(resolveLab(cs).runs.map((r) => [r.name, r.inputsHash]));
  const base = hashes(cells);
  assert.deepEqual(hashes(parseLab(BRIEF)), base, 'same text, same hash');
  assert.notEqual(base.pinned, base.cfs);

  const editedWorkload = cells.map((c, i) =>
    i === 2 ? { ...c, value: c.value.replace('count: 64', 'count: 65') } : c,
  );
  const w = hashes(editedWorkload);
  assert.notEqual(w.pinned, base.pinned);
  assert.notEqual(w.cfs, base.cfs);

  const editedRun = cells.map((c, i) => (i === 4 ? { ...c, value: c.value.replace('seed: 7', 'seed: 8') } : c));
  const r = hashes(editedRun);
  assert.equal(r.pinned, base.pinned, 'another run changed');
  assert.notEqual(r.cfs, base.cfs);

  const unrelated = cells.map((c, i) =>
    i === 0
      ? { ...c, value: c.value + ' (edited)' }
      : i === 5
        ? { ...c, value: 'show: queues\nruns: [pinned, cfs]' }
        : c,
  );
  assert.deepEqual(hashes(unrelated), base, 'markdown and chart cells are not inputs of runs');
});

test('params: $name substitution, dependency on the params cell, overrides', () => {
  const text =
    '```params\ndur: 2s\nseed: 3\nmean: 4ms\n```\n' +
    MACHINE +
    '```workload\nname: mixed\nprocesses:\n  - { name: web, count: 4, demand: exp $mean }\n```\n' +
    '```run\nname: r\nmachine: duo\nworkload: mixed\npolicy: pinned\nduration: $dur\nseed: $seed\nscheduler: rr 4ms\n```\n';
  const lab = resolveLab(parseLab(text));
  assert.deepEqual([...lab.diagnostics], []);
  const run = lab.runs[0];
  assert.equal(run.config.durationNs, 2e9);
  assert.equal(run.config.seed, 3);
  assert.deepEqual(run.config.scheduler, { kind: 'rr', quantumNs: 4e6 });
  assert.deepEqual(run.config.workload.groups[0].demand, { kind: 'exp', meanNs: 4e6 });
  assert.deepEqual(run.dependsOn, [0, 1, 2, 3]);
  assert.deepEqual(
    [...lab.params].map(([k, v]) => [k, v.value, v.cellIndex]),
    [
      ['dur', '2s', 0],
      ['seed', 3, 0],
      ['mean', '4ms', 0],
    ],
  );

  const overridden = resolveLab(parseLab(text), { params: { dur: '1s', mean: '1ms' } });
  assert.equal(overridden.runs[0].config.durationNs, 1e9);
  assert.deepEqual(overridden.runs[0].config.workload.groups[0].demand, { kind: 'exp', meanNs: 1e6 });
  assert.notEqual(overridden.runs[0].inputsHash, run.inputsHash, 'an override is an input');
  assert.equal(
    resolveLab(parseLab(text), { params: { dur: '2s' } }).runs[0].inputsHash,
    run.inputsHash,
    'overriding with the same value changes nothing',
  );
});

test('a run may name a machine preset; the simulator accepts it', () => {
  const lab = resolveLab(
    parseLab(WORKLOAD + '```run\nname: r\nmachine: laptop-4\nworkload: mixed\npolicy: least-loaded\n```\n'),
  );
  assert.deepEqual([...lab.diagnostics], []);
  assert.deepEqual(lab.runs[0].config.machine, { preset: 'laptop-4' });
  assert.deepEqual(lab.runs[0].dependsOn, [0, 1]);
  assert.equal(resolveConfig(lab.runs[0].config).machine.cpuCount, 4);
});

test('every machine field maps to the simulator name and the simulator accepts it', () => {
  const text =
    '```machine\nname: hetero\npreset: server-2x8\nsockets: 2\nsmt: 2\nsmtShare: 60%\n' +
    'coreTypes:\n  - { name: big, count: 2, capacity: 1024, pstates: [ { freq: 2GHz, volt: 1V } ] }\n  - { name: little, count: 4, capacity: 446, dynamicCoefficient: 100, static: 50mW }\n' +
    'caches: { lineSize: 64B, l1d: 48KiB, l2: 2MiB, llc: 32MiB }\n' +
    'latency: { l1: 1ns, l2: 4ns, llc: 12ns, modifiedLine: 25ns, remoteCache: 70ns, memoryParallelism: 6 }\n' +
    'memory: { local: 60ns, remote: 100ns }\nnuma: { distances: [[10, 20], [20, 10]] }\ncontextSwitch: 5us\n' +
    'migration: { fixed: 2us, state: 16KiB, bandwidth: 10GB/s }\npower: { static: 0.2W }\n```\n';
  const lab = resolveLab(parseLab(text));
  assert.deepEqual([...lab.diagnostics], []);
  const config = lab.machines.get('hetero')!.config;
  assert.deepEqual(config, {
    preset: 'server-2x8',
    name: 'hetero',
    sockets: 2,
    smt: 2,
    smtShare: 0.6,
    coreTypes: [
      { name: 'big', count: 2, capacity: 1024, pstates: [{ freqHz: 2e9, voltV: 1 }] },
      { name: 'little', count: 4, capacity: 446, dynamicCoefficient: 100, staticW: 0.05 },
    ],
    caches: { lineBytes: 64, l1dBytes: 48 * 1024, l2Bytes: 2 * 1024 ** 2, llcBytes: 32 * 1024 ** 2 },
    latency: { l1Ns: 1, l2Ns: 4, llcNs: 12, modifiedLineNs: 25, remoteCacheNs: 70, memoryParallelism: 6 },
    memory: { localNs: 60, remoteNs: 100 },
    numa: {
      distances: [
        [10, 20],
        [20, 10],
      ],
    },
    contextSwitchNs: 5000,
    migration: { fixedNs: 2000, stateBytes: 16 * 1024, interconnectBytesPerS: 1e10 },
    power: { staticW: 0.2 },
  });
  const m = resolveMachine(config);
  assert.equal(m.cpuCount, 2 * 6 * 2);
  assert.equal(m.l1dBytes, 48 * 1024);
  assert.equal(m.interconnectBytesPerS, 1e10);
  assert.deepEqual(
    m.power?.types.map((t) => t.staticW),
    [0.2, 0.05],
    'the little type has its own static power',
  );
});

test('power, thermal, DVFS and event keys map to the simulator names and the simulator accepts them', () => {
  const text =
    '```machine\nname: hot\nsockets: 1\ncoresPerSocket: 2\n' +
    'power: { dynamicCoefficient: 436, static: 0.3W, staticPerKelvin: 0.005, dramAccess: 15nJ, stallActivity: 20%,\n' +
    '  idleStates: [ { name: C1, power: 50%, exit: 2us, breakEven: 100us }, { name: C6, power: 0, exit: 150us, breakEven: 10ms } ] }\n' +
    'thermal: { ambient: 40C, resistance: 3K/W, capacitance: 0.02J/K, throttle: 80C, hysteresis: 3C }\n' +
    'governor: userspace\n' +
    'dvfs: { domain: cluster, sampling: 4ms, switchLatency: 40us, frequency: 2.4GHz, upThreshold: 90% }\n' +
    'events:\n  - { at: 1s, cpu: 1, event: fail, checkpoint: 10ms }\n  - { at: 2s, cpu: 0, event: maintenance, duration: 500ms }\n```\n';
  const lab = resolveLab(parseLab(text));
  assert.deepEqual([...lab.diagnostics], []);
  const config = lab.machines.get('hot')!.config;
  assert.deepEqual(config, {
    name: 'hot',
    sockets: 1,
    coresPerSocket: 2,
    power: {
      dynamicCoefficient: 436,
      staticW: 0.3,
      staticPerK: 0.005,
      // 15nJ is exactly 15e-9 J (units scale decimally, never through a rounding multiplication).
      dramAccessJ: 15e-9,
      stallActivity: 0.2,
      idleStates: [
        { name: 'C1', powerFraction: 0.5, exitNs: 2000, breakEvenNs: 100_000 },
        { name: 'C6', powerFraction: 0, exitNs: 150_000, breakEvenNs: 10_000_000 },
      ],
    },
    thermal: { ambientC: 40, resistanceKPerW: 3, capacitanceJPerK: 0.02, throttleC: 80, hysteresisC: 3 },
    governor: 'userspace',
    dvfs: { domain: 'cluster', samplingNs: 4e6, switchLatencyNs: 40_000, frequencyHz: 2.4e9, upThreshold: 0.9 },
    events: [
      { atNs: 1e9, cpu: 1, kind: 'fail', checkpointNs: 1e7 },
      { atNs: 2e9, cpu: 0, kind: 'maintenance', durationNs: 5e8 },
    ],
  });
  const m = resolveMachine(config);
  assert.equal(m.power?.dramAccessJ, 15e-9);
  assert.equal(m.thermal?.throttleC, 80);
  assert.equal(m.dvfs.governor, 'userspace');
  assert.deepEqual(
    m.events.map((e) => [e.kind, e.cpu, e.endNs]),
    [
      ['fail', 1, Infinity],
      ['maintenance', 0, 2.5e9],
    ],
  );
});

test("the simulator's checks of power, thermal and events land on the offending value", () => {
  const text = (machine: string) => `\`\`\`machine\nname: m\nsockets: 1\ncoresPerSocket: 2\n${machine}\n\`\`\`\n`;
  const messageAt = (machine: string) => {
    const diagnostics = [...resolveLab(parseLab(text(machine))).diagnostics.values()]
      .flat()
      .filter((d) => d.severity === 'error');
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
    return [diagnostics[0]!.message, diagnostics[0]!.range.start.line];
  };
  const [cpu, cpuLine] = messageAt('events:\n  - { at: 1s, cpu: 7, event: fail }');
  assert.match(String(cpu), /CPU 7 does not exist/);
  assert.equal(cpuLine, 4, 'the line of the event in the cell body');
  const [trip] = messageAt('thermal: { ambient: 45C, throttle: 40C }');
  assert.match(String(trip), /trip point \(40 C\) must be above the ambient temperature \(45 C\)/);
  // A window of no length is refused by the key's own bound (the simulator's spec), at the value.
  const [window, windowLine] = messageAt('events:\n  - { at: 1s, cpu: 0, event: maintenance, duration: 0s }');
  assert.match(String(window), /"duration" must be greater than 0ns/);
  assert.equal(windowLine, 4);
  const [volt] = messageAt('pstates: [ { freq: 1GHz, volt: 0V } ]');
  assert.match(String(volt), /volt/);
});

test('every workload field maps to the simulator name and the simulator accepts it', () => {
  const text =
    MACHINE +
    '```workload\nname: all\nprocesses:\n' +
    '  - { name: io, count: 3, arrival: every 10ms, demand: uniform 1ms 3ms, phases: { compute: exp 1ms, sleep: 2ms }, deadline: 50ms,\n' +
    '      workingSet: 1MiB, dirty: 0.25, memoryIntensity: 0.02, weight: 2048, priority: 3, affinity: [0, 1], homeNode: 1 }\n' +
    '  - { name: rt, count: 2, periodic: { period: 10ms, wcet: 2ms, deadline: 8ms, offset: 1ms } }\n' +
    '  - { name: set, uunifast: { n: 5, utilization: 1.5, period: [10ms, 100ms] } }\n' +
    '  - { name: traced, arrival: [0ms, 5ms, { at: 12ms, demand: 3ms }], demand: lognormal 4ms 1.5 }\n' +
    '```\n' +
    '```run\nname: r\nmachine: duo\nworkload: all\npolicy: pinned\nduration: 1s\n```\n';
  const lab = resolveLab(parseLab(text));
  assert.deepEqual([...lab.diagnostics], []);
  const groups = lab.workloads.get('all')!.config.groups;
  assert.deepEqual(groups, [
    {
      name: 'io',
      count: 3,
      arrival: { kind: 'fixed', atNs: 0, everyNs: 1e7 },
      demand: { kind: 'uniform', minNs: 1e6, maxNs: 3e6 },
      phases: { computeNs: { kind: 'exp', meanNs: 1e6 }, sleepNs: { kind: 'fixed', valueNs: 2e6 } },
      deadlineNs: 5e7,
      workingSetBytes: 1024 ** 2,
      dirtyFraction: 0.25,
      memoryIntensity: 0.02,
      weight: 2048,
      priority: 3,
      affinity: [0, 1],
      homeNode: 1,
    },
    { name: 'rt', count: 2, periodic: { periodNs: 1e7, wcetNs: 2e6, deadlineNs: 8e6, offsetNs: 1e6 } },
    { name: 'set', count: 5, taskSet: { utilization: 1.5, periodMinNs: 1e7, periodMaxNs: 1e8 } },
    {
      name: 'traced',
      arrival: { kind: 'trace', records: [{ atNs: 0 }, { atNs: 5e6 }, { atNs: 1.2e7, demandNs: 3e6 }] },
      demand: { kind: 'lognormal', meanNs: 4e6, cv: 1.5 },
    },
  ]);
  const resolved = resolveConfig(lab.runs[0].config);
  assert.ok(resolved.groups.length >= 4);
});
