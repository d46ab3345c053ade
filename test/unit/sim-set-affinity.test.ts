// A process asks to move: `setAffinity` changes a group's mask during the run, as
// sched_setaffinity does. Checked against schedules worked by hand from the model's closed form
// of a move (fixed cost + state / interconnect bandwidth): a running process moves at that
// instant, a sleeping one wakes inside its new mask, a later arrival starts inside it, a global
// queue hands a process outside its mask to a CPU inside; every such move has reason `request`
// and is decided by the policy's place. Bad masks are errors at their place in the lab.
import assert from 'node:assert/strict';
import test from 'node:test';
import { resolveMachine, simulate, SimConfigError, type SimConfig } from '../../src/sim';
import { parseLab } from '../../src/lab/document/markdown';
import { resolveLab } from '../../src/lab/language/resolveLab';

const MS = 1e6;

const machine = { sockets: 1, coresPerSocket: 2 };

function config(
  groups: SimConfig['workload']['groups'],
  policy = 'pinned',
  scheduler: SimConfig['scheduler'] = { kind: 'fcfs' },
): SimConfig {
  return {
    machine,
    workload: { groups },
    policy: { name: policy },
    scheduler,
    durationNs: 1e9,
    seed: 1,
    timelineSegments: 10_000,
    maxProcessRows: 1_000,
  };
}

const m = resolveMachine(machine);
/** The model's time in transit of a move within one socket (docs/model.md, Migration cost). */
const copyNs = m.migrationFixedNs + Math.round((m.stateBytes / m.interconnectBytesPerS) * 1e9);

/** A lab of one 2-CPU machine, one workload of the process group given, and a run under pinned, fcfs, for 1 s. */
const lab2Cpus = (group: string) =>
  [
    '```machine',
    'name: duo',
    'sockets: 1',
    'coresPerSocket: 2',
    '```',
    '```workload',
    'name: w',
    'processes:',
    `  - ${group}`,
    '```',
    '```run',
    'name: r',
    'machine: duo',
    'workload: w',
    'policy: pinned',
    'scheduler: fcfs',
    'duration: 1s',
    '```',
  ].join('\n');

function runSpans(r: ReturnType<typeof simulate>, pid: number) {
  const s = r.timeline!.spans;
  return s.pid
    .flatMap((p, i) =>
      p === pid && s.state[i] === 'run' ? [{ cpu: s.cpu[i]!, startNs: s.startNs[i]!, endNs: s.endNs[i]! }] : [],
    )
    .sort((a, b) => a.startNs - b.startNs);
}

test('a running process whose mask leaves its CPU moves at that instant, where place puts it, reason request', () => {
  // Pinned to CPU 0, 100 ms of work; at 20 ms it may only use CPU 1. It runs on CPU 0 until
  // 20 ms, is in transit for the copy, then runs the rest on CPU 1.
  const r = simulate(
    config([
      {
        name: 'job',
        arrival: { kind: 'fixed', atNs: 0 },
        demand: { kind: 'fixed', valueNs: 100 * MS },
        affinity: [0],
        setAffinity: [{ atNs: 20 * MS, cpus: [1] }],
      },
    ]),
  );
  assert.deepEqual(
    r.migrations.map((row) => [row.timeNs, row.from, row.to, row.reason, row.stateCopyNs]),
    [[20 * MS, 0, 1, 'request', copyNs]],
  );
  assert.equal(r.summary.migrationsByReason.request, 1);
  assert.deepEqual(r.timeline!.moves.hook, ['place']);
  const spans = runSpans(r, 0);
  assert.deepEqual(
    spans.map((s) => [s.cpu, s.startNs]),
    [
      [0, 0],
      [1, 20 * MS + copyNs],
    ],
  );
  assert.equal(spans[0]!.endNs, 20 * MS);
  assert.equal(r.processes[0]!.cpu, 1);
});

test('a sleeping process wakes inside its new mask; one arriving after the change starts inside it', () => {
  const r = simulate(
    config([
      {
        name: 'io',
        arrival: { kind: 'fixed', atNs: 0 },
        demand: { kind: 'fixed', valueNs: 20 * MS },
        phases: { computeNs: { kind: 'fixed', valueNs: 10 * MS }, sleepNs: { kind: 'fixed', valueNs: 30 * MS } },
        affinity: [0],
        setAffinity: [{ atNs: 25 * MS, cpus: [1] }],
      },
      {
        name: 'late',
        count: 1,
        arrival: { kind: 'fixed', atNs: 50 * MS },
        demand: { kind: 'fixed', valueNs: 5 * MS },
        affinity: [0],
        setAffinity: [{ atNs: 25 * MS, cpus: [1] }],
      },
    ]),
  );
  // io runs 0-10 ms on CPU 0 (plus its dispatch overhead), sleeps until 40 ms; at 25 ms it is
  // asleep: only where it wakes changes (a move with its state copy, nothing halted). It runs its
  // second burst on CPU 1. `late` arrives at 50 ms with the group's mask of then: CPU 1 only.
  assert.deepEqual(
    r.migrations.map((row) => [row.timeNs, row.pid, row.from, row.to, row.reason]),
    [[25 * MS, 0, 0, 1, 'request']],
  );
  assert.deepEqual(
    runSpans(r, 0).map((s) => s.cpu),
    [0, 1],
  );
  assert.ok(runSpans(r, 0)[1]!.startNs >= 40 * MS);
  assert.deepEqual(
    runSpans(r, 1).map((s) => s.cpu),
    [1],
  );
});

test('with a global queue, a process running outside its new mask goes back to the queue and a CPU inside it takes it, reason request', () => {
  const r = simulate(
    config(
      [
        {
          name: 'job',
          count: 1,
          arrival: { kind: 'fixed', atNs: 0 },
          demand: { kind: 'fixed', valueNs: 50 * MS },
          setAffinity: [{ atNs: 10 * MS, cpus: [1] }],
        },
      ],
      'global-queue',
    ),
  );
  // It starts on CPU 0 (the first idle CPU), goes back to the queue at 10 ms, and CPU 1 takes it.
  const spans = runSpans(r, 0);
  assert.deepEqual(
    spans.map((sp) => sp.cpu),
    [0, 1],
  );
  assert.equal(spans[0]!.endNs, 10 * MS);
  assert.deepEqual(
    r.migrations.map((row) => [row.timeNs, row.from, row.to, row.reason]),
    [[10 * MS, 0, 1, 'request']],
  );
});

test('a mask with a CPU the machine lacks, or no CPU, is an error naming it; in a lab, at its place', () => {
  assert.throws(
    () =>
      simulate(config([{ name: 'job', arrival: { kind: 'fixed', atNs: 0 }, setAffinity: [{ atNs: 0, cpus: [2] }] }])),
    (e: Error) => e instanceof SimConfigError && /setAffinity\[0\]\.cpus\[0\]/.test(e.message),
  );
  assert.throws(
    () =>
      simulate(config([{ name: 'job', arrival: { kind: 'fixed', atNs: 0 }, setAffinity: [{ atNs: 0, cpus: [] }] }])),
    (e: Error) => e instanceof SimConfigError && /setAffinity\[0\]\.cpus/.test(e.message),
  );
  const cells = parseLab(lab2Cpus('{ name: job, arrival: 0s, demand: 10ms, setAffinity: [ { at: 5ms, cpus: [7] } ] }'));
  const lab = resolveLab(cells);
  const workload = cells.findIndex((c) => c.kind === 'workload');
  const problems = [...lab.diagnostics.entries()].flatMap(([, list]) => list);
  const problem = (lab.diagnostics.get(workload) ?? []).find((d) => /CPU|cpus/.test(d.message));
  assert.ok(problem, `an error in the workload cell: ${JSON.stringify(problems)}`);
  const line = cells[workload]!.value.split('\n')[problem.range.start.line]!;
  assert.equal(
    line.slice(problem.range.start.character, problem.range.end.character),
    '7',
    `the error marks the CPU: ${problem.message}`,
  );
});

test('in a lab, setAffinity with times in units runs and the move is counted', () => {
  const lab = resolveLab(
    parseLab(
      lab2Cpus('{ name: job, arrival: 0s, demand: 100ms, affinity: [0], setAffinity: [ { at: 20ms, cpus: [1] } ] }'),
    ),
  );
  assert.deepEqual([...lab.diagnostics.values()].flat(), []);
  const r = simulate(lab.runs[0]!.config);
  assert.deepEqual(
    r.migrations.map((row) => [row.timeNs, row.from, row.to, row.reason]),
    [[20 * MS, 0, 1, 'request']],
  );
});

test('a phase change: at its n-th wake-up a process sets its own mask and, outside it, moves as it wakes', () => {
  const wakes: number[] = [];
  const r = simulate(
    config([
      {
        name: 'io',
        arrival: { kind: 'fixed', atNs: 0 },
        demand: { kind: 'fixed', valueNs: 40 * MS },
        phases: { computeNs: { kind: 'fixed', valueNs: 10 * MS }, sleepNs: { kind: 'fixed', valueNs: 5 * MS } },
        affinity: [0],
        setAffinity: [{ onWake: 2, cpus: [1] }],
      },
    ]),
    { trace: (kind, t) => kind === 'wake' && wakes.push(t) },
  );
  // Bursts of 10 ms on CPU 0 with 5 ms sleeps between: the first wake-up stays on CPU 0, the
  // second moves it to CPU 1 at that instant, and it runs there from then on.
  assert.ok(wakes.length >= 3);
  assert.deepEqual(
    r.migrations.map((row) => [row.timeNs, row.from, row.to, row.reason, row.stateCopyNs]),
    [[wakes[1], 0, 1, 'request', copyNs]],
  );
  assert.deepEqual(r.timeline!.moves.hook, ['place']);
  assert.deepEqual(
    runSpans(r, 0).map((s) => s.cpu),
    [0, 0, 1, 1],
  );
  assert.equal(runSpans(r, 0)[2]!.startNs, wakes[1]! + copyNs);
});

test('a change gives exactly one of at and onWake; onWake needs processes that sleep', () => {
  const group = (change: object, phases = true) => [
    {
      name: 'job',
      arrival: { kind: 'fixed' as const, atNs: 0 },
      ...(phases
        ? {
            phases: {
              computeNs: { kind: 'fixed' as const, valueNs: 1 * MS },
              sleepNs: { kind: 'fixed' as const, valueNs: 1 * MS },
            },
          }
        : {}),
      setAffinity: [change as never],
    },
  ];
  for (const change of [{ cpus: [1] }, { atNs: 0, onWake: 1, cpus: [1] }]) {
    assert.throws(
      () => simulate(config(group(change))),
      (e: Error) => e instanceof SimConfigError && /exactly one of at .* and onWake/.test(e.message),
    );
  }
  assert.throws(
    () => simulate(config(group({ onWake: 1, cpus: [1] }, false))),
    (e: Error) => e instanceof SimConfigError && /onWake needs processes that sleep/.test(e.message),
  );
});

test('a workload may not change its mask more than 1,000 times (each change is an event and a mask)', () => {
  const many = Array.from({ length: 1001 }, (_, i) => ({ atNs: i * MS, cpus: [i % 2] }));
  assert.throws(
    () => simulate(config([{ name: 'job', arrival: { kind: 'fixed', atNs: 0 }, setAffinity: many }])),
    (e: Error) => e instanceof SimConfigError && /setAffinity: at most 1000 changes; got 1001/.test(e.message),
  );
  assert.doesNotThrow(() =>
    simulate(config([{ name: 'job', arrival: { kind: 'fixed', atNs: 0 }, setAffinity: many.slice(0, 1000) }])),
  );
});

// Edge cases a review found (each failed before its fix).

test('a mask whose every CPU is out: the process stays until one is back, nothing fails', () => {
  for (const [policy, event] of [
    ['least-loaded', { kind: 'fail' as const, atNs: 5 * MS, cpu: 1 }],
    ['pinned', { kind: 'maintenance' as const, atNs: 5 * MS, cpu: 1, durationNs: 50 * MS }],
  ] as const) {
    const r = simulate({
      ...config([
        {
          name: 'j',
          arrival: { kind: 'fixed', atNs: 0 },
          demand: { kind: 'fixed', valueNs: 50 * MS },
          affinity: [0],
          setAffinity: [{ atNs: 10 * MS, cpus: [1] }],
        },
      ]),
      machine: { ...machine, events: [event] },
      policy: { name: policy },
    });
    assert.equal(r.summary.migrationsByReason.request, 0, policy);
    assert.equal(r.summary.completed, 1, `${policy}: it still finishes`);
  }
});

test("a policy that planned with the old mask (partitioned-edf's partitions) is kept inside the new one", () => {
  const r = simulate({
    ...config(
      [
        {
          name: 'rt',
          count: 2,
          periodic: { periodNs: 10 * MS, wcetNs: 2 * MS },
          setAffinity: [{ atNs: 15 * MS, cpus: [1] }],
        },
      ],
      'partitioned-edf',
      { kind: 'edf' },
    ),
    durationNs: 200 * MS,
  });
  assert.ok(r.migrations.every((m) => m.to === 1));
  assert.equal(
    r.summary.migrationsByReason.request,
    r.migrations.filter((m) => m.timeNs === 15 * MS && m.from === 0).length,
  );
  const s = r.timeline!.spans;
  assert.ok(
    s.pid.every((_, i) => s.state[i] !== 'run' || s.startNs[i]! < 15 * MS || s.cpu[i] === 1),
    'nothing runs on CPU 0 after the change',
  );
});

test('a change at the instant a process arrives: it arrives with the new mask, no move', () => {
  const r = simulate(
    config([
      {
        name: 'j',
        arrival: { kind: 'fixed', atNs: 0 },
        demand: { kind: 'fixed', valueNs: 10 * MS },
        affinity: [0],
        setAffinity: [{ atNs: 0, cpus: [1] }],
      },
    ]),
  );
  assert.deepEqual(r.migrations, []);
  assert.equal(r.processes[0]!.cpu, 1);
});

test('a global queue: a wider mask lets an idle CPU take the waiting process at once; one pushed off while waiting or asleep counts as request', () => {
  const r = simulate(
    config(
      [
        { name: 'A', arrival: { kind: 'fixed', atNs: 0 }, demand: { kind: 'fixed', valueNs: 100 * MS }, affinity: [0] },
        {
          name: 'B',
          arrival: { kind: 'fixed', atNs: 1 },
          demand: { kind: 'fixed', valueNs: 10 * MS },
          affinity: [0],
          setAffinity: [{ atNs: 10 * MS, cpus: [0, 1] }],
        },
      ],
      'global-queue',
    ),
  );
  assert.deepEqual(
    runSpans(r, 1).map((sp) => [sp.cpu, sp.startNs]),
    [[1, 10 * MS]],
  );
  const asleep = simulate(
    config(
      [
        {
          name: 'io',
          arrival: { kind: 'fixed', atNs: 0 },
          demand: { kind: 'fixed', valueNs: 20 * MS },
          phases: { computeNs: { kind: 'fixed', valueNs: 10 * MS }, sleepNs: { kind: 'fixed', valueNs: 30 * MS } },
          affinity: [0],
          setAffinity: [{ atNs: 25 * MS, cpus: [1] }],
        },
      ],
      'global-queue',
    ),
  );
  assert.deepEqual(
    asleep.migrations.map((m) => [m.from, m.to, m.reason]),
    [[0, 1, 'request']],
  );
});

test('a move sent on at landing (its target left the mask on the way) keeps both legs in its wait', () => {
  const r = simulate({
    ...config([
      {
        name: 'job',
        arrival: { kind: 'fixed', atNs: 0 },
        demand: { kind: 'fixed', valueNs: 100 * MS },
        affinity: [0],
        setAffinity: [
          { atNs: 20 * MS, cpus: [1] },
          { atNs: 20 * MS + 1, cpus: [2] },
        ],
      },
    ]),
    machine: { sockets: 1, coresPerSocket: 3 },
  });
  assert.deepEqual(r.timeline!.moves.hook, ['place', 'sent-on']);
  const s = r.timeline!.spans;
  const waited = s.pid.reduce((sum, _, i) => sum + (s.state[i] === 'wait' ? s.endNs[i]! - s.startNs[i]! : 0), 0);
  assert.equal(Math.round(r.processes[0]!.waitS * 1e9), waited);
  assert.equal(waited, 2 * copyNs);
});
