/**
 * Two built-in policies, least-loaded and work-stealing, written as policy cells: exact copies,
 * so a run with either gives the built-in's digest. bench/policies.ts measures what the sandbox
 * costs with them; test/unit/sandbox-snapshot.test.ts checks the digests.
 */
export const LEAST_LOADED = `
definePolicy({
  place(view: PolicyView, p: Proc): number {
    let best = -1;
    for (const cpu of view.cpus) {
      if (!view.online(cpu) || !view.isAllowed(p, cpu)) continue;
      if (best < 0 || view.load(cpu) < view.load(best)) best = cpu;
    }
    return best;
  },
});`;

export const WORK_STEALING = `
let next = 0;
function steal(view: PolicyView, act: PolicyActions, thief: number): void {
  if (!view.online(thief) || view.load(thief) > 0) return;
  let victim = -1;
  for (const cpu of view.cpus) {
    if (cpu !== thief && view.queueLength(cpu) > 0 && (victim < 0 || view.queueLength(cpu) > view.queueLength(victim))) victim = cpu;
  }
  if (victim < 0) return;
  for (const p of view.queued(victim)) {
    if (view.isAllowed(p, thief)) {
      act.migrate(p, thief, 'load-balance');
      return;
    }
  }
}
definePolicy({
  balanceIntervalNs: 1e6,
  place(view: PolicyView, p: Proc): number {
    for (let k = 0; k < view.cpuCount; k++) {
      const cpu = (next + k) % view.cpuCount;
      if (view.isAllowed(p, cpu) && view.online(cpu)) {
        next = (cpu + 1) % view.cpuCount;
        return cpu;
      }
    }
    return -1;
  },
  onIdle(view: PolicyView, act: PolicyActions, cpu: number): void {
    steal(view, act, cpu);
  },
  balance(view: PolicyView, act: PolicyActions): void {
    for (const cpu of view.cpus) steal(view, act, cpu);
  },
});`;
