// The few globals that every runtime Migration Lab runs in provides (Node 20, browsers' web
// workers, VS Code's web extension host). The layers that must run in all of them (src/lab,
// src/sandbox) are compiled with ES2022 and these, and nothing of DOM or Node: a use of
// `document`, `process` or `require` there fails to typecheck. Add a global here only if every
// one of those runtimes has it.

/** A cancellation signal (AbortController's), as far as the portable layers read it. */
interface AbortSignal {
  readonly aborted: boolean;
}

/** A monotonic clock in milliseconds: the sandbox's wall-clock ceiling on user policy code. */
declare var performance: { now(): number };
