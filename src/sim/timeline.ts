/**
 * The timeline log: when each process ran on which CPU, waited for one, or slept, recorded from
 * the engine's trace (TraceHook) for the timeline chart. It is an observer: a run has the same
 * events, tables and digest with and without it.
 *
 * With each move it keeps what decided it and what that saw (TracedMove).
 *
 * Bounded whatever the run's length: it keeps the spans (and moves) that end first, up to
 * `maxSpans` in all; at the instant the next one would not fit (the cut), the spans still open
 * are kept too, clipped to the cut, and nothing later is. So the log lists everything in
 * [fromNs, toNs) and nothing after, and holds at most maxSpans plus the processes alive at the cut.
 */
import type { TraceKind } from './engine';
import type { TracedMove } from './migration';
import type { SpanState, TimelineLog } from './result';

interface Open {
  state: SpanState;
  cpu: number;
  startNs: number;
}

export class TimelineRecorder {
  private readonly open = new Map<number, Open>();
  private readonly log: TimelineLog['spans'] = { state: [], pid: [], cpu: [], startNs: [], endNs: [] };
  private readonly moves: TimelineLog['moves'] = {
    timeNs: [],
    pid: [],
    from: [],
    to: [],
    reason: [],
    hook: [],
    fromLoad: [],
    toLoad: [],
    deadlineNs: [],
  };
  /** Once the log is full: the instant it stops at. */
  private cutNs = -1;

  /** `fromNs`: the start of the observation window (0 for the whole run). */
  constructor(
    private readonly maxSpans: number,
    private readonly fromNs: number,
  ) {}

  /** The engine's trace hook, as SimOptions.trace takes it. */
  readonly observe = (kind: TraceKind, timeNs: number, pid: number, cpu: number, move?: TracedMove): void => {
    switch (kind) {
      case 'arrive':
      case 'release':
        this.begin(pid, 'wait', -1, timeNs);
        break;
      case 'wake':
        this.close(pid, timeNs);
        this.begin(pid, 'wait', -1, timeNs);
        break;
      case 'dispatch': {
        const waiting = this.open.get(pid);
        // A wait is drawn on the CPU that ended it (with a global queue it had none before).
        if (waiting) waiting.cpu = cpu;
        this.close(pid, timeNs);
        this.begin(pid, 'run', cpu, timeNs);
        break;
      }
      case 'stop':
        // Waiting again from now, unless what follows at this instant says it sleeps or is done.
        this.close(pid, timeNs);
        this.begin(pid, 'wait', cpu, timeNs);
        break;
      case 'sleep':
        this.open.delete(pid);
        this.begin(pid, 'sleep', cpu, timeNs);
        break;
      case 'complete':
      case 'idle':
        this.open.delete(pid);
        break;
      case 'migrate':
        if (move) this.move(timeNs, pid, cpu, move);
        break;
    }
  };

  /** The log of the run that ended at `endNs`. */
  finish(endNs: number): TimelineLog {
    for (const pid of [...this.open.keys()].sort((a, b) => a - b)) this.close(pid, endNs);
    const cut = this.cutNs >= 0;
    return { fromNs: this.fromNs, toNs: cut ? this.cutNs : endNs, cut, spans: this.log, moves: this.moves };
  }

  /** Entries kept so far: spans and moves share the bound. */
  private get kept(): number {
    return this.log.pid.length + this.moves.pid.length;
  }

  private move(timeNs: number, pid: number, to: number, move: TracedMove): void {
    if (timeNs < this.fromNs || (this.cutNs >= 0 && timeNs >= this.cutNs)) return;
    if (this.cutNs < 0 && this.kept >= this.maxSpans) {
      this.cutNs = timeNs;
      return;
    }
    const m = this.moves;
    m.timeNs.push(timeNs);
    m.pid.push(pid);
    m.from.push(move.from);
    m.to.push(to);
    m.reason.push(move.reason);
    m.hook.push(move.hook);
    m.fromLoad.push(move.fromLoad);
    m.toLoad.push(move.toLoad);
    m.deadlineNs.push(Number.isFinite(move.deadlineNs) ? move.deadlineNs : null);
  }

  private begin(pid: number, state: SpanState, cpu: number, startNs: number): void {
    if (this.cutNs >= 0 && startNs >= this.cutNs) return;
    this.open.set(pid, { state, cpu, startNs });
  }

  private close(pid: number, endNs: number): void {
    const span = this.open.get(pid);
    if (!span) return;
    this.open.delete(pid);
    const start = Math.max(span.startNs, this.fromNs);
    let end = endNs;
    if (end <= start) return;
    if (this.cutNs < 0 && this.kept >= this.maxSpans) this.cutNs = endNs;
    if (this.cutNs >= 0) end = Math.min(end, this.cutNs);
    if (end <= start) return;
    const log = this.log;
    log.state.push(span.state);
    log.pid.push(pid);
    log.cpu.push(span.cpu);
    log.startNs.push(start);
    log.endNs.push(end);
  }
}
