/**
 * Errors from user policy code, each carrying the place in the user's cell (1-based line and
 * column of the code as written, TypeScript or JavaScript) so the lab can put the diagnostic on it.
 */
import { SimPolicyError } from '../sim';

/** Where in the policy cell's code something went wrong (1-based; column 0 when unknown). */
export interface CodeLocation {
  line: number;
  column: number;
}

/** The code cannot be turned into a policy: a syntax error, a top-level throw, no definePolicy call. */
export class PolicyCodeError extends Error {
  readonly policy: string;
  readonly reason: string;
  readonly location: CodeLocation | null;
  constructor(policy: string, reason: string, location: CodeLocation | null) {
    super(`policy ${policy}${location ? ` (line ${location.line})` : ''}: ${reason}`);
    this.name = 'PolicyCodeError';
    this.policy = policy;
    this.reason = reason;
    this.location = location;
  }
}

/**
 * The policy failed during a run: it threw, ran past its CPU-time budget, ran out of memory or
 * made an impossible decision. A SimPolicyError, so the simulator passes it through unchanged.
 */
export class PolicyRuntimeError extends SimPolicyError {
  readonly location: CodeLocation | null;
  /** The hook that was running: place, placeOnWake, balance, onIdle, onCpuEvent. */
  readonly hook: string;
  readonly atNs: number;
  constructor(policy: string, hook: string, atNs: number, reason: string, location: CodeLocation | null) {
    super(policy, `${hook}() at ${atNs} ns${location ? `, line ${location.line}` : ''}: ${reason}`);
    this.name = 'PolicyRuntimeError';
    this.location = location;
    this.hook = hook;
    this.atNs = atNs;
  }
}
