// SLA violations of request runs (docs/model.md, "Requests behind a load balancer"): with a
// service's `sla:` target, a request answered later than it, or dropped, violates it; requests
// still unanswered at the end count neither way. Checked against closed forms:
// - fixed arrivals and demands on one-CPU FCFS servers: every response is the demand (plus 2L),
//   so a target at it counts nothing (at most the target is met) and one 1 ns below counts all;
// - an M/M/1 FCFS server: the response time is exponential with rate mu - lambda, so the share
//   later than s is e^{-(mu - lambda) s} (behind a link of latency L: later than s + 2L);
// - a failing host: violations = late answers + dropped requests, exactly.
// Then: without a target nothing changes (no new keys, the same digest); bad targets are
// errors at the value; in a lab the summary, the servers table and checks read it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLab } from '../../src/lab/document/markdown';
import { LabSession } from '../../src/lab/notebook/execute';
import { RUN_MIME, type RunOutput } from '../../src/lab/outputs/contract';
import { inProcessRunHost } from '../../src/worker/runSimulation';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { SimConfigError, simulateCluster, type ClusterConfig, type MachineConfig } from '../../src/sim/index';

const S = 1e9;
const MS = 1e6;
/** One CPU, no direct cost of a context switch: a server is exactly a single-server FCFS queue. */
const ONE_CPU: MachineConfig = { sockets: 1, coresPerSocket: 1, contextSwitchNs: 0 };

function fixed(slaNs: number | undefined, latencyNs = 0): ClusterConfig {
  return {
    hosts: [{ machine: ONE_CPU, count: 2, link: { latencyNs } }],
    service: {
      name: 'web',
      // A request every 3 ms of 2 ms, alternating between two servers: no queueing.
      arrival: { kind: 'fixed', atNs: 0, everyNs: 3 * MS },
      demand: { kind: 'fixed', valueNs: 2 * MS },
      workingSetBytes: 0,
      memoryIntensity: 0,
      balancer: { policy: 'round-robin' },
      ...(slaNs === undefined ? {} : { slaNs }),
    },
    policy: { name: 'least-loaded' },
    scheduler: { kind: 'fcfs' },
    durationNs: 1 * S,
    seed: 1,
  };
}

test('no queueing: a target at the response time counts nothing, 1 ns below it counts every answer', () => {
  for (const L of [0, 1_234_567]) {
    const response = 2 * MS + 2 * L;
    const met = simulateCluster(fixed(response, L));
    const missed = simulateCluster(fixed(response - 1, L));
    // Every answered request took exactly the demand plus both trips.
    assert.equal(met.overall.meanResponseS, response / S);
    assert.equal(met.overall.slaViolations, 0);
    assert.equal(met.overall.slaViolationRatio, 0);
    assert.equal(missed.overall.slaViolations, missed.overall.completed);
    assert.equal(missed.overall.slaViolationRatio, 1);
    for (const s of missed.servers) assert.equal(s.slaViolations, s.completed, s.host);
    // Requests sent within the last response time of the end are unanswered: counted neither way.
    assert.ok(missed.overall.unfinished > 0);
  }
});

test('without a target nothing is counted and nothing changes: the same result and digest as before', () => {
  const none = simulateCluster(fixed(undefined));
  assert.ok(!('slaViolations' in none.overall) && !('slaViolationRatio' in none.overall));
  assert.ok(none.servers.every((s) => !('slaViolations' in s)));
  const { slaViolations: _v, slaViolationRatio: _r, ...rest } = simulateCluster(fixed(5 * MS)).overall;
  void _v;
  void _r;
  assert.deepEqual(rest, none.overall);
});

test('M/M/1 behind a link of latency L: the share of answers later than s + 2L is e^{-(mu - lambda) s}', () => {
  const L = MS;
  const lambda = 500;
  const mu = 1000;
  for (const s of [1 * MS, 3 * MS]) {
    const shares = [1, 2, 3, 4, 5].map((seed) => {
      const r = simulateCluster({
        hosts: [{ machine: ONE_CPU, link: { latencyNs: L } }],
        service: {
          name: 'web',
          arrival: { kind: 'poisson', ratePerS: lambda },
          demand: { kind: 'exp', meanNs: S / mu },
          workingSetBytes: 0,
          memoryIntensity: 0,
          slaNs: s + 2 * L,
        },
        policy: { name: 'least-loaded' },
        scheduler: { kind: 'fcfs' },
        durationNs: 40 * S,
        seed,
      });
      assert.equal(r.overall.slaViolationRatio, r.overall.slaViolations! / r.overall.completed);
      return r.overall.slaViolationRatio!;
    });
    const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
    const sd = Math.sqrt(shares.reduce((a, b) => a + (b - mean) ** 2, 0) / (shares.length - 1));
    const half = (2.776 * sd) / Math.sqrt(shares.length);
    const expected = Math.exp((-(mu - lambda) * s) / S);
    assert.ok(Math.abs(mean - expected) < Math.max(half, 0.02), `s = ${s} ns: ${mean} vs ${expected} ± ${half}`);
  }
});

test('a server that fails: every dropped request is a violation, with the late answers', () => {
  const config = (slaNs: number): ClusterConfig => ({
    ...fixed(slaNs),
    service: { ...fixed(slaNs).service, arrival: { kind: 'poisson', ratePerS: 900 } },
    events: [{ kind: 'fail', atNs: 400 * MS, host: 'host-1' }],
  });
  // A target no answer misses: the violations are the dropped requests alone.
  const loose = simulateCluster(config(10 * S));
  assert.ok(loose.requestsDropped! > 0);
  assert.equal(loose.overall.slaViolations, loose.requestsDropped);
  assert.equal(
    loose.overall.slaViolationRatio,
    loose.requestsDropped! / (loose.overall.completed + loose.requestsDropped!),
  );
  // A target every answer misses: all answered and all dropped.
  const tight = simulateCluster(config(1));
  assert.equal(tight.overall.slaViolations, tight.overall.completed + tight.requestsDropped!);
  assert.equal(tight.overall.slaViolationRatio, 1);
  for (const s of tight.servers) assert.equal(s.slaViolations, s.completed + s.dropped!, s.host);
});

test('a target must be a positive whole number of ns: errors at service.slaNs', () => {
  for (const bad of [0, -1, 1.5, Number.NaN, '2ms'])
    assert.throws(
      () => simulateCluster(fixed(bad as number)),
      (e: unknown) => e instanceof SimConfigError && e.path === 'service.slaNs',
      String(bad),
    );
});

const LAB = (sla: string, expect: string) =>
  [
    '```machine\nname: one\nsockets: 1\ncoresPerSocket: 1\n```',
    '```cluster\nname: rack\nhosts:\n  - { machine: one, count: 2 }\npolicy: least-loaded\n```',
    `\`\`\`service\nname: web\narrival: poisson 400/s\ndemand: exp 2ms\n${sla}\`\`\``,
    '```run\nname: r\ncluster: rack\nservice: web\nduration: 2s\n```',
    `\`\`\`check\nexpect: ${expect}\n\`\`\``,
  ].join('\n\n');

async function execute(text: string, index: number) {
  return new LabSession(inProcessRunHost).execute(parseLab(text), index, { signal: new AbortController().signal });
}

test('in a lab: sla: in the service cell gives the summary, the servers table and checks their violations', async () => {
  const text = LAB('sla: 10ms\n', 'runs.r.slaViolationRatio < 0.5');
  const outcome = await execute(text, 3);
  assert.ok(outcome.ok, JSON.stringify(outcome));
  const run = outcome.outputs.flatMap((o) => o.items).find((i) => i.mime === RUN_MIME)!.data as RunOutput;
  const direct = simulateCluster(resolveLab(parseLab(text)).clusterRuns[0]!.config);
  assert.equal(run.summary.slaViolations, direct.overall.slaViolations);
  assert.equal(run.summary.slaViolationRatio, direct.overall.slaViolationRatio);
  assert.ok((direct.overall.slaViolations ?? 0) > 0, 'two M/M/1 servers at rho 0.4 answer some requests after 10 ms');
  assert.deepEqual(
    run.servers!.map((s) => s.slaViolations),
    [...direct.servers.map((s) => s.slaViolations), direct.overall.slaViolations],
  );
  const check = await execute(text, 4);
  assert.ok(check.ok, JSON.stringify(check));
  // Without a target a check on it fails saying why.
  const without = await execute(LAB('', 'runs.r.slaViolations == 0'), 4);
  assert.ok(!without.ok && !without.cancelled);
  assert.match(without.message, /runs\.r has no "slaViolations": its service has no sla: target/);
  // A bad target is an error at its value.
  const bad = LAB('sla: -3ms\n', 'runs.r.slaViolations == 0');
  const diagnostics = resolveLab(parseLab(bad)).diagnostics.get(2) ?? [];
  // The cell's fourth line (0-based 3), at the value after "sla: ".
  assert.deepEqual(
    diagnostics.map((d) => [d.range.start.line, d.range.start.character]),
    [[3, 5]],
  );
});
