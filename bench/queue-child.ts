/**
 * The measurements of bench/queue.ts, one per process: `node out/bench/queue-child.cjs <what> ...`
 * prints one JSON line. `hold <before|after> <pending>`: the queue alone in the hold model;
 * `engine <case> <seconds>`: the engine's rate on a bench case; `replay <before|after> <case>
 * <seconds>`: the case's recorded queue calls replayed on a queue alone; `pending <case>
 * <seconds>`: the case's event count and its mean and largest pending count. Rates are events
 * per CPU second (process.cpuUsage), warmed up until three successive chunks agree within 3 %,
 * then the median of five chunks.
 */
import { EventQueue } from '../src/sim/heap';
import { Simulation } from '../src/sim/index';
import { CASES } from './cases';
import { EventQueue as BaselineQueue } from './queue-baseline';

/** The two queues compared: `after` is the simulator's. */
const QUEUES = { before: BaselineQueue, after: EventQueue } as const;
type QueueName = keyof typeof QUEUES;
type Queue = InstanceType<(typeof QUEUES)[QueueName]>;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1]!;
}

/** Events per CPU second of `chunk` (which returns its event count): warmed up until stable, then the median of 5 chunks. */
function steadyRate(chunk: () => number): { rate: number; warmup: number } {
  const rates: number[] = [];
  const once = () => {
    const cpu0 = process.cpuUsage();
    const events = chunk();
    const cpu = process.cpuUsage(cpu0);
    rates.push(events / ((cpu.user + cpu.system) / 1e6));
  };
  const MAX_WARMUP = 40;
  while (rates.length < MAX_WARMUP) {
    once();
    const last = rates.slice(-3);
    if (last.length === 3 && Math.max(...last) / Math.min(...last) <= 1.03) break;
  }
  const warmup = rates.length;
  for (let i = 0; i < 5; i++) once();
  return { rate: median(rates.slice(warmup)), warmup };
}

/** A seeded generator (mulberry32): the same table in every process. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MS = 1e6;
const TABLE = 1 << 16;

/** What the hold model pushes after popping an event at `now`: a table of kinds and delays, drawn once. */
function holdTable(): { kinds: Uint8Array; delays: Float64Array; onGrid: Uint8Array } {
  const rnd = seeded(14);
  const exp = (mean: number) => Math.floor(-Math.log(1 - rnd()) * mean);
  const kinds = new Uint8Array(TABLE);
  const delays = new Float64Array(TABLE);
  const onGrid = new Uint8Array(TABLE);
  for (let i = 0; i < TABLE; i++) {
    const u = rnd();
    if (u < 0.55) {
      kinds[i] = 0; // Timer: the end of a burst or slice, near future.
      delays[i] = 1 + exp(2 * MS);
    } else if (u < 0.9) {
      kinds[i] = 7; // Release: a period of 1-20 ms after the current grid point, so releases tie.
      delays[i] = MS * (1 + Math.floor(rnd() * 20));
      onGrid[i] = 1;
    } else if (u < 0.97) {
      kinds[i] = 6; // Arrival: Poisson.
      delays[i] = 1 + exp(0.3 * MS);
    } else {
      kinds[i] = 8 + Math.floor(rnd() * 3); // Wake, Migrated, Balance at this very instant.
      delays[i] = 0;
    }
  }
  return { kinds, delays, onGrid };
}

function measureHold(name: QueueName, pending: number): { rate: number; warmup: number } {
  const { kinds, delays, onGrid } = holdTable();
  const q: Queue = new QUEUES[name](1024);
  let j = 0;
  const next = (now: number) => {
    const m = j++ & (TABLE - 1);
    const at = onGrid[m] ? Math.floor(now / MS) * MS + delays[m]! : now + delays[m]!;
    q.push(at, kinds[m]!, m, 0);
  };
  for (let i = 0; i < pending; i++) next(0);
  let sink = 0;
  const STEPS = 1 << 17;
  const result = steadyRate(() => {
    for (let i = 0; i < STEPS; i++) {
      q.pop();
      sink += q.peekTime();
      next(q.time);
      sink += q.peekTime();
    }
    return STEPS;
  });
  if (q.length !== pending || Number.isNaN(sink)) throw new Error('the hold model lost events');
  return result;
}

function simulateCase(name: string, durationS: number): Simulation {
  const c = CASES.find((x) => x.name === name);
  if (!c) throw new Error(`no bench case ${name}`);
  const sim = new Simulation(c.config(durationS));
  sim.advance(sim.endNs);
  return sim;
}

function measureEngine(name: string, durationS: number): { rate: number; warmup: number } {
  return steadyRate(() => simulateCase(name, durationS).events);
}

/** Queue calls of one run, as the engine made them: 0 peekTime, 1 peekKind, 2 pop, 3 push (four arguments each). */
interface Trace {
  ops: Uint8Array;
  args: Float64Array;
  pops: number;
  meanPending: number;
  maxPending: number;
}

/** Runs a case with the simulator's queue instrumented, recording its calls and the pending count at each pop. */
function recordTrace(name: string, durationS: number): Trace {
  const proto = EventQueue.prototype;
  const original = { push: proto.push, pop: proto.pop, peekTime: proto.peekTime, peekKind: proto.peekKind };
  const ops: number[] = [];
  const args: number[] = [];
  let pops = 0;
  let pendingSum = 0;
  let maxPending = 0;
  proto.push = function (this: EventQueue, t: number, kind: number, a: number, b: number) {
    ops.push(3);
    args.push(t, kind, a, b);
    original.push.call(this, t, kind, a, b);
  };
  proto.pop = function (this: EventQueue) {
    ops.push(2);
    pops++;
    pendingSum += this.length;
    maxPending = Math.max(maxPending, this.length);
    return original.pop.call(this);
  };
  proto.peekTime = function (this: EventQueue) {
    ops.push(0);
    return original.peekTime.call(this);
  };
  proto.peekKind = function (this: EventQueue) {
    ops.push(1);
    return original.peekKind.call(this);
  };
  try {
    simulateCase(name, durationS);
  } finally {
    Object.assign(proto, original);
  }
  return {
    ops: Uint8Array.from(ops),
    args: Float64Array.from(args),
    pops,
    meanPending: pendingSum / pops,
    maxPending,
  };
}

function measureReplay(queue: QueueName, name: string, durationS: number): { rate: number; warmup: number } {
  const { ops, args, pops } = recordTrace(name, durationS);
  let sink = 0;
  const result = steadyRate(() => {
    const q: Queue = new QUEUES[queue](1024);
    for (let i = 0, j = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (op === 0) sink += q.peekTime();
      else if (op === 1) sink += q.peekKind();
      else if (op === 2) {
        q.pop();
        sink += q.a;
      } else {
        q.push(args[j]!, args[j + 1]!, args[j + 2]!, args[j + 3]!);
        j += 4;
      }
    }
    return pops;
  });
  if (Number.isNaN(sink)) throw new Error('unreachable');
  return result;
}

function main(argv: string[]): void {
  const [what, ...rest] = argv;
  let out: object;
  if (what === 'hold') out = measureHold(rest[0] as QueueName, Number(rest[1]));
  else if (what === 'engine') out = measureEngine(rest[0]!, Number(rest[1]));
  else if (what === 'replay') out = measureReplay(rest[0] as QueueName, rest[1]!, Number(rest[2]));
  else if (what === 'pending') {
    const { pops, meanPending, maxPending } = recordTrace(rest[0]!, Number(rest[1]));
    out = { events: pops, meanPending, maxPending };
  } else throw new Error(`unknown measurement ${what}`);
  console.log(JSON.stringify(out));
}

main(process.argv.slice(2));
