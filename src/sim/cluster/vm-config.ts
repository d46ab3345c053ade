/**
 * The configuration of a run of virtual machines on hosts (docs/model.md, "Virtual machines on
 * hosts"): hosts (a machine, its RAM and its power), VMs (vCPUs, RAM, the dirty-page model live
 * migration reads, and their CPU load over time), the placement, the VM migration policies and
 * their check interval, the link moves use, and maintenance events. Each key is described once
 * in the sections below (unit, default, source), and resolveVmCluster checks a config against
 * them into the resolved form VmClusterSimulation runs, with SimConfigError paths into the config.
 */
import type { MachineConfig, PolicyConfig, SchedulerConfig } from '../config';
import { SimConfigError } from '../errors';
import { resolveMachine, type ResolvedMachine } from '../machine';
import { RUN } from '../resolve';
import { given, onlySectionKeys, readEnum, readNumber, type Section } from '../spec';
import { array, num, onlyKeys, optNum, optionalRecord, record, str } from '../validate';
import {
  LIVE_MIGRATION_LINK,
  resolveLiveMigration,
  simulateLiveMigration,
  transferNs,
  type LiveMigrationConfig,
  type LiveMigrationLinkConfig,
} from './live-migration';
import { readHostEvents, type HostEventConfig } from './host-events';
import { resolveHotspot, VM_HOTSPOT, type HotspotConfig, type ResolvedHotspot } from './vm-hotspot';
import { resolveHostPower, type HostPowerConfig, type ResolvedHostPower } from './host-power';
import { placeAll, VM_PLACEMENT, vcpuSlots, type VmPlacementName, type VmSize } from './vm-placement';

/** Most steps a noisy trace may have in a run (each step's noise is drawn in turn). */
export const MAX_NOISY_STEPS = 1e7;

/** A VM's CPU load: what each of its vCPUs asks of the host. */
export const VM_LOAD = {
  utilization: {
    kind: 'number',
    unit: 'fraction',
    min: 0,
    max: 1,
    default: 1,
    doc: 'Share of each vCPU kept busy (1: unbounded demand, the vCPU always wants a core); with trace, unused.',
  },
  trace: {
    kind: 'list',
    items: { kind: 'number', unit: 'fraction', min: 0, max: 1, doc: 'Utilisation during one step.' },
    minItems: 1,
    doc: 'Utilisation per step instead of a constant one, each held `step`, the last one to the end of the run.',
    defaultText: 'the constant utilization',
  },
  stepNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'step',
    integer: true,
    min: 1,
    default: 300e9,
    doc: 'Time each value of the trace holds.',
    source: 'PlanetLab traces as CloudSim reads them: one sample every 5 minutes',
  },
  noise: {
    kind: 'number',
    unit: 'fraction',
    min: 0,
    max: 1,
    default: 0,
    doc: 'Standard deviation of a normal draw added to the utilisation at each step (seeded per VM), clamped to 0..1.',
  },
} satisfies Section;

/** The VM migration policies: when and why VMs move. */
export const VM_MIGRATION = {
  checkIntervalNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'interval',
    integer: true,
    min: 1,
    default: 300e9,
    doc: 'The policies look at the hosts at every multiple of this interval.',
    source: 'CloudSim power examples, SCHEDULING_INTERVAL 300 s',
  },
  overload: {
    kind: 'enum',
    values: {
      none: 'No host is ever overloaded.',
      static: 'A host is overloaded above `threshold`.',
      mad: 'Above 1 - safety x MAD of its utilisation history (median absolute deviation), static until it has 12 samples.',
    },
    default: 'static',
    doc: 'How an overloaded host is detected (its VMs then move, fewest bytes of RAM first, until it is not).',
    source:
      'Beloglazov & Buyya, CCPE 2012 (THR and MAD; CloudSim Plus VmAllocationPolicyMigrationStaticThreshold, MedianAbsoluteDeviation)',
  },
  threshold: {
    kind: 'number',
    unit: 'fraction',
    above: 0,
    default: 0.8,
    doc: "Static overload threshold on a host's CPU demand over its cores; also the most a migration target may reach.",
    source: 'Beloglazov & Buyya, CCPE 2012 (THR 0.8)',
  },
  safety: {
    kind: 'number',
    unit: 'number',
    min: 0,
    default: 2.5,
    doc: "MAD's safety parameter s.",
    source: 'Beloglazov & Buyya, CCPE 2012 (MAD 2.5)',
  },
  consolidate: {
    kind: 'enum',
    values: {
      off: 'Hosts are never emptied.',
      on: 'At each check, the least-loaded host below `underload` is emptied when all its VMs fit elsewhere, then powered off.',
    },
    default: 'off',
    doc: 'Underload consolidation (empty hosts are powered off either way only when on).',
    source: 'Beloglazov & Buyya, CCPE 2012 (underload detection: the least utilised host)',
  },
  underload: {
    kind: 'number',
    unit: 'fraction',
    above: 0,
    max: 1,
    default: 1,
    doc: 'A host is a consolidation candidate while its CPU demand is below this (1: any host, as CloudSim).',
    source: 'CloudSim (the least utilised host, without a threshold)',
  },
  restartDelayNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'restartDelay',
    integer: true,
    min: 0,
    default: 18e9,
    doc: 'HA restart: the VMs of a failed host are restarted on other hosts (placement) this long after the failure; a VM with nowhere to go waits for room.',
    source:
      'VMware vSphere HA: a failed host is declared dead and its VMs restarted 18 s after its last heartbeat with heartbeat datastores, 15 s without (Epping & Denneman, vSphere HA Deepdive, "Restarting Virtual Machines")',
  },
  hotspot: {
    kind: 'section',
    keys: VM_HOTSPOT,
    doc: "Thermal hot spots: each host's temperature from its power (a lumped RC model); hosts at or above the threshold shed VMs (reason thermal).",
    defaultText: 'none: host temperatures are not simulated',
  },
} satisfies Section;

/** The cluster's own keys. */
export const VM_CLUSTER = {
  placement: VM_PLACEMENT,
  overcommit: {
    kind: 'number',
    unit: 'number',
    min: 1,
    max: 64,
    default: 1,
    doc: 'How many vCPUs are placed per core (CPU overcommit ratio); RAM is never overcommitted.',
    source: 'CloudSim Plus gives each vCPU a PE of its own (1); OpenStack Nova initial_cpu_allocation_ratio is 4.0',
  },
  sliceNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'slice',
    integer: true,
    min: 1000,
    default: 10e6,
    doc: "Granularity of a vCPU's work on its host: each vCPU adds its load's work every slice and runs it in pieces of at most a slice.",
    source: 'estimate: a few scheduler time slices',
  },
} satisfies Section;

export interface VmHostConfig {
  /** Its hosts are named `<name>-<i>` (default `host`). */
  name?: string;
  count?: number;
  machine: MachineConfig;
  ramBytes: number;
  power?: HostPowerConfig;
  /** Powered off at the start (a spare the policies may power on). */
  off?: boolean;
}

export interface VmLoadConfig {
  utilization?: number;
  /** Utilisation per step, held `stepNs` each (the last one after the end). */
  trace?: number[];
  stepNs?: number;
  noise?: number;
}

export interface VmConfig {
  /** Its VMs are named `<name>-<i>`, or `<name>` when count is 1 (the default). */
  name: string;
  count?: number;
  vcpus: number;
  ramBytes: number;
  dirtyBytesPerS: number;
  wwsBytes?: number;
  cpuStateBytes?: number;
  load?: VmLoadConfig;
}

export interface VmMigrationPolicyConfig {
  checkIntervalNs?: number;
  overload?: 'none' | 'static' | 'mad';
  threshold?: number;
  safety?: number;
  consolidate?: 'off' | 'on';
  underload?: number;
  restartDelayNs?: number;
  hotspot?: HotspotConfig;
  /** How a VM moves (live-migration.ts); default pre-copy with its defaults. */
  method?: LiveMigrationConfig['method'];
}

/**
 * A host event of a VM run. Maintenance: the host is drained at `atNs` (its VMs move away, it
 * takes no new ones, and it is powered off once empty), until the end of the run. Fail: the host
 * stops at `atNs`, its VMs are down until HA restarts them elsewhere; it is repaired after
 * `durationNs` (Infinity: never), then boots and takes VMs again.
 */
export interface VmHostEvent {
  kind: 'maintenance' | 'fail';
  atNs: number;
  host: string;
  durationNs: number;
}

export interface VmClusterConfig {
  hosts: VmHostConfig[];
  vms: VmConfig[];
  placement?: VmPlacementName;
  overcommit?: number;
  sliceNs?: number;
  link?: LiveMigrationLinkConfig;
  migration?: VmMigrationPolicyConfig;
  /** Host events (HOST_EVENT); a VM run takes maintenance without a duration, and fail. */
  events?: HostEventConfig[];
  /** The machine-level policy and scheduler every host runs its vCPUs with. */
  policy: PolicyConfig;
  scheduler: SchedulerConfig;
  durationNs: number;
  seed: number;
}

export interface ResolvedVmHost {
  name: string;
  entry: number;
  machine: ResolvedMachine;
  cores: number;
  /** Mean speed of its cores: a piece of d reference ns of work takes d / speed on it. */
  speed: number;
  vcpuSlots: number;
  ramBytes: number;
  power: ResolvedHostPower;
  off: boolean;
}

export interface ResolvedVm {
  name: string;
  /** Index into VmClusterConfig.vms of the entry it comes from. */
  entry: number;
  vcpus: number;
  ramBytes: number;
  migrationVm: LiveMigrationConfig['vm'];
  /** Utilisation per step (one value: constant). */
  trace: number[];
  stepNs: number;
  noise: number;
}

export interface ResolvedVmCluster {
  hosts: ResolvedVmHost[];
  vms: ResolvedVm[];
  placement: VmPlacementName;
  /** Where each VM starts (by `placement` on the hosts powered on) and what it leaves in use. */
  initial: { hostOf: number[]; used: VmSize[] };
  sliceNs: number;
  link: LiveMigrationLinkConfig;
  method: LiveMigrationConfig['method'];
  checkIntervalNs: number;
  overload: 'none' | 'static' | 'mad';
  threshold: number;
  safety: number;
  consolidate: boolean;
  underload: number;
  restartDelayNs: number;
  /** null: temperatures are not simulated. */
  hotspot: ResolvedHotspot | null;
  events: VmHostEvent[];
  durationNs: number;
  seed: number;
}

/** VMs and hosts in one run: each host is a whole machine run, each vCPU a stream of processes. */
export const MAX_VMS = 10_000;
export const MAX_VM_HOSTS = 1_000;

function resolveHosts(value: unknown, overcommit: number): ResolvedVmHost[] {
  const entries = array(value, 'hosts');
  if (entries.length === 0) throw new SimConfigError('hosts', 'needs at least one host');
  const hosts: ResolvedVmHost[] = [];
  const names = new Set<string>();
  entries.forEach((item, entry) => {
    const path = `hosts[${entry}]`;
    const h = record(item, path);
    onlyKeys(h, path, ['name', 'count', 'machine', 'ramBytes', 'power', 'off']);
    const name = h.name === undefined ? 'host' : str(h.name, `${path}.name`);
    const count = optNum(h.count, `${path}.count`, 1, { integer: true, min: 1, max: MAX_VM_HOSTS });
    if (hosts.length + count > MAX_VM_HOSTS)
      throw new SimConfigError(`${path}.count`, `at most ${MAX_VM_HOSTS} hosts in all`);
    const machine = resolveMachine(given(h.machine, `${path}.machine`), `${path}.machine`);
    let capacity = 0;
    for (let cpu = 0; cpu < machine.cpuCount; cpu++) capacity += machine.cpuSpeed[cpu]!;
    const ramBytes = num(given(h.ramBytes, `${path}.ramBytes`), `${path}.ramBytes`, { above: 0, integer: true });
    const power = resolveHostPower(h.power, `${path}.power`);
    if (h.off !== undefined && typeof h.off !== 'boolean') throw new SimConfigError(`${path}.off`, 'must be a boolean');
    for (let i = 0; i < count; i++) {
      const hostName = `${name}-${i}`;
      if (names.has(hostName)) throw new SimConfigError(`${path}.name`, `two hosts are named "${hostName}"`);
      names.add(hostName);
      hosts.push({
        name: hostName,
        entry,
        machine,
        cores: machine.cpuCount,
        speed: capacity / machine.cpuCount,
        vcpuSlots: vcpuSlots(machine.cpuCount, overcommit),
        ramBytes,
        power,
        off: h.off === true,
      });
    }
  });
  return hosts;
}

function resolveLoad(value: unknown, path: string): Pick<ResolvedVm, 'trace' | 'stepNs' | 'noise'> {
  const l = optionalRecord(value, path);
  onlySectionKeys(l, path, VM_LOAD);
  if (l.trace !== undefined && l.utilization !== undefined)
    throw new SimConfigError(`${path}.utilization`, 'give either utilization or trace');
  const trace =
    l.trace === undefined
      ? [readNumber(VM_LOAD.utilization, l.utilization, `${path}.utilization`)]
      : array(l.trace, `${path}.trace`).map((u, i) => num(u, `${path}.trace[${i}]`, { min: 0, max: 1 }));
  if (trace.length === 0) throw new SimConfigError(`${path}.trace`, 'needs at least one value');
  return {
    trace,
    stepNs: readNumber(VM_LOAD.stepNs, l.stepNs, `${path}.stepNs`),
    noise: readNumber(VM_LOAD.noise, l.noise, `${path}.noise`),
  };
}

function resolveVms(value: unknown): ResolvedVm[] {
  const entries = array(value, 'vms');
  const vms: ResolvedVm[] = [];
  const names = new Set<string>();
  entries.forEach((item, entry) => {
    const path = `vms[${entry}]`;
    const v = record(item, path);
    onlyKeys(v, path, ['name', 'count', 'vcpus', 'ramBytes', 'dirtyBytesPerS', 'wwsBytes', 'cpuStateBytes', 'load']);
    const name = str(v.name, `${path}.name`);
    const count = optNum(v.count, `${path}.count`, 1, { integer: true, min: 1, max: MAX_VMS });
    if (vms.length + count > MAX_VMS) throw new SimConfigError(`${path}.count`, `at most ${MAX_VMS} VMs in all`);
    const vcpus = num(given(v.vcpus, `${path}.vcpus`), `${path}.vcpus`, { integer: true, min: 1, max: 1024 });
    const migrationVm: LiveMigrationConfig['vm'] = {
      ramBytes: v.ramBytes as number,
      dirtyBytesPerS: v.dirtyBytesPerS as number,
      ...(v.wwsBytes === undefined ? {} : { wwsBytes: v.wwsBytes as number }),
      ...(v.cpuStateBytes === undefined ? {} : { cpuStateBytes: v.cpuStateBytes as number }),
    };
    // The dirty-page model is live migration's: checked by its resolver, named here.
    try {
      resolveLiveMigration({ vm: migrationVm, method: { kind: 'stop-and-copy' } });
    } catch (e) {
      if (e instanceof SimConfigError && e.path.startsWith('vm.'))
        throw new SimConfigError(`${path}.${e.path.slice(3)}`, e.reason);
      throw e;
    }
    const load = resolveLoad(v.load, `${path}.load`);
    for (let i = 0; i < count; i++) {
      const vmName = count === 1 && v.count === undefined ? name : `${name}-${i}`;
      if (names.has(vmName)) throw new SimConfigError(`${path}.name`, `two VMs are named "${vmName}"`);
      names.add(vmName);
      vms.push({ name: vmName, entry, vcpus, ramBytes: migrationVm.ramBytes, migrationVm, ...load });
    }
  });
  if (vms.length === 0) throw new SimConfigError('vms', 'needs at least one VM');
  return vms;
}

/**
 * Every move the run could start ends on the clock: the slowest is a VM moving while every other
 * VM shares its link (the share is split among the moves on a link), and a link so slow that
 * such a move would outlast the integer-ns clock (2^53 ns, about 104 days) is refused at its
 * bandwidth here, not found mid-run. A move longer than the run is fine: it shows as unfinished.
 */
function checkMovesFitTheClock(
  vms: readonly ResolvedVm[],
  link: LiveMigrationLinkConfig,
  method: LiveMigrationConfig['method'],
): void {
  const share = (link.migrationShare ?? LIVE_MIGRATION_LINK.migrationShare.default) / vms.length;
  const checked = new Set<number>();
  for (const vm of vms) {
    if (checked.has(vm.entry)) continue;
    checked.add(vm.entry);
    try {
      simulateLiveMigration({ vm: vm.migrationVm, link: { ...link, migrationShare: share }, method });
    } catch (e) {
      if (!(e instanceof SimConfigError && e.path === 'link.bandwidthBytesPerS')) throw e;
      // Post-copy's guest pulls its working set at its own rate: when that alone outlasts the
      // clock, the pull rate is what is too low, not the link.
      const r = resolveLiveMigration({ vm: vm.migrationVm, link, method });
      const pull = r.method.kind === 'post-copy' ? r.method.pullBytesPerS : Infinity;
      if (!Number.isSafeInteger(transferNs(r.vm.wwsBytes, pull)))
        throw new SimConfigError(
          'migration.method.pullBytesPerS',
          `is too low: VM "${vm.name}" would pull its pages for longer than the simulated clock counts (about 104 days)`,
        );
      const others = vms.length === 1 ? '' : ` while ${vms.length - 1} other VMs move over the same link`;
      throw new SimConfigError(
        e.path,
        `is too low: moving VM "${vm.name}"${others} would take longer than the simulated clock counts (about 104 days)`,
      );
    }
  }
}

/**
 * The host events of a VM run, in time order (an instant's in the order given). Maintenance lasts
 * to the end of the run; a host fails only while up: not again before it is repaired and booted
 * (a failure during a maintenance window is allowed: hardware fails whatever the operator does).
 */
function readVmHostEvents(value: unknown, hosts: readonly ResolvedVmHost[], durationNs: number): VmHostEvent[] {
  const read = readHostEvents(value ?? [], new Map(hosts.map((h, i) => [h.name, i])));
  const order = read.map((_, k) => k).sort((a, b) => read[a]!.atNs - read[b]!.atNs || a - b);
  /** Per host: when it is up again after its last failure. */
  const backAt = hosts.map(() => -1);
  return order.map((k): VmHostEvent => {
    const e = read[k]!;
    if (e.kind !== 'maintenance' && e.kind !== 'fail')
      throw new SimConfigError(`${e.path}.kind`, `a VM run models maintenance and fail only (not ${e.kind})`);
    if (e.kind === 'maintenance' && e.durationNs !== Infinity)
      throw new SimConfigError(
        `${e.path}.durationNs`,
        'a VM run keeps a host in maintenance until the end of the run (its VMs do not come back)',
      );
    if (e.atNs > durationNs)
      throw new SimConfigError(`${e.path}.atNs`, `must be at most the duration (${durationNs} ns)`);
    const host = hosts[e.host]!;
    if (e.kind === 'fail') {
      if (e.atNs < backAt[e.host]!)
        throw new SimConfigError(
          `${e.path}.atNs`,
          backAt[e.host] === Infinity
            ? `${host.name} has failed already and is never repaired`
            : `${host.name} is down or booting until ${backAt[e.host]} ns (repair, then a ${host.power.bootNs} ns boot): it can fail again from then`,
        );
      backAt[e.host] = e.atNs + e.durationNs + host.power.bootNs;
    }
    return { kind: e.kind, atNs: e.atNs, host: host.name, durationNs: e.durationNs };
  });
}

/** Validates a VM cluster config and gives it its defaults (SimConfigError names the field). */
export function resolveVmCluster(config: unknown): ResolvedVmCluster {
  const c = record(config, 'config');
  onlyKeys(c, 'config', [
    'hosts',
    'vms',
    'placement',
    'overcommit',
    'sliceNs',
    'link',
    'migration',
    'events',
    'policy',
    'scheduler',
    'durationNs',
    'seed',
  ]);
  const durationNs = readNumber(RUN.durationNs, given(c.durationNs, 'durationNs'), 'durationNs');
  const seed = readNumber(RUN.seed, given(c.seed, 'seed'), 'seed');
  const overcommit = readNumber(VM_CLUSTER.overcommit, c.overcommit, 'overcommit');
  const hosts = resolveHosts(c.hosts, overcommit);
  const vms = resolveVms(c.vms);
  const link = optionalRecord(c.link, 'link') as LiveMigrationLinkConfig;
  onlySectionKeys(link as Record<string, unknown>, 'link', LIVE_MIGRATION_LINK);

  const m = optionalRecord(c.migration, 'migration');
  onlyKeys(m, 'migration', [...Object.keys(VM_MIGRATION), 'method']);
  const M = VM_MIGRATION;
  const sliceNs = readNumber(VM_CLUSTER.sliceNs, c.sliceNs, 'sliceNs');
  const checkIntervalNs = readNumber(M.checkIntervalNs, m.checkIntervalNs, 'migration.checkIntervalNs');
  // Checks fall on slice boundaries, where no piece of work straddles them on a host with room.
  if (checkIntervalNs % sliceNs !== 0)
    throw new SimConfigError('migration.checkIntervalNs', `must be a multiple of the slice (${sliceNs} ns)`);
  const method = (m.method ?? { kind: 'pre-copy' }) as LiveMigrationConfig['method'];
  // The link and method are live migration's: checked once here (with a VM of the first's size).
  try {
    resolveLiveMigration({ vm: vms[0]!.migrationVm, link, method });
  } catch (e) {
    if (e instanceof SimConfigError && (e.path.startsWith('link') || e.path.startsWith('method')))
      throw new SimConfigError(e.path.startsWith('link') ? e.path : `migration.${e.path}`, e.reason);
    throw e;
  }
  checkMovesFitTheClock(vms, link, method);

  // A noisy trace draws its steps' noise in order (two draws a step, skipped steps included, so
  // the load does not depend on the slice), which takes time in the number of steps of the run.
  for (const vm of vms)
    if (vm.noise > 0 && Math.ceil(durationNs / vm.stepNs) > MAX_NOISY_STEPS)
      throw new SimConfigError(
        `vms[${vm.entry}].load.stepNs`,
        `with noise, at most ${MAX_NOISY_STEPS} steps in the run (${durationNs} ns long): a step of at least ${Math.ceil(durationNs / MAX_NOISY_STEPS)} ns`,
      );

  // Host events are the request clusters' (host-events.ts); a VM run models maintenance and failure.
  const events = readVmHostEvents(c.events, hosts, durationNs);

  // Every VM must start somewhere: placed here, so a config that resolves can run, and a VM that
  // fits nowhere is named at its entry.
  const placement = readEnum<VmPlacementName>(VM_CLUSTER.placement, c.placement, 'placement');
  const initial = placeAll(
    placement,
    hosts.map((h) => (h.off ? { vcpuSlots: 0, ramBytes: 0 } : { vcpuSlots: h.vcpuSlots, ramBytes: h.ramBytes })),
    vms,
  );
  const unplaced = initial.hostOf.indexOf(-1);
  if (unplaced >= 0) {
    const vm = vms[unplaced]!;
    const fits = (h: ResolvedVmHost) => h.vcpuSlots >= vm.vcpus && h.ramBytes >= vm.ramBytes;
    const reason = !hosts.some(fits)
      ? `${vm.vcpus} vCPUs and ${vm.ramBytes} B of RAM fit on no host (the largest has ${Math.max(...hosts.map((h) => h.vcpuSlots))} vCPU slots and ${Math.max(...hosts.map((h) => h.ramBytes))} B)`
      : `there is no room left for it on the hosts powered on (placement ${placement})`;
    throw new SimConfigError(`vms[${vm.entry}]`, `"${vm.name}": ${reason}`);
  }
  return {
    hosts,
    vms,
    placement,
    initial,
    sliceNs,
    link,
    method,
    checkIntervalNs,
    overload: readEnum<'none' | 'static' | 'mad'>(M.overload, m.overload, 'migration.overload'),
    threshold: readNumber(M.threshold, m.threshold, 'migration.threshold'),
    safety: readNumber(M.safety, m.safety, 'migration.safety'),
    consolidate: readEnum<'off' | 'on'>(M.consolidate, m.consolidate, 'migration.consolidate') === 'on',
    underload: readNumber(M.underload, m.underload, 'migration.underload'),
    restartDelayNs: readNumber(M.restartDelayNs, m.restartDelayNs, 'migration.restartDelayNs'),
    hotspot: resolveHotspot(m.hotspot, 'migration.hotspot'),
    events,
    durationNs,
    seed,
  };
}
