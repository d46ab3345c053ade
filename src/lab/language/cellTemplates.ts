// What a new code cell starts with: a valid cell of the chosen kind that uses the names the lab
// already defines (its machine, its workload, its runs), so it runs as soon as it is inserted,
// and which kind to suggest after the cells above it (a workload after a machine, a run after a
// workload, a chart after runs).
import { freshPolicyName } from './cellAttributes';
import type { LabNames } from './editorHelp';
import type { Attributes, CellKind } from '../document/markdown';
import { POLICY_NAMES } from './schema';

export interface CellTemplate {
  value: string;
  attributes: Attributes;
}

const fresh = (taken: readonly string[], base: string) => (taken.includes(base) ? freshPolicyName(taken, base) : base);

const POLICY_CODE = `export default definePolicy({
  // A new process starts on the allowed CPU with the least load.
  place(view: PolicyView, p: Proc): number {
    let best = -1;
    for (const cpu of view.cpus) {
      if (view.isAllowed(p, cpu) && (best < 0 || view.load(cpu) < view.load(best))) best = cpu;
    }
    return best;
  },
});`;

/** A template cell of `kind` for a lab that defines `names`. */
export function cellTemplate(kind: CellKind, names: LabNames): CellTemplate {
  const machine = names.machine[0] ?? 'laptop-4';
  const workload = names.workload[0];
  const policy = names.policy[names.policy.length - 1] ?? 'least-loaded';
  const runs = names.run.slice(-3);
  const plain = (value: string): CellTemplate => ({ value, attributes: {} });
  switch (kind) {
    case 'machine':
      return plain(`name: ${fresh(names.machine, 'machine')}\nsockets: 1\ncoresPerSocket: 4`);
    case 'workload':
      return plain(
        `name: ${fresh(names.workload, 'jobs')}\nprocesses:\n  - { name: short, count: 40, arrival: poisson 200/s, demand: exp 5ms, workingSet: 128KiB }\n  - { name: long, count: 3, arrival: 0s, demand: 1s, workingSet: 4MiB }`,
      );
    case 'policy':
      return { value: POLICY_CODE, attributes: { name: freshPolicyName([...POLICY_NAMES, ...names.policy]) } };
    case 'run':
      return plain(
        `name: ${fresh(names.run, policy)}\nmachine: ${machine}\nworkload: ${workload ?? 'jobs'}\npolicy: ${policy}\nduration: 2s\nseed: 1`,
      );
    case 'cluster':
      return plain(
        `name: ${fresh(names.cluster, 'rack')}\nhosts:\n  - { machine: ${machine}, count: 4 }\npolicy: least-loaded`,
      );
    case 'service':
      return plain(
        `name: ${fresh(names.service, 'web')}\narrival: poisson 400/s\ndemand: exp 5ms\nworkingSet: 256KiB\nbalancer: { policy: round-robin }`,
      );
    case 'vms':
      return plain(
        `name: ${fresh(names.vms, 'tenants')}\nplacement: best-fit\nmigration: { interval: 10s, overload: static, threshold: 80%, method: { kind: pre-copy } }\nvms:\n  - { name: db, count: 2, vcpus: 2, ram: 4GiB, dirtyRate: 50MB/s, load: { utilization: 60% } }`,
      );
    case 'compare': {
      const policies = [...new Set(['pinned', 'least-loaded', ...names.policy])];
      return plain(
        `machine: ${machine}\nworkload: ${workload ?? 'jobs'}\npolicies: [${policies.join(', ')}]\nseeds: 5\nduration: 2s\nmetrics: [completed, meanResponseS, migrations]`,
      );
    }
    case 'chart':
      return plain(`show: load\nruns: [${runs.join(', ')}]`);
    case 'check': {
      const run = runs[runs.length - 1] ?? 'my-run';
      return {
        value: `expect: runs.${run}.unfinished == 0\nmessage: Every process of ${run} should finish.`,
        attributes: { points: '1' },
      };
    }
    case 'params':
      return plain('duration: 2s');
  }
}

/** The kind a new code cell most likely is, after the code cells above it (in order). */
export function suggestedKind(kindsAbove: readonly CellKind[], names: LabNames): CellKind {
  // A lab starts with its machine (or uses a preset) and a workload before anything can run.
  if (names.workload.length === 0)
    return names.machine.length === 0 && kindsAbove.length === 0 ? 'machine' : 'workload';
  switch (kindsAbove[kindsAbove.length - 1]) {
    case 'machine':
      return 'workload';
    case 'run':
      return 'chart';
    case 'compare':
    case 'chart':
      return 'check';
    default:
      return 'run';
  }
}
