// Random valid simulator configurations and a policy that migrates at random, shared by the
// property tests (not a test file itself).
import fc from 'fast-check';
import {
  POLICY_NAMES,
  REASONS,
  SCHEDULERS,
  type DistConfig,
  type PolicyFactory,
  type ProcessGroupConfig,
  type SimConfig,
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

export const configArb: fc.Arbitrary<SimConfig> = fc
  .record({
    sockets: fc.integer({ min: 1, max: 2 }),
    cores: fc.integer({ min: 1, max: 4 }),
    smt: fc.integer({ min: 1, max: 2 }),
  })
  .chain(({ sockets, cores, smt }) => {
    const cpuCount = sockets * cores * smt;
    return fc.record({
      machine: fc.record(
        {
          sockets: fc.constant(sockets),
          coresPerSocket: fc.constant(cores),
          smt: fc.constant(smt),
          capacity: fc.integer({ min: 200, max: 1024 }),
          contextSwitchNs: fc.integer({ min: 0, max: 20000 }),
          caches: fc.record({
            l2Bytes: fc.constantFrom(64 << 10, 256 << 10, 1 << 20),
            llcBytes: fc.constantFrom(1 << 20, 8 << 20),
          }),
        },
        { requiredKeys: ['sockets', 'coresPerSocket', 'smt'] },
      ),
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
