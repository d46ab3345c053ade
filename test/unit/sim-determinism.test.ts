/** Same configuration and seed give the same digest, in this process and in another one. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { simulate, type SimConfig } from '../../src/sim/index';

const config: SimConfig = {
  machine: { preset: 'server-2x8', smt: 2 },
  workload: {
    groups: [
      {
        name: 'web',
        arrival: { kind: 'poisson', ratePerS: 2000 },
        demand: { kind: 'lognormal', meanNs: 3e6, cv: 1.5 },
        phases: { computeNs: { kind: 'exp', meanNs: 1e6 }, sleepNs: { kind: 'uniform', minNs: 1e5, maxNs: 2e6 } },
        workingSetBytes: 512 * 1024,
        dirtyFraction: 0.3,
      },
      {
        name: 'batch',
        count: 8,
        demand: { kind: 'pareto', alpha: 1.2, minNs: 5e7, maxNs: 5e8 },
        workingSetBytes: 4 << 20,
      },
      { name: 'rt', count: 6, taskSet: { utilization: 1.5, periodMinNs: 2e6, periodMaxNs: 20e6 } },
    ],
  },
  policy: { name: 'global-queue' },
  scheduler: { kind: 'fair' },
  durationNs: 1e9,
  seed: 42,
};

test('two runs in one process give the same digest', () => {
  const a = simulate(config);
  const b = simulate(structuredClone(config));
  assert.equal(a.digest, b.digest);
  assert.ok(a.summary.migrations > 0, 'the scenario exercises migrations');
  assert.ok(a.summary.cacheMisses > 0);
});

test('a separate node process computes the same digest', () => {
  const here = simulate(config).digest;
  const indexUrl = new URL('../../src/sim/index.ts', import.meta.url).href;
  // The package is CommonJS, so the module's exports may arrive under `default`.
  const code = `const m = await import(${JSON.stringify(indexUrl)});
const simulate = m.simulate ?? m.default.simulate;
process.stdout.write(simulate(JSON.parse(process.env.SIM_CONFIG)).digest);`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env: { ...process.env, SIM_CONFIG: JSON.stringify(config) },
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    encoding: 'utf8',
  });
  assert.equal(out.trim(), here);
});

test('a different seed gives a different digest', () => {
  assert.notEqual(simulate({ ...config, seed: 43 }).digest, simulate(config).digest);
});

test('common random numbers: arrivals and demands do not depend on the policy', () => {
  const open: SimConfig = {
    ...config,
    workload: {
      groups: [{ name: 'jobs', arrival: { kind: 'poisson', ratePerS: 3000 }, demand: { kind: 'exp', meanNs: 2e6 } }],
    },
    durationNs: 2e8,
  };
  const runs = (['pinned', 'random', 'least-loaded', 'global-queue'] as const).map((name) =>
    simulate({ ...open, policy: { name } }),
  );
  const arrivals = runs.map((r) =>
    r.processes
      .map((p) => `${p.pid}@${p.arrivalS}`)
      .sort()
      .join(','),
  );
  for (const a of arrivals) assert.equal(a, arrivals[0]);
  // Each process's demand is the same too: compare run + stall-free demand through completed rows of
  // a configuration without caches or switches, where runS equals the demand exactly.
  const bare: SimConfig = {
    ...open,
    machine: { sockets: 1, coresPerSocket: 4, contextSwitchNs: 0 },
    workload: { groups: [{ ...open.workload.groups[0]!, workingSetBytes: 0 }] },
  };
  const demand = (name: 'pinned' | 'least-loaded') =>
    new Map(
      simulate({ ...bare, policy: { name } })
        .processes.filter((p) => p.state === 'completed')
        .map((p) => [p.pid, p.runS]),
    );
  const a = demand('pinned');
  const b = demand('least-loaded');
  let shared = 0;
  for (const [pid, run] of a) {
    const other = b.get(pid);
    if (other !== undefined) {
      shared++;
      assert.ok(Math.abs(other - run) < 1e-9, `pid ${pid}: ${run} vs ${other}`);
    }
  }
  assert.ok(shared > 100);
});
