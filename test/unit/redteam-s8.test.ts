// Red team, session 8: issue 17's cluster, service and vms cells, VM runs, VM charts and the
// commands that run, verify, export, sweep and grade them, attacked through the built command
// line (dist/cli.js: npm run build first) on labs written to a temporary directory.
//
// Each test is named after what it attacks. Tests of attacks the code defeats ("held: ...")
// assert the defence; tests of attacks that worked assert the behaviour that should be there
// and FAIL until it is:
//   - a vms load trace with a short step grows one array entry per step of the whole run: the
//     worker dies with a V8 fatal error (WorkerCrashed, SIGTRAP) instead of a result or an error;
//   - `sweep` leaves every cluster and VM run out (silently in a mixed lab; "no run cells" at
//     1:1 in a lab of cluster runs only);
//   - a live migration that ends after the run is counted as done: its whole downtime (more
//     than the run lasted) goes into migrationDowntimeS and the VM is reported on its target;
//   - a host in maintenance whose VMs need a spare waits for the next migration interval after
//     the spare is on (300 s by default), so in a shorter run the VM is never evacuated;
//   - in a VM run, the cluster's own `power:` with peak below idle is reported at the hosts
//     entry instead of at `power.peak` (a request run reports it at the right place);
//   - a VM chart on a one-machine run (and the reverse) is no problem at line:column: it passes
//     the lab's checks and fails only when drawn ("chart at line N failed");
//   - a cluster run where no request completed reports meanResponseS = p99ResponseS = 0 s, so a
//     "responses are fast" check passes vacuously;
//   - `requestsDropped` is missing from a request run without host events, so a check that
//     nothing was dropped fails with "has no requestsDropped";
//   - `autoscale.interval: 1ns` (a decision every nanosecond) is accepted and the 4 s run spins
//     until the CPU budget (120 s) stops it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO } from './cli-helpers';
import { noCrash, pos, redTeam } from './redteam-cli';

const { dir: DIR, cli, write, errorAt } = redTeam('redteam-s8', 30_000);
const F = '```';

/** `run --json`'s summary of each run. */
function summaries(file: string, extra: string[] = []): Record<string, Record<string, unknown>> {
  const r = cli(['run', file, '--json', ...extra]);
  noCrash(r);
  const json = JSON.parse(r.out.slice(0, r.out.lastIndexOf('}') + 1)) as {
    runs: { name: string; summary?: Record<string, unknown>; error?: string; digest?: string }[];
  };
  const out: Record<string, Record<string, unknown>> = {};
  for (const run of json.runs) {
    assert.equal(run.error, undefined, `run ${run.name} failed: ${run.error}`);
    out[run.name] = { ...run.summary, digest: run.digest };
  }
  return out;
}

// ------------------------------------------------------------------ labs

const SERVER = `${F}machine
name: server
sockets: 1
coresPerSocket: 8
${F}`;

const PAIR_HOSTS = `hosts:
  - { machine: server, count: 2, ram: 64GiB }
policy: least-loaded
network: { bandwidth: 1.25GB/s, migrationShare: 100% }
events:
  - { event: maintenance, at: 10s, host: host-0 }`;

const DB = `vms:
  - { name: db, vcpus: 4, ram: 8GiB, dirtyRate: 400MB/s, load: { utilization: 50% } }`;

/** One cluster `pair`, one vms cell `t`, one run `r` of them. */
const vmLab = (cluster: string, vms: string, run = 'duration: 60s') => `# VM attack

${SERVER}

${F}cluster
name: pair
${cluster}
${F}

${F}vms
name: t
${vms}
${F}

${F}run
name: r
cluster: pair
vms: [t]
${run}
${F}
`;

const SMALL = `${F}machine
name: small
sockets: 1
coresPerSocket: 1
${F}`;

const RACK_HOSTS = `hosts:
  - { machine: small, count: 8 }
policy: least-loaded`;

const SHOP = `arrival: poisson 1400/s
demand: exp 5ms`;

/** One cluster `rack`, one service `shop`, one run `r` of them. */
const svcLab = (cluster = RACK_HOSTS, service = SHOP, run = 'duration: 4s') => `# Request attack

${SMALL}

${F}cluster
name: rack
${cluster}
${F}

${F}service
name: shop
${service}
${F}

${F}run
name: r
cluster: rack
service: shop
${run}
${F}
`;

/** Every kind of cluster cell and three runs (VMs, requests, one machine), for references and charts. */
const ALL = `# Everything

${SERVER}

${SMALL}

${F}cluster
name: pair
${PAIR_HOSTS}
${F}

${F}cluster
name: rack
hosts:
  - { machine: small, count: 4 }
policy: least-loaded
${F}

${F}service
name: shop
arrival: poisson 400/s
demand: exp 5ms
${F}

${F}vms
name: t
${DB}
${F}

${F}workload
name: w
processes:
  - { name: a, count: 20, arrival: poisson 400/s, demand: exp 3ms }
${F}

${F}run
name: vmr
cluster: pair
vms: [t]
duration: 20s
${F}

${F}run
name: one
machine: server
workload: w
policy: pinned
duration: 1s
${F}

${F}run
name: web
cluster: rack
service: shop
duration: 1s
${F}
`;

/** ALL with a run cell of its own in place of the three runs. */
const withRun = (body: string) => `${ALL.slice(0, ALL.indexOf(`${F}run`))}${F}run\n${body}\n${F}\n`;

// ------------------------------------------------------------------ bugs

test('vms load trace with step 1ns (and 1us over 10,000 s): a result or an error at step, never a V8 fatal error', () => {
  for (const [name, step, duration] of [
    ['trace-1ns.lab.md', '1ns', '60s'],
    ['trace-100ns.lab.md', '100ns', '60s'],
    ['trace-1us.lab.md', '1us', '10000s'],
  ] as const) {
    const text = vmLab(
      PAIR_HOSTS,
      `vms:\n  - { name: db, vcpus: 4, ram: 8GiB, dirtyRate: 400MB/s, load: { trace: [10%, 90%], step: ${step} } }`,
      `duration: ${duration}`,
    );
    write(name, text);
    const r = cli(['run', name, '--json']);
    noCrash(r);
    if (r.code === 2) assert.match(r.out, new RegExp(`${name}:${pos(text, step)}: `), r.out);
    else assert.equal(r.code, 0, r.out);
  }
});

test('sweep of a lab with cluster and VM runs: it sweeps them too (or refuses at their cells), never drops them silently', () => {
  const lab = `# Sweep with clusters

${F}params
dr: 400MB/s
rate: 400/s
${F}

${ALL.slice(ALL.indexOf(SERVER), ALL.indexOf(`${F}service`))}${F}service
name: shop
arrival: poisson $rate
demand: exp 5ms
${F}

${F}vms
name: t
vms:
  - { name: db, vcpus: 4, ram: 8GiB, dirtyRate: $dr, load: { utilization: 50% } }
${F}

${F}workload
name: w
processes:
  - { name: a, count: 20, arrival: poisson $rate, demand: exp 3ms }
${F}

${ALL.slice(ALL.indexOf(`${F}run\nname: vmr`))}`;
  write('sweep-mixed.lab.md', lab);
  const r = cli([
    'sweep',
    'sweep-mixed.lab.md',
    '--param',
    'dr=100MB/s,400MB/s',
    '--param',
    'rate=300/s,600/s',
    '--seeds',
    '2',
    '--workers',
    '1',
    '--csv',
    'sweep-mixed.csv',
  ]);
  noCrash(r);
  if (r.code === 2) {
    // A refusal must say which runs and where, not pass over them.
    assert.match(r.out, /sweep-mixed\.lab\.md:\d+:\d+: .*(cluster|vms)/, r.out);
    return;
  }
  assert.equal(r.code, 0, r.out);
  const runs = new Set(
    readFileSync(join(DIR, 'sweep-mixed.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[4]),
  );
  assert.deepEqual([...runs].sort(), ['one', 'vmr', 'web'], 'the sweep left runs out');

  // A lab of cluster runs only is not "a lab with no run cells" at 1:1.
  write(
    'sweep-clusters.lab.md',
    lab.slice(0, lab.indexOf(`${F}run\nname: one`)) + lab.slice(lab.indexOf(`${F}run\nname: web`)),
  );
  const c = cli(['sweep', 'sweep-clusters.lab.md', '--param', 'dr=100MB/s,400MB/s', '--workers', '1']);
  noCrash(c);
  assert.doesNotMatch(c.out, /no run cells to sweep/);
});

test('a live migration that ends after the run: its downtime is not counted beyond the run, nor the VM reported moved', () => {
  // 8 GiB stop-and-copy at 10 MB/s takes 859 s; the run is 60 s and the move starts at 10 s.
  const slow = vmLab(
    PAIR_HOSTS.replace('bandwidth: 1.25GB/s', 'bandwidth: 10MB/s'),
    `migration: { method: { kind: stop-and-copy } }\n${DB}`,
  );
  write('move-past-end.lab.md', slow);
  const s = summaries('move-past-end.lab.md').r!;
  assert.equal(s.simulatedS, 60);
  assert.ok(
    (s.migrationDowntimeS as number) <= 50,
    `migrationDowntimeS = ${s.migrationDowntimeS} s in a run of 60 s whose move started at 10 s`,
  );
  // Pre-copy with D = B never converges: 30 rounds of 8 GiB take 206 s, so the VM never even
  // paused within the 60 s run.
  const never = vmLab(PAIR_HOSTS, DB.replace('400MB/s', '1.25GB/s'));
  write('precopy-past-end.lab.md', never);
  const p = summaries('precopy-past-end.lab.md').r!;
  assert.equal(
    p.migrationDowntimeS,
    0,
    `the VM was never paused within the run, yet downtime = ${p.migrationDowntimeS} s`,
  );
});

test('maintenance that needs a spare: the VM moves once the spare is on, not at the next migration interval', () => {
  const hosts = (boot: string) => `hosts:
  - { machine: server, count: 1, ram: 64GiB }
  - { machine: server, count: 1, ram: 64GiB, off: true, name: spare, power: { idle: 100W, peak: 200W, boot: ${boot} } }
policy: least-loaded
events:
  - { event: maintenance, at: 10s, host: host-0 }`;
  // boot 0s: the spare is on at 10 s, the same instant; the run lasts 60 s (< 300 s interval).
  write('spare-boot0.lab.md', vmLab(hosts('0s'), DB));
  const a = summaries('spare-boot0.lab.md').r!;
  assert.deepEqual(a.migrationsByReason, { maintenance: 1 }, 'the VM stayed on the host in maintenance all run');
  // boot 60s: the spare is on at 70 s; the move should start then, not at 300 s.
  const text = vmLab(hosts('60s'), DB, 'duration: 400s');
  write('spare-boot60.lab.md', text);
  const r = cli(['run', 'spare-boot60.lab.md']);
  noCrash(r);
  const row = r.out.split('\n').find((l) => l.includes('host-0 → spare-0'));
  assert.ok(row, r.out);
  assert.match(row, /\| maintenance \| 70 s \|/, row);
});

test("a VM run's cluster power with peak below idle is reported at power.peak, as in a request run", () => {
  const vmText = vmLab(`${PAIR_HOSTS.split('\nnetwork')[0]}\npower: { idle: 300W, peak: 100W }`, DB);
  write('vm-power.lab.md', vmText);
  errorAt('vm-power.lab.md', vmText, '100W', /peak/);
  // The request run's report, for comparison: at the value.
  const svcText = svcLab(`${RACK_HOSTS}\npower: { idle: 300W, peak: 100W }`);
  write('svc-power.lab.md', svcText);
  errorAt('svc-power.lab.md', svcText, '100W', /peak/);
});

test('a VM chart on a one-machine run, a one-machine chart on a VM run, a VM chart on a request run: errors at the run named', () => {
  for (const [name, chart, run] of [
    ['chart-lm-one.lab.md', 'live-migrations', 'one'],
    ['chart-load-vmr.lab.md', 'load', 'vmr'],
    ['chart-hostson-web.lab.md', 'hosts-on', 'web'],
    ['chart-downtime-mixed.lab.md', 'downtime', 'vmr, one'],
  ] as const) {
    const text = `${ALL}\n${F}chart\nshow: ${chart}\nruns: [${run}]\n${F}\n`;
    write(name, text);
    const bad = run.includes(',') ? 'one' : run;
    const r = cli(['run', name, '--json']);
    noCrash(r);
    assert.equal(r.code, 2, `${name}: not bad input:\n${r.out}`);
    assert.match(r.out, new RegExp(`${name}:${pos(text, bad, text.split(bad).length - 1)}: `), r.out);
  }
});

test('a cluster run where no request completed: a "responses are fast" check does not pass vacuously', () => {
  // Every request needs 1000 s of CPU: none completes within the 4 s run.
  const text = `${svcLab(RACK_HOSTS, 'arrival: poisson 100/s\ndemand: 1000s')}
${F}check id=fast
expect: runs.r.meanResponseS < 1ms && runs.r.p99ResponseS < 1ms
${F}
`;
  write('none-completed.lab.md', text);
  const r = cli(['run', 'none-completed.lab.md']);
  noCrash(r);
  assert.match(r.out, /completed \| 0 \|/, r.out);
  assert.doesNotMatch(r.out, /PASS fast/, 'a mean over no request read as 0 s');
});

test('requestsDropped of a request run without host events: 0, so a "nothing dropped" check passes', () => {
  const text = `${svcLab()}
${F}check id=nodrop
expect: runs.r.requestsDropped == 0
${F}
`;
  write('no-drops.lab.md', text);
  const r = cli(['run', 'no-drops.lab.md']);
  noCrash(r);
  assert.match(r.out, /PASS nodrop/, r.out);
});

test('autoscale.interval 1ns: an error at the interval or a result within seconds, not a spin until the CPU budget', () => {
  const text = svcLab(RACK_HOSTS, `${SHOP}\nautoscale: { interval: 1ns }`);
  write('autoscale-1ns.lab.md', text);
  const r = cli(['run', 'autoscale-1ns.lab.md', '--json'], 30_000);
  noCrash(r);
  if (r.code === 2) assert.match(r.out, new RegExp(`autoscale-1ns\\.lab\\.md:${pos(text, '1ns')}: `), r.out);
  else assert.equal(r.code, 0, r.out);
});

// ------------------------------------------------------------------ held: sizes and time

test('held: 1e9 hosts, 1e15 s, poisson 1e12/s, 10,000 VM hosts are errors at their values', () => {
  const hosts = vmLab(PAIR_HOSTS.replace('count: 2', 'count: 1000000000'), DB);
  write('hosts-1e9.lab.md', hosts);
  errorAt('hosts-1e9.lab.md', hosts, '1000000000', /at most 10000/);
  const long = vmLab(PAIR_HOSTS, DB, 'duration: 1000000000000000s');
  write('duration-1e15.lab.md', long);
  errorAt('duration-1e15.lab.md', long, '1000000000000000s', /at most/);
  const flood = svcLab(RACK_HOSTS, 'arrival: poisson 1000000000000/s\ndemand: exp 5ms');
  write('poisson-1e12.lab.md', flood);
  errorAt('poisson-1e12.lab.md', flood, 'poisson 1000000000000/s', /at most/);
  // VM runs take at most 1000 hosts (the key's own table says 10000: the simulator says where).
  const many = vmLab(PAIR_HOSTS.replace('count: 2', 'count: 10000'), DB);
  write('vm-hosts-1e4.lab.md', many);
  errorAt('vm-hosts-1e4.lab.md', many, '10000', /at most 1000/);
});

test('held: 1.4e9 requests (1e6 s at 1400/s) and every-1ns arrivals stop at the CPU budget with its message', () => {
  for (const [name, text] of [
    ['requests-1e9.lab.md', svcLab(RACK_HOSTS, SHOP, 'duration: 1000000s')],
    ['every-1ns.lab.md', svcLab(RACK_HOSTS, 'arrival: every 1ns\ndemand: 1ns')],
  ] as const) {
    write(name, text);
    const r = cli(['run', name, '--cpu-limit', '3'], 30_000);
    noCrash(r);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /run r failed: RunLimit: it ran past its CPU-time limit of 3 s per run/);
  }
});

test('held: consistent hashing with 10,000 hosts x 10,000 replicas stops at the memory limit with its message', () => {
  const text = svcLab(
    'hosts:\n  - { machine: small, count: 10000 }\npolicy: least-loaded',
    'arrival: poisson 100/s\ndemand: exp 5ms\nbalancer: { policy: consistent-hash, replicas: 10000 }',
  );
  write('ring-1e8.lab.md', text);
  const r = cli(['run', 'ring-1e8.lab.md', '--memory-limit', '256'], 30_000);
  noCrash(r);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /RunLimit: it used more than its memory limit of 256 MB per run/);
});

test('held: bandwidth 0, negative, in ms, NaN, .inf, hex, underscored: errors at the value', () => {
  // A unit error is at the unit, after the number.
  for (const [value, pattern, offset] of [
    ['0B/s', /greater than 0B\/s/, 0],
    ['-1GB/s', /greater than 0B\/s/, 0],
    ['1ms', /Unknown bandwidth unit "ms"/, 1],
    ['NaN', /Expected a bandwidth/, 0],
    ['.inf', /Expected a bandwidth/, 0],
    ['0x10GB/s', /Unknown bandwidth unit/, 1],
    ['1_000MB/s', /Unknown bandwidth unit/, 1],
  ] as const) {
    const text = vmLab(PAIR_HOSTS.replace('bandwidth: 1.25GB/s', `bandwidth: ${value}`), DB);
    const name = write(`bw-${value.replace(/[^a-z0-9]/gi, '_')}.lab.md`, text);
    errorAt(name, text, value, pattern, 1, offset);
  }
});

test('held: a VM of 0 vCPUs, of 0 B RAM, a slice of 1ns, MB for a size, a string for a number: errors at the value', () => {
  for (const [vms, needle, pattern, offset] of [
    [DB.replace('vcpus: 4', 'vcpus: 0'), 'vcpus: 0', /at least 1/, 7],
    [DB.replace('ram: 8GiB', 'ram: 0B'), '0B', /greater than 0B/, 0],
    [`slice: 1ns\n${DB}`, '1ns', /at least 1us/, 0],
    [DB.replace('ram: 8GiB', 'ram: 8GB'), '8GB', /Unknown size unit "GB"/, 1],
    [DB.replace('vcpus: 4', "vcpus: '4'"), "'4'", /whole number/, 0],
    [DB.replace('vcpus: 4', 'vcpus: 4.5'), '4.5', /whole number/, 0],
    [DB.replace('utilization: 50%', 'utilization: .nan'), '.nan', /Expected a fraction/, 0],
  ] as const) {
    const text = vmLab(PAIR_HOSTS, vms);
    const name = write(`vm-${needle.replace(/[^a-z0-9]/gi, '_')}.lab.md`, text);
    errorAt(name, text, needle, pattern, 1, offset);
  }
});

test('held: dirty rate equal to the bandwidth: 30 rounds, then a stop-and-copy downtime of exactly (M + state) / B + latency', () => {
  // The move (206 s) outlasts a 60 s run (see the bug above), so give it 300 s.
  const text = vmLab(PAIR_HOSTS, DB.replace('400MB/s', '1.25GB/s'), 'duration: 300s');
  write('d-equals-b.lab.md', text);
  const s = summaries('d-equals-b.lab.md').r!;
  const expected = (8 * 2 ** 30 + 256 * 1024) / 1.25e9 + 50e-6;
  assert.ok(Math.abs((s.migrationDowntimeS as number) - expected) < 1e-9, `${s.migrationDowntimeS} vs ${expected}`);
  const r = cli(['run', 'd-equals-b.lab.md']);
  assert.match(r.out, /\| pre-copy \| 30 \| 240\.00 GiB \|.*round-limit \(not converged\)/);
});

test('held: maxDowntime 0 with 10,000 rounds, auto-converge at D = B, dirty rate 1e308 B/s, bandwidth 1e308 B/s: results in seconds', () => {
  for (const [name, cluster, vms] of [
    [
      'md0.lab.md',
      PAIR_HOSTS,
      `migration: { method: { kind: pre-copy, maxDowntime: 0s, maxRounds: 10000 } }\n${DB.replace('400MB/s', '1GiB/s')}`,
    ],
    [
      'ac.lab.md',
      PAIR_HOSTS,
      `migration: { method: { kind: pre-copy, onNonConvergence: auto-converge, maxRounds: 10000 } }\n${DB.replace('400MB/s', '1.25GB/s')}`,
    ],
    ['dr-huge.lab.md', PAIR_HOSTS, DB.replace('400MB/s', '1e308B/s')],
    ['bw-huge.lab.md', PAIR_HOSTS.replace('1.25GB/s', '1e308B/s'), DB],
    ['dr-zero.lab.md', PAIR_HOSTS, DB.replace('400MB/s', '0B/s')],
  ] as const) {
    write(name, vmLab(cluster, vms, 'duration: 300s'));
    const s = summaries(name).r!;
    assert.deepEqual(s.migrationsByReason, { maintenance: 1 }, name);
    assert.ok(
      Number.isFinite(s.migrationDowntimeS) && (s.migrationDowntimeS as number) > 0,
      `${name}: ${s.migrationDowntimeS}`,
    );
  }
});

test('held: a move slower than the simulated clock (post-copy pulling at 1 B/s) is an error at the pull rate, not a hang', () => {
  // It was a run error without a position ("run r failed: SimConfigError: ..."): now the lab refuses it at the value.
  const text = vmLab(
    PAIR_HOSTS,
    `migration: { method: { kind: post-copy, pullRate: 1B/s } }\n${DB}`,
    'duration: 1000000s',
  );
  write('pull-1.lab.md', text);
  errorAt(
    'pull-1.lab.md',
    text,
    '1B/s',
    /pullRate: is too low: VM "db" would pull its pages for longer than the simulated clock counts/,
  );
});

// ------------------------------------------------------------------ held: YAML

test('held: aliases, merge keys, !!js/function, !!binary, two documents, duplicate keys, unicode names in a vms cell', () => {
  for (const [vms, needle, pattern] of [
    [
      'vms:\n  - &a { name: db, vcpus: 4, ram: 8GiB, dirtyRate: 400MB/s }\n  - { <<: *a, name: db2 }',
      '*a',
      /aliases .* are not supported/,
    ],
    ['vms:\n  - { <<: { vcpus: 4 }, name: db, ram: 8GiB, dirtyRate: 400MB/s }', '<<', /Unknown key "<<"/],
    [
      "vms:\n  - { name: db, vcpus: !!js/function 'function(){return 4}', ram: 8GiB, dirtyRate: 400MB/s }",
      "'function",
      /whole number/,
    ],
    ['vms:\n  - { name: db, vcpus: 4, ram: !!binary aGVsbG8=, dirtyRate: 400MB/s }', 'aGVsbG8=', /Expected a size/],
    [`${DB}\n---\nname: evil`, '---', /multiple documents/],
    ['vms:\n  - { name: db, vcpus: 4, vcpus: 8, ram: 8GiB, dirtyRate: 400MB/s }', 'vcpus: 8', /unique/],
    ['vms:\n  - { name: dé_ü, vcpus: 4, ram: 8GiB, dirtyRate: 400MB/s }', 'dé_ü', /must be a name/],
  ] as const) {
    const text = vmLab(PAIR_HOSTS, vms);
    const name = write(`yaml-${needle.replace(/[^a-z0-9]/gi, '_')}.lab.md`, text);
    errorAt(name, text, needle, pattern);
  }
});

test('held: a machine cell named like a preset, hosts named <name>-<i> twice, VMs named <name>-<i> twice', () => {
  const preset = `# t\n\n${F}machine\nname: laptop-4\nsockets: 1\ncoresPerSocket: 64\n${F}\n\n${F}cluster\nname: pair\nhosts:\n  - { machine: laptop-4, count: 2, ram: 64GiB }\npolicy: least-loaded\n${F}\n\n${F}vms\nname: t\n${DB}\n${F}\n\n${F}run\nname: r\ncluster: pair\nvms: [t]\n${F}\n`;
  write('preset.lab.md', preset);
  errorAt('preset.lab.md', preset, 'laptop-4', /built-in preset/);
  const twice = vmLab(
    'hosts:\n  - { machine: server, count: 2, ram: 64GiB }\n  - { machine: server, count: 2, ram: 32GiB }\npolicy: least-loaded',
    DB,
  );
  write('hosts-twice.lab.md', twice);
  errorAt('hosts-twice.lab.md', twice, '{ machine: server, count: 2, ram: 32GiB }', /two hosts are named "host-0"/);
  const vms = vmLab(
    PAIR_HOSTS,
    'vms:\n  - { name: db, count: 2, vcpus: 4, ram: 8GiB, dirtyRate: 400MB/s }\n  - { name: db-1, vcpus: 4, ram: 8GiB, dirtyRate: 400MB/s }',
  );
  write('vms-twice.lab.md', vms);
  errorAt('vms-twice.lab.md', vms, 'db-1', /two VMs are named "db-1"/);
  // web-1-0 of an entry named web-1 is not web-1 of the entry named web.
  const like = vmLab(
    'hosts:\n  - { machine: server, count: 2, ram: 64GiB, name: web }\n  - { machine: server, count: 1, ram: 32GiB, name: web-1 }\npolicy: least-loaded\nevents:\n  - { event: maintenance, at: 10s, host: web-1-0 }',
    DB,
  );
  write('hosts-like.lab.md', like);
  const r = cli(['run', 'hosts-like.lab.md']);
  noCrash(r);
  assert.equal(r.code, 0, r.out);
});

// ------------------------------------------------------------------ held: references

test('held: a run naming a missing cluster, vms or service, both machine and cluster, service and vms, a vms twice', () => {
  for (const [body, needle, pattern] of [
    ['name: r\ncluster: nope\nvms: [t]', 'nope', /Unknown cluster "nope"/],
    ['name: r\ncluster: pair\nvms: [nope]', 'nope', /Unknown vms "nope"/],
    ['name: r\ncluster: pair\nservice: nope', 'nope', /Unknown service "nope"/],
    ['name: r\ncluster: pair\nservice: shop\nvms: [t]', 'service: shop', /"service" does not go with "vms"/],
    ['name: r\nmachine: server\ncluster: pair\nvms: [t]', 'name: r', /Use only one of "machine" and "cluster"/],
    ['name: r\ncluster: pair\nvms: [t, t]', '[t, t]', /each vms cell once/],
    ['name: r\ncluster: pair\nvms: []', '[]', /at least 1 item/],
    ['name: r\ncluster: pair\nvms: [t]\nwindow: 1s..5s', 'window', /does not go with "cluster"/],
    ['name: r\ncluster: server\nvms: [t]', 'server', /Unknown cluster "server"/],
    ['name: r\nmachine: pair\nworkload: w\npolicy: pinned', 'pair', /Unknown machine "pair"/],
  ] as const) {
    const text = withRun(body);
    const name = write(`ref-${body.replace(/[^a-z0-9]/gi, '_').slice(0, 60)}.lab.md`, text);
    const at = text.indexOf(`${F}run`);
    const nth = text.slice(0, at).split(needle).length; // the occurrence inside the run cell
    errorAt(name, text, needle, pattern, nth);
  }
  // A vms cell on a cluster whose hosts have no RAM: at the hosts entry and at the run.
  const text = withRun('name: r\ncluster: rack\nvms: [t]');
  write('ref-rack-vms.lab.md', text);
  errorAt('ref-rack-vms.lab.md', text, '{ machine: small, count: 4 }', /ram: is required/);
});

test('held: one cluster and one vms cell used by two runs give two identical runs', () => {
  const text = `${ALL.slice(0, ALL.indexOf(`${F}run`))}${F}run\nname: r1\ncluster: pair\nvms: [t]\nduration: 20s\n${F}\n\n${F}run\nname: r2\ncluster: pair\nvms: [t]\nduration: 20s\n${F}\n`;
  write('two-runs.lab.md', text);
  const s = summaries('two-runs.lab.md');
  assert.equal(s.r1!.digest, s.r2!.digest);
});

test('held: events past the end, on a missing host, power-off and a second fail in a VM run, zero-length windows: errors at the value', () => {
  const past = vmLab(PAIR_HOSTS, DB, 'duration: 1s');
  write('event-past.lab.md', past);
  errorAt('event-past.lab.md', past, '10s', /at most the duration/);
  const missing = vmLab(PAIR_HOSTS.replace('host: host-0', 'host: host-7'), DB);
  write('event-missing.lab.md', missing);
  errorAt('event-missing.lab.md', missing, 'host-7', /no host is named "host-7"/);
  // A VM run takes maintenance and fail (sim-vm-failures.test.ts); power-off is refused at the kind.
  const off = vmLab(PAIR_HOSTS.replace('event: maintenance', 'event: power-off'), DB);
  write('event-power-off.lab.md', off);
  errorAt('event-power-off.lab.md', off, 'power-off', /maintenance and fail only/);
  // A fail twice on one host, the second while it is down: at the second's time.
  const twice = vmLab(
    PAIR_HOSTS.replace('event: maintenance', 'event: fail').replace(
      /(\n\s+- \{ event: fail[^\n]*\})/,
      '$1\n  - { event: fail, at: 15s, host: host-0 }',
    ),
    DB,
  );
  write('event-fail-twice.lab.md', twice);
  errorAt('event-fail-twice.lab.md', twice, '15s', /never repaired/);
  const zero = svcLab(`${RACK_HOSTS}\nevents:\n  - { event: fail, at: 1s, host: host-1, duration: 0s }`);
  write('event-zero.lab.md', zero);
  errorAt('event-zero.lab.md', zero, '0s', /greater than 0ns/);
});

test('held: power-off/power-on four times at one instant with boot 0, and events on one host at one instant', () => {
  const text = svcLab(`${RACK_HOSTS}
power: { idle: 100W, peak: 250W, boot: 0s }
events:
  - { event: power-off, at: 1s, host: host-1 }
  - { event: power-on, at: 1s, host: host-1 }
  - { event: power-off, at: 1s, host: host-1 }
  - { event: power-on, at: 1s, host: host-1 }`);
  write('power-loop.lab.md', text);
  const s = summaries('power-loop.lab.md').r!;
  assert.ok((s.completed as number) > 0);
  // Power-on of a host that is up is refused where it is written.
  const on = svcLab(`${RACK_HOSTS}\nevents:\n  - { event: power-on, at: 1s, host: host-1 }`);
  write('power-on-up.lab.md', on);
  errorAt('power-on-up.lab.md', on, 'power-on', /only a host that is down can be powered on/);
});

// ------------------------------------------------------------------ held: charts

test('held: a raw Vega-Lite spec cannot load URLs, images or javascript: links, and its expressions run nothing', () => {
  const chart = (spec: string) => `${ALL}\n${F}chart\nrun: one\ntable: migrations\nvegaLite:\n${spec}\n${F}\n`;
  const url = chart("  mark: bar\n  data: { url: 'https://evil.example/x.json' }");
  write('vl-url.lab.md', url);
  errorAt('vl-url.lab.md', url, 'data:', /cannot bring data of its own/);
  const img = chart(
    "  mark: { type: image }\n  encoding: { url: { value: 'https://evil.example/p.png' }, href: { value: 'javascript:alert(1)' } }",
  );
  write('vl-img.lab.md', img);
  errorAt('vl-img.lab.md', img, 'image', /image marks/);
  errorAt('vl-img.lab.md', img, "'javascript:alert(1)'", /a link may only go to/);
  const expr = chart(
    "  mark: bar\n  transform: [{ calculate: 'alert(1)', as: x }]\n  encoding:\n    x: { field: reason, type: nominal, axis: { labelExpr: 'window.location' } }",
  );
  write('vl-expr.lab.md', expr);
  const r = cli(['export', 'vl-expr.lab.md', '--out', 'vl-expr.html']);
  noCrash(r);
  const html = readFileSync(join(DIR, 'vl-expr.html'), 'utf8');
  assert.doesNotMatch(html, /<script/i);
  assert.match(html, /Cannot draw this chart: Unrecognized function: alert/);
});

// ------------------------------------------------------------------ held: checks

test('held: checks on metrics a cluster run does not have fail with the metrics it has; unknown names are errors', () => {
  const check = (expr: string) => `${ALL}\n${F}check id=c\nexpect: ${expr}\n${F}\n`;
  for (const expr of [
    'runs.vmr.meanResponseS < 1',
    "'!(runs.vmr.meanResponseS > 1)'",
    'runs.web.energyJ < 1',
    "'!(runs.web.energyJ > 1)'",
    'runs.web.migrationDowntimeS == 0',
    'runs.vmr.requestsDropped == 0',
    'runs.web.migrationsByReason.maintenance == 0',
    'runs.vmr.imbalanceCv < 1',
  ]) {
    const name = write(`check-${expr.replace(/[^a-z0-9]/gi, '_')}.lab.md`, check(expr));
    const r = cli(['run', name]);
    noCrash(r);
    assert.equal(r.code, 1, `${expr}:\n${r.out}`);
    assert.match(r.out, /FAIL c \(0\/1\): .* has no "/, expr);
  }
  const unknown = check('runs.vmr.nope < 1');
  write('check-unknown.lab.md', unknown);
  errorAt('check-unknown.lab.md', unknown, 'nope', /Unknown metric "nope"/);
  const reason = check('runs.vmr.migrationsByReason.consolidation == 0');
  write('check-reason.lab.md', reason);
  errorAt('check-reason.lab.md', reason, 'consolidation', /Unknown reason "consolidation"/);
});

// ------------------------------------------------------------------ held: grading

const SOURCE = `# Assignment: move the database with little downtime

${F}machine locked
name: server
sockets: 1
coresPerSocket: 8
${F}

${F}cluster locked
name: pair
${PAIR_HOSTS}
${F}

Choose the method so the database's downtime is small.

${F}vms
name: db
migration: { method: { kind: post-copy } }
vms:
  - { name: db, vcpus: 4, ram: 8GiB, dirtyRate: 400MB/s, load: { utilization: 50% } }
${F}

${F}run locked
name: yours
cluster: pair
vms: [db]
duration: 60s
${F}

${F}check id=moved points=1
expect: runs.yours.migrationsByReason.maintenance == 1
${F}

${F}check id=small points=2
expect: runs.yours.migrationDowntimeS < 100ms
${F}
`;

test('held: grading restores a locked cluster and a locked run that a submission swapped for trivial ones', () => {
  write('source.lab.md', SOURCE);
  const rel = cli(['release', 'source.lab.md', '--out', 'student.lab.md']);
  assert.equal(rel.code, 0, rel.out);
  const student = readFileSync(join(DIR, 'student.lab.md'), 'utf8').replace('post-copy', 'pre-copy');
  write('sub-pre.lab.md', student);
  write(
    'sub-swap.lab.md',
    `${student
      .replace('  - { event: maintenance, at: 10s, host: host-0 }\n', '')
      .replace(
        'vms: [db]',
        'vms: [tiny]',
      )}\n${F}vms\nname: tiny\nvms:\n  - { name: db, vcpus: 1, ram: 4KiB, dirtyRate: 0B/s }\n${F}\n`,
  );
  write('sub-bw.lab.md', student.replace('bandwidth: 1.25GB/s', 'bandwidth: 1000GB/s'));
  write(
    'sub-shadow.lab.md',
    student.replace(
      `${F}cluster locked`,
      `${F}cluster\nname: pair\nhosts:\n  - { machine: server, count: 2, ram: 64GiB }\npolicy: least-loaded\nnetwork: { bandwidth: 1000GB/s }\n${F}\n\n${F}cluster locked`,
    ),
  );
  const scores: string[] = [];
  for (const workers of ['1', '2']) {
    const g = cli(
      [
        'grade',
        'sub-pre.lab.md',
        'sub-swap.lab.md',
        'sub-bw.lab.md',
        'sub-shadow.lab.md',
        '--source',
        'source.lab.md',
        '--workers',
        workers,
        '--csv',
        `scores-${workers}.csv`,
      ],
      120_000,
    );
    noCrash(g);
    assert.equal(g.code, 1, g.out); // some checks failed: a grade
    scores.push(readFileSync(join(DIR, `scores-${workers}.csv`), 'utf8'));
  }
  const rows = scores[0]!
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').slice(0, 3).join(','));
  assert.deepEqual(rows, ['sub-pre.lab.md,1,3', 'sub-swap.lab.md,1,3', 'sub-bw.lab.md,1,3', 'sub-shadow.lab.md,1,3']);
  assert.equal(scores[0], scores[1], 'scores depend on --workers');
});

// ------------------------------------------------------------------ held: determinism

test('held: the shipped VM and request examples give the same digests run twice, and verify finds them identical', () => {
  for (const example of ['live-migration', 'consolidation', 'maintenance', 'web-balancer']) {
    const name = `${example}.lab.md`;
    write(name, readFileSync(join(REPO, 'examples', name), 'utf8'));
    const a = summaries(name);
    const b = summaries(name);
    assert.deepEqual(
      Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v.digest])),
      Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v.digest])),
      example,
    );
    const v = cli(['verify', name, '--json']);
    noCrash(v);
    assert.equal(v.code, 0, v.out);
    const entries = (JSON.parse(v.out.slice(0, v.out.lastIndexOf('}') + 1)) as { entries: { status: string }[] })
      .entries;
    assert.ok(entries.length > 0 && entries.every((e) => e.status === 'identical'), v.out);
  }
});

test('held: a VM run with load noise and a --param override gives the digest of the same value written in the lab', () => {
  const lab = (dr: string) =>
    `# p\n\n${F}params\ndr: ${dr}\n${F}\n\n${vmLab(PAIR_HOSTS, DB.replace('400MB/s', '$dr').replace('utilization: 50%', 'utilization: 50%, noise: 20%')).slice('# VM attack\n\n'.length)}`;
  write('param-a.lab.md', lab('400MB/s'));
  write('param-b.lab.md', lab('100MB/s'));
  const a = summaries('param-a.lab.md').r!;
  const b = summaries('param-b.lab.md', ['--param', 'dr=400MB/s']).r!;
  assert.equal(a.digest, b.digest);
});

// ------------------------------------------------------------------ session 10's red team, fixed in 12

test('a link too slow for a move to end on the clock is an error at its bandwidth, before the run', () => {
  // 1 B/s: copying 8 GiB would take 272 years; the run used to fail mid-way with a raw
  // "SimConfigError: link.bandwidthBytesPerS: ..." and no position.
  const text = vmLab(PAIR_HOSTS.replace('bandwidth: 1.25GB/s', 'bandwidth: 1B/s'), DB);
  write('slow-link.lab.md', text);
  errorAt(
    'slow-link.lab.md',
    text,
    '1B/s',
    /bandwidth: is too low: moving VM "db" would take longer than the simulated clock counts/,
  );
  const r = cli(['run', 'slow-link.lab.md']);
  assert.doesNotMatch(r.out, /SimConfigError|bandwidthBytesPerS/, r.out);
  // The bound is the clock's (2^53 ns, 104 days), not a guess. At 100 kB/s the guest dirties
  // faster than the link sends, so pre-copy sends all 8 GiB in each of its 30 rounds: 30 x 85.9 ks
  // = 29.8 days, accepted (the move is unfinished at the end of the 60 s run); at 20 kB/s that is
  // 149 days, refused.
  const slow = vmLab(PAIR_HOSTS.replace('bandwidth: 1.25GB/s', 'bandwidth: 20000B/s'), DB);
  write('slow-20k.lab.md', slow);
  errorAt('slow-20k.lab.md', slow, '20000B/s', /bandwidth: is too low/);
  const ok = vmLab(PAIR_HOSTS.replace('bandwidth: 1.25GB/s', 'bandwidth: 100000B/s'), DB);
  write('slow-ok.lab.md', ok);
  const s = summaries('slow-ok.lab.md').r!;
  assert.equal(s.migrations, 1);
});

test('a host event after the run is an error that states the duration as a time, not in nanoseconds', () => {
  const text = vmLab(PAIR_HOSTS.replace('at: 10s', 'at: 70s'), DB);
  write('late-event.lab.md', text);
  errorAt('late-event.lab.md', text, '70s', /at: must be at most the duration \(60s\)/);
  // The same for a check interval that is no multiple of the slice (it named the simulator's key, sliceNs).
  const interval = vmLab(PAIR_HOSTS, `${DB}\nmigration: { interval: 15ms }`);
  write('interval.lab.md', interval);
  errorAt('interval.lab.md', interval, '15ms', /interval: must be a multiple of the slice \(10ms\)/);
});

test('the cluster cell says how many hosts each kind of run takes, and a VM run refuses more at count:', () => {
  const text = vmLab(PAIR_HOSTS.replace('count: 2', 'count: 1001'), DB);
  write('many-hosts.lab.md', text);
  errorAt('many-hosts.lab.md', text, '1001', /count: must be at most 1000 \(simulator check\)/);
  const doc = readFileSync(join(REPO, 'docs', 'lab-format.md'), 'utf8');
  assert.match(
    doc,
    /`hosts\[\]\.count` \| How many hosts of this kind; in all, a request run takes at most 10000, a VM run 1000\./,
  );
});
