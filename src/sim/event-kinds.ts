/**
 * The kinds of event the engine's queue holds. They are numbered in the order they apply at one
 * instant: the queue orders by time, then kind, so the numbers are part of the model (changing
 * them changes results). Each event carries two small integers (a, b); what they mean is listed
 * per kind.
 */
export const enum EventKind {
  /** End of a running burst or of its time slice (phase 1). a: CPU, b: its timer generation. */
  Timer = 0,
  /** A CPU fails, or a maintenance window opens or closes: first, so nothing is placed on a CPU going out. a: event index, b: 0 opens, 1 closes. */
  Machine = 1,
  /** A governor's P-state request takes effect. a: frequency domain, b: its request generation. */
  Freq = 2,
  /** A core reaches its trip point or has cooled enough. a: core, b: its crossing generation. */
  Thermal = 3,
  /** ondemand / schedutil sampling tick. */
  Governor = 4,
  /** A group's processes change their affinity mask: before arrivals, so one arriving then has the new mask. a: group index, b: the change's index. */
  SetAffinity = 5,
  /** A group's next process arrives. a: group index. */
  Arrival = 6,
  /** A periodic task's next job is released. a: process slot. */
  Release = 7,
  /** A sleeping process wakes. a: process slot. */
  Wake = 8,
  /** A moved process lands on its target CPU. a: process slot. */
  Migrated = 9,
  /** Last: a balancing policy sees the instant's arrivals and wake-ups. */
  Balance = 10,
}
