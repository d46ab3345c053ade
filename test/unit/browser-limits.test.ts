// In the browser a run too large for a tab's memory is refused before it starts, with the
// reason in the cell; the bound it uses (processes a workload creates) is checked against the
// simulator's own count of arrivals.
import assert from 'node:assert/strict';
import test from 'node:test';
import { processesUpTo, simulate, type SimConfig, type WorkloadConfig } from '../../src/sim';
import { RunError, type RunHost, type RunRequest } from '../../src/lab/run/runHost';
import { BROWSER_MAX_PROCESSES, withBrowserMemoryLimit } from '../../src/worker/browserLimits';
import { inProcessRunHost } from '../../src/worker/runSimulation';

const base = (workload: WorkloadConfig, durationNs = 2e9): SimConfig => ({
  machine: { preset: 'laptop-4' },
  workload,
  policy: { name: 'pinned' },
  scheduler: { kind: 'fair' },
  durationNs,
  seed: 1,
});

test('processes a workload creates: closed groups exactly, as the simulator counts its arrivals', () => {
  const closed: WorkloadConfig = {
    groups: [
      { name: 'a', count: 30, arrival: { kind: 'poisson', ratePerS: 200 }, demand: { kind: 'exp', meanNs: 1e6 } },
      { name: 'b', arrival: { kind: 'trace', records: [{ atNs: 0 }, { atNs: 1e6 }, { atNs: 5e6 }, { atNs: 9e8 }] } },
      { name: 'c', arrival: { kind: 'fixed', atNs: 1e6 } },
      { name: 'd', count: 5, arrival: { kind: 'fixed', atNs: 0, everyNs: 1e7 } },
      { name: 'e', periodic: { periodNs: 1e7, wcetNs: 1e6 } },
    ],
  };
  assert.equal(processesUpTo(closed, 2e9), 30 + 4 + 1 + 5 + 1);
  assert.equal(simulate(base(closed)).summary.arrived, 30 + 4 + 1 + 5 + 1);
});

test('an open Poisson stream: its expected arrivals, which runs over many seeds average', () => {
  const open: WorkloadConfig = {
    groups: [
      { name: 'web', arrival: { kind: 'poisson', ratePerS: 400, startNs: 5e8 }, demand: { kind: 'exp', meanNs: 1e6 } },
    ],
  };
  assert.equal(processesUpTo(open, 3e9), 1000);
  const arrivals = Array.from({ length: 20 }, (_, seed) => simulate({ ...base(open, 3e9), seed }).summary.arrived);
  const mean = arrivals.reduce((a, b) => a + b, 0) / arrivals.length;
  // 20 runs of Poisson(1000): the mean is within 4 standard errors (4 x sqrt(1000 / 20)).
  assert.ok(Math.abs(mean - 1000) < 4 * Math.sqrt(1000 / 20), `mean arrivals ${mean}`);
});

test('the browser refuses a run over its bound before it starts, and passes the others through', async () => {
  const calls: RunRequest[] = [];
  const counting: RunHost = {
    run: (request) => (calls.push(request), inProcessRunHost.run(request)),
    summarize: (request) => (calls.push(request), inProcessRunHost.summarize(request)),
    runCluster: (request) => inProcessRunHost.runCluster(request),
  };
  const host = withBrowserMemoryLimit(counting);
  const signal = new AbortController().signal;
  const huge = base({
    groups: Array.from({ length: 8 }, (_, i) => ({
      name: `g${i}`,
      count: 1_000_000,
      demand: { kind: 'fixed', valueNs: 1e9 },
    })),
  });
  for (const call of [host.run, host.summarize]) {
    await assert.rejects(call({ config: huge, signal }), (error: unknown) => {
      assert.ok(error instanceof RunError);
      assert.equal(error.name, 'Too large to run in the browser');
      assert.match(
        error.message,
        /^This run creates about 8,000,000 processes\. A browser cannot limit the memory .* at most 500,000\. Run this lab in VS Code on the desktop, or on the command line \(migration-lab run\)\.$/,
      );
      return true;
    });
  }
  assert.equal(calls.length, 0, 'the refused run reached the workers');
  const small = base({ groups: [{ name: 'g', count: 20, demand: { kind: 'fixed', valueNs: 1e6 } }] });
  assert.equal((await host.summarize({ config: small, signal })).digest, simulate(small).digest);
  assert.equal(calls.length, 1);
  // Exactly at the bound still runs (here a host that only notes the request: the run itself is big).
  const noting: RunHost = {
    run: async () => Promise.reject(new Error('unused')),
    summarize: async (request) => (calls.push(request), { summary: simulate(small).summary, digest: 'noted' }),
    runCluster: async () => Promise.reject(new Error('unused')),
  };
  const edge = base({ groups: [{ name: 'g', count: BROWSER_MAX_PROCESSES, demand: { kind: 'fixed', valueNs: 1e6 } }] });
  assert.equal((await withBrowserMemoryLimit(noting).summarize({ config: edge, signal })).digest, 'noted');
  await assert.rejects(
    withBrowserMemoryLimit(noting).summarize({
      config: { ...edge, workload: { groups: [...edge.workload.groups, { name: 'one', count: 1 }] } },
      signal,
    }),
    /about 500,001 processes/,
  );
});
