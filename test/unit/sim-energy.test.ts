/**
 * Power, energy and DVFS against closed forms (docs/model.md, "Energy and DVFS" and "Checked
 * against closed forms"): energy = power x time at a fixed operating point, idle-state energy
 * with transition costs, compute time scaling with frequency while memory stalls do not, and
 * governors saving energy on a half-idle machine.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulate, SimConfigError, type MachineConfig, type PolicyFactory, type SimConfig } from '../../src/sim/index';

const C = 436e-12; // W per Hz V^2 (436 uW/MHz/V^2)
const STATIC = 0.3;
const PSTATES = [
  { freqHz: 1.2e9, voltV: 0.8 },
  { freqHz: 2.4e9, voltV: 1.0 },
  { freqHz: 3.2e9, voltV: 1.2 },
];

/** One core, no overheads, no cache traffic: the run is exactly demand / speed. */
function oneCpu(extra: Partial<MachineConfig> = {}): MachineConfig {
  return {
    sockets: 1,
    coresPerSocket: 1,
    contextSwitchNs: 0,
    pstates: PSTATES,
    power: { dynamicCoefficient: 436, staticW: STATIC, idleStates: [] },
    ...extra,
  };
}

function config(machine: MachineConfig, groups: SimConfig['workload']['groups'], durationNs = 10e9): SimConfig {
  return {
    machine,
    workload: { groups },
    policy: { name: 'pinned' },
    scheduler: { kind: 'fcfs' },
    durationNs,
    seed: 3,
  };
}

const computeBound = (demandNs: number) => ({
  name: 'cpu',
  count: 1,
  demand: { kind: 'fixed' as const, valueNs: demandNs },
  workingSetBytes: 0,
});

function close(actual: number, expected: number, rel: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
}

test('energy = power x time at a fixed operating point (userspace 2.4 GHz)', () => {
  const r = simulate(config(oneCpu({ governor: 'userspace', dvfs: { frequencyHz: 2.4e9 } }), [computeBound(100e6)]));
  const seconds = Math.ceil((100e6 * 3.2) / 2.4) / 1e9;
  close(r.summary.makespanS, seconds, 1e-12, 'run time scales with 3.2/2.4');
  const power = C * 1.0 * 1.0 * 2.4e9 + STATIC;
  close(r.summary.energyJ!, power * seconds, 1e-9, 'energy');
  close(r.summary.energyByCpuJ![0]!, power * seconds, 1e-9, 'energy of CPU 0');
  assert.equal(r.summary.dramEnergyJ, 0);
  close(r.processes[0]!.energyJ!, power * seconds, 1e-9, 'the process is charged what its CPU used while it ran');
  close(r.summary.edpJs!, power * seconds * seconds, 1e-9, 'EDP = energy x makespan');
  // Every bin of the power series shows that power, and the frequency series the P-state.
  const cpu = r.series.cpus[0]!;
  for (const w of cpu.powerW!) close(w, power, 1e-9, 'power series');
  for (const f of cpu.frequencyHz!) close(f, 2.4e9, 1e-9, 'frequency series');
  assert.deepEqual(r.series.frequency, { governor: 'userspace', minHz: 1.2e9, maxHz: 3.2e9 });
});

test('an idle core draws static power; idle states cut it and charge break-even x power saved per stay', () => {
  // Ten 1 ms bursts with 20 ms sleeps between: 9 idle stays of 20 ms on the one CPU.
  const phased = {
    name: 'io',
    count: 1,
    demand: { kind: 'fixed' as const, valueNs: 10e6 },
    workingSetBytes: 0,
    phases: { computeNs: { kind: 'fixed' as const, valueNs: 1e6 }, sleepNs: { kind: 'fixed' as const, valueNs: 20e6 } },
  };
  const busyPower = C * 1.44 * 3.2e9 + STATIC;
  const flat = simulate(config(oneCpu(), [phased])).summary;
  close(flat.makespanS, 0.19, 1e-12, 'ten bursts and nine sleeps');
  close(flat.energyJ!, 0.01 * busyPower + 0.18 * STATIC, 1e-9, 'idle at full static power without idle states');

  const state = { name: 'C3', powerFraction: 0.2, exitNs: 0, breakEvenNs: 1e6 };
  const deep = simulate(config(oneCpu({ power: { staticW: STATIC, idleStates: [state] } }), [phased])).summary;
  close(deep.makespanS, 0.19, 1e-12, 'no exit latency, same timing');
  const expected = 0.01 * busyPower + 0.18 * 0.2 * STATIC + 9 * 1e-3 * 0.8 * STATIC;
  close(deep.energyJ!, expected, 1e-9, 'idle-state energy with transitions');
  assert.ok(deep.energyJ! < flat.energyJ!);
});

test('leaving an idle state costs its exit latency on every wake-up', () => {
  const phased = {
    name: 'io',
    count: 1,
    demand: { kind: 'fixed' as const, valueNs: 10e6 },
    workingSetBytes: 0,
    phases: { computeNs: { kind: 'fixed' as const, valueNs: 1e6 }, sleepNs: { kind: 'fixed' as const, valueNs: 20e6 } },
  };
  const none = simulate(config(oneCpu(), [phased]));
  // Default idle states: a 20 ms stay picks the deepest (break-even 10 ms, exit 150 us).
  const deep = simulate(config(oneCpu({ power: { staticW: STATIC } }), [phased]));
  close(deep.processes[0]!.runS - none.processes[0]!.runS, 9 * 150e-6, 1e-9, 'nine wake-ups from C6');
  assert.ok(deep.summary.energyJ! < none.summary.energyJ!, 'the deep state saves more than its exits cost here');
});

test('halving the frequency doubles compute time and leaves memory stalls unchanged', () => {
  const pstates = [
    { freqHz: 1.6e9, voltV: 0.9 },
    { freqHz: 3.2e9, voltV: 1.2 },
  ];
  const machine = (governor: 'performance' | 'powersave'): MachineConfig => ({
    ...oneCpu({ pstates, governor }),
    caches: { l2Bytes: 256 * 1024, llcBytes: 1024 * 1024 },
  });
  const fullCompute = simulate(config(machine('performance'), [computeBound(50e6)])).summary;
  const halfCompute = simulate(config(machine('powersave'), [computeBound(50e6)])).summary;
  close(halfCompute.makespanS, 2 * fullCompute.makespanS, 1e-9, 'compute-bound run time doubles');

  const memory = {
    name: 'mem',
    count: 1,
    demand: { kind: 'fixed' as const, valueNs: 50e6 },
    workingSetBytes: 64 * 1024 * 1024,
    memoryIntensity: 0.05,
  };
  const full = simulate(config(machine('performance'), [memory])).summary;
  const half = simulate(config(machine('powersave'), [memory])).summary;
  assert.ok(
    full.stallS > 0.3 * full.makespanS,
    `memory-bound: a large share of stalls (${full.stallS} of ${full.makespanS})`,
  );
  close(half.stallS, full.stallS, 1e-9, 'stall time does not depend on frequency');
  close(half.makespanS - full.makespanS, 0.05, 1e-6, 'only the 50 ms of compute doubles');
  close(half.cacheMisses, full.cacheMisses, 1e-9, 'same misses');
  assert.ok(full.dramEnergyJ! > 0, 'DRAM lines cost energy');
  close(half.dramEnergyJ!, full.dramEnergyJ!, 1e-9, 'DRAM energy follows the misses, not the clock');
});

test('DRAM energy is misses from DRAM x energy per access', () => {
  const memory = {
    name: 'mem',
    count: 1,
    demand: { kind: 'fixed' as const, valueNs: 20e6 },
    workingSetBytes: 64 * 1024 * 1024,
    memoryIntensity: 0.05,
  };
  const machine = (j: number): MachineConfig => ({
    ...oneCpu(),
    power: { idleStates: [], dramAccessJ: j },
    caches: { llcBytes: 1024 * 1024 },
  });
  const a = simulate(config(machine(10e-9), [memory])).summary;
  const b = simulate(config(machine(30e-9), [memory])).summary;
  close(b.dramEnergyJ!, 3 * a.dramEnergyJ!, 1e-9, 'proportional to the energy per access');
  close(b.energyJ! - b.dramEnergyJ!, a.energyJ! - a.dramEnergyJ!, 1e-9, 'core energy unchanged');
  // A 64 MiB working set with a 1 MiB LLC: almost every capacity miss goes to DRAM.
  assert.ok(a.dramEnergyJ! / 10e-9 > 0.9 * a.cacheMissesByCause.capacity, `${a.dramEnergyJ! / 10e-9} DRAM lines`);
  assert.ok(a.dramEnergyJ! / 10e-9 <= a.cacheMisses + 1);
});

/** Four cores, Poisson work at about half their capacity at the highest P-state. */
function halfIdle(governor: 'performance' | 'schedutil' | 'ondemand'): SimConfig {
  return {
    machine: { sockets: 1, coresPerSocket: 4, pstates: PSTATES, power: {}, governor },
    workload: {
      groups: [
        {
          name: 'web',
          arrival: { kind: 'poisson', ratePerS: 400 },
          demand: { kind: 'exp', meanNs: 5e6 },
          workingSetBytes: 32 * 1024,
        },
      ],
    },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fair' },
    durationNs: 5e9,
    seed: 7,
  };
}

test('schedutil on a half-idle machine uses measurably less energy than performance', () => {
  const perf = simulate(halfIdle('performance'));
  const sched = simulate(halfIdle('schedutil'));
  const ondemand = simulate(halfIdle('ondemand'));
  assert.equal(perf.summary.arrived, sched.summary.arrived, 'same arrivals (common random numbers)');
  assert.ok(sched.summary.unfinished < 10 && perf.summary.unfinished < 10, 'both keep up');
  assert.ok(
    sched.summary.energyJ! < 0.9 * perf.summary.energyJ!,
    `schedutil ${sched.summary.energyJ} J vs performance ${perf.summary.energyJ} J`,
  );
  assert.ok(ondemand.summary.energyJ! < perf.summary.energyJ!, `ondemand ${ondemand.summary.energyJ} J`);
  assert.ok(sched.summary.meanResponseS > perf.summary.meanResponseS, 'the saving is paid in response time');
  const meanFreq = (r: typeof perf) =>
    r.series.cpus.flatMap((c) => c.frequencyHz!).reduce((a, b) => a + b, 0) / (r.series.bins * 4);
  close(meanFreq(perf), 3.2e9, 1e-9, 'performance stays at the top');
  assert.ok(meanFreq(sched) < 2.8e9, `schedutil mean frequency ${meanFreq(sched)}`);
  // Energy is conserved between views: per CPU + DRAM = total; per-process shares never exceed it.
  for (const r of [perf, sched]) {
    const s = r.summary;
    close(s.energyByCpuJ!.reduce((a, b) => a + b, 0) + s.dramEnergyJ!, s.energyJ!, 1e-12, 'per-CPU sum');
    const byProcess = r.processes.reduce((a, p) => a + p.energyJ!, 0);
    assert.ok(
      byProcess > 0 && byProcess < s.energyJ!,
      "processes are charged their CPU time and DRAM traffic, idle power is nobody's",
    );
    const fromSeries = r.series.cpus.reduce(
      (a, c) =>
        a +
        c.powerW!.reduce(
          (x, w, b) => x + (w * Math.min(r.series.binNs, s.simulatedS * 1e9 - b * r.series.binNs)) / 1e9,
          0,
        ),
      0,
    );
    close(fromSeries, s.energyJ! - s.dramEnergyJ!, 1e-6, 'the power series integrates to the core energy');
  }
});

test('cluster domains share one frequency: the busiest CPU sets it', () => {
  const cfg = halfIdle('schedutil');
  cfg.machine = { ...cfg.machine, dvfs: { domain: 'cluster', switchLatencyNs: 0 } };
  const r = simulate(cfg);
  const [a, b] = [r.series.cpus[0]!.frequencyHz!, r.series.cpus[3]!.frequencyHz!];
  for (let i = 0; i < a.length; i++) close(a[i]!, b[i]!, 1e-9, `bin ${i}`);
  assert.ok(r.summary.energyJ! > 0);
});

test('without power: or thermal: nothing about energy is in the result', () => {
  const r = simulate({ ...halfIdle('performance'), machine: { sockets: 1, coresPerSocket: 4 }, durationNs: 0.2e9 });
  for (const key of [
    'energyJ',
    'energyByCpuJ',
    'dramEnergyJ',
    'edpJs',
    'peakTempC',
    'meanTempC',
    'throttledS',
    'failures',
    'evacuations',
    'lostWorkS',
  ]) {
    assert.ok(!(key in r.summary), key);
  }
  assert.ok(
    !('powerW' in r.series.cpus[0]!) && !('frequencyHz' in r.series.cpus[0]!) && !('temperatureC' in r.series.cpus[0]!),
  );
  assert.ok(!('energyJ' in r.processes[0]!));
  assert.equal(r.series.thermal, undefined);
});

test('invalid power and DVFS settings name the field', () => {
  const bad = (machine: unknown, path: string, pattern: RegExp) => {
    assert.throws(
      () => simulate({ ...config(oneCpu(), [computeBound(1e6)]), machine: machine as MachineConfig }),
      (e: unknown) => e instanceof SimConfigError && e.path === path && pattern.test(e.message),
      path,
    );
  };
  bad({ pstates: [{ freqHz: 1e9, voltV: 0 }] }, 'machine.pstates[0].voltV', /greater than 0/);
  bad({ power: { staticW: -1 } }, 'machine.power.staticW', /at least 0/);
  bad(
    { power: { idleStates: [{ powerFraction: 2, exitNs: 0, breakEvenNs: 0 }] } },
    'machine.power.idleStates[0].powerFraction',
    /at most 1/,
  );
  bad({ power: { staticPerK: 0.01 } }, 'machine.power.staticPerK', /thermal model/);
  bad({ governor: 'turbo' }, 'machine.governor', /one of performance, powersave/);
  bad({ governor: 'userspace' }, 'machine.dvfs.frequencyHz', /needs a frequency/);
  bad({ governor: 'userspace', dvfs: { frequencyHz: 5e9 } }, 'machine.dvfs.frequencyHz', /above the highest P-state/);
  bad({ dvfs: { frequencyHz: 2e9 } }, 'machine.dvfs.frequencyHz', /only the userspace governor/);
  bad({ dvfs: { domain: 'socket' } }, 'machine.dvfs.domain', /core, cluster/);
});

test('a governor without a power model still reports the frequency series (and no energy)', () => {
  const cfg = halfIdle('schedutil');
  cfg.machine = { sockets: 1, coresPerSocket: 4, pstates: PSTATES, governor: 'schedutil' };
  const r = simulate(cfg);
  assert.equal(r.summary.energyJ, undefined);
  assert.ok(!('powerW' in r.series.cpus[0]!));
  const freqs = r.series.cpus.flatMap((c) => c.frequencyHz!);
  assert.ok(
    freqs.some((f) => f < 3.2e9 - 1) && freqs.every((f) => f >= 1.2e9 - 1 && f <= 3.2e9 + 1),
    'between the lowest and highest P-state, and below the top at times',
  );
  assert.deepEqual(r.series.frequency, { governor: 'schedutil', minHz: 1.2e9, maxHz: 3.2e9 });
  // Same frequency decisions as with power on: energy accounting does not change the run.
  const withPower = simulate({ ...cfg, machine: { ...cfg.machine, power: { idleStates: [] } } });
  assert.deepEqual(
    withPower.series.cpus.map((c) => c.frequencyHz),
    r.series.cpus.map((c) => c.frequencyHz),
  );
  assert.equal(withPower.summary.meanResponseS, r.summary.meanResponseS);
});

test('policies see the operating point: frequency, capacity and busy power of each CPU', () => {
  const seen: number[][] = [];
  const watcher: PolicyFactory = () => ({
    name: 'watcher',
    place: () => 0,
    balanceIntervalNs: 10e6,
    balance(view) {
      seen.push([
        view.frequencyHz(0),
        view.capacity(0),
        view.busyPowerW(0),
        view.busyPowerW(0, 2),
        view.temperatureC(0),
      ]);
    },
  });
  simulate(config(oneCpu({ governor: 'userspace', dvfs: { frequencyHz: 2.4e9 } }), [computeBound(30e6)]), {
    policy: watcher,
  });
  assert.ok(seen.length >= 3);
  const [f, capacity, busy, busyTop, temp] = seen[0]!;
  assert.equal(f, 2.4e9);
  assert.equal(capacity, 1024 * 0.75);
  close(busy!, C * 2.4e9 + STATIC, 1e-12, 'busy power at the current P-state');
  close(busyTop!, C * 1.44 * 3.2e9 + STATIC, 1e-12, 'busy power at the top P-state');
  assert.equal(temp, 45, 'no thermal model: the ambient temperature');
});

test('each core type has its own power figures (big and little)', () => {
  const machine: MachineConfig = {
    sockets: 1,
    contextSwitchNs: 0,
    coreTypes: [
      {
        name: 'little',
        count: 1,
        capacity: 512,
        pstates: [{ freqHz: 1.4e9, voltV: 1.0 }],
        dynamicCoefficient: 100,
        staticW: 0.05,
      },
      { name: 'big', count: 1, capacity: 1024, pstates: [{ freqHz: 1.8e9, voltV: 1.2 }] },
    ],
    power: { dynamicCoefficient: 436, staticW: 0.2, idleStates: [] },
  };
  const runOn = (cpu: number) => {
    const pin: PolicyFactory = () => ({ name: 'pin', place: () => cpu });
    return simulate(config(machine, [computeBound(20e6)]), { policy: pin }).summary;
  };
  const little = runOn(0);
  const big = runOn(1);
  close(little.makespanS, 0.04, 1e-9, 'half the capacity: twice the time');
  close(big.makespanS, 0.02, 1e-9, 'reference speed');
  close(little.energyByCpuJ![0]!, (100e-12 * 1.4e9 + 0.05) * 0.04, 1e-9, 'little core at its own figures');
  close(little.energyByCpuJ![1]!, 0.2 * 0.04, 1e-9, 'idle big core at the machine static power');
  close(big.energyByCpuJ![1]!, (436e-12 * 1.44 * 1.8e9 + 0.2) * 0.02, 1e-9, 'big core at the machine figures');
  assert.ok(little.energyJ! < big.energyJ!, 'the little core does the same work for less energy');
  // Without a power model the figures are unused: no energy, same timing.
  const plain = simulate(config({ ...machine, power: undefined }, [computeBound(20e6)]), {
    policy: () => ({ name: 'pin', place: () => 0 }),
  }).summary;
  assert.equal(plain.energyJ, undefined);
  assert.equal(plain.makespanS, little.makespanS);
});

test('the phone-4+4 preset carries little (Cortex-A53) and big (Cortex-A72) power figures', () => {
  const r = simulate({ ...config({ preset: 'phone-4+4', power: {} }, [computeBound(1e6)]), durationNs: 1e6 });
  assert.ok(r.summary.energyJ! > 0);
  const pin =
    (cpu: number): PolicyFactory =>
    () => ({ name: 'pin', place: () => cpu });
  const onLittle = simulate(config({ preset: 'phone-4+4', power: { idleStates: [] } }, [computeBound(10e6)]), {
    policy: pin(0),
  });
  const onBig = simulate(config({ preset: 'phone-4+4', power: { idleStates: [] } }, [computeBound(10e6)]), {
    policy: pin(4),
  });
  assert.ok(onLittle.summary.makespanS > 2 * onBig.summary.makespanS, 'little is slower');
  assert.ok(onLittle.summary.energyByCpuJ![0]! < onBig.summary.energyByCpuJ![4]!, 'and spends less on the work');
});
