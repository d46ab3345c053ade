/**
 * A service's autoscaler (docs/model.md, "Requests behind a load balancer"): step scaling on
 * the mean utilisation of the servers in the balancer's pool. At every `interval` it compares
 * that mean over the interval past with `up` and `down`: above `up` one more host serves (a
 * host that is draining comes back at once, else one that is off is powered on and joins the
 * pool `startup` later), below `down` the last server of the pool leaves it and drains (it is
 * powered off at the first tick it has nothing left to answer), never beyond `min`..`max`.
 *
 * A server's utilisation is the time integral of min(its unanswered requests, its CPUs) over
 * its CPUs: the balancer's own count, so reading it advances no host, and exact (busy CPUs) on
 * hosts that run nothing but the service's requests with no context-switch cost.
 */
import { SimConfigError } from '../errors';
import { onlySectionKeys, readNumber, type Section } from '../spec';
import { record } from '../validate';

export const AUTOSCALE = {
  up: {
    kind: 'number',
    unit: 'fraction',
    min: 0,
    max: 1,
    default: 0.8,
    doc: "Above this mean utilisation of the pool over an interval, one more server (the pool's CPUs busy this share of the time).",
    source: 'a common target-tracking threshold of cloud autoscalers',
  },
  down: {
    kind: 'number',
    unit: 'fraction',
    min: 0,
    max: 1,
    default: 0.3,
    doc: 'Below this mean utilisation over an interval, one server fewer (it drains, then is powered off).',
  },
  startupNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'startup',
    integer: true,
    min: 0,
    default: 0,
    doc: 'Time from the decision to power a host on until it joins the pool (it draws its boot power meanwhile: bootEnergy / boot, its peak by default).',
  },
  intervalNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'interval',
    integer: true,
    // A decision is an event: a nanosecond interval is billions of them per simulated second.
    min: 1e6,
    default: 1e9,
    doc: 'Time between two decisions (the first at one interval), and the stretch each one averages over; at least 1 ms.',
  },
  min: { kind: 'number', unit: 'count', min: 1, default: 1, doc: 'Fewest servers in the pool.' },
  max: {
    kind: 'number',
    unit: 'count',
    min: 1,
    doc: 'Most servers in the pool (at most the number of hosts).',
    defaultText: 'every host',
  },
  initial: {
    kind: 'number',
    unit: 'count',
    min: 1,
    doc: 'Servers in the pool at the start (hosts in order); the others are off.',
    defaultText: 'min',
  },
} satisfies Section;

export interface ResolvedAutoscale {
  up: number;
  down: number;
  startupNs: number;
  intervalNs: number;
  min: number;
  max: number;
  initial: number;
}

export function resolveAutoscale(value: unknown, path: string, hosts: number): ResolvedAutoscale {
  const a = record(value, path);
  onlySectionKeys(a, path, AUTOSCALE);
  const up = readNumber(AUTOSCALE.up, a.up, `${path}.up`);
  const down = readNumber(AUTOSCALE.down, a.down, `${path}.down`);
  if (down >= up) throw new SimConfigError(`${path}.down`, `must be below up (${up})`);
  const min = readNumber(AUTOSCALE.min, a.min, `${path}.min`, { max: hosts });
  const max = a.max === undefined ? hosts : readNumber(AUTOSCALE.max, a.max, `${path}.max`, { min, max: hosts });
  return {
    up,
    down,
    startupNs: readNumber(AUTOSCALE.startupNs, a.startupNs, `${path}.startupNs`),
    intervalNs: readNumber(AUTOSCALE.intervalNs, a.intervalNs, `${path}.intervalNs`),
    min,
    max,
    initial: a.initial === undefined ? min : readNumber(AUTOSCALE.initial, a.initial, `${path}.initial`, { min, max }),
  };
}

/** One decision of the autoscaler. */
export interface ScaleEvent {
  atS: number;
  kind: 'up' | 'down';
  host: string;
  /** The pool's mean utilisation over the interval that decided it. */
  utilization: number;
}

/** What the autoscaler does to the cluster: the cluster loop's hosts and balancer. */
export interface ScaledCluster {
  /** Brings host `i` to `t` (its completions before t are in). */
  bringTo(i: number, t: number): void;
  /** Host `i`'s unanswered requests now. */
  pendingOf(i: number): number;
  /** Host `i` comes up at `t` (a fresh run) or goes off at `t`. */
  start(i: number, t: number): void;
  stop(i: number, t: number): void;
  /** The balancer's pool. */
  setActive(i: number, on: boolean): void;
  /** Host `i` boots from `t` for `ns`. */
  booted(i: number, t: number, ns: number): void;
}

type HostState = 'serving' | 'draining' | 'off' | 'starting';

export class Autoscaler {
  readonly events: ScaleEvent[] = [];
  private readonly state: HostState[];
  /** Per host: CPU-ns busy since the last tick, its unanswered requests, and the time of their last change. */
  private readonly busyArea: Float64Array;
  private readonly conns: Float64Array;
  private readonly since: Float64Array;
  /** Per host: CPU-ns it was in the pool since the last tick. */
  private readonly poolArea: Float64Array;
  private readonly joinsAt: Float64Array;
  /** The next decision, and the next host to join after its startup. */
  nextTickNs: number;

  constructor(
    private readonly cfg: ResolvedAutoscale,
    private readonly cpus: readonly number[],
    private readonly names: readonly string[],
  ) {
    const n = cpus.length;
    this.state = cpus.map((_, i) => (i < cfg.initial ? 'serving' : 'off'));
    this.busyArea = new Float64Array(n);
    this.conns = new Float64Array(n);
    this.since = new Float64Array(n);
    this.poolArea = new Float64Array(n);
    this.joinsAt = new Float64Array(n).fill(Infinity);
    this.nextTickNs = cfg.intervalNs;
  }

  /** Hosts off from the start. */
  initiallyOff(i: number): boolean {
    return this.state[i] === 'off';
  }

  /** Host `i`'s unanswered requests change by `delta` at `t` (routed: +1, answered: -1). */
  changed(i: number, t: number, delta: number): void {
    this.accrue(i, t);
    this.conns[i]! += delta;
  }

  /** Host `i`'s requests are gone at `t`. */
  cleared(i: number, t: number): void {
    this.accrue(i, t);
    this.conns[i] = 0;
  }

  private accrue(i: number, t: number): void {
    const dt = t - this.since[i]!;
    if (dt <= 0) return;
    this.busyArea[i]! += Math.min(this.conns[i]!, this.cpus[i]!) * dt;
    if (this.state[i] === 'serving') this.poolArea[i]! += this.cpus[i]! * dt;
    this.since[i] = t;
  }

  /** The earliest thing due: a decision or a host joining. */
  get nextNs(): number {
    let t = this.nextTickNs;
    for (let i = 0; i < this.joinsAt.length; i++) if (this.joinsAt[i]! < t) t = this.joinsAt[i]!;
    return t;
  }

  /** Applies what is due at `t` (= nextNs): hosts joining first, then the decision. */
  act(t: number, cluster: ScaledCluster): void {
    const n = this.cpus.length;
    for (let i = 0; i < n; i++) {
      if (this.joinsAt[i] !== t) continue;
      this.joinsAt[i] = Infinity;
      this.accrue(i, t);
      this.state[i] = 'serving';
      cluster.start(i, t);
      cluster.setActive(i, true);
    }
    if (t !== this.nextTickNs) return;
    this.nextTickNs += this.cfg.intervalNs;
    let busy = 0;
    let pool = 0;
    let serving = 0;
    for (let i = 0; i < n; i++) {
      const s = this.state[i]!;
      if (s === 'off') continue;
      if (s !== 'starting') cluster.bringTo(i, t);
      this.accrue(i, t);
      if (s === 'serving') {
        busy += this.busyArea[i]!;
        pool += this.poolArea[i]!;
        serving++;
      }
      this.busyArea[i] = 0;
      this.poolArea[i] = 0;
      // A drained server is switched off.
      if (s === 'draining' && cluster.pendingOf(i) === 0) {
        this.state[i] = 'off';
        cluster.stop(i, t);
      }
    }
    const u = pool > 0 ? busy / pool : 0;
    const starting = this.state.filter((s) => s === 'starting').length;
    if (u > this.cfg.up && serving + starting < this.cfg.max) {
      // A draining server is still on: it comes back at once. Else the first host that is off boots.
      let i = this.state.indexOf('draining');
      if (i >= 0) {
        this.state[i] = 'serving';
        cluster.setActive(i, true);
      } else {
        i = this.state.indexOf('off');
        if (i < 0) return;
        this.state[i] = 'starting';
        this.joinsAt[i] = t + this.cfg.startupNs;
        cluster.booted(i, t, this.cfg.startupNs);
        if (this.cfg.startupNs === 0) this.act(t, cluster);
      }
      this.events.push({ atS: t / 1e9, kind: 'up', host: this.names[i]!, utilization: u });
    } else if (u < this.cfg.down && serving > this.cfg.min) {
      const i = this.state.lastIndexOf('serving');
      this.state[i] = 'draining';
      cluster.setActive(i, false);
      this.events.push({ atS: t / 1e9, kind: 'down', host: this.names[i]!, utilization: u });
    }
  }
}
