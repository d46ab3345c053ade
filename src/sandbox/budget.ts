/**
 * The sandbox's budget: how much work one entry into user code may do before QuickJS stops it.
 *
 * QuickJS counts "ticks" (a function call, a backward jump: one loop iteration) and calls the
 * runtime's interrupt handler every 10,000 of them; regular expressions call it every 10,000
 * backtracking steps. These points are the same for the same code and inputs on any machine
 * and under any load, so a budget counted in handler calls passes or fails the same way
 * everywhere. The budget is armed for every entry into the VM (the prelude, the user's top
 * level, each hook call, reading a thrown value); between entries it is zero, so nothing can
 * run outside one (a getter or valueOf reached by accident stops at the first poll).
 *
 * What ticks do not see is work done inside one built-in call (indexOf over a huge array,
 * repeat, sort): the memory limit bounds it, and a generous wall-clock ceiling per entry is the
 * last resort. That ceiling depends on the machine, and its message says so.
 */

/** Ticks between two calls of the interrupt handler (JS_INTERRUPT_COUNTER_INIT in quickjs.c). */
export const STEPS_PER_POLL = 10_000;

/** Budget of one hook call, in steps (loop iterations and function calls). */
export const HOOK_STEPS = 1_000_000;

/** Budget of a policy cell's top level (everything outside the hooks), in steps. */
export const TOP_LEVEL_STEPS = 1_000_000;

/** Budget of the prelude (the policy API, and freezing the built-ins). */
export const PRELUDE_STEPS = 20_000_000;

/** Budget for reading what a failed entry threw (its name, message and stack). */
export const REPORT_STEPS = 200_000;

/** The last resort: wall-clock time one entry may take, whatever its steps. */
export const WALL_CEILING_MS = 5_000;

export type Stop = 'steps' | 'wall';

/** `1,000,000` for messages. */
export const formatSteps = (steps: number) => steps.toLocaleString('en-US');

export class Budget {
  constructor(readonly wallCeilingMs = WALL_CEILING_MS) {}

  private polls = 0;
  private deadline = -Infinity;
  /** What stopped the current (or last) entry, if anything. */
  stopped: Stop | null = null;

  /** The runtime's interrupt handler: true stops the VM (with an uncatchable error). */
  readonly interrupt = (): boolean => {
    if (this.stopped !== null) return true;
    if (--this.polls < 0) {
      this.stopped = 'steps';
      return true;
    }
    if (performance.now() > this.deadline) {
      this.stopped = 'wall';
      return true;
    }
    return false;
  };

  /** Runs `enter` (one entry into the VM) with `steps` to spend; afterwards nothing more may run. */
  spend<T>(steps: number, enter: () => T): T {
    this.stopped = null;
    this.polls = Math.ceil(steps / STEPS_PER_POLL);
    this.deadline = performance.now() + this.wallCeilingMs;
    try {
      return enter();
    } finally {
      this.polls = 0;
      this.deadline = -Infinity;
    }
  }
}

/** Why an entry was stopped, for the user; `what` ("the code outside the hooks") leads when the hook is not already named. */
export function stopMessage(stop: Stop, steps: number, wallCeilingMs: number, what?: string): string {
  const lead = what ? `${what} ` : '';
  if (stop === 'steps') {
    return `${lead}ran past its budget of ${formatSteps(steps)} steps (loop iterations and function calls) in one call: an endless loop, or far too much work for one decision`;
  }
  return (
    `${lead}ran longer than the sandbox's wall-clock safety limit of ${wallCeilingMs / 1000} s in one call ` +
    `(work inside built-in functions, such as indexOf over a huge array, is not counted in steps; this limit depends on the machine)`
  );
}
