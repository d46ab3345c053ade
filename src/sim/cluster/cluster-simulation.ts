/**
 * A cluster run (docs/design-cluster.md): one single-machine Simulation per host, unchanged
 * inside (its scheduler, policy, caches, power and thermal model), under a cluster loop that
 * generates a service's requests at the balancer, routes each at its arrival and injects it
 * into the chosen host, and hears back when it completes.
 *
 * Hosts are advanced lazily: before the loop reads or changes a host at time t it advances that
 * host to t, and no further, so a host nothing happens to costs nothing until the end. Each
 * host's run is sliced by the arrivals that concern it, which (by the engine's own slicing
 * invariance, and because a request is injected only once its host has reached its arrival)
 * gives the same run however the cluster run itself is sliced.
 *
 * Randomness: the service's arrivals, demands and the balancer's draws come from streams named
 * after the service (`arrival:`, `demand:`, `balancer:`), each host's own streams from a seed
 * drawn from the stream `host:<name>`, so adding a host changes no other host's randomness and
 * the same requests (times and demands) arrive under every balancing policy.
 *
 * Network latency (docs/model.md, "Network latency"): a request routed at t to a server whose
 * link has one-way latency L reaches it at t + L, and its response, done at c, reaches the
 * balancer at c + L, so its response time is c + L - t. Both trips are on Wire queues, taken
 * off whenever their host is brought up; a host whose link has no latency has no queues and
 * runs exactly as before (a request is injected, and answered, the instant it is sent).
 */
import type { SimConfig } from '../config';
import { digestOf, type Sha256Factory } from '../digest';
import { sample } from '../distributions';
import { SimConfigError } from '../errors';
import { LogHistogram } from '../metrics';
import { Rng } from '../rng';
import { Simulation } from '../simulation';
import { array, record } from '../validate';
import { Balancer, type BalancerHost, type ResolvedBalancer } from './balancer';
import { HOST_MAX_BINS, resolveCluster, type ClusterConfig, type ResolvedCluster } from './cluster-config';
import { Autoscaler, type ScaleEvent, type ScaledCluster } from './autoscaler';
import type { HostAction } from './host-events';
import { HostRun, type HostOutcome } from './host-run';
import { InFlight } from './in-flight';
import { ServerLoad } from './server-load';
import { Wire } from './wire';

/** Response times of one server's requests, or of all of them. */
export interface RequestStats {
  /** Requests the balancer sent (to this server). */
  routed: number;
  /** Of those, answered within the run. */
  completed: number;
  /** Routed and not answered when the run ended (nor dropped). */
  unfinished: number;
  /** With host events: routed and lost, on a host that failed or was switched off, or sent to one that was down. */
  dropped?: number;
  /** Over completed requests: completion minus arrival at the balancer. */
  meanResponseS: number;
  p95ResponseS: number;
  p99ResponseS: number;
  /**
   * Only when the service has an SLA target: requests answered later than it, plus those
   * dropped (never answered), and their share of the requests answered or dropped (absent when
   * there are none). Requests still unanswered at the end are not counted either way.
   */
  slaViolations?: number;
  slaViolationRatio?: number;
}

export interface ServerResult extends RequestStats, Omit<HostOutcome, 'events'> {
  host: string;
  /** Its capacity: the sum of its CPUs' speeds. */
  capacity: number;
  /** One-way latency of its link, when it has one (every response time of its requests includes it twice). */
  latencyS?: number;
  /**
   * Its load in LOAD_BINS bins from 0 (server-load.ts): busy cores over cores while up, and the
   * share of the bin it was up. The host-load chart. Not part of the digest: it is another view
   * of the same run, and leaving it out keeps every request run's digest as it was.
   */
  load: { atS: number; load: number; on: number }[];
}

export interface ClusterResult {
  /** Simulated time the run covered. */
  simulatedS: number;
  service: string;
  balancer: ResolvedBalancer;
  overall: RequestStats & { throughputPerS: number };
  servers: ServerResult[];
  /** Requests routed plus every host's events. */
  events: number;
  /** Every host's energy, when every host has a power model. */
  energyJ?: number;
  /** With host events: requests lost, in all (overall.dropped), and how. */
  requestsDropped?: number;
  /** With an autoscaler: its decisions in time order. */
  scaling?: ScaleEvent[];
  drops?: {
    /** On a host when it failed or was switched off. */
    inFlight: number;
    /** Sent to a host that was down, before the balancer's health checks found it out. */
    unnoticed: number;
    /** Arrived while no server was in the balancer's pool. */
    noServer: number;
  };
  digest: string;
}

export interface ClusterOptions {
  /** As SimOptions.sha256: the hash of every digest (each host's and the cluster's). */
  sha256?: Sha256Factory;
}

/** The seed of host `name`'s own streams, split from the run seed by its name. */
export function hostSeed(seed: number, name: string): number {
  return new Rng(seed, `host:${name}`).nextU32();
}

export class ClusterSimulation implements BalancerHost {
  readonly endNs: number;
  private readonly cfg: ResolvedCluster;
  private readonly hosts: HostRun[];
  private readonly balancer: Balancer;
  private readonly arrivalRng: Rng;
  private readonly demandRng: Rng;
  private readonly sha256: Sha256Factory | undefined;
  /** Time of the next request at the balancer (>= endNs: none within the run). */
  private nextArrivalNs: number;
  /** The arrival being routed (hosts are brought up to it). */
  private nowArrivalNs = 0;
  private processedToNs = 0;
  /** Requests that have arrived at the balancer. */
  private arrivals = 0;
  /** The requests routed to a host and not answered yet (a request's slot there is its token on its host). */
  private readonly pending: InFlight;
  private readonly routed: Float64Array;
  private readonly completed: Float64Array;
  private readonly droppedInFlight: Float64Array;
  private readonly droppedUnnoticed: Float64Array;
  /** Per host: responses later than the SLA target (none counted without one). */
  private readonly late: Float64Array;
  private readonly slaNs: number;
  private droppedNoServer = 0;
  /** The next of cfg.actions to apply. */
  private nextAction = 0;
  private readonly scaler: Autoscaler | null;
  private readonly response: LogHistogram[];
  private readonly overall = new LogHistogram();
  /** Per host: its link's one-way latency, and the requests on their way to it and the responses on their way back (null without latency). */
  private readonly latencyNs: readonly number[];
  private readonly toServer: (Wire | null)[];
  private readonly toBalancer: (Wire | null)[];
  private readonly load: ServerLoad[];
  private cached: ClusterResult | null = null;

  /** Validates the config (throws SimConfigError naming the bad field). */
  constructor(config: ClusterConfig, options: ClusterOptions = {}) {
    this.cfg = resolveCluster(config);
    const { hosts, service, seed } = this.cfg;
    this.endNs = this.cfg.durationNs;
    this.sha256 = options.sha256;
    const n = hosts.length;
    this.routed = new Float64Array(n);
    this.completed = new Float64Array(n);
    this.droppedInFlight = new Float64Array(n);
    this.droppedUnnoticed = new Float64Array(n);
    this.late = new Float64Array(n);
    this.slaNs = service.slaNs ?? Infinity;
    this.response = hosts.map(() => new LogHistogram());
    this.pending = new InFlight(n);
    this.latencyNs = hosts.map((h) => h.latencyNs);
    this.toServer = hosts.map((h) => (h.latencyNs > 0 ? new Wire() : null));
    this.toBalancer = hosts.map((h) => (h.latencyNs > 0 ? new Wire() : null));
    this.load = hosts.map((h) => new ServerLoad(this.endNs, h.machine.cpuCount));
    this.hosts = hosts.map((h, i) => {
      const entry = config.hosts[h.entry]!;
      const own = entry.workload === undefined ? [] : hostGroups(entry.workload, `hosts[${h.entry}].workload`);
      own.forEach((g, k) => {
        if (record(g, `hosts[${h.entry}].workload.groups[${k}]`).name === service.name)
          throw new SimConfigError(
            `hosts[${h.entry}].workload.groups[${k}].name`,
            `"${service.name}" is the service's name (its requests' group)`,
          );
      });
      const hostConfig = (k: number, startNs: number): SimConfig => ({
        machine: entry.machine,
        workload: {
          groups: [
            ...(own as SimConfig['workload']['groups']),
            // The requests' group: no process of its own (count 0), every one injected.
            {
              name: service.name,
              count: 0,
              workingSetBytes: service.workingSetBytes,
              memoryIntensity: service.memoryIntensity,
            },
          ],
        },
        policy: config.policy,
        scheduler: config.scheduler,
        durationNs: this.endNs - startNs,
        seed: hostSeed(seed, k === 0 ? h.name : `${h.name}#${k}`),
        maxBins: config.maxBins ?? HOST_MAX_BINS,
        // The summary counts every process and move; a cluster's hosts list none of them.
        maxProcessRows: 0,
        maxMigrationRows: 0,
      });
      const make = (k: number, startNs: number): Simulation => {
        const run = this.hosts[i]!;
        try {
          return new Simulation(hostConfig(k, startNs), {
            sha256: options.sha256,
            onInjectedComplete: (token, timeNs) => this.answered(i, token, run.clusterTime(timeNs)),
          });
        } catch (e) {
          // A host's own workload is the only part not checked above: name it in the cluster config.
          if (e instanceof SimConfigError && e.path.startsWith('workload'))
            throw new SimConfigError(`hosts[${h.entry}].${e.path}`, e.reason);
          throw e;
        }
      };
      return new HostRun(make, h.machine.cpuCount, h.power, h.ownPower, this.cfg.bootingNs[i]!);
    });
    // Every host is up from the start (built only now: an incarnation's callback reads its HostRun).
    for (let i = 0; i < n; i++) this.startHost(i, 0);
    this.balancer = new Balancer(
      service.balancer,
      hosts.map((h) => h.capacity),
      new Rng(seed, `balancer:${service.name}`),
      hosts.map((h) => h.name),
    );
    this.scaler =
      service.autoscale === undefined
        ? null
        : new Autoscaler(
            service.autoscale,
            hosts.map((h) => h.machine.cpuCount),
            hosts.map((h) => h.name),
          );
    // Hosts the autoscaler has not powered on are off from the start.
    hosts.forEach((_, i) => {
      if (this.scaler?.initiallyOff(i) !== true) return;
      this.stopHost(i, 0);
      this.balancer.setActive(i, false);
    });
    this.arrivalRng = new Rng(seed, `arrival:${service.name}`);
    this.demandRng = new Rng(seed, `demand:${service.name}`);
    this.nextArrivalNs = service.poisson
      ? service.startNs + Math.round(this.arrivalRng.exp(service.meanGapNs))
      : service.startNs;
  }

  /**
   * Routes every request arriving before `untilNs` (clamped to the end of the run), advancing
   * the hosts each one concerns to its arrival. However a run is sliced, its result is the same.
   */
  advance(untilNs: number): void {
    if (this.cached !== null) return;
    const limit = Math.min(untilNs, this.endNs);
    const { meanGapNs, poisson } = this.cfg.service;
    const actions = this.cfg.actions;
    for (;;) {
      // A host event at an arrival's instant comes first: a host failing then takes no request then.
      const action = actions[this.nextAction];
      const scaleNs = this.scaler?.nextNs ?? Infinity;
      if (action !== undefined && action.atNs < limit && action.atNs <= this.nextArrivalNs) {
        this.apply(action);
        this.nextAction++;
      } else if (scaleNs < limit && scaleNs <= this.nextArrivalNs) {
        this.scaler!.act(scaleNs, this.scaled);
      } else if (this.nextArrivalNs < limit) {
        this.arrive(this.nextArrivalNs);
        this.nextArrivalNs += poisson ? Math.round(this.arrivalRng.exp(meanGapNs)) : meanGapNs;
      } else break;
    }
    this.processedToNs = Math.max(this.processedToNs, limit);
  }

  get nowNs(): number {
    return this.processedToNs;
  }

  get done(): boolean {
    return this.processedToNs >= this.endNs;
  }

  /**
   * BalancerHost: server `i`'s load at the arrival being routed: the processes in its system
   * and the requests the balancer has sent it that are still on the wire (it knows it sent them).
   */
  loadOf(i: number): number {
    this.bringUp(i);
    return this.hosts[i]!.liveProcesses + (this.toServer[i]?.length ?? 0);
  }

  /** BalancerHost: server `i` has applied everything before the arrival being routed. */
  bringUp(i: number): void {
    this.bringTo(i, this.nowArrivalNs);
  }

  /**
   * Host `i` has applied every instant before `t`: the requests that reached it before t are
   * injected at their arrival, and the responses that reached the balancer before t are counted.
   */
  private bringTo(i: number, t: number): void {
    const run = this.hosts[i]!;
    const toServer = this.toServer[i];
    if (toServer === null || toServer === undefined) {
      run.advance(t);
      return;
    }
    while (toServer.nextNs < t) {
      const atNs = toServer.nextNs;
      // The host is up: the requests on the wire to a host that went down were lost with it.
      run.advance(atNs);
      this.onServer(i, atNs, 1);
      run.inject(this.cfg.service.name, toServer.firstA, toServer.firstB);
      toServer.shift();
    }
    run.advance(t);
    const toBalancer = this.toBalancer[i]!;
    while (toBalancer.nextNs < t) {
      this.received(i, toBalancer.firstA);
      toBalancer.shift();
    }
  }

  /** What the autoscaler does to the hosts and the balancer. */
  private readonly scaled: ScaledCluster = {
    bringTo: (i, t) => this.bringTo(i, t),
    pendingOf: (i) => this.pending.count[i]!,
    start: (i, t) => this.startHost(i, t),
    stop: (i, t) => this.stopHost(i, t),
    setActive: (i, on) => this.balancer.setActive(i, on),
    // Only the boot time within the run draws power.
    booted: (i, t, ns) => this.hosts[i]!.addBooting(Math.max(0, Math.min(ns, this.endNs - t))),
  };

  /** A host event's action at its instant. */
  private apply(action: HostAction): void {
    const i = action.host;
    switch (action.kind) {
      case 'stop': {
        // Whatever it answered before the instant counts; the rest is lost with the host, and
        // so are the requests on the wire to it. Responses it sent before are on their way.
        if (this.toServer[i] !== null) this.bringTo(i, action.atNs);
        this.stopHost(i, action.atNs);
        this.toServer[i]?.clear();
        this.droppedInFlight[i]! += this.pending.drop(i);
        this.scaler?.cleared(i, action.atNs);
        this.balancer.forget(i, this.toBalancer[i]?.length ?? 0);
        return;
      }
      case 'start':
        this.startHost(i, action.atNs);
        return;
      case 'out':
      case 'in':
        this.balancer.setActive(i, action.kind === 'in');
        return;
    }
  }

  /** One request at the balancer at `t`: its demand, its server, and its injection there. */
  private arrive(t: number): void {
    this.nowArrivalNs = t;
    // Routing that reads every server's state needs every server's completions before t.
    if (this.balancer.readsAll) for (let i = 0; i < this.hosts.length; i++) this.bringUp(i);
    const demandNs = sample(this.cfg.service.demand, this.demandRng);
    const i = this.balancer.route(this);
    this.arrivals++;
    if (i < 0) {
      this.droppedNoServer++;
      return;
    }
    if (!this.hosts[i]!.up) {
      // The balancer has not found out yet that the host is down: the request is lost.
      this.routed[i]!++;
      this.droppedUnnoticed[i]!++;
      return;
    }
    this.bringUp(i);
    const token = this.pending.add(i, t);
    this.balancer.routed(i);
    this.routed[i]!++;
    const latencyNs = this.latencyNs[i]!;
    if (latencyNs > 0) {
      // On the wire: it reaches the server (and counts in its utilisation) one latency later.
      this.toServer[i]!.send(t + latencyNs, demandNs, token);
      return;
    }
    this.onServer(i, t, 1);
    this.hosts[i]!.inject(this.cfg.service.name, demandNs, token);
  }

  /** Host `i` answered the request in slot `token` at cluster time `timeNs` (called from within its advance). */
  private answered(i: number, token: number, timeNs: number): void {
    const sentNs = this.pending.take(token);
    this.onServer(i, timeNs, -1);
    const latencyNs = this.latencyNs[i]!;
    if (latencyNs === 0) this.received(i, timeNs - sentNs);
    // Done on the server; its response reaches the balancer one latency later.
    else this.toBalancer[i]!.send(timeNs + latencyNs, timeNs + latencyNs - sentNs, 0);
  }

  /** Host `i`'s requests (reached it, not done) change by `delta` at `t`, in time order: its utilisation. */
  private onServer(i: number, t: number, delta: number): void {
    this.scaler?.changed(i, t, delta);
    this.load[i]!.changed(t, delta);
  }

  /** Host `i` comes up at `t` (a fresh incarnation). */
  private startHost(i: number, t: number): void {
    this.hosts[i]!.start(t);
    this.load[i]!.up(t);
  }

  /** Host `i` goes down at `t`: its run ends there (its completions before t are told first). */
  private stopHost(i: number, t: number): void {
    this.hosts[i]!.stop(t);
    this.load[i]!.down(t);
  }

  /** A response of host `i` reached the balancer, `responseNs` after its request did. */
  private received(i: number, responseNs: number): void {
    this.response[i]!.add(responseNs);
    this.overall.add(responseNs);
    this.completed[i]!++;
    if (responseNs > this.slaNs) this.late[i]!++;
    this.balancer.answered(i);
  }

  /**
   * The result at the current time. Ends the run there (later advance() calls do nothing): every
   * host is brought to the cluster's time and ends there.
   */
  result(): ClusterResult {
    if (this.cached !== null) return this.cached;
    const endNs = this.processedToNs;
    let events = this.arrivals;
    let energyJ: number | undefined = 0;
    const counted = this.cfg.hasEvents || this.scaler !== null;
    const sla = this.cfg.service.slaNs !== undefined;
    let inFlight = 0;
    let unnoticed = 0;
    const servers: Omit<ServerResult, 'load'>[] = this.hosts.map((run, i) => {
      // What reached the host, and the balancer, before the end counts; the rest is unfinished.
      if (this.toServer[i] !== null) this.bringTo(i, endNs);
      const outcome = run.finish(endNs);
      inFlight += this.droppedInFlight[i]!;
      unnoticed += this.droppedUnnoticed[i]!;
      const dropped = this.droppedInFlight[i]! + this.droppedUnnoticed[i]!;
      events += outcome.events;
      energyJ = energyJ === undefined || outcome.energyJ === undefined ? undefined : energyJ + outcome.energyJ;
      const { events: _events, ...rest } = outcome;
      void _events;
      return {
        host: this.cfg.hosts[i]!.name,
        capacity: this.cfg.hosts[i]!.capacity,
        ...(this.latencyNs[i]! > 0 ? { latencyS: this.latencyNs[i]! / 1e9 } : {}),
        ...requestStats(
          this.routed[i]!,
          this.completed[i]!,
          this.response[i]!,
          counted ? dropped : undefined,
          sla ? this.late[i]! : undefined,
        ),
        ...rest,
      };
    });
    const routed = this.arrivals;
    const completed = this.overall.count;
    const requestsDropped = inFlight + unnoticed + this.droppedNoServer;
    const body: Omit<ClusterResult, 'digest' | 'servers'> & { servers: Omit<ServerResult, 'load'>[] } = {
      simulatedS: endNs / 1e9,
      service: this.cfg.service.name,
      balancer: { ...this.cfg.service.balancer },
      overall: {
        ...requestStats(
          routed,
          completed,
          this.overall,
          counted ? requestsDropped : undefined,
          sla ? this.late.reduce((a, b) => a + b, 0) : undefined,
        ),
        throughputPerS: endNs > 0 ? completed / (endNs / 1e9) : 0,
      },
      servers,
      events,
      energyJ,
      ...(counted ? { requestsDropped, drops: { inFlight, unnoticed, noServer: this.droppedNoServer } } : {}),
      ...(this.scaler !== null ? { scaling: this.scaler.events } : {}),
    };
    const digest = digestOf(body, this.sha256);
    this.cached = { ...body, servers: servers.map((s, i) => ({ ...s, load: this.load[i]!.series(endNs) })), digest };
    return this.cached;
  }
}

function requestStats(
  routed: number,
  completed: number,
  h: LogHistogram,
  dropped?: number,
  late?: number,
): RequestStats {
  const decided = completed + (dropped ?? 0);
  const violations = late === undefined ? undefined : late + (dropped ?? 0);
  return {
    routed,
    completed,
    unfinished: routed - completed - (dropped ?? 0),
    // Only with host events: a result without them keeps its earlier form (and digest).
    ...(dropped === undefined ? {} : { dropped }),
    meanResponseS: h.mean() / 1e9,
    p95ResponseS: h.quantile(0.95) / 1e9,
    p99ResponseS: h.quantile(0.99) / 1e9,
    // Only with an SLA target: a result without one keeps its earlier form (and digest).
    ...(violations === undefined
      ? {}
      : { slaViolations: violations, ...(decided > 0 ? { slaViolationRatio: violations / decided } : {}) }),
  };
}

/** A host's own workload groups (each one checked when its host's run is built). */
function hostGroups(value: unknown, path: string): unknown[] {
  const w = record(value, path);
  return array(w.groups, `${path}.groups`);
}

/** Runs a cluster to its end. */
export function simulateCluster(config: ClusterConfig, options: ClusterOptions = {}): ClusterResult {
  const sim = new ClusterSimulation(config, options);
  sim.advance(sim.endNs);
  return sim.result();
}
