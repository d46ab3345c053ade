/**
 * CPU failures and maintenance windows (docs/model.md, "Faults and maintenance"): evacuation
 * under every policy (the policy's own choice, or the engine's when the policy does nothing),
 * lost work since the last checkpoint, no work on a CPU inside its maintenance window, and the
 * CPU's return.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  simulate,
  SimConfigError,
  type MachineConfig,
  type PolicyFactory,
  type SimConfig,
  type TraceKind,
} from '../../src/sim/index';

type Event = { kind: TraceKind; t: number; pid: number; cpu: number };

function traced(cfg: SimConfig, policy?: PolicyFactory) {
  const events: Event[] = [];
  const result = simulate(cfg, {
    trace: (kind, t, pid, cpu) => events.push({ kind, t, pid, cpu }),
    ...(policy ? { policy } : {}),
  });
  return { result, events };
}

/** Four CPUs, 40 processes of 50 ms, all arriving at once. */
function batch(
  policy: string,
  events: MachineConfig['events'],
  scheduler: SimConfig['scheduler'] = { kind: 'fair' },
): SimConfig {
  return {
    machine: { sockets: 1, coresPerSocket: 4, events },
    workload: { groups: [{ name: 'batch', count: 40, demand: { kind: 'fixed', valueNs: 50e6 } }] },
    policy: { name: policy },
    scheduler,
    durationNs: 10e9,
    seed: 5,
  };
}

/** Running on `cpu` after `t`? (a dispatch there, or a process still running there from before). */
function ranOnAfter(events: Event[], cpu: number, t: number, until = Infinity): boolean {
  const running = new Map<number, number>(); // cpu -> pid
  for (const e of events) {
    if (e.t > until) break;
    if (e.kind === 'dispatch') {
      if (e.cpu === cpu && e.t >= t) return true;
      running.set(e.cpu, e.pid);
    } else if (e.kind === 'stop' && running.get(e.cpu) === e.pid) running.delete(e.cpu);
    if (e.t >= t && running.has(cpu)) return true;
  }
  return false;
}

for (const policy of ['pinned', 'least-loaded', 'linux-cfs', 'work-stealing', 'global-queue']) {
  test(`${policy}: a failed CPU's processes all complete elsewhere, counts conserved`, () => {
    const { result, events } = traced(batch(policy, [{ kind: 'fail', atNs: 100e6, cpu: 1 }]));
    const s = result.summary;
    assert.equal(s.failures, 1);
    assert.equal(s.arrived, 40);
    assert.equal(s.completed, 40, 'nothing lost');
    assert.equal(s.unfinished, 0);
    assert.equal(result.processes.filter((p) => p.state === 'completed').length, 40);
    assert.ok(s.migrationsByReason.fault >= 1, `fault migrations ${s.migrationsByReason.fault}`);
    assert.equal(s.evacuations, s.migrationsByReason.fault + s.migrationsByReason.maintenance);
    assert.equal(s.lostWorkS, 0, 'no checkpoint interval: nothing to redo');
    assert.ok(!ranOnAfter(events, 1, 100e6), 'nothing runs on the failed CPU afterwards');
    // Every process that was on CPU 1 at the failure finished on another CPU.
    for (const row of result.processes)
      assert.notEqual(row.cpu === 1 && row.finishS !== null && row.finishS > 0.1, true, `pid ${row.pid}`);
  });
}

test('a policy that ignores machine events still has the failed CPU evacuated by the engine', () => {
  const lazy: PolicyFactory = () => ({ name: 'lazy', place: (_view, h) => h % 4 });
  const { result, events } = traced(batch('lazy', [{ kind: 'fail', atNs: 100e6, cpu: 2 }]), lazy);
  assert.equal(result.summary.completed, 40);
  assert.ok(result.summary.migrationsByReason.fault >= 10, 'the ten processes of CPU 2 moved');
  assert.ok(!ranOnAfter(events, 2, 100e6));
});

test('placements on a failed CPU go to a usable one instead', () => {
  const stubborn: PolicyFactory = () => ({ name: 'stubborn', place: () => 0 });
  const cfg = batch('stubborn', [{ kind: 'fail', atNs: 0, cpu: 0 }]);
  cfg.workload.groups[0]!.arrival = { kind: 'fixed', atNs: 1e6 };
  const { result, events } = traced(cfg, stubborn);
  assert.equal(result.summary.migrations, 0, 'redirected at placement, not migrated');
  assert.equal(result.summary.completed, 40);
  assert.ok(!ranOnAfter(events, 0, 0));
});

test('work since the last checkpoint is lost and done again', () => {
  const cfg: SimConfig = {
    machine: {
      sockets: 1,
      coresPerSocket: 2,
      contextSwitchNs: 0,
      events: [{ kind: 'fail', atNs: 25e6, cpu: 0, checkpointNs: 10e6 }],
    },
    workload: { groups: [{ name: 'job', count: 1, demand: { kind: 'fixed', valueNs: 100e6 }, workingSetBytes: 0 }] },
    policy: { name: 'pinned' },
    scheduler: { kind: 'fcfs' },
    durationNs: 1e9,
    seed: 1,
  };
  const r = simulate(cfg);
  // 25 ms done, checkpoints at 10 and 20 ms: 5 ms lost.
  assert.ok(Math.abs(r.summary.lostWorkS! - 0.005) < 1e-12, `lost ${r.summary.lostWorkS}`);
  assert.equal(r.summary.completed, 1);
  const migrationNs = r.migrations[0]!.stateCopyNs;
  assert.equal(r.migrations[0]!.reason, 'fault');
  assert.ok(Math.abs(r.summary.makespanS - (0.105 + migrationNs / 1e9)) < 1e-9, `makespan ${r.summary.makespanS}`);
  const without = simulate({ ...cfg, machine: { ...cfg.machine, events: [{ kind: 'fail', atNs: 25e6, cpu: 0 }] } });
  assert.ok(
    Math.abs(without.summary.makespanS - (0.1 + migrationNs / 1e9)) < 1e-9,
    'without checkpoints the work just moves',
  );
});

test('a maintenance window leaves the CPU with zero busy time inside it, and the CPU returns afterwards', () => {
  const cfg: SimConfig = {
    machine: {
      sockets: 1,
      coresPerSocket: 4,
      events: [{ kind: 'maintenance', atNs: 100e6, cpu: 2, durationNs: 300e6 }],
    },
    workload: {
      groups: [{ name: 'stream', arrival: { kind: 'poisson', ratePerS: 600 }, demand: { kind: 'exp', meanNs: 5e6 } }],
    },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fair' },
    durationNs: 1e9,
    seed: 9,
    maxBins: 100,
  };
  const { result, events } = traced(cfg);
  const s = result.summary;
  assert.ok(ranOnAfter(events, 2, 0, 100e6), 'CPU 2 worked before the window');
  assert.ok(!ranOnAfter(events, 2, 100e6, 400e6 - 1), 'and not inside it');
  assert.ok(ranOnAfter(events, 2, 400e6), 'and again after it');
  assert.ok(s.migrationsByReason.maintenance >= 1, 'its processes were drained');
  assert.equal(s.migrationsByReason.fault, 0);
  assert.equal(s.failures, 0);
  // The utilisation series agrees: every bin inside the window is empty on CPU 2.
  const { binNs } = result.series;
  const util = result.series.cpus[2]!.utilization;
  let inside = 0;
  util.forEach((u, b) => {
    if (b * binNs >= 100e6 && (b + 1) * binNs <= 400e6) {
      assert.equal(u, 0, `bin ${b}`);
      inside++;
    }
  });
  assert.ok(inside >= 15, `${inside} bins inside the window`);
  assert.equal(s.arrived, s.completed + s.unfinished, 'counts conserved');
});

test('overlapping maintenance windows keep the CPU out until the last one ends', () => {
  // Work stealing: CPU 0 pulls work again once it is back.
  const cfg = batch('work-stealing', [
    { kind: 'maintenance', atNs: 10e6, cpu: 0, durationNs: 20e6 },
    { kind: 'maintenance', atNs: 20e6, cpu: 0, durationNs: 40e6 },
  ]);
  const { result, events } = traced(cfg);
  assert.ok(!ranOnAfter(events, 0, 10e6, 60e6 - 1), 'out from 10 ms to 60 ms');
  assert.ok(ranOnAfter(events, 0, 60e6), 'back at 60 ms');
  assert.equal(result.summary.completed, 40);
});

test('with every CPU out, arrivals wait and run when one comes back', () => {
  const cfg: SimConfig = {
    machine: {
      sockets: 1,
      coresPerSocket: 2,
      events: [
        { kind: 'maintenance', atNs: 0, cpu: 0, durationNs: 50e6 },
        { kind: 'fail', atNs: 0, cpu: 1 },
      ],
    },
    workload: {
      groups: [
        {
          name: 'job',
          count: 3,
          arrival: { kind: 'fixed', atNs: 1e6, everyNs: 1e6 },
          demand: { kind: 'fixed', valueNs: 5e6 },
        },
      ],
    },
    policy: { name: 'pinned' },
    scheduler: { kind: 'fcfs' },
    durationNs: 1e9,
    seed: 1,
  };
  const { result, events } = traced(cfg);
  assert.equal(result.summary.completed, 3);
  const first = events.find((e) => e.kind === 'dispatch')!;
  assert.deepEqual([first.t, first.cpu], [50e6, 0], 'nothing runs before CPU 0 returns at 50 ms');
  assert.ok(!ranOnAfter(events, 1, 0));
});

test('machine events are told to the policy: offline with a cause, online when a window ends', () => {
  const seen: string[] = [];
  const watcher: PolicyFactory = () => ({
    name: 'watcher',
    place: (view, h) => (view.online(h % 4) ? h % 4 : 3),
    onCpuEvent(view, _act, ev) {
      seen.push(
        `${view.nowNs / 1e6}:${ev.kind}:${ev.cpu}:${ev.kind === 'offline' ? ev.cause : ''}:${view.online(ev.cpu)}`,
      );
    },
  });
  simulate(
    batch('watcher', [
      { kind: 'maintenance', atNs: 50e6, cpu: 1, durationNs: 100e6 },
      { kind: 'fail', atNs: 80e6, cpu: 0 },
    ]),
    { policy: watcher },
  );
  assert.deepEqual(seen, ['50:offline:1:maintenance:false', '80:offline:0:fault:false', '150:online:1::true']);
});

test('a failure with a power model switches the CPU off: it draws nothing afterwards', () => {
  const cfg = batch('least-loaded', [{ kind: 'fail', atNs: 100e6, cpu: 3 }]);
  cfg.machine = { ...cfg.machine, power: { idleStates: [] } };
  const r = simulate({ ...cfg, maxBins: 100 });
  const { binNs } = r.series;
  const cpu3 = r.series.cpus[3]!;
  cpu3.powerW!.forEach((w, b) => {
    if (b * binNs >= 100e6 && (b + 1) * binNs <= r.summary.simulatedS * 1e9) assert.equal(w, 0, `bin ${b}`);
  });
  cpu3.frequencyHz!.forEach((f, b) => {
    if (b * binNs >= 100e6 && (b + 1) * binNs <= r.summary.simulatedS * 1e9) assert.equal(f, 0, `bin ${b}`);
  });
  assert.ok(r.summary.energyByCpuJ![3]! < r.summary.energyByCpuJ![0]!);
});

test('invalid machine events name the field', () => {
  const bad = (events: unknown, path: string, pattern: RegExp) => {
    assert.throws(
      () => simulate(batch('pinned', events as MachineConfig['events'])),
      (e: unknown) => e instanceof SimConfigError && e.path === path && pattern.test(e.message),
      path,
    );
  };
  bad(
    [{ kind: 'fail', atNs: 0, cpu: 4 }],
    'machine.events[0].cpu',
    /CPU 4 does not exist \(the machine has CPUs 0\.\.3\)/,
  );
  bad(
    [{ kind: 'maintenance', atNs: 10, cpu: 0, durationNs: -5 }],
    'machine.events[0].durationNs',
    /must end after it starts/,
  );
  bad(
    [{ kind: 'maintenance', atNs: 10, cpu: 0, durationNs: 0 }],
    'machine.events[0].durationNs',
    /must end after it starts/,
  );
  bad([{ kind: 'explode', atNs: 0, cpu: 0 }], 'machine.events[0].kind', /fail, maintenance/);
  bad([{ kind: 'fail', atNs: -1, cpu: 0 }], 'machine.events[0].atNs', /at least 0/);
  bad([{ kind: 'fail', atNs: 0, cpu: 0, durationNs: 5 }], 'machine.events[0].durationNs', /unknown field/);
  bad([{ kind: 'fail', atNs: 0, cpu: 0, checkpointNs: 0 }], 'machine.events[0].checkpointNs', /greater than 0/);
});
