// Hand-driven policies shared by the simulator tests (not a test file itself).
import type { PolicyFactory } from '../../src/sim/index';
import type { Reason } from '../../src/sim';

/** Everything starts on CPU 0; at `atNs` the process running there moves to `to` with `reason`. */
export function moveOnce(to: number, atNs: number, reason: Reason): PolicyFactory {
  return () => {
    let done = false;
    return {
      name: 'move-once',
      balanceIntervalNs: atNs,
      place: () => 0,
      balance(view, act) {
        if (!done && view.running(0) >= 0) done = act.migrate(view.running(0), to, reason);
      },
    };
  };
}
