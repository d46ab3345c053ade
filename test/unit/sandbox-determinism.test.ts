// The sandbox's budget counts steps, not time: a hook that loops right at the edge of its
// budget passes or fails the same way every time, however loaded the machine is. The edge is
// found here exactly (the largest loop that fits), then a lab with one run at the edge and one
// a single iteration past it is run 10 times through the CLI while another process keeps the
// other core busy: the same outcome, digest and message every time.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compilePolicy } from '../../src/sandbox/index';
import { simulate, type SimConfig } from '../../src/sim/index';
import { cli, tempDir } from './cli-helpers';

const POLICY = `definePolicy({
  params: { n: 0 },
  place(view, p) {
    let s = 0;
    for (let i = 0; i < view.params.n; i++) s += i;
    return p % view.cpuCount;
  },
});`;

const config = (n: number): SimConfig => ({
  machine: { preset: 'laptop-4' },
  workload: { groups: [{ name: 'a', count: 3, demand: { kind: 'fixed', valueNs: 1e6 } }] },
  policy: { name: 'spin', params: { n } },
  scheduler: { kind: 'fair' },
  durationNs: 1e8,
  seed: 1,
});

/** The largest loop count whose place() calls all fit in the budget (bisection; each probe is deterministic). */
async function edge(): Promise<number> {
  const compiled = await compilePolicy(POLICY, 'js', { name: 'spin' });
  const fits = (n: number) => {
    try {
      simulate(config(n), { policy: compiled.factory });
      return true;
    } catch (e) {
      assert.match((e as Error).message, /ran past its budget of 1,000,000 steps/);
      return false;
    }
  };
  let lo = 0;
  let hi = 2_000_000;
  assert.ok(fits(lo) && !fits(hi));
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

let busy: ReturnType<typeof spawn> | undefined;
before(() => {
  // The other core: busy for as long as the test runs.
  busy = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
});
after(() => {
  busy?.kill('SIGKILL');
});

test('a hook at the edge of its budget passes, one iteration more fails: 10 runs of the lab under load, the same each time', async () => {
  const n = await edge();
  // About 0.6 iterations per step at 1,000,000 steps: the edge is a long loop, far from trivial.
  assert.ok(n > 100_000, `edge at ${n}`);
  const dir = tempDir('determinism');
  const lab = join(dir, 'edge.lab.md');
  const run = (name: string, k: number) =>
    `\`\`\`run\nname: ${name}\nmachine: laptop-4\nworkload: w\npolicy: { name: spin, n: ${k} }\nduration: 100ms\nseed: 1\n\`\`\`\n`;
  writeFileSync(
    lab,
    [
      '```workload\nname: w\nprocesses:\n  - { name: a, count: 3, demand: 1ms }\n```\n',
      `\`\`\`policy name=spin lang=js\n${POLICY}\n\`\`\`\n`,
      run('edge', n),
      run('over', n + 1),
    ].join('\n'),
  );
  const outcomes = new Set<string>();
  for (let i = 0; i < 10; i++) {
    const r = cli(['run', lab, '--json']);
    assert.equal(r.code, 1, r.stderr);
    const { runs } = JSON.parse(r.stdout) as { runs: { name: string; digest?: string; error?: string }[] };
    const [edgeRun, overRun] = runs;
    assert.ok(edgeRun?.digest, `run ${i}: the edge run failed: ${edgeRun?.error}`);
    assert.match(
      overRun?.error ?? '',
      /place\(\) at \d+ ns, line 3: ran past its budget of 1,000,000 steps/,
      `run ${i}`,
    );
    outcomes.add(JSON.stringify(runs));
  }
  assert.equal(outcomes.size, 1, [...outcomes].join('\n'));
});
