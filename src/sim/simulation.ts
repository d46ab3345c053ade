/** Public entry points: the incremental Simulation and the one-shot simulate(). */
import { Engine, type TraceHook } from './engine';
import { resolveConfig } from './resolve';
import type { SimConfig } from './config';
import type { Sha256Factory } from './digest';
import type { PolicyFactory } from './policies/policy';
import type { SimResult } from './result';
import { buildResult } from './results';

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
}

export class Simulation {
  private readonly engine: Engine;
  private readonly sha256: Sha256Factory | undefined;
  private cached: SimResult | null = null;

  /** Validates the config (throws SimConfigError naming the bad field). */
  constructor(config: SimConfig, options: SimOptions = {}) {
    this.engine = new Engine(resolveConfig(config, options.policy !== undefined), options.trace ?? null, options.policy ?? null);
    this.sha256 = options.sha256;
  }

  /**
   * Applies every instant before `untilNs` (clamped to the end of the run). However a run is
   * sliced into calls, its result is the same.
   */
  advance(untilNs: number): void {
    if (this.cached === null) this.engine.advance(untilNs);
  }

  /** How far the run has got (its end once done: the last completion of a closed run). */
  get nowNs(): number {
    return this.engine.progressNs;
  }

  get endNs(): number {
    return this.engine.endNs;
  }

  get done(): boolean {
    return this.engine.finished;
  }

  /** Events processed so far. */
  get events(): number {
    return this.engine.events;
  }

  /**
   * The result at the current time. Ends the run there (later advance() calls do nothing), so
   * a cancelled run still yields a consistent result with its live processes listed unfinished.
   */
  result(): SimResult {
    if (this.cached === null) {
      this.engine.finish();
      this.cached = buildResult(this.engine, this.sha256);
    }
    return this.cached;
  }
}

export function simulate(config: SimConfig, options: SimOptions = {}): SimResult {
  const sim = new Simulation(config, options);
  sim.advance(sim.endNs);
  return sim.result();
}
