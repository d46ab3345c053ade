// VM runs in a lab: `vms` cells and `run: { cluster, vms: [...] }` resolve into the
// VmClusterConfig the simulator runs (written out here by hand), run through the session and the
// command line to per-host, per-VM and per-migration tables and a run summary whose figures are
// the live-migration closed forms; bad cells, hostile ones included, are rejected at the exact
// line and column, never with a crash or a hang.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseLab } from '../../src/lab/document/markdown';
import { completions, hover, labNames } from '../../src/lab/language/editorHelp';
import { resolveLab } from '../../src/lab/language/resolveLab';
import { LabSession } from '../../src/lab/notebook/execute';
import { RUN_MIME, type RunOutput } from '../../src/lab/outputs/contract';
import { simulateVmCluster, type VmClusterConfig } from '../../src/sim';
import { inProcessRunHost } from '../../src/worker/runSimulation';
import { cli, tempDir } from './cli-helpers';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const S = 1e9;

/** Cell 0 machine, 1 cluster, 2.. the vms cells and runs given. */
const lab = (vmsCells: string, runs: string, cluster = CLUSTER) =>
  `\`\`\`machine\nname: box\nsockets: 1\ncoresPerSocket: 4\n\`\`\`\n\n\`\`\`cluster\n${cluster}\n\`\`\`\n\n${vmsCells}\n${runs}`;

const CLUSTER = [
  'name: pair',
  'hosts:',
  '  - { machine: box, count: 2, ram: 32GiB }',
  'policy: least-loaded',
  'network: { bandwidth: 1.25GB/s, migrationShare: 100%, latency: 0s }',
  'events:',
  '  - { event: maintenance, at: 2s, host: host-0 }',
].join('\n');

const vmsCell = (name: string, method: string, dirtyRate = '200MB/s') =>
  `\`\`\`vms\nname: ${name}\nmigration: { method: { kind: ${method} } }\nvms:\n  - { name: db, vcpus: 2, ram: 4GiB, dirtyRate: ${dirtyRate}, cpuState: 1MiB, load: { utilization: 50% } }\n\`\`\`\n`;

const runCell = (name: string, vms: string, extra = '', duration = '20s') =>
  `\`\`\`run\nname: ${name}\ncluster: pair\nvms: [${vms}]\nduration: ${duration}\nseed: 3${extra}\n\`\`\`\n`;

/** The config those cells mean, written out by hand. */
const handWritten = (kind: 'pre-copy' | 'post-copy' | 'stop-and-copy', dirtyBytesPerS = 200e6): VmClusterConfig => ({
  hosts: [{ machine: { name: 'box', sockets: 1, coresPerSocket: 4 }, count: 2, ramBytes: 32 * GiB }],
  vms: [{ name: 'db', vcpus: 2, ramBytes: 4 * GiB, dirtyBytesPerS, cpuStateBytes: MiB, load: { utilization: 0.5 } }],
  migration: { method: { kind } },
  link: { bandwidthBytesPerS: 1.25e9, migrationShare: 1, latencyNs: 0 },
  events: [{ kind: 'maintenance', atNs: 2 * S, host: 'host-0' }],
  policy: { name: 'least-loaded' },
  scheduler: { kind: 'fair' },
  durationNs: 20 * S,
  seed: 3,
});

const THREE = lab(
  vmsCell('pre', 'pre-copy') + vmsCell('post', 'post-copy') + vmsCell('stop', 'stop-and-copy'),
  runCell('pre', 'pre') + runCell('post', 'post') + runCell('stop', 'stop'),
);

test('vms cells and run vms: resolve into the VmClusterConfig written by hand; a run depends on every cell it reads', () => {
  const cells = parseLab(THREE);
  const resolved = resolveLab(cells);
  assert.deepEqual([...resolved.diagnostics], []);
  assert.deepEqual(
    resolved.vmRuns.map((r) => r.name),
    ['pre', 'post', 'stop'],
  );
  assert.deepEqual(resolved.vmRuns[0]!.config, handWritten('pre-copy'));
  assert.deepEqual(resolved.vmRuns[2]!.config, handWritten('stop-and-copy'));
  assert.deepEqual(
    resolved.vmRuns[1]!.dependsOn.map((i) => cells[i]!.kind),
    ['machine', 'cluster', 'vms', 'run'],
  );
  assert.equal(resolved.clusterRuns.length + resolved.runs.length, 0);
});

/** The RUN_MIME output and the Markdown of run cell `index`, executed through the session. */
async function execute(text: string, index: number) {
  const outcome = await new LabSession(inProcessRunHost).execute(parseLab(text), index, {
    signal: new AbortController().signal,
  });
  assert.ok(outcome.ok, JSON.stringify(outcome));
  const items = outcome.outputs.flatMap((o) => o.items);
  return {
    output: items.find((i) => i.mime === RUN_MIME)!.data as RunOutput,
    markdown: String(items.find((i) => i.mime === 'text/markdown')!.data),
  };
}

test('a VM run cell: its downtime is the closed form of each method, M r^n / B for pre-copy, M / B for stop-and-copy', async () => {
  // One move (host-0 drained for maintenance at 2 s), M = 4 GiB, D = 200 MB/s, B = 1.25 GB/s
  // (the whole link: share 100 %), CPU state C = 1 MiB, no latency, QEMU's 300 ms target.
  const M = 4 * GiB;
  const C = MiB;
  const B = 1.25e9;
  const r = 200e6 / B;
  // Pre-copy stops at the first round n whose M r^n fits the target at B.
  let n = 0;
  while ((M * r ** n) / B > 0.3) n++;
  assert.equal(n, 2, 'two live rounds, then the pause');
  const expected = { pre: (M * r ** n + C) / B, stop: (M + C) / B, post: C / B };
  const cells = [3, 4, 5] as const;
  const outs = await Promise.all(cells.map((i) => execute(THREE, i + 2)));
  for (const [k, name] of (['pre', 'post', 'stop'] as const).entries()) {
    const { output, markdown } = outs[k]!;
    assert.equal(output.name, name);
    assert.equal(output.summary.migrations, 1, name);
    assert.deepEqual(output.summary.migrationsByReason, { maintenance: 1 });
    // Bytes and times are whole: within a nanosecond of the closed form.
    assert.ok(
      Math.abs((output.summary.migrationDowntimeS as number) - expected[name]) < 1e-9,
      `${name}: ${output.summary.migrationDowntimeS} vs ${expected[name]}`,
    );
    // The digest is the simulator's on the hand-written config: the lab added nothing of its own.
    const kind = name === 'pre' ? 'pre-copy' : name === 'post' ? 'post-copy' : 'stop-and-copy';
    const reference = simulateVmCluster(handWritten(kind));
    assert.equal(output.digest, reference.digest, name);
    assert.equal(output.summary.energyJ, reference.energyJ);
    assert.equal(output.summary.hostsOnMeanCount, reference.hostsOnMean);
    // The tables: both hosts, the VM, and its move with its rounds.
    assert.match(markdown, /\| host-0 \| off \(maintenance\) \| 0 \|/, 'drained, then powered off');
    assert.match(markdown, /\| host-1 \| on \| 1 \|/);
    assert.match(
      markdown,
      new RegExp(
        `\\| db \\| host-0 → host-1 \\| maintenance \\| 2 s \\| ${kind} \\| ${name === 'pre' ? n + 1 : 1} \\|`,
      ),
    );
  }
  // Pre-copy sent M (1 - r^(n+1)) / (1 - r) of memory: the table's "sent", in GiB to 2 places.
  const sent = (M * (1 - r ** (n + 1))) / (1 - r) + C;
  assert.match(outs[0]!.markdown, new RegExp(`\\| ${(sent / GiB).toFixed(2)} GiB \\|`));
});

test("as the dirty rate grows pre-copy stops converging: its downtime climbs to about stop-and-copy's (checks read it)", async () => {
  const text = lab(
    vmsCell('calm', 'pre-copy', '20MB/s') + vmsCell('wild', 'pre-copy', '2GB/s') + vmsCell('stop', 'stop-and-copy'),
    runCell('calm', 'calm') +
      // Its 30 rounds end about 105 s in: a shorter run would end before the pause (no downtime in it).
      runCell('wild', 'wild', '', '120s') +
      runCell('stop', 'stop') +
      '```check\nexpect: runs.calm.migrationDowntimeS < runs.stop.migrationDowntimeS / 20\n```\n\n' +
      '```check\nexpect: runs.wild.migrationDowntimeS > runs.stop.migrationDowntimeS / 2\n```\n',
  );
  const cells = parseLab(text);
  const session = new LabSession(inProcessRunHost);
  const signal = new AbortController().signal;
  for (const i of [8, 9]) {
    const outcome = await session.execute(cells, i, { signal });
    assert.ok(outcome.ok && outcome.check?.score === outcome.check?.points, JSON.stringify(outcome));
  }
  // r = D / B = 1.6 >= 1: every round sends more than the last; the round limit then pauses it.
  const wild = await execute(text, 6);
  assert.match(wild.markdown, /round-limit \(not converged\)/);
});

test('same lab and seed: bit-identical results; a run of VMs is recorded and verified by the command line', () => {
  const dir = tempDir('vms');
  const file = join(dir, 'vms.lab.md');
  writeFileSync(file, THREE);
  const a = cli(['run', file, '--json']);
  assert.equal(a.code, 0, a.stderr);
  const b = cli(['run', file, '--json']);
  assert.equal(a.stdout, b.stdout);
  const json = JSON.parse(a.stdout) as { runs: { name: string; digest: string }[] };
  assert.deepEqual(
    json.runs.map((r) => [r.name, r.digest]),
    (['pre', 'post', 'stop'] as const).map((n) => [
      n,
      simulateVmCluster(handWritten(n === 'pre' ? 'pre-copy' : n === 'post' ? 'post-copy' : 'stop-and-copy')).digest,
    ]),
  );
  const verify = cli(['verify', file]);
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /run stop: identical/);
});

/** Errors of cell `index` as [line, column, code], 0-based as editors keep them. */
function errorsAt(text: string, index: number): [number, number, string][] {
  return (resolveLab(parseLab(text)).diagnostics.get(index) ?? [])
    .filter((d) => d.severity === 'error')
    .map((d): [number, number, string] => [d.range.start.line, d.range.start.character, d.code ?? ''])
    .sort();
}

const ONE_VM = '```vms\nname: t\nvms:\n  - { name: db, vcpus: 2, ram: 4GiB, dirtyRate: 20MB/s }\n```\n';
const RUN_T = runCell('r', 't');

test('hostile vms cells: each bad value at its exact line and column, with no run resolved', () => {
  // Each case: the entry, the text the error must start at (on the entry's line, 2, or on the
  // line `extra` adds), its code.
  const bad = (entry: string, token: string, code: string, extra = '') => {
    const body = `name: t\n${extra}vms:\n  - ${entry}`;
    const text = lab(`\`\`\`vms\n${body}\n\`\`\`\n`, RUN_T);
    const lines = body.split('\n');
    const line = lines.findIndex((l) => l.includes(token));
    assert.deepEqual(errorsAt(text, 2), [[line, lines[line]!.indexOf(token), code]], `${entry} ${extra}`);
    assert.equal(resolveLab(parseLab(text)).vmRuns.length, 0, entry);
  };
  // Units wrong, negative, NaN, not a number, unknown keys.
  bad('{ name: db, vcpus: 2, ram: 4GHz, dirtyRate: 20MB/s }', 'GHz', 'bad-unit');
  bad('{ name: db, vcpus: 2, ram: -4GiB, dirtyRate: 20MB/s }', '-4GiB', 'out-of-range');
  bad('{ name: db, vcpus: 2, ram: 4GiB, dirtyRate: .nan }', '.nan', 'bad-number');
  bad('{ name: db, vcpus: two, ram: 4GiB, dirtyRate: 20MB/s }', 'two', 'wrong-type');
  bad('{ name: db, vcpus: 2, ram: 4GiB, dirtyRate: 20MB/s, colour: red }', 'colour', 'unknown-key');
  // Huge counts are refused before anything is built.
  bad('{ name: db, count: 1000000000, vcpus: 2, ram: 4GiB, dirtyRate: 20MB/s }', '1000000000', 'out-of-range');
  bad('{ name: db, vcpus: 100000, ram: 4GiB, dirtyRate: 20MB/s }', '100000', 'out-of-range');
  // A utilisation above 100 %, a trace with a value out of range.
  bad('{ name: db, vcpus: 2, ram: 4GiB, dirtyRate: 20MB/s, load: { utilization: 150% } }', '150%', 'out-of-range');
  bad('{ name: db, vcpus: 2, ram: 4GiB, dirtyRate: 20MB/s, load: { trace: [10%, 2] } }', '2]', 'out-of-range');
  // A method that does not exist; a check interval that is no multiple of the slice (the simulator's check).
  const ok = '{ name: db, vcpus: 2, ram: 4GiB, dirtyRate: 20MB/s }';
  bad(ok, 'teleport', 'bad-value', 'migration: { method: { kind: teleport } }\n');
  bad(ok, '15ms', 'simulator-check', 'migration: { interval: 15ms }\n');
});

/** [line, column] of the first `token` in the body of cell `index` of `text` (0-based). */
function pos(text: string, index: number, token: string): [number, number] {
  const lines = (parseLab(text)[index] as { value: string }).value.split('\n');
  const line = lines.findIndex((l) => l.includes(token));
  assert.ok(line >= 0, token);
  return [line, lines[line]!.indexOf(token)];
}

test("a VM larger than every host, duplicate VM names, a cluster without ram: the simulator's checks on the cell they are about", () => {
  // 64 GiB on hosts of 32 GiB: at the VM's entry of its own vms cell, and on the run's vms key.
  const huge = lab(ONE_VM.replace('ram: 4GiB', 'ram: 64GiB'), RUN_T);
  assert.deepEqual(errorsAt(huge, 2), [[...pos(huge, 2, '{ name: db'), 'simulator-check']]);
  assert.deepEqual(errorsAt(huge, 3), [[...pos(huge, 3, '[t]'), 'simulator-check']]);
  assert.match(resolveLab(parseLab(huge)).diagnostics.get(2)![0]!.message, /fit on no host/);
  // Two cells whose VMs share a name: on the second cell's entry, at its name.
  const twice = lab(ONE_VM + ONE_VM.replace('name: t', 'name: u'), runCell('r', 't, u'));
  assert.deepEqual(errorsAt(twice, 3), [[...pos(twice, 3, 'db'), 'simulator-check']]);
  assert.match(resolveLab(parseLab(twice)).diagnostics.get(3)![0]!.message, /two VMs are named "db"/);
  // The same cell twice in one run.
  const same = lab(ONE_VM, runCell('r', 't, t'));
  assert.deepEqual(errorsAt(same, 3), [[...pos(same, 3, '[t, t]'), 'duplicate-name']]);
  // Hosts without ram: on the cluster cell's host entry (and the run says which cluster).
  const noRam = lab(ONE_VM, RUN_T, CLUSTER.replace(', ram: 32GiB', ''));
  assert.deepEqual(errorsAt(noRam, 1), [[...pos(noRam, 1, '{ machine'), 'simulator-check']]);
  assert.deepEqual(errorsAt(noRam, 3), [[...pos(noRam, 3, 'pair'), 'simulator-check']]);
  // A maintenance event on a host that does not exist, or with a duration (a VM run drains for good).
  const ghost = lab(ONE_VM, RUN_T, CLUSTER.replace('host: host-0', 'host: host-7'));
  assert.deepEqual(errorsAt(ghost, 1), [[...pos(ghost, 1, 'host-7'), 'simulator-check']]);
  const timed = lab(ONE_VM, RUN_T, CLUSTER.replace('host: host-0 }', 'host: host-0, duration: 1s }'));
  assert.deepEqual(errorsAt(timed, 1), [[...pos(timed, 1, '1s }'), 'simulator-check']]);
  // Power figures given by halves: at the power the idle figure is missing from.
  const half = lab(ONE_VM, RUN_T, CLUSTER.replace('ram: 32GiB }', 'ram: 32GiB, power: { peak: 200W } }'));
  assert.deepEqual(errorsAt(half, 1), [[...pos(half, 1, '{ peak'), 'simulator-check']]);
  assert.match(resolveLab(parseLab(half)).diagnostics.get(1)![0]!.message, /idle and peak together/);
  // The cluster's own power, which every host entry without one takes: at its peak, as in a
  // request run, not at the host entry it was copied into.
  const low = lab(ONE_VM, RUN_T, `${CLUSTER}\npower: { idle: 300W, peak: 100W }`);
  assert.deepEqual(errorsAt(low, 1), [[...pos(low, 1, '100W'), 'simulator-check']]);
  assert.equal(
    resolveLab(parseLab(low)).diagnostics.get(1)![0]!.message,
    'power.peak: must be at least idle (300 W) (simulator check)',
  );
});

test('hostile runs: missing and misspelt references, vms with a service, off hosts in a request run', () => {
  const run = (body: string) => {
    const text = lab(ONE_VM, `\`\`\`run\n${body}\n\`\`\`\n`);
    return { errors: errorsAt(text, 3), at: (token: string) => pos(text, 3, token) };
  };
  assert.deepEqual(run('name: r\ncluster: pair\nvms: [t]').errors, []);
  let r = run('name: r\ncluster: pair\nvms: [tt]');
  assert.deepEqual(r.errors, [[...r.at('tt'), 'unknown-reference']]);
  r = run('name: r\ncluster: rack\nvms: [t]');
  assert.deepEqual(r.errors, [[...r.at('rack'), 'unknown-reference']]);
  assert.deepEqual(run('name: r\nvms: [t]').errors, [[0, 0, 'missing-key']]);
  r = run('name: r\ncluster: pair\nvms: []');
  assert.deepEqual(r.errors, [[...r.at('[]'), 'out-of-range']]);
  // A service does not go with VMs (and none is defined here).
  r = run('name: r\ncluster: pair\nvms: [t]\nservice: web');
  assert.deepEqual(r.errors, [
    [...r.at('service'), 'conflicting-keys'],
    [...r.at('web'), 'unknown-reference'],
  ]);
  r = run('name: r\nmachine: box\nworkload: w\npolicy: pinned\nvms: [t]');
  assert.deepEqual(
    r.errors.filter((e) => e[2] === 'conflicting-keys'),
    [[...r.at('vms'), 'conflicting-keys']],
  );
  // A request run on a cluster with a spare powered off: refused at the off key's value.
  const service = '```service\nname: web\narrival: poisson 10/s\ndemand: 1ms\n```\n';
  const off = lab(
    service,
    '```run\nname: r\ncluster: pair\nservice: web\n```\n',
    CLUSTER.replace('ram: 32GiB }', 'ram: 32GiB, off: true }'),
  );
  assert.deepEqual(errorsAt(off, 1), [[...pos(off, 1, 'true'), 'unsupported']]);
  // Two vms cells with different policies in one run: refused, not silently the first's.
  const mixed = lab(
    ONE_VM + ONE_VM.replace('name: t', 'name: u\nplacement: worst-fit').replace('name: db', 'name: web'),
    runCell('r', 't, u'),
  );
  assert.deepEqual(errorsAt(mixed, 4), [[...pos(mixed, 4, '[t, u]'), 'conflicting-keys']]);
});

test('YAML tricks in a vms cell: aliases, deep nesting, a huge flow list are errors or plain values, never a hang', () => {
  const started = Date.now();
  const alias =
    '```vms\nname: t\nbase: &b { name: db, vcpus: 2, ram: 4GiB, dirtyRate: 20MB/s }\nvms: [*b, *b, *b]\n```\n';
  assert.ok(errorsAt(lab(alias, RUN_T), 2).length > 0);
  const deep = `\`\`\`vms\nname: t\nvms: ${'['.repeat(2000)}${']'.repeat(2000)}\n\`\`\`\n`;
  assert.ok(errorsAt(lab(deep, RUN_T), 2).length > 0);
  const many = `\`\`\`vms\nname: t\nvms: [${Array.from({ length: 5000 }, (_, i) => `{ name: v${i}, vcpus: 1, ram: 1GiB, dirtyRate: 1MB/s }`).join(', ')}]\n\`\`\`\n`;
  // 5000 VMs of 1 GiB on 64 GiB: the simulator's check, quickly.
  assert.deepEqual(
    errorsAt(lab(many, RUN_T), 2).map((e) => e[2]),
    ['simulator-check'],
  );
  assert.ok(Date.now() - started < 20_000, `${Date.now() - started} ms`);
});

test('editor help: vms cells complete and hover from the simulator spec; runs are offered vms cells', () => {
  const names = labNames(parseLab(THREE));
  assert.deepEqual(names.vms, ['pre', 'post', 'stop']);
  const keys = completions('vms', 'name: t\n', { line: 1, character: 0 }, names).map((c) => c.label);
  assert.deepEqual(keys, ['placement', 'overcommit', 'slice', 'migration', 'vms']);
  const refs = completions('run', 'cluster: pair\nvms: [', { line: 1, character: 6 }, names).map((c) => c.label);
  assert.deepEqual(refs, ['pre', 'post', 'stop']);
  const entry = completions('vms', 'vms:\n  - { ', { line: 1, character: 6 }, names).map((c) => c.label);
  for (const key of ['name', 'count', 'vcpus', 'ram', 'dirtyRate', 'wws', 'cpuState', 'load'])
    assert.ok(entry.includes(key), key);
  const hovered = hover('vms', 'vms:\n  - { name: db, dirtyRate: 20MB/s }', { line: 1, character: 18 }, names);
  assert.match(hovered?.contents ?? '', /\*\*dirtyRate\*\*/);
  const method = completions('vms', 'migration: { method: { kind: ', { line: 0, character: 29 }, names).map(
    (c) => c.label,
  );
  assert.deepEqual(method, ['pre-copy', 'post-copy', 'stop-and-copy']);
});
