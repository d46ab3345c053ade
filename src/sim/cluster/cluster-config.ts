/**
 * The configuration of a cluster run (docs/model.md, "Requests behind a load balancer"): hosts,
 * each a machine as in a single-machine run, with an optional workload of its own; one service
 * whose requests arrive as a Poisson stream at a balancer that routes each to a host; the
 * machine-level policy and scheduler every host runs. Validated here into the resolved form
 * ClusterSimulation runs, with SimConfigError paths into the cluster config.
 */
import type { DistConfig, MachineConfig, PolicyConfig, SchedulerConfig, WorkloadConfig } from '../config';
import { checkDist } from '../distributions';
import { SimConfigError } from '../errors';
import { resolveMachine, type ResolvedMachine } from '../machine';
import { RUN } from '../resolve';
import { given, onlySectionKeys, readEnum, readNumber, type NumberKey, type Section } from '../spec';
import { GROUP } from '../workload';
import { array, num, onlyKeys, optNum, record, str } from '../validate';
import { BALANCER, HEALTH, type BalancerPolicyName, type ResolvedBalancer, type ResolvedHealth } from './balancer';
import { AUTOSCALE, resolveAutoscale, type ResolvedAutoscale } from './autoscaler';
import { resolveHostEvents, type HostAction, type HostEventConfig } from './host-events';
import { resolveHostPower, type HostPowerConfig, type ResolvedHostPower } from './host-power';
import { LIVE_MIGRATION_LINK } from './live-migration';

export type { HostPowerConfig } from './host-power';

export interface ClusterHostConfig {
  /** Its hosts are named `<name>-<i>`, i from 0 (default `host`). */
  name?: string;
  /** How many hosts of this kind (default 1). */
  count?: number;
  machine: MachineConfig;
  /** The host's own processes, beside the service's requests (default: none). */
  workload?: WorkloadConfig;
  /** These hosts' power figures, instead of the cluster's. */
  power?: HostPowerConfig;
  /** These hosts' link latency, instead of the cluster's. */
  link?: { latencyNs?: number };
}

export interface ServiceConfig {
  /** The requests' group on every host (a name no host workload uses). */
  name: string;
  /** An open Poisson stream of requests at the balancer for the whole run. */
  arrival: { kind: 'poisson'; ratePerS: number; startNs?: number } | { kind: 'fixed'; atNs: number; everyNs: number };
  /** CPU time each request needs at reference speed. */
  demand: DistConfig;
  workingSetBytes?: number;
  memoryIntensity?: number;
  slaNs?: number;
  balancer?: {
    policy?: BalancerPolicyName;
    d?: number;
    sessions?: number;
    replicas?: number;
    health?: { intervalNs: number; detectionNs?: number };
  };
  autoscale?: {
    up?: number;
    down?: number;
    startupNs?: number;
    intervalNs?: number;
    min?: number;
    max?: number;
    initial?: number;
  };
}

export interface ClusterConfig {
  hosts: ClusterHostConfig[];
  service: ServiceConfig;
  /** The machine-level policy every host runs. */
  policy: PolicyConfig;
  scheduler: SchedulerConfig;
  durationNs: number;
  seed: number;
  /** Points per time series of each host's own result (default 100: a cluster has many hosts). */
  maxBins?: number;
  /** Every host's power figures (a hosts entry may give its own); a machine's own power model wins. */
  power?: HostPowerConfig;
  /** Host failures, maintenance windows, power-offs and power-ons (host-events.ts). */
  events?: HostEventConfig[];
  /**
   * Each host's link to the balancer's switch (CLUSTER_LINK): a request run reads its latency
   * only; its bandwidth and migration share are VM runs' (checked here all the same).
   */
  link?: { latencyNs?: number; bandwidthBytesPerS?: number; migrationShare?: number; maxMigrationBytesPerS?: number };
}

/**
 * A request run's link latency (docs/model.md, "Network latency"): the key of live migration's
 * link (one name for the concept), with what differs for requests. Its default is 0, so a run
 * without a network is the run it always was, and it is bounded so that no run's clock overflows.
 */
export const REQUEST_LINK = {
  latencyNs: {
    ...LIVE_MIGRATION_LINK.latencyNs,
    default: 0,
    // A link slower than this is no data-centre link (even the Earth-Moon distance is 1.3 s).
    max: 10e9,
    doc: "One-way latency of the host's link: a request reaches its server this much after the balancer sends it, and its response comes back as late again (2 x latency on its response time); bandwidth is not modelled for requests, which are small messages.",
  },
} satisfies Section;

/** A number key whose default depends on who reads it (the readers give their own). */
function withoutDefault(spec: NumberKey): Omit<NumberKey, 'default'> {
  const { default: _default, ...rest } = spec;
  void _default;
  return rest;
}

/**
 * A cluster's network: one link per host to a non-blocking switch. VM runs' live migrations use
 * all of it (LIVE_MIGRATION_LINK, 50 us latency by default); request runs its latency only, 0
 * when not given (REQUEST_LINK).
 */
export const CLUSTER_LINK = {
  ...LIVE_MIGRATION_LINK,
  latencyNs: {
    ...withoutDefault(REQUEST_LINK.latencyNs),
    defaultText: `${LIVE_MIGRATION_LINK.latencyNs.default / 1000}us in VM runs, 0 in request runs`,
    doc: "One-way latency of each host's link. VM runs: the last byte of a move arrives this much later, lengthening its downtime once. Request runs: a request and its response each take it (2 x latency on the response time; 0 when not given).",
  },
} satisfies Section;

/** A link section's latency (the other keys are VM runs', checked against CLUSTER_LINK). */
function linkLatency(value: unknown, path: string, section: Section, fallback: number): number {
  const link = record(value, path);
  onlySectionKeys(link, path, section);
  for (const [key, spec] of Object.entries(section))
    if (key !== 'latencyNs' && spec.kind === 'number' && link[key] !== undefined)
      readNumber(spec, link[key], `${path}.${key}`);
  return link.latencyNs === undefined
    ? fallback
    : readNumber(REQUEST_LINK.latencyNs, link.latencyNs, `${path}.latencyNs`);
}

/** A service's keys (spec.ts): the requests' working set and memory intensity are a workload group's. */
export const SERVICE = {
  name: { kind: 'name', required: true, doc: "Name of the service (its requests' group on every host)." },
  arrival: {
    kind: 'arrival',
    required: true,
    doc: 'Requests arriving at the balancer for the whole run: a Poisson stream, or one every so often (every 1ms).',
  },
  demand: { kind: 'distribution', required: true, doc: 'CPU time each request needs at reference speed.' },
  workingSetBytes: GROUP.workingSetBytes,
  memoryIntensity: GROUP.memoryIntensity,
  balancer: { kind: 'section', keys: BALANCER, doc: 'How requests are routed to the hosts.' },
  slaNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'sla',
    integer: true,
    above: 0,
    doc: 'Response-time target of the service level agreement: a request answered later than this, or dropped, violates it.',
    defaultText: 'none: violations are not counted',
    source:
      "a choice of the lab; Amazon's Dynamo, for one, aimed at 300 ms for 99.9 % of requests (DeCandia et al., SOSP 2007)",
  },
  autoscale: {
    kind: 'section',
    keys: AUTOSCALE,
    doc: "Servers added and removed by the pool's utilisation: the hosts beyond `initial` start off.",
    defaultText: 'every host serves the whole run',
  },
} satisfies Section;

/** Hosts in one cluster: each is a whole machine run, so keep it within what a lab can hold. */
export const MAX_HOSTS = 10_000;

export interface ResolvedHost {
  name: string;
  /** Index into ClusterConfig.hosts of the entry it comes from. */
  entry: number;
  machine: ResolvedMachine;
  /** Its capacity: the sum of its CPUs' speeds (weighted-round-robin's weight). */
  capacity: number;
  /** Its idle/peak figures (its entry's, else the cluster's), or null. */
  power: ResolvedHostPower | null;
  /** Its machine has a power model of its own, which then gives its energy. */
  ownPower: boolean;
  /** One-way latency of its link (0: requests reach it the instant they are routed). */
  latencyNs: number;
}

export interface ResolvedService {
  name: string;
  /** Poisson: the mean gap between requests; else the gap. */
  meanGapNs: number;
  /** Poisson arrivals (the first one gap after startNs); else one every meanGapNs from startNs on. */
  poisson: boolean;
  startNs: number;
  demand: DistConfig;
  workingSetBytes: number;
  memoryIntensity: number;
  balancer: ResolvedBalancer;
  /** The response-time target, when the service has one (results then count violations). */
  slaNs?: number;
  autoscale?: ResolvedAutoscale;
}

export interface ResolvedCluster {
  hosts: ResolvedHost[];
  service: ResolvedService;
  durationNs: number;
  seed: number;
  /** The config has host events: results count dropped requests. */
  hasEvents: boolean;
  /** What the host events do, in time order (host-events.ts). */
  actions: HostAction[];
  /** Per host: time spent booting within the run. */
  bootingNs: number[];
}

function resolveHealth(value: unknown, path: string): ResolvedHealth {
  const h = record(value, path);
  onlySectionKeys(h, path, HEALTH);
  return {
    intervalNs: readNumber(HEALTH.intervalNs, h.intervalNs, `${path}.intervalNs`),
    detectionNs: readNumber(HEALTH.detectionNs, h.detectionNs, `${path}.detectionNs`),
  };
}

function resolveService(value: unknown, hostCount: number): ResolvedService {
  const s = record(value, 'service');
  onlySectionKeys(s, 'service', SERVICE);
  const a = record(given(s.arrival, 'service.arrival'), 'service.arrival');
  if (a.kind !== 'poisson' && !(a.kind === 'fixed' && a.everyNs !== undefined))
    throw new SimConfigError('service.arrival.kind', 'must be poisson or one every so often (every 1ms)');
  const poisson = a.kind === 'poisson';
  onlyKeys(a, 'service.arrival', poisson ? ['kind', 'ratePerS', 'startNs'] : ['kind', 'atNs', 'everyNs']);
  const b = record(s.balancer ?? {}, 'service.balancer');
  onlySectionKeys(b, 'service.balancer', BALANCER);
  const policy = readEnum<BalancerPolicyName>(BALANCER.policy, b.policy, 'service.balancer.policy');
  if (b.d !== undefined && policy !== 'power-of-d')
    throw new SimConfigError('service.balancer.d', `only power-of-d samples servers (policy is ${policy})`);
  for (const key of ['sessions', 'replicas'] as const)
    if (b[key] !== undefined && policy !== 'consistent-hash')
      throw new SimConfigError(`service.balancer.${key}`, `only consistent-hash has sessions (policy is ${policy})`);
  const hashing =
    policy === 'consistent-hash'
      ? {
          sessions: readNumber(BALANCER.sessions, b.sessions, 'service.balancer.sessions'),
          replicas: readNumber(BALANCER.replicas, b.replicas, 'service.balancer.replicas'),
        }
      : {};
  const health = b.health === undefined ? undefined : resolveHealth(b.health, 'service.balancer.health');
  return {
    name: str(s.name, 'service.name'),
    meanGapNs: poisson
      ? 1e9 / num(a.ratePerS, 'service.arrival.ratePerS', { above: 0, max: 1e9 })
      : num(a.everyNs, 'service.arrival.everyNs', { integer: true, min: 1 }),
    poisson,
    startNs: poisson
      ? optNum(a.startNs, 'service.arrival.startNs', 0, { integer: true, min: 0 })
      : num(a.atNs, 'service.arrival.atNs', { integer: true, min: 0 }),
    demand: checkDist(given(s.demand, 'service.demand'), 'service.demand'),
    workingSetBytes: readNumber(SERVICE.workingSetBytes, s.workingSetBytes, 'service.workingSetBytes'),
    memoryIntensity: readNumber(SERVICE.memoryIntensity, s.memoryIntensity, 'service.memoryIntensity'),
    balancer: {
      policy,
      d: policy === 'power-of-d' ? readNumber(BALANCER.d, b.d, 'service.balancer.d', { max: hostCount }) : 1,
      ...hashing,
      ...(health === undefined ? {} : { health }),
    },
    ...(s.slaNs === undefined ? {} : { slaNs: readNumber(SERVICE.slaNs, s.slaNs, 'service.slaNs') }),
    ...(s.autoscale === undefined ? {} : { autoscale: resolveAutoscale(s.autoscale, 'service.autoscale', hostCount) }),
  };
}

/**
 * Validates the cluster's own keys (hosts, service, run); each host's machine is resolved here
 * (its capacity), its whole run config when its Simulation is built.
 */
export function resolveCluster(config: unknown): ResolvedCluster {
  const c = record(config, 'config');
  onlyKeys(c, 'config', [
    'hosts',
    'service',
    'policy',
    'scheduler',
    'durationNs',
    'seed',
    'maxBins',
    'power',
    'events',
    'link',
  ]);
  const clusterLatency =
    c.link === undefined
      ? REQUEST_LINK.latencyNs.default
      : linkLatency(c.link, 'link', CLUSTER_LINK, REQUEST_LINK.latencyNs.default);
  const clusterPower = c.power === undefined ? null : resolveHostPower(c.power, 'power');
  const durationNs = readNumber(RUN.durationNs, given(c.durationNs, 'durationNs'), 'durationNs');
  const seed = readNumber(RUN.seed, given(c.seed, 'seed'), 'seed');
  const entries = array(c.hosts, 'hosts');
  if (entries.length === 0) throw new SimConfigError('hosts', 'needs at least one host');
  const hosts: ResolvedHost[] = [];
  const names = new Set<string>();
  entries.forEach((item, entry) => {
    const path = `hosts[${entry}]`;
    const h = record(item, path);
    onlyKeys(h, path, ['name', 'count', 'machine', 'workload', 'power', 'link']);
    const latencyNs =
      h.link === undefined ? clusterLatency : linkLatency(h.link, `${path}.link`, REQUEST_LINK, clusterLatency);
    const power = h.power === undefined ? clusterPower : resolveHostPower(h.power, `${path}.power`);
    const name = h.name === undefined ? 'host' : str(h.name, `${path}.name`);
    const count = optNum(h.count, `${path}.count`, 1, { integer: true, min: 1, max: MAX_HOSTS });
    if (hosts.length + count > MAX_HOSTS)
      throw new SimConfigError(`${path}.count`, `at most ${MAX_HOSTS} hosts in all`);
    const machine = resolveMachine(given(h.machine, `${path}.machine`), `${path}.machine`);
    let capacity = 0;
    for (let cpu = 0; cpu < machine.cpuCount; cpu++) capacity += machine.cpuSpeed[cpu]!;
    for (let i = 0; i < count; i++) {
      const hostName = `${name}-${i}`;
      if (names.has(hostName)) throw new SimConfigError(`${path}.name`, `two hosts are named "${hostName}"`);
      names.add(hostName);
      hosts.push({ name: hostName, entry, machine, capacity, power, ownPower: machine.power !== null, latencyNs });
    }
  });
  const service = resolveService(c.service, hosts.length);
  if (c.events !== undefined && service.autoscale !== undefined)
    throw new SimConfigError(
      'events',
      'host events and an autoscaler do not go together yet (the autoscaler decides which hosts are on)',
    );
  const { actions, bootingNs } =
    c.events === undefined
      ? { actions: [], bootingNs: hosts.map(() => 0) }
      : resolveHostEvents(
          c.events,
          hosts.map((h) => h.name),
          hosts.map((h) => h.power?.bootNs ?? 0),
          service.balancer.health ?? null,
          durationNs,
        );
  return { hosts, service, durationNs, seed, hasEvents: c.events !== undefined, actions, bootingNs };
}

/** Series points of each host's own result when the cluster config does not say. */
export const HOST_MAX_BINS = 100;
