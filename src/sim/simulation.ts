/** Public entry points: the incremental Simulation and the one-shot simulate(). */
import { Engine, type TraceHook } from './engine';
import { SimConfigError } from './errors';
import { resolveConfig } from './resolve';
import type { SimConfig } from './config';
import type { Sha256Factory } from './digest';
import type { PolicyFactory } from './policies/policy';
import type { SimResult, Summary } from './result';
import { buildResult, countersOf, summarize, withDigest } from './results';
import { TimelineRecorder } from './timeline';
import { resolveWindow, windowResult, windowSummary, type ObservationWindow } from './window';
import type { ResolvedGroup } from './workload';

export interface SimOptions {
  /** Observer of engine actions (tests, debugging); slows the run slightly. */
  trace?: TraceHook;
  /**
   * A policy of the caller's own (e.g. user code from a lab's policy cell) used instead of the
   * built-in one named in config.policy.name, which then only labels the run.
   */
  policy?: PolicyFactory;
  /**
   * The SHA-256 the result's digest is computed with, e.g. node:crypto's where Node runs (much
   * faster); defaults to a portable one. Every implementation gives the same digest.
   */
  sha256?: Sha256Factory;
  /**
   * The caller injects processes (inject(): a cluster's balancer routing requests to a host) and
   * is told here of each one that completes, with its token, at its completion time. The run
   * then lasts its duration even while idle. Not with an observation window.
   */
  onInjectedComplete?: (token: number, timeNs: number) => void;
}

export class Simulation {
  /** The run to the end (of the observation window, when there is one). */
  private readonly engine: Engine;
  private readonly sha256: Sha256Factory | undefined;
  /** With an observation window starting after 0: the same run to the window's start, simulated first. */
  private readonly before: Engine | null;
  private readonly window: ObservationWindow | undefined;
  private cached: SimResult | null = null;
  /** finish() has ended the run: summary() or result() was asked for. */
  private ended = false;
  /** With config.timelineSegments > 0: the timeline log of `engine`'s run. */
  private readonly timeline: TimelineRecorder | null;
  /** The workload's groups by name (inject names one). */
  private readonly groupIndex: Map<string, ResolvedGroup>;

  /** Validates the config (throws SimConfigError naming the bad field). */
  constructor(config: SimConfig, options: SimOptions = {}) {
    const { window, ...run } = config;
    const custom = options.policy !== undefined;
    const resolved = resolveConfig(run, custom);
    this.window = resolveWindow(window, resolved.durationNs);
    const policy = options.policy ?? null;
    this.timeline =
      resolved.timelineSegments > 0
        ? new TimelineRecorder(resolved.timelineSegments, Math.max(resolved.timelineFromNs, this.window?.startNs ?? 0))
        : null;
    const trace = both(options.trace, this.timeline?.observe);
    if (this.window === undefined) {
      this.engine = new Engine(resolved, trace, policy);
      this.before = null;
    } else {
      this.engine = new Engine({ ...resolved, durationNs: this.window.endNs }, trace, policy);
      this.before =
        this.window.startNs > 0 ? new Engine({ ...resolved, durationNs: this.window.startNs }, null, policy) : null;
      if (this.before?.meter) this.engine.meter!.watchFromNs = this.window.startNs;
    }
    this.sha256 = options.sha256;
    if (options.onInjectedComplete !== undefined) {
      if (this.window !== undefined)
        throw new SimConfigError('window', 'a run that is injected processes has no observation window');
      this.engine.acceptInjections(options.onInjectedComplete);
    }
    this.groupIndex = new Map(resolved.groups.map((g) => [g.name, g]));
  }

  /**
   * A process of workload group `group` (its working set, weight, affinity...) with demand
   * `demandNs` (whole reference ns, at least 1) arrives now, at `nowNs`: call advance(t) first
   * to inject at t. Its completion is told to options.onInjectedComplete with `token` (a
   * non-negative integer). Injecting after the end of the run does nothing.
   */
  inject(group: string, demandNs: number, token: number): void {
    if (!this.engine.injecting) throw new Error('inject() needs options.onInjectedComplete');
    const g = this.groupIndex.get(group);
    if (g === undefined || g.periodic !== null) throw new Error(`inject(): no non-periodic group "${group}"`);
    if (!Number.isInteger(demandNs) || demandNs < 1) throw new Error('inject(): demandNs must be an integer >= 1');
    if (!Number.isInteger(token) || token < 0) throw new Error('inject(): token must be an integer >= 0');
    // Once result() or summary() has ended the run, nothing more arrives.
    if (this.ended) return;
    this.engine.injectProcess(g.index, demandNs, token, this.engine.progressNs);
  }

  /**
   * Applies every instant before `untilNs` (clamped to the end of the run). However a run is
   * sliced into calls, its result is the same. With a window the two runs are one clock: the run
   * to the window's start first, then the run to its end.
   */
  advance(untilNs: number): void {
    if (this.ended) return;
    const offset = this.before === null ? 0 : this.before.endNs;
    if (this.before !== null && !this.before.finished) {
      this.before.advance(untilNs);
      if (!this.before.finished) return;
    }
    this.engine.advance(untilNs - offset);
  }

  /** How far the run has got (its end once done: the last completion of a closed run). */
  get nowNs(): number {
    if (this.before === null) return this.engine.progressNs;
    return this.before.finished ? this.before.endNs + this.engine.progressNs : this.before.progressNs;
  }

  /** Simulated time to run: the run's duration (with a window starting at s, s for the run to it plus the window's end). */
  get endNs(): number {
    return (this.before?.endNs ?? 0) + this.engine.endNs;
  }

  get done(): boolean {
    return this.engine.finished;
  }

  /** Processes alive now: a server's load as join-shortest-queue reads it (without a window: the one run). */
  get liveProcesses(): number {
    return this.engine.liveProcesses;
  }

  /** Events processed so far. */
  get events(): number {
    return this.engine.events + (this.before?.events ?? 0);
  }

  /**
   * The result at the current time. Ends the run there (later advance() calls do nothing), so
   * a cancelled run still yields a consistent result with its live processes listed unfinished.
   */
  result(): SimResult {
    if (this.cached === null) {
      this.finish();
      if (this.window === undefined) this.cached = buildResult(this.engine, this.sha256);
      // A window from 0 is the run to its end, said to be a window.
      else if (this.before === null)
        this.cached = withDigest(
          {
            ...withoutDigest(buildResult(this.engine, this.sha256)),
            window: { startS: 0, endS: this.engine.now / 1e9 },
          },
          this.sha256,
        );
      else this.cached = windowResult(this.engine, this.before, this.window, this.sha256);
      // After the digest: the log records the run the digest names, it is not part of it.
      if (this.timeline !== null) this.cached.timeline = this.timeline.finish(this.engine.now);
    }
    return this.cached;
  }

  /**
   * The summary of the result at the current time (result().summary), without the result's
   * tables, series and digest, which cost more than a small run: what a comparison reads. Ends
   * the run there, as result() does; result() may still be asked for afterwards.
   */
  summary(): Summary {
    if (this.cached !== null) return this.cached.summary;
    this.finish();
    if (this.before === null) return summarize(countersOf(this.engine));
    return windowSummary(this.engine, this.before, this.window!);
  }

  /** Ends the run where it is (both runs, with a window); again does nothing (the engines finish once). */
  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.before !== null) {
      if (!this.before.finished) this.before.advance(this.before.endNs);
      this.before.finish();
    }
    this.engine.finish();
  }
}

/** One trace hook that calls each of the given ones. */
function both(a: TraceHook | undefined, b: TraceHook | undefined): TraceHook | null {
  if (a && b)
    return (kind, timeNs, pid, cpu, move) => (a(kind, timeNs, pid, cpu, move), b(kind, timeNs, pid, cpu, move));
  return a ?? b ?? null;
}

function withoutDigest(result: SimResult): Omit<SimResult, 'digest'> {
  const { digest: _digest, ...rest } = result;
  void _digest;
  return rest;
}

export function simulate(config: SimConfig, options: SimOptions = {}): SimResult {
  const sim = new Simulation(config, options);
  sim.advance(sim.endNs);
  return sim.result();
}
