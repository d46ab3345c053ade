/**
 * Property tests with power, heat, governors and machine events switched on together, over
 * random machines (sockets, cores, SMT), workloads, disciplines and policies: no process is
 * lost, nothing runs on a CPU while it is failed or in maintenance, a CPU never runs two
 * processes, energy adds up across its views and never decreases the wrong way, temperature
 * stays between ambient and the trip point (or the lowest P-state's steady temperature), and
 * the run is deterministic.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  GOVERNORS,
  POLICY_NAMES,
  simulate,
  type MachineConfig,
  type MachineEventConfig,
  type SimConfig,
  type TraceKind,
} from '../../src/sim/index';

const POLICIES = POLICY_NAMES.filter((p) => p !== 'partitioned-edf' && p !== 'global-edf');

const config: fc.Arbitrary<SimConfig> = fc
  .record({
    sockets: fc.integer({ min: 1, max: 2 }),
    cores: fc.integer({ min: 1, max: 4 }),
    smt: fc.integer({ min: 1, max: 2 }),
  })
  .chain(({ sockets, cores, smt }) => {
    const cpus = sockets * cores * smt;
    const event: fc.Arbitrary<MachineEventConfig> = fc.oneof(
      fc.record(
        {
          kind: fc.constant('fail' as const),
          atNs: fc.integer({ min: 0, max: 60e6 }),
          cpu: fc.integer({ min: 0, max: cpus - 1 }),
          checkpointNs: fc.integer({ min: 1e5, max: 2e7 }),
        },
        { requiredKeys: ['kind', 'atNs', 'cpu'] },
      ),
      fc.record(
        {
          kind: fc.constant('maintenance' as const),
          atNs: fc.integer({ min: 0, max: 60e6 }),
          cpu: fc.integer({ min: 0, max: cpus - 1 }),
          durationNs: fc.integer({ min: 1, max: 50e6 }),
        },
        { requiredKeys: ['kind', 'atNs', 'cpu'] },
      ),
    );
    const machine: fc.Arbitrary<MachineConfig> = fc.record(
      {
        sockets: fc.constant(sockets),
        coresPerSocket: fc.constant(cores),
        smt: fc.constant(smt),
        power: fc.record({ staticPerK: fc.constantFrom(0, 0.01) }),
        thermal: fc.record({
          resistanceKPerW: fc.constantFrom(2, 20),
          capacitanceJPerK: fc.constantFrom(0.001, 0.05),
          throttleC: fc.constantFrom(60, 85),
        }),
        governor: fc.constantFrom(...GOVERNORS.filter((g) => g !== 'userspace')),
        dvfs: fc.record({
          domain: fc.constantFrom('core' as const, 'cluster' as const),
          samplingNs: fc.constantFrom(1e6, 4e6),
          switchLatencyNs: fc.constantFrom(0, 40_000),
        }),
        // Fail at most all but one CPU, so there is somewhere to go.
        events: fc.array(event, { maxLength: 4 }).map((evs) => {
          const failed = new Set<number>();
          return evs.filter(
            (e) => e.kind !== 'fail' || (failed.size < cpus - 1 && !failed.has(e.cpu) && failed.add(e.cpu)),
          );
        }),
      },
      { requiredKeys: ['sockets', 'coresPerSocket', 'smt', 'events', 'power', 'thermal'] },
    );
    return fc.record({
      machine,
      workload: fc.record({
        groups: fc.tuple(
          fc.record({
            name: fc.constant('batch'),
            count: fc.integer({ min: 1, max: 30 }),
            demand: fc.record({ kind: fc.constant('exp' as const), meanNs: fc.integer({ min: 1e5, max: 5e6 }) }),
            workingSetBytes: fc.integer({ min: 0, max: 2 << 20 }),
            memoryIntensity: fc.double({ min: 0, max: 0.1, noNaN: true }),
          }),
          fc.record({
            name: fc.constant('io'),
            count: fc.integer({ min: 0, max: 10 }),
            arrival: fc.record({ kind: fc.constant('poisson' as const), ratePerS: fc.integer({ min: 50, max: 2000 }) }),
            demand: fc.record({ kind: fc.constant('fixed' as const), valueNs: fc.integer({ min: 1e5, max: 3e6 }) }),
            phases: fc.record({
              computeNs: fc.record({
                kind: fc.constant('fixed' as const),
                valueNs: fc.integer({ min: 1e4, max: 1e6 }),
              }),
              sleepNs: fc.record({ kind: fc.constant('exp' as const), meanNs: fc.integer({ min: 1e4, max: 5e6 }) }),
            }),
          }),
        ),
      }),
      policy: fc.record({ name: fc.constantFrom(...POLICIES) }),
      scheduler: fc.record({ kind: fc.constantFrom('fair' as const, 'fcfs' as const, 'rr' as const) }),
      durationNs: fc.constant(0.3e9),
      seed: fc.integer({ min: 0, max: 1000 }),
    }) as fc.Arbitrary<SimConfig>;
  });

/** Per CPU, the intervals [from, to) during which it is out of service. */
function outages(cfg: SimConfig): Map<number, Array<[number, number]>> {
  const out = new Map<number, Array<[number, number]>>();
  for (const e of cfg.machine.events ?? []) {
    const end = e.kind === 'maintenance' && e.durationNs !== undefined ? e.atNs + e.durationNs : Infinity;
    out.set(e.cpu, [...(out.get(e.cpu) ?? []), [e.atNs, end]]);
  }
  return out;
}

test('power, heat, governors and machine events together keep every invariant', () => {
  fc.assert(
    fc.property(config, (cfg) => {
      const trace: Array<[TraceKind, number, number, number]> = [];
      const r = simulate(cfg, { trace: (kind, t, pid, cpu) => trace.push([kind, t, pid, cpu]) });
      const s = r.summary;
      assert.equal(s.arrived, s.completed + s.unfinished, 'no process lost or duplicated');
      assert.equal(r.processes.length, s.completed + s.unfinished);
      // Nothing starts on a CPU while it is out, and a CPU runs one process at a time.
      const out = outages(cfg);
      const runningOn = new Map<number, number>();
      for (const [kind, t, pid, cpu] of trace) {
        if (kind === 'dispatch') {
          for (const [from, to] of out.get(cpu) ?? [])
            assert.ok(
              !(t >= from && t < to),
              `dispatch of ${pid} on CPU ${cpu} at ${t} inside an outage [${from}, ${to})`,
            );
          assert.ok(!runningOn.has(cpu), `CPU ${cpu} runs two processes at ${t}`);
          runningOn.set(cpu, pid);
        } else if (kind === 'stop') runningOn.delete(cpu);
      }
      // Energy: the views agree and nothing is negative.
      assert.ok(s.energyJ! > 0);
      assert.ok(s.energyByCpuJ!.every((e) => e >= 0));
      assert.ok(
        Math.abs(s.energyByCpuJ!.reduce((a, b) => a + b, 0) + s.dramEnergyJ! - s.energyJ!) <= 1e-9 * s.energyJ!,
      );
      const byProcess = r.processes.reduce((a, p) => a + p.energyJ!, 0);
      assert.ok(byProcess <= s.energyJ! * (1 + 1e-9), `processes ${byProcess} J of ${s.energyJ} J`);
      // Temperature: between ambient and the trip point, unless even the lowest P-state is too hot
      // (then the core runs there and may exceed it). With 20 K/W the lowest P-state of the
      // default table (1.2 GHz, 0.8 V: 0.64 W with static) settles 12.8 K above ambient.
      const th = r.series.thermal!;
      assert.ok(
        s.peakTempC! >= th.ambientC - 1e-9 && s.meanTempC! >= th.ambientC - 1e-9 && s.meanTempC! <= s.peakTempC! + 1e-9,
      );
      const lowestSteady =
        th.ambientC + (cfg.machine.thermal!.resistanceKPerW ?? 2) * (0.436e-9 * 0.64 * 1.2e9 + 0.3) * (1 + 0.5);
      assert.ok(s.peakTempC! <= Math.max(th.tripC + 0.01, lowestSteady), `peak ${s.peakTempC} with trip ${th.tripC}`);
      const failures = (cfg.machine.events ?? []).filter(
        (e) => e.kind === 'fail' && e.atNs < s.simulatedS * 1e9,
      ).length;
      if ((cfg.machine.events ?? []).length > 0) {
        assert.equal(s.failures, failures);
        assert.equal(s.evacuations, s.migrationsByReason.fault + s.migrationsByReason.maintenance);
        assert.ok(s.lostWorkS! >= 0);
      }
      // Deterministic.
      assert.equal(simulate(cfg).digest, r.digest);
    }),
    { numRuns: 120, seed: 20261123 },
  );
});
