// Random valid simulator configurations and a policy that migrates at random, shared by the
// property tests (not a test file itself).
import fc from 'fast-check';
import {
  GOVERNORS,
  POLICY_NAMES,
  REASONS,
  SCHEDULERS,
  type DistConfig,
  type DvfsConfig,
  type IdleStateConfig,
  type MachineConfig,
  type MachineEventConfig,
  type PolicyFactory,
  type PowerConfig,
  type ProcessGroupConfig,
  type PStateConfig,
  type SimConfig,
  type ThermalConfig,
} from '../../src/sim/index';

const dist: fc.Arbitrary<DistConfig> = fc.oneof(
  fc.record({ kind: fc.constant('fixed' as const), valueNs: fc.integer({ min: 1, max: 5e6 }) }),
  fc.record({ kind: fc.constant('exp' as const), meanNs: fc.integer({ min: 1e3, max: 5e6 }) }),
  fc.integer({ min: 0, max: 2e6 }).chain((minNs) =>
    fc.record({
      kind: fc.constant('uniform' as const),
      minNs: fc.constant(minNs),
      maxNs: fc.integer({ min: minNs, max: minNs + 4e6 }),
    }),
  ),
  fc.record({
    kind: fc.constant('lognormal' as const),
    meanNs: fc.integer({ min: 1e3, max: 5e6 }),
    cv: fc.double({ min: 0, max: 3, noNaN: true }),
  }),
  fc.record({
    kind: fc.constant('pareto' as const),
    alpha: fc.double({ min: 0.5, max: 3, noNaN: true }),
    minNs: fc.integer({ min: 1e3, max: 1e5 }),
    maxNs: fc.integer({ min: 2e5, max: 2e7 }),
  }),
);

function group(cpuCount: number, sockets: number, index: number): fc.Arbitrary<ProcessGroupConfig> {
  const common = {
    workingSetBytes: fc.integer({ min: 0, max: 4 << 20 }),
    dirtyFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    memoryIntensity: fc.double({ min: 0, max: 0.5, noNaN: true }),
    weight: fc.integer({ min: 1, max: 88761 }),
    priority: fc.integer({ min: 0, max: 10 }),
    affinity: fc.uniqueArray(fc.integer({ min: 0, max: cpuCount - 1 }), { minLength: 1, maxLength: cpuCount }),
    homeNode: fc.integer({ min: 0, max: sockets - 1 }),
  };
  const name = fc.constant(`g${index}`);
  const regular = fc.record(
    {
      name,
      count: fc.integer({ min: 0, max: 40 }),
      arrival: fc.oneof(
        fc.record({
          kind: fc.constant('fixed' as const),
          atNs: fc.integer({ min: 0, max: 5e6 }),
          everyNs: fc.integer({ min: 0, max: 2e6 }),
        }),
        fc.record({ kind: fc.constant('poisson' as const), ratePerS: fc.integer({ min: 10, max: 20000 }) }),
      ),
      demand: dist,
      phases: fc.record({ computeNs: dist, sleepNs: dist }),
      deadlineNs: fc.integer({ min: 1e5, max: 5e7 }),
      ...common,
    },
    { requiredKeys: ['name', 'demand'] },
  );
  const open = fc.record(
    {
      name,
      arrival: fc.record({ kind: fc.constant('poisson' as const), ratePerS: fc.integer({ min: 10, max: 5000 }) }),
      demand: dist,
      ...common,
    },
    { requiredKeys: ['name', 'arrival', 'demand'] },
  );
  const trace = fc.record(
    {
      name,
      arrival: fc.record({
        kind: fc.constant('trace' as const),
        records: fc.array(
          fc.record(
            { atNs: fc.integer({ min: 0, max: 5e7 }), demandNs: fc.integer({ min: 1, max: 5e6 }) },
            { requiredKeys: ['atNs'] },
          ),
          { minLength: 1, maxLength: 30 },
        ),
      }),
      ...common,
    },
    { requiredKeys: ['name', 'arrival'] },
  );
  const periodic = fc.record(
    {
      name,
      count: fc.integer({ min: 1, max: 6 }),
      periodic: fc.integer({ min: 1e5, max: 2e7 }).chain((periodNs) =>
        fc.record({
          periodNs: fc.constant(periodNs),
          wcetNs: fc.integer({ min: 1, max: periodNs }),
          deadlineNs: fc.integer({ min: 1, max: 2 * periodNs }),
          offsetNs: fc.integer({ min: 0, max: 1e7 }),
        }),
      ),
      ...common,
    },
    { requiredKeys: ['name', 'periodic'] },
  );
  const taskSet = fc.record(
    {
      name,
      count: fc.integer({ min: 1, max: 10 }),
      taskSet: fc.record({
        utilization: fc.double({ min: 0.05, max: 2, noNaN: true }),
        periodMinNs: fc.constant(1e6),
        periodMaxNs: fc.constant(3e7),
      }),
      ...common,
    },
    { requiredKeys: ['name', 'count', 'taskSet'] },
  );
  return fc.oneof(regular, open, trace, periodic, taskSet) as fc.Arbitrary<ProcessGroupConfig>;
}

/** 1 to 4 P-states, voltage rising with frequency (0.4 to 4 GHz). */
const pstatesArb: fc.Arbitrary<PStateConfig[]> = fc
  .uniqueArray(fc.integer({ min: 4, max: 40 }), { minLength: 1, maxLength: 4 })
  .map((steps) =>
    [...steps].sort((a, b) => a - b).map((step) => ({ freqHz: step * 1e8, voltV: Math.round(500 + 20 * step) / 1000 })),
  );

const idleStateArb: fc.Arbitrary<IdleStateConfig> = fc.record({
  powerFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  exitNs: fc.integer({ min: 0, max: 200_000 }),
  breakEvenNs: fc.integer({ min: 0, max: 20_000_000 }),
});

const powerArb: fc.Arbitrary<PowerConfig> = fc.record(
  {
    dynamicCoefficient: fc.integer({ min: 50, max: 800 }),
    staticW: fc.double({ min: 0, max: 1, noNaN: true }),
    // None (idle cores keep their static power), or one to three states in any order.
    idleStates: fc.oneof(fc.constant<IdleStateConfig[]>([]), fc.array(idleStateArb, { minLength: 1, maxLength: 3 })),
    dramAccessJ: fc.double({ min: 0, max: 1e-7, noNaN: true }),
    stallActivity: fc.double({ min: 0, max: 1, noNaN: true }),
  },
  { requiredKeys: [] },
);

/**
 * Trip points from 0.5 K to 20 K above ambient and time constants from 50 us to 1.5 s, so runs of
 * tens of milliseconds throttle, cool and cross back (or have a crossing pending when they end).
 */
const thermalArb: fc.Arbitrary<ThermalConfig> = fc
  .record({
    ambientC: fc.integer({ min: -10, max: 60 }),
    tripK: fc.double({ min: 0.5, max: 20, noNaN: true }),
    // The simulator's least hysteresis (0.1 C) and 5 % to 90 % of the rest of the trip distance:
    // with a hysteresis near 0 the throttle chatters every nanosecond or two (a capped core cools
    // below the release point at once), millions of events in a run of milliseconds.
    hysteresis: fc.double({ min: 0.05, max: 0.9, noNaN: true }),
    resistanceKPerW: fc.double({ min: 0.5, max: 30, noNaN: true }),
    capacitanceJPerK: fc.double({ min: 1e-4, max: 0.05, noNaN: true }),
  })
  .map(({ ambientC, tripK, hysteresis, resistanceKPerW, capacitanceJPerK }) => ({
    ambientC,
    throttleC: ambientC + tripK,
    // Below the trip point's distance from ambient, as the simulator requires.
    hysteresisC: 0.1 + hysteresis * (tripK - 0.1),
    resistanceKPerW,
    capacitanceJPerK,
  }));

const dvfsArb: fc.Arbitrary<DvfsConfig> = fc.record(
  {
    domain: fc.constantFrom('core' as const, 'cluster' as const),
    // Governor ticks from every 100 us: many in a run of tens of milliseconds.
    samplingNs: fc.integer({ min: 100_000, max: 5_000_000 }),
    switchLatencyNs: fc.integer({ min: 0, max: 200_000 }),
    upThreshold: fc.double({ min: 0.05, max: 1, noNaN: true }),
  },
  { requiredKeys: [] },
);

/** Failures (some losing work since a checkpoint) and maintenance windows (some open to the end of the run). */
function eventArb(cpuCount: number): fc.Arbitrary<MachineEventConfig> {
  const at = fc.integer({ min: 0, max: 6e7 });
  const cpu = fc.integer({ min: 0, max: cpuCount - 1 });
  return fc.oneof(
    fc.record(
      { kind: fc.constant('fail' as const), atNs: at, cpu, checkpointNs: fc.integer({ min: 10_000, max: 1e7 }) },
      { requiredKeys: ['kind', 'atNs', 'cpu'] },
    ),
    fc.record(
      { kind: fc.constant('maintenance' as const), atNs: at, cpu, durationNs: fc.integer({ min: 1, max: 3e7 }) },
      { requiredKeys: ['kind', 'atNs', 'cpu'] },
    ),
  );
}

/**
 * A machine, with (each about half the time) its own P-states, a power model, a thermal model
 * (with leakage rising with temperature, short of runaway), a DVFS governor and its settings, and
 * machine events.
 */
function machineArb(sockets: number, cores: number, smt: number): fc.Arbitrary<MachineConfig> {
  const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { freq: 2, nil: undefined });
  return fc
    .record({
      base: fc.record(
        {
          capacity: fc.integer({ min: 200, max: 1024 }),
          contextSwitchNs: fc.integer({ min: 0, max: 20000 }),
          caches: fc.record({
            l2Bytes: fc.constantFrom(64 << 10, 256 << 10, 1 << 20),
            llcBytes: fc.constantFrom(1 << 20, 8 << 20),
          }),
        },
        { requiredKeys: [] },
      ),
      pstates: maybe(pstatesArb),
      power: maybe(powerArb),
      thermal: maybe(thermalArb),
      /** With a thermal model: staticPerK as a share of its runaway bound. */
      leakage: maybe(fc.double({ min: 0, max: 0.9, noNaN: true })),
      // The sampling governors (a timer each period) more often than the fixed ones.
      governor: maybe(
        fc.oneof(
          { arbitrary: fc.constantFrom('ondemand' as const, 'schedutil' as const), weight: 2 },
          { arbitrary: fc.constantFrom(...GOVERNORS), weight: 1 },
        ),
      ),
      /** userspace: where between the lowest and the highest P-state it asks for. */
      frequency: fc.double({ min: 0, max: 1, noNaN: true }),
      dvfs: maybe(dvfsArb),
      events: maybe(fc.array(eventArb(sockets * cores * smt), { minLength: 1, maxLength: 3 })),
    })
    .map(({ base, pstates, power, thermal, leakage, governor, frequency, dvfs, events }): MachineConfig => {
      const machine: MachineConfig = { sockets, coresPerSocket: cores, smt, ...base };
      if (pstates) machine.pstates = pstates;
      if (power) machine.power = power;
      if (thermal) {
        machine.thermal = thermal;
        if (leakage !== undefined) {
          // staticPerK x staticW x resistance stays below 1 (the simulator refuses runaway).
          const staticW = power?.staticW ?? 0.3;
          const bound = Math.min(0.1, 1 / (staticW * thermal.resistanceKPerW!));
          machine.power = { ...power, staticPerK: leakage * bound };
        }
      }
      if (governor) machine.governor = governor;
      if (governor === 'userspace') {
        const states = pstates ?? [{ freqHz: 1.2e9 }, { freqHz: 3.2e9 }];
        const low = states[0]!.freqHz;
        const high = states[states.length - 1]!.freqHz;
        machine.dvfs = { ...dvfs, frequencyHz: Math.min(high, low + frequency * (high - low)) };
      } else if (dvfs) machine.dvfs = dvfs;
      if (events) machine.events = events;
      return machine;
    });
}

export const configArb: fc.Arbitrary<SimConfig> = fc
  .record({
    sockets: fc.integer({ min: 1, max: 2 }),
    cores: fc.integer({ min: 1, max: 4 }),
    smt: fc.integer({ min: 1, max: 2 }),
  })
  .chain(({ sockets, cores, smt }) => {
    const cpuCount = sockets * cores * smt;
    return fc.record({
      machine: machineArb(sockets, cores, smt),
      workload: fc
        .integer({ min: 1, max: 3 })
        .chain((n) =>
          fc.tuple(...Array.from({ length: n }, (_, i) => group(cpuCount, sockets, i))).map((groups) => ({ groups })),
        ),
      policy: fc.record({ name: fc.constantFrom(...POLICY_NAMES, 'chaos') }),
      scheduler: fc.oneof(
        fc.record({ kind: fc.constantFrom(...SCHEDULERS) }),
        fc.record({
          kind: fc.constantFrom('rr' as const, 'fair' as const),
          quantumNs: fc.integer({ min: 1e4, max: 5e6 }),
        }),
      ),
      durationNs: fc.integer({ min: 1e6, max: 6e7 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 }),
      maxBins: fc.constantFrom(10, 100, 1000),
    });
  });

/** Moves things at random: from every state, with every reason, on balance, wake and idle. */
export const chaos: PolicyFactory = ({ rng }) => ({
  name: 'chaos',
  balanceIntervalNs: 300_000,
  place(view, h) {
    const n = view.machine.cpuCount;
    const start = rng.int(n);
    for (let k = 0; k < n; k++) if (view.isAllowed(h, (start + k) % n)) return (start + k) % n;
    return -1;
  },
  placeOnWake(view, h) {
    return this.place(view, h);
  },
  wakeReason: () => REASONS[rng.int(REASONS.length)]!,
  balance(view, act) {
    const n = view.machine.cpuCount;
    for (let cpu = 0; cpu < n; cpu++) {
      const victims = [view.running(cpu), ...view.queued(cpu)].filter((h) => h >= 0);
      for (const h of victims) {
        if (rng.next() < 0.3) act.migrate(h, rng.int(n), REASONS[rng.int(REASONS.length)]!);
      }
    }
  },
  onIdle(view, act, cpu) {
    const n = view.machine.cpuCount;
    for (let other = 0; other < n; other++) {
      for (const h of view.queued(other)) {
        if (view.isAllowed(h, cpu) && act.migrate(h, cpu, 'load-balance')) return;
      }
    }
  },
});

/** No group is an open stream (a Poisson arrival without a count): the run can run out of work. */
export function isClosed(config: SimConfig): boolean {
  return config.workload.groups.every(
    (g) =>
      g.count !== undefined || g.arrival?.kind !== 'poisson' || g.periodic !== undefined || g.taskSet !== undefined,
  );
}
