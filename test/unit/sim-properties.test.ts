/**
 * Property tests over random valid configurations: whatever the machine, workload, discipline
 * and policy (including a policy that migrates at random, for every reason, from every state),
 * no process is lost or duplicated, time never goes backwards, a CPU never runs two processes
 * at once, a process never runs on two CPUs, no run has zero length, busy time never exceeds
 * elapsed time, and the counts add up.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { simulate, type TraceKind } from '../../src/sim/index';
import { chaos, configArb, isClosed } from './sim-arbitraries';

test('random configurations keep every invariant', () => {
  let runsWithMigrations = 0;
  let runsWithCompletions = 0;
  fc.assert(
    fc.property(configArb, (config) => {
      let lastTime = 0;
      const runningOn = new Map<number, number>(); // cpu -> pid
      const cpuOfPid = new Map<number, number>();
      const startedAt = new Map<number, number>(); // cpu -> time
      const arrived = new Set<number>();
      const completed = new Set<number>();
      const trace = (kind: TraceKind, timeNs: number, pid: number, cpu: number) => {
        assert.ok(timeNs >= lastTime, `time went back from ${lastTime} to ${timeNs}`);
        assert.ok(Number.isInteger(timeNs), 'integer time');
        lastTime = timeNs;
        switch (kind) {
          case 'arrive':
            assert.ok(!arrived.has(pid), `pid ${pid} arrived twice`);
            arrived.add(pid);
            break;
          case 'dispatch':
            assert.ok(arrived.has(pid) && !completed.has(pid));
            assert.equal(
              runningOn.get(cpu),
              undefined,
              `CPU ${cpu} already runs ${runningOn.get(cpu)} when ${pid} starts`,
            );
            assert.equal(cpuOfPid.get(pid), undefined, `pid ${pid} already runs on CPU ${cpuOfPid.get(pid)}`);
            runningOn.set(cpu, pid);
            cpuOfPid.set(pid, cpu);
            startedAt.set(cpu, timeNs);
            break;
          case 'stop':
            assert.equal(runningOn.get(cpu), pid);
            assert.ok(timeNs > startedAt.get(cpu)!, `pid ${pid} stopped on CPU ${cpu} at ${timeNs} without running`);
            runningOn.delete(cpu);
            cpuOfPid.delete(pid);
            break;
          case 'complete':
            assert.equal(cpuOfPid.get(pid), undefined, 'a process completes after it stopped');
            assert.ok(!completed.has(pid), `pid ${pid} completed twice`);
            completed.add(pid);
            break;
        }
      };
      const r = simulate(config, { trace, ...(config.policy.name === 'chaos' ? { policy: chaos } : {}) });
      const s = r.summary;
      const T = Math.round(s.simulatedS * 1e9);
      assert.ok(T <= config.durationNs);
      assert.ok(lastTime <= T);

      // Accounting: every arrival is in the table exactly once, completed or unfinished.
      assert.equal(s.arrived, arrived.size);
      assert.equal(s.completed, completed.size);
      assert.equal(s.completed + s.unfinished, s.arrived);
      assert.equal(r.processes.length, s.arrived);
      const pids = new Set(r.processes.map((p) => p.pid));
      assert.equal(pids.size, s.arrived, 'no duplicate rows');
      for (const pid of arrived) assert.ok(pids.has(pid), `pid ${pid} missing from results`);
      for (const p of r.processes) {
        assert.equal(p.state === 'completed', completed.has(p.pid));
        assert.ok(p.runS <= p.responseS + 1e-12, `pid ${p.pid} ran ${p.runS} s in ${p.responseS} s`);
        assert.ok(p.waitS >= -1e-12 && p.waitS <= p.responseS + 1e-12);
      }

      // Busy time never exceeds elapsed time.
      assert.ok(s.meanUtilization >= 0 && s.meanUtilization <= 1 + 1e-12);
      for (const c of r.series.cpus) for (const u of c.utilization) assert.ok(u >= 0 && u <= 1 + 1e-9);
      assert.ok(r.series.bins <= (config.maxBins ?? 1000));

      // Little's law holds exactly over the run for non-periodic processes (L = rate x time in system).
      if (T > 0)
        assert.ok(Math.abs(s.meanInSystem - s.arrivalRatePerS * s.meanSojournS) <= 1e-9 * Math.max(1, s.meanInSystem));

      // Migration and job bookkeeping adds up.
      const byReason = Object.values(s.migrationsByReason).reduce((a, b) => a + b, 0);
      assert.equal(byReason, s.migrations);
      assert.equal(s.jobMigrations + s.taskMigrations, s.migrations);
      assert.equal(s.jobsCompleted + s.jobsUnfinished, s.jobsReleased);
      // A closed run whose processes all finished ends at its last completion.
      if (isClosed(config) && s.unfinished === 0 && s.completed > 0) assert.equal(s.simulatedS, s.makespanS);
      assert.equal(r.migrations.length + s.migrationRowsOmitted, s.migrations);
      const byCause = Object.values(s.cacheMissesByCause).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(byCause - s.cacheMisses) <= 5);
      assert.ok(s.deadlineMisses <= s.jobsCompleted + s.unfinished * 1e6);
      assert.ok(s.deadlineMissRatio >= 0 && s.deadlineMissRatio <= 1);
      assert.match(r.digest, /^[0-9a-f]{64}$/);
      assert.doesNotThrow(() => JSON.stringify(r));
      if (s.migrations > 0) runsWithMigrations++;
      if (s.completed > 0) runsWithCompletions++;
    }),
    { numRuns: 150, seed: 20261123, includeErrorInReport: true },
  );
  // The generator must reach the interesting paths, or the invariants above prove little.
  assert.ok(runsWithMigrations >= 20, `only ${runsWithMigrations} runs migrated anything`);
  assert.ok(runsWithCompletions >= 50, `only ${runsWithCompletions} runs completed anything`);
});
