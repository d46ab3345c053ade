/**
 * Scheduled host events of a cluster (docs/model.md, "Requests behind a load balancer"): a host
 * fails, goes into maintenance, is powered off or on. The events are known in advance, so they
 * are played here once, at resolve time, through each host's states (up, draining, down,
 * booting) into the timed actions the cluster loop applies: a host's run stops or starts, the
 * balancer takes a server out of its pool or puts it back. A failure reaches the balancer only
 * through its health checks; maintenance and power-off are the operator's own doing, so the
 * balancer stops routing to the host at once.
 */
import { SimConfigError } from '../errors';
import { EVENT } from '../events';
import { readEnum, readNumber, type Section } from '../spec';
import { array, onlyKeys, record, str } from '../validate';
import { detectionAt, type ResolvedHealth } from './balancer';

export type HostEventKind = 'fail' | 'maintenance' | 'power-off' | 'power-on';

export const HOST_EVENT = {
  kind: {
    kind: 'enum',
    lab: 'event',
    values: {
      fail: 'The host fails: the requests it was serving are dropped, the balancer learns of it at its health checks (a VM run: its VMs are down until HA restarts them). With a duration it is repaired then and boots.',
      maintenance:
        'The balancer stops sending it requests at once; it finishes what it has (drains) and returns after the duration.',
      'power-off':
        'The host is switched off: requests still on it are dropped (drain it first with a maintenance window).',
      'power-on': 'A host that is off (or failed) boots and then serves again.',
    } satisfies Record<HostEventKind, string>,
    required: true,
    doc: 'What happens to the host.',
  },
  // The instant of an event is the machine events' key (events.ts), one key for one concept.
  atNs: EVENT.atNs,
  host: { kind: 'name', required: true, doc: 'The host affected, by its name (<name>-<i>).' },
  durationNs: {
    kind: 'number',
    unit: 'ns',
    lab: 'duration',
    integer: true,
    above: 0,
    doc: 'Maintenance: how long the window lasts; fail: the time to repair (then the host boots).',
    defaultText: 'until the end of the run',
  },
} satisfies Section;

export interface HostEventConfig {
  kind: HostEventKind;
  atNs: number;
  host: string;
  durationNs?: number;
}

/** What the cluster loop does at `atNs` to host `host`, in this order among the instant's actions. */
export interface HostAction {
  atNs: number;
  host: number;
  /** stop: its run ends, requests on it dropped; start: a fresh run; out/in: the balancer's pool. */
  kind: 'stop' | 'start' | 'out' | 'in';
}

type State = 'up' | 'draining' | 'down' | 'booting';

/** A consequence of an event, later: its host's state then must still be the one it was for. */
interface Later {
  atNs: number;
  host: number;
  kind: 'maintenance-end' | 'repaired' | 'booted' | 'detected' | 'noticed';
  /** The host's state episode it belongs to (stale once the host has changed state since). */
  episode: number;
}

export interface ResolvedHostEvents {
  actions: HostAction[];
  /** Per host: time spent booting within the run. */
  bootingNs: number[];
}

/** One host event as read from a config, with the path its errors name. */
export interface ReadHostEvent {
  path: string;
  kind: HostEventKind;
  /** Index of its host in the run's hosts. */
  host: number;
  atNs: number;
  /** Infinity: until the end of the run. */
  durationNs: number;
}

/**
 * Reads a list of host events against HOST_EVENT, each naming a host of `index`: the one parser
 * of host events, for request clusters (played below) and VM clusters (vm-config.ts) alike.
 */
export function readHostEvents(value: unknown, index: ReadonlyMap<string, number>): ReadHostEvent[] {
  return array(value, 'events').map((item, k) => {
    const p = `events[${k}]`;
    const e = record(item, p);
    onlyKeys(e, p, Object.keys(HOST_EVENT));
    const kind = readEnum<HostEventKind>(HOST_EVENT.kind, e.kind, `${p}.kind`);
    const host = index.get(str(e.host, `${p}.host`));
    if (host === undefined) throw new SimConfigError(`${p}.host`, `no host is named "${String(e.host)}"`);
    if (e.durationNs !== undefined && kind !== 'maintenance' && kind !== 'fail')
      throw new SimConfigError(`${p}.durationNs`, `only maintenance and fail last (this is ${kind})`);
    return {
      path: p,
      kind,
      host,
      atNs: readNumber(HOST_EVENT.atNs, e.atNs, `${p}.atNs`),
      durationNs:
        e.durationNs === undefined ? Infinity : readNumber(HOST_EVENT.durationNs, e.durationNs, `${p}.durationNs`),
    };
  });
}

/**
 * Checks `events` (each names a host of `hostNames`) and plays them into actions. An event must
 * find its host in a state it applies to: fail, maintenance and power-off an up host (fail and
 * power-off also a draining one), power-on a host that is down.
 */
export function resolveHostEvents(
  value: unknown,
  hostNames: readonly string[],
  bootNs: readonly number[],
  health: ResolvedHealth | null,
  durationNs: number,
): ResolvedHostEvents {
  const index = new Map(hostNames.map((n, i) => [n, i]));
  const n = hostNames.length;
  const events = readHostEvents(value, index);
  // In time order, an instant's events in the order given.
  const order = events.map((_, k) => k).sort((a, b) => events[a]!.atNs - events[b]!.atNs || a - b);
  const state: State[] = hostNames.map(() => 'up');
  const episode = new Int32Array(n);
  const bootingNs = hostNames.map(() => 0);
  const actions: HostAction[] = [];
  const later: Later[] = [];
  const act = (atNs: number, host: number, kind: HostAction['kind']) => actions.push({ atNs, host, kind });
  const enter = (host: number, s: State) => {
    state[host] = s;
    return ++episode[host]!;
  };
  const schedule = (atNs: number, host: number, kind: Later['kind'], ep: number) => {
    if (atNs === Infinity) return;
    // Kept sorted by time, stable: consequences due at one instant apply in the order they arose.
    let j = later.length;
    while (j > 0 && later[j - 1]!.atNs > atNs) j--;
    later.splice(j, 0, { atNs, host, kind, episode: ep });
  };
  const boot = (atNs: number, host: number) => {
    const ep = enter(host, 'booting');
    bootingNs[host]! += Math.max(0, Math.min(bootNs[host]!, durationNs - atNs));
    schedule(atNs + bootNs[host]!, host, 'booted', ep);
  };
  const apply = (l: Later) => {
    if (episode[l.host] !== l.episode) return;
    switch (l.kind) {
      case 'maintenance-end':
        enter(l.host, 'up');
        act(l.atNs, l.host, 'in');
        return;
      case 'repaired':
        boot(l.atNs, l.host);
        return;
      case 'booted': {
        const ep = enter(l.host, 'up');
        act(l.atNs, l.host, 'start');
        // A host back up joins the pool at the next health check (at once without checks).
        schedule(health === null ? l.atNs : detectionAt(l.atNs, 0, health), l.host, 'noticed', ep);
        return;
      }
      case 'noticed':
        act(l.atNs, l.host, 'in');
        return;
      case 'detected':
        act(l.atNs, l.host, 'out');
        return;
    }
  };
  for (const k of order) {
    const e = events[k]!;
    // Consequences due by this instant apply first: they arose from earlier events.
    while (later.length > 0 && later[0]!.atNs <= e.atNs) apply(later.shift()!);
    const s = state[e.host]!;
    const refuse = (what: string) => {
      throw new SimConfigError(`${e.path}.kind`, `${hostNames[e.host]} is ${s} then: ${what}`);
    };
    switch (e.kind) {
      case 'fail': {
        if (s !== 'up' && s !== 'draining') refuse('only a host that is up can fail');
        act(e.atNs, e.host, 'stop');
        const ep = enter(e.host, 'down');
        if (s === 'draining') act(e.atNs, e.host, 'out');
        else
          schedule(health === null ? e.atNs : detectionAt(e.atNs, health.detectionNs, health), e.host, 'detected', ep);
        schedule(e.atNs + e.durationNs, e.host, 'repaired', ep);
        break;
      }
      case 'maintenance': {
        if (s !== 'up') refuse('only a host that is up goes into maintenance');
        act(e.atNs, e.host, 'out');
        schedule(e.atNs + e.durationNs, e.host, 'maintenance-end', enter(e.host, 'draining'));
        break;
      }
      case 'power-off':
        if (s !== 'up' && s !== 'draining') refuse('only a host that is up can be powered off');
        act(e.atNs, e.host, 'stop');
        act(e.atNs, e.host, 'out');
        enter(e.host, 'down');
        break;
      case 'power-on':
        if (s !== 'down') refuse('only a host that is down can be powered on');
        boot(e.atNs, e.host);
        break;
    }
  }
  while (later.length > 0) apply(later.shift()!);
  return { actions, bootingNs };
}
