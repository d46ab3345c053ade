/**
 * Live migration of one virtual machine between two hosts over one link (docs/model.md, "Live
 * migration of a virtual machine"): pre-copy (Clark et al., NSDI 2005; SimGrid's VM live
 * migration plugin), post-copy and stop-and-copy, as a closed computation from the VM's RAM and
 * dirty-page model, the link and the method's parameters to the record of the move: every
 * round, the bytes, the downtime, whether pre-copy converged and why it stopped, the guest's
 * slowdown and the bandwidth the move took from the link.
 *
 * The link's rate is constant over the move, so the move is computed whole, not event by event;
 * the cluster engine (docs/design-cluster.md) calls it when a move starts, with the share of the
 * link the move gets then, and offsets the record's times (which start at 0) to the clock.
 *
 * Time is in whole nanoseconds and data in whole bytes: each transfer's duration is rounded to
 * the nearest nanosecond once, and the bytes dirtied during a round are computed from that
 * duration and rounded to the nearest byte, so a record is reproducible bit for bit.
 */
import { SimConfigError } from '../errors';
import { onlySectionKeys, readEnum, readNumber, type EnumKey, type Section } from '../spec';
import { onlyKeys, optionalRecord, record } from '../validate';

const KiB = 1024;
const NS_PER_S = 1e9;

/** The migrated VM: its memory and how fast it writes to it. */
export const LIVE_MIGRATION_VM = {
  ramBytes: {
    kind: 'number',
    unit: 'B',
    lab: 'ram',
    above: 0,
    required: true,
    doc: 'Memory of the VM, all of which moves to the target.',
  },
  dirtyBytesPerS: {
    kind: 'number',
    unit: 'B/s',
    lab: 'dirtyRate',
    min: 0,
    required: true,
    doc: 'Rate at which the running guest writes to pages already sent (each write dirties its page again).',
  },
  wwsBytes: {
    kind: 'number',
    unit: 'B',
    lab: 'wws',
    above: 0,
    doc: 'Writable working set: the pages the guest keeps writing, which caps what can be dirty at once (pages re-dirtied within a round count once); post-copy pulls it first.',
    defaultText: 'the RAM (no cap below it)',
    source: 'Clark et al., NSDI 2005, section 4 (writable working sets); SimGrid caps dirty pages the same way',
  },
  cpuStateBytes: {
    kind: 'number',
    unit: 'B',
    lab: 'cpuState',
    min: 0,
    default: 256 * KiB,
    doc: 'The vCPU and device state sent while the VM is paused, after the last memory round.',
    source:
      'estimate: registers and the XSAVE area are a few KiB per vCPU; emulated device state is typically tens to hundreds of KiB',
  },
} satisfies Section;

/** The link between source and target. */
export const LIVE_MIGRATION_LINK = {
  bandwidthBytesPerS: {
    kind: 'number',
    unit: 'B/s',
    lab: 'bandwidth',
    above: 0,
    default: 1.25e9,
    doc: 'Bandwidth of the link between the two hosts.',
    source: '10 Gb/s Ethernet (IEEE 802.3ae)',
  },
  migrationShare: {
    kind: 'number',
    unit: 'fraction',
    lab: 'migrationShare',
    above: 0,
    max: 1,
    default: 0.5,
    doc: 'Share of the link reserved for the migration; the rest stays with other traffic.',
    source: 'CloudSim Plus (DatacenterSimple, bandwidth percent for migration 0.5)',
  },
  maxMigrationBytesPerS: {
    kind: 'number',
    unit: 'B/s',
    lab: 'maxMigrationRate',
    above: 0,
    doc: "Cap on the migration's rate, as a hypervisor's migration bandwidth limit sets it.",
    defaultText: 'no cap',
    source: "QEMU's older default max-bandwidth was 128 MiB/s (MAX_THROTTLE, migration/options.c)",
  },
  latencyNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'latency',
    integer: true,
    min: 0,
    default: 50_000,
    doc: 'One-way latency: the last byte sent arrives this much later, so it lengthens the downtime once.',
    source: 'estimate: a round trip within a data centre is of the order of 100 us',
  },
} satisfies Section;

export const AUTO_CONVERGE = {
  initial: {
    kind: 'number',
    unit: 'fraction',
    above: 0,
    max: 0.99,
    default: 0.2,
    doc: "First throttle: the share of the guest's CPU time taken away when pre-copy is first found not converging.",
    source: 'QEMU DEFAULT_MIGRATE_CPU_THROTTLE_INITIAL 20 (%)',
  },
  increment: {
    kind: 'number',
    unit: 'fraction',
    above: 0,
    max: 0.99,
    default: 0.1,
    doc: 'Added to the throttle at each later step.',
    source: 'QEMU DEFAULT_MIGRATE_CPU_THROTTLE_INCREMENT 10 (%)',
  },
  max: {
    kind: 'number',
    unit: 'fraction',
    above: 0,
    max: 0.99,
    default: 0.99,
    doc: 'Highest throttle.',
    source: 'QEMU DEFAULT_MIGRATE_MAX_CPU_THROTTLE 99 (%)',
  },
  triggerThreshold: {
    kind: 'number',
    unit: 'fraction',
    above: 0,
    max: 1,
    default: 0.5,
    doc: 'A round is unproductive when the guest dirtied more than this fraction of what the round sent.',
    source: 'QEMU DEFAULT_MIGRATE_THROTTLE_TRIGGER_THRESHOLD 50 (%)',
  },
  triggerRounds: {
    kind: 'number',
    unit: 'count',
    min: 1,
    default: 2,
    doc: 'Unproductive rounds that raise the throttle one step (the count starts again after each step).',
    source: 'QEMU migration_trigger_throttle (dirty_rate_high_cnt >= 2; commit 070afca, 2015)',
  },
} satisfies Section;

export const PRE_COPY = {
  maxDowntimeNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'maxDowntime',
    integer: true,
    min: 0,
    default: 300_000_000,
    doc: 'Downtime target: pre-copy pauses the VM once the rest (dirty pages, CPU state, latency) fits in it.',
    source: 'QEMU DEFAULT_MIGRATE_SET_DOWNTIME 300 ms (SimGrid uses 30 ms)',
  },
  maxRounds: {
    kind: 'number',
    unit: 'count',
    min: 1,
    max: 10_000,
    default: 30,
    doc: 'Most rounds in all, the paused last one included; at the limit the VM is paused and what is dirty is sent.',
    source: 'Xen libxc xc_domain_save DEF_MAX_ITERS 29 ("limit us to 30 times round loop")',
  },
  onNonConvergence: {
    kind: 'enum',
    values: {
      'stop-and-copy': 'Keep sending rounds; at the round limit, pause and send what is dirty.',
      'auto-converge':
        "Throttle the guest's CPU (and so its dirty rate) step by step while rounds are unproductive, as QEMU does; the round limit still applies.",
    },
    default: 'stop-and-copy',
    doc: 'What pre-copy does when its rounds do not shrink below the downtime target.',
    source: 'Xen (round limit, then stop-and-copy); QEMU auto-converge',
  },
  slowdown: {
    kind: 'number',
    unit: 'fraction',
    min: 0,
    max: 1,
    default: 0,
    doc: "Share of the guest's progress lost while rounds are sent (page tracking, the copy's CPU and memory traffic).",
    source: 'none by default (Clark et al. measure little); CloudSim uses 0.1',
  },
  autoConverge: {
    kind: 'section',
    keys: AUTO_CONVERGE,
    doc: "Auto-converge's steps (only with onNonConvergence: auto-converge).",
  },
} satisfies Section;

export const POST_COPY = {
  pullBytesPerS: {
    kind: 'number',
    unit: 'B/s',
    lab: 'pullRate',
    above: 0,
    doc: "Rate at which the guest's page faults pull its working set from the source (at most the migration's rate).",
    defaultText: "the migration's rate",
    source: 'QEMU postcopy-preempt sends faulted pages ahead of the background stream',
  },
  faultSlowdown: {
    kind: 'number',
    unit: 'fraction',
    min: 0,
    max: 1,
    default: 1,
    doc: 'Slowdown of the guest at resume, when none of its working set is on the target; it falls in proportion to the share of the working set still missing.',
    source: 'assumption: at resume nearly every access to the working set faults and waits for the network',
  },
} satisfies Section;

export const LIVE_MIGRATION_METHODS = {
  'pre-copy': 'Copy all RAM while the VM runs, then rounds of the pages dirtied meanwhile; pause for the rest.',
  'post-copy': 'Pause, send the CPU state, resume on the target and pull pages on demand, the rest in the background.',
  'stop-and-copy': 'Pause, send all RAM and the CPU state, resume on the target.',
} as const;

export type LiveMigrationMethodName = keyof typeof LIVE_MIGRATION_METHODS;

export const LIVE_MIGRATION_METHOD: EnumKey = {
  kind: 'enum',
  values: LIVE_MIGRATION_METHODS,
  doc: 'How the VM moves: pre-copy, post-copy or stop-and-copy.',
};

// The config as the simulator's API takes it: each key is described, with its unit, default and
// source, by the sections above (LIVE_MIGRATION_VM, LIVE_MIGRATION_LINK, PRE_COPY, AUTO_CONVERGE,
// POST_COPY); resolveLiveMigration checks it against them.

export interface LiveMigrationVmConfig {
  ramBytes: number;
  dirtyBytesPerS: number;
  wwsBytes?: number;
  cpuStateBytes?: number;
}

export interface LiveMigrationLinkConfig {
  bandwidthBytesPerS?: number;
  migrationShare?: number;
  maxMigrationBytesPerS?: number;
  latencyNs?: number;
}

export interface AutoConvergeConfig {
  initial?: number;
  increment?: number;
  max?: number;
  triggerThreshold?: number;
  triggerRounds?: number;
}

export interface PreCopyConfig {
  kind: 'pre-copy';
  maxDowntimeNs?: number;
  maxRounds?: number;
  onNonConvergence?: 'stop-and-copy' | 'auto-converge';
  slowdown?: number;
  autoConverge?: AutoConvergeConfig;
}

export interface PostCopyConfig {
  kind: 'post-copy';
  pullBytesPerS?: number;
  faultSlowdown?: number;
}

export interface StopAndCopyConfig {
  kind: 'stop-and-copy';
}

export interface LiveMigrationConfig {
  vm: LiveMigrationVmConfig;
  link?: LiveMigrationLinkConfig;
  method: PreCopyConfig | PostCopyConfig | StopAndCopyConfig;
}

export interface ResolvedLiveMigration {
  vm: Required<LiveMigrationVmConfig>;
  link: {
    bandwidthBytesPerS: number;
    migrationShare: number;
    /** Infinity: no cap. */
    maxMigrationBytesPerS: number;
    latencyNs: number;
    /** What the migration sends at: bandwidth x share, capped. */
    migrationBytesPerS: number;
  };
  method: ResolvedPreCopy | Required<PostCopyConfig> | StopAndCopyConfig;
}

type ResolvedPreCopy = Required<Omit<PreCopyConfig, 'autoConverge'>> & {
  /** Null unless onNonConvergence is auto-converge. */
  autoConverge: Required<AutoConvergeConfig> | null;
};

/**
 * Phases of a round: `live` (pre-copy, the VM runs), `paused` (the VM is stopped: pre-copy's
 * last round, stop-and-copy's only one), `demand` (post-copy: the working set pulled by faults
 * after resume), `background` (post-copy: the rest pushed after it).
 */
export type LiveMigrationPhase = 'live' | 'paused' | 'demand' | 'background';

export interface LiveMigrationRound {
  /** 0, 1, ... in order; rounds follow each other on the link without a gap. */
  index: number;
  phase: LiveMigrationPhase;
  /** Memory sent in the round (the CPU state is apart: LiveMigrationRecord.cpuStateBytes). */
  bytes: number;
  /** When the source starts sending it, from the start of the move. */
  startNs: number;
  durationNs: number;
  /** Rate at which the guest dirtied pages that must be sent again, during the round (0 unless live). */
  dirtyBytesPerS: number;
  /** Share of the guest's CPU taken away by auto-converge during the round. */
  throttle: number;
  /** Mean share of the guest's progress lost during the round while it runs (0 when paused: that is downtime). */
  slowdown: number;
}

/**
 * Why the move ended as it did: pre-copy `converged` (what was dirty fitted the downtime target)
 * or reached its `round-limit`; `stop-and-copy` and `post-copy` have nothing to converge.
 */
export type LiveMigrationStop = 'converged' | 'round-limit' | 'stop-and-copy' | 'post-copy';

export interface LiveMigrationRecord {
  method: LiveMigrationMethodName;
  rounds: LiveMigrationRound[];
  /** Sum of the rounds' bytes: at least the RAM (every page is sent once, dirty ones again). */
  memoryBytes: number;
  cpuStateBytes: number;
  /** memoryBytes + cpuStateBytes. */
  totalBytes: number;
  /** When the VM is paused on the source. */
  pauseStartNs: number;
  /** From the pause to the resume on the target. */
  downtimeNs: number;
  /** From the start of the move until the last byte is on the target (and the source can be freed). */
  totalNs: number;
  /** False only for pre-copy stopped by its round limit. */
  converged: boolean;
  stop: LiveMigrationStop;
  /** Highest auto-converge throttle reached (0: none). */
  maxThrottle: number;
  /** The guest's progress lost while it runs during the move (round durations x their slowdown). */
  slowdownLostNs: number;
  /** downtimeNs + slowdownLostNs: guest time the move costs. */
  lostNs: number;
  /** slowdownLostNs over the time the guest runs during the move (totalNs - downtimeNs); 0 if it never runs. */
  meanSlowdown: number;
  /** What the move takes from the link, and so from other traffic on it. */
  link: {
    /** The rate reserved for the move while it sends. */
    bytesPerS: number;
    /** That rate over the link's bandwidth. */
    shareOfLink: number;
    /** Time the move is sending (its rounds and the CPU state; the latency does not occupy the link). */
    busyNs: number;
    /** Bytes it sent: totalBytes. */
    bytes: number;
  };
}

/** Duration of sending `bytes` at `bytesPerS`, to the nearest nanosecond. */
export function transferNs(bytes: number, bytesPerS: number): number {
  return Math.round((bytes * NS_PER_S) / bytesPerS);
}

/** Bytes a guest writing at `bytesPerS` leaves dirty after `ns`: pages written twice count once, so at most `capBytes`. */
export function dirtiedBytes(bytesPerS: number, ns: number, capBytes: number): number {
  return Math.min(capBytes, Math.round((bytesPerS * ns) / NS_PER_S));
}

/** Validates a live migration's config and gives it its defaults (SimConfigError names the field). */
export function resolveLiveMigration(config: unknown): ResolvedLiveMigration {
  const c = record(config, 'migration');
  onlyKeys(c, 'migration', ['vm', 'link', 'method']);

  const vm = record(c.vm, 'vm');
  onlySectionKeys(vm, 'vm', LIVE_MIGRATION_VM);
  const ramBytes = readNumber(LIVE_MIGRATION_VM.ramBytes, vm.ramBytes, 'vm.ramBytes');
  const resolvedVm = {
    ramBytes,
    dirtyBytesPerS: readNumber(LIVE_MIGRATION_VM.dirtyBytesPerS, vm.dirtyBytesPerS, 'vm.dirtyBytesPerS'),
    wwsBytes:
      vm.wwsBytes === undefined
        ? ramBytes
        : readNumber(LIVE_MIGRATION_VM.wwsBytes, vm.wwsBytes, 'vm.wwsBytes', { max: ramBytes }),
    cpuStateBytes: readNumber(LIVE_MIGRATION_VM.cpuStateBytes, vm.cpuStateBytes, 'vm.cpuStateBytes'),
  };

  const link = optionalRecord(c.link, 'link');
  onlySectionKeys(link, 'link', LIVE_MIGRATION_LINK);
  const L = LIVE_MIGRATION_LINK;
  const bandwidthBytesPerS = readNumber(L.bandwidthBytesPerS, link.bandwidthBytesPerS, 'link.bandwidthBytesPerS');
  const migrationShare = readNumber(L.migrationShare, link.migrationShare, 'link.migrationShare');
  const maxMigrationBytesPerS =
    link.maxMigrationBytesPerS === undefined
      ? Infinity
      : readNumber(L.maxMigrationBytesPerS, link.maxMigrationBytesPerS, 'link.maxMigrationBytesPerS');
  const resolvedLink = {
    bandwidthBytesPerS,
    migrationShare,
    maxMigrationBytesPerS,
    latencyNs: readNumber(L.latencyNs, link.latencyNs, 'link.latencyNs'),
    migrationBytesPerS: Math.min(bandwidthBytesPerS * migrationShare, maxMigrationBytesPerS),
  };

  return {
    vm: resolvedVm,
    link: resolvedLink,
    method: resolveMethod(c.method, resolvedLink.migrationBytesPerS),
  };
}

function resolveMethod(value: unknown, migrationBytesPerS: number): ResolvedLiveMigration['method'] {
  const keys = { ...record(value, 'method') };
  const kind = readEnum<LiveMigrationMethodName>(LIVE_MIGRATION_METHOD, keys.kind, 'method.kind');
  delete keys.kind;
  if (kind === 'stop-and-copy') {
    for (const key of Object.keys(keys))
      throw new SimConfigError(`method.${key}`, 'unknown field (stop-and-copy takes no parameters)');
    return { kind };
  }
  if (kind === 'post-copy') {
    onlySectionKeys(keys, 'method', POST_COPY);
    return {
      kind,
      pullBytesPerS:
        keys.pullBytesPerS === undefined
          ? migrationBytesPerS
          : readNumber(POST_COPY.pullBytesPerS, keys.pullBytesPerS, 'method.pullBytesPerS', {
              max: migrationBytesPerS,
            }),
      faultSlowdown: readNumber(POST_COPY.faultSlowdown, keys.faultSlowdown, 'method.faultSlowdown'),
    };
  }
  onlySectionKeys(keys, 'method', PRE_COPY);
  const onNonConvergence = readEnum<'stop-and-copy' | 'auto-converge'>(
    PRE_COPY.onNonConvergence,
    keys.onNonConvergence,
    'method.onNonConvergence',
  );
  if (onNonConvergence !== 'auto-converge' && keys.autoConverge !== undefined)
    throw new SimConfigError('method.autoConverge', 'applies only with onNonConvergence: auto-converge');
  return {
    kind,
    maxDowntimeNs: readNumber(PRE_COPY.maxDowntimeNs, keys.maxDowntimeNs, 'method.maxDowntimeNs'),
    maxRounds: readNumber(PRE_COPY.maxRounds, keys.maxRounds, 'method.maxRounds'),
    onNonConvergence,
    slowdown: readNumber(PRE_COPY.slowdown, keys.slowdown, 'method.slowdown'),
    autoConverge: onNonConvergence === 'auto-converge' ? resolveAutoConverge(keys.autoConverge) : null,
  };
}

function resolveAutoConverge(value: unknown): Required<AutoConvergeConfig> {
  const a = optionalRecord(value, 'method.autoConverge');
  onlySectionKeys(a, 'method.autoConverge', AUTO_CONVERGE);
  const at = (key: keyof typeof AUTO_CONVERGE) => `method.autoConverge.${key}`;
  const max = readNumber(AUTO_CONVERGE.max, a.max, at('max'));
  return {
    initial: readNumber(AUTO_CONVERGE.initial, a.initial, at('initial'), { max }),
    increment: readNumber(AUTO_CONVERGE.increment, a.increment, at('increment')),
    max,
    triggerThreshold: readNumber(AUTO_CONVERGE.triggerThreshold, a.triggerThreshold, at('triggerThreshold')),
    triggerRounds: readNumber(AUTO_CONVERGE.triggerRounds, a.triggerRounds, at('triggerRounds')),
  };
}

/** What the three methods share: the link's rate and the fixed tail of every pause. */
interface Transfer {
  /** The migration's rate. */
  bytesPerS: number;
  /** Sending the CPU state. */
  cpuStateNs: number;
  /** The latency, paid once: the target resumes when the last byte has arrived. */
  latencyNs: number;
}

/** The record of a move whose rounds are known: the totals, the downtime and what it cost the guest. */
function finish(
  r: ResolvedLiveMigration,
  t: Transfer,
  rounds: LiveMigrationRound[],
  pauseStartNs: number,
  downtimeNs: number,
  stop: LiveMigrationStop,
): LiveMigrationRecord {
  // The link sends without a gap (memory rounds and the CPU state, in either order) and the
  // last byte arrives one latency later.
  let memoryBytes = 0;
  let busyNs = t.cpuStateNs;
  let lost = 0;
  let maxThrottle = 0;
  for (const round of rounds) {
    memoryBytes += round.bytes;
    busyNs += round.durationNs;
    lost += round.durationNs * round.slowdown;
    maxThrottle = Math.max(maxThrottle, round.throttle);
  }
  const totalNs = busyNs + t.latencyNs;
  if (!Number.isSafeInteger(totalNs))
    throw new SimConfigError('link.bandwidthBytesPerS', 'is too low: the move would outlast the simulated clock');
  const slowdownLostNs = Math.round(lost);
  const runningNs = totalNs - downtimeNs;
  const totalBytes = memoryBytes + r.vm.cpuStateBytes;
  return {
    method: r.method.kind,
    rounds,
    memoryBytes,
    cpuStateBytes: r.vm.cpuStateBytes,
    totalBytes,
    pauseStartNs,
    downtimeNs,
    totalNs,
    converged: stop !== 'round-limit',
    stop,
    maxThrottle,
    slowdownLostNs,
    lostNs: downtimeNs + slowdownLostNs,
    meanSlowdown: runningNs > 0 ? slowdownLostNs / runningNs : 0,
    link: {
      bytesPerS: t.bytesPerS,
      shareOfLink: t.bytesPerS / r.link.bandwidthBytesPerS,
      busyNs,
      bytes: totalBytes,
    },
  };
}

function pausedRound(index: number, bytes: number, startNs: number, t: Transfer): LiveMigrationRound {
  return {
    index,
    phase: 'paused',
    bytes,
    startNs,
    durationNs: transferNs(bytes, t.bytesPerS),
    dirtyBytesPerS: 0,
    throttle: 0,
    slowdown: 0,
  };
}

/**
 * Pre-copy. Round 0 sends all RAM while the VM runs; each later round sends what the guest
 * dirtied during the round before, min(W, D' x duration), D' being the dirty rate left by the
 * throttle. After each live round, if sending what is now dirty, then the CPU state, plus the
 * latency fits the downtime target, the next round is the paused last one (`converged`); if the
 * next round is the last one the limit allows, it is paused anyway (`round-limit`). With
 * auto-converge, a live round that left dirty more than triggerThreshold of what it sent is
 * unproductive, and every triggerRounds of them raise the throttle one step (initial, then
 * + increment, up to max) from the next round on, as QEMU's migration_trigger_throttle does once
 * per dirty-bitmap sync (here: once per round).
 */
function preCopy(r: ResolvedLiveMigration, method: ResolvedPreCopy, t: Transfer): LiveMigrationRecord {
  const { dirtyBytesPerS, wwsBytes } = r.vm;
  const tailNs = t.cpuStateNs + t.latencyNs;
  const fits = (bytes: number) => transferNs(bytes, t.bytesPerS) + tailNs <= method.maxDowntimeNs;
  const auto = method.autoConverge;

  const rounds: LiveMigrationRound[] = [];
  let bytes = r.vm.ramBytes;
  let startNs = 0;
  let throttle = 0;
  let unproductive = 0;
  let stop: LiveMigrationStop = 'round-limit';
  while (rounds.length < method.maxRounds - 1) {
    const durationNs = transferNs(bytes, t.bytesPerS);
    const rate = dirtyBytesPerS * (1 - throttle);
    rounds.push({
      index: rounds.length,
      phase: 'live',
      bytes,
      startNs,
      durationNs,
      dirtyBytesPerS: rate,
      throttle,
      slowdown: 1 - (1 - method.slowdown) * (1 - throttle),
    });
    startNs += durationNs;
    const dirty = dirtiedBytes(rate, durationNs, wwsBytes);
    if (fits(dirty)) {
      stop = 'converged';
      bytes = dirty;
      break;
    }
    if (auto !== null && dirty > auto.triggerThreshold * bytes && ++unproductive >= auto.triggerRounds) {
      throttle = throttle === 0 ? auto.initial : Math.min(auto.max, throttle + auto.increment);
      unproductive = 0;
    }
    bytes = dirty;
  }
  rounds.push(pausedRound(rounds.length, bytes, startNs, t));
  const downtimeNs = rounds[rounds.length - 1]!.durationNs + tailNs;
  return finish(r, t, rounds, startNs, downtimeNs, stop);
}

/** Stop-and-copy: pause, send all RAM and the CPU state; the downtime is the whole move. */
function stopAndCopy(r: ResolvedLiveMigration, t: Transfer): LiveMigrationRecord {
  const round = pausedRound(0, r.vm.ramBytes, 0, t);
  return finish(r, t, [round], 0, round.durationNs + t.cpuStateNs + t.latencyNs, 'stop-and-copy');
}

/**
 * Post-copy: pause, send the CPU state, resume on the target once it has arrived. The guest's
 * faults then pull its working set W at the pull rate (the `demand` round), after which the
 * rest of RAM is pushed at the migration's rate (`background`); every page is sent once. While
 * the working set arrives the guest is slowed by faultSlowdown x the share of W still missing,
 * which falls linearly to 0: on average faultSlowdown / 2 over the demand round. Pages outside
 * the working set are not touched before they arrive, so the background round costs nothing.
 */
function postCopy(r: ResolvedLiveMigration, method: Required<PostCopyConfig>, t: Transfer): LiveMigrationRecord {
  const { ramBytes, wwsBytes } = r.vm;
  const demandNs = transferNs(wwsBytes, method.pullBytesPerS);
  const rounds: LiveMigrationRound[] = [
    {
      index: 0,
      phase: 'demand',
      bytes: wwsBytes,
      startNs: t.cpuStateNs,
      durationNs: demandNs,
      dirtyBytesPerS: 0,
      throttle: 0,
      slowdown: method.faultSlowdown / 2,
    },
  ];
  if (ramBytes > wwsBytes)
    rounds.push({
      index: 1,
      phase: 'background',
      bytes: ramBytes - wwsBytes,
      startNs: t.cpuStateNs + demandNs,
      durationNs: transferNs(ramBytes - wwsBytes, t.bytesPerS),
      dirtyBytesPerS: 0,
      throttle: 0,
      slowdown: 0,
    });
  return finish(r, t, rounds, 0, t.cpuStateNs + t.latencyNs, 'post-copy');
}

/**
 * The record of one VM's live migration from `config` (LiveMigrationConfig; invalid input throws
 * SimConfigError naming the field). Pure: the same config gives the same record.
 */
export function simulateLiveMigration(config: LiveMigrationConfig): LiveMigrationRecord {
  const r = resolveLiveMigration(config);
  const t: Transfer = {
    bytesPerS: r.link.migrationBytesPerS,
    cpuStateNs: transferNs(r.vm.cpuStateBytes, r.link.migrationBytesPerS),
    latencyNs: r.link.latencyNs,
  };
  const method = r.method;
  if (method.kind === 'pre-copy') return preCopy(r, method, t);
  if (method.kind === 'post-copy') return postCopy(r, method, t);
  return stopAndCopy(r, t);
}
