// A mocha reporter for both harnesses: the spec reporter's output for a human reading the
// extension host's console, and, when MIGRATION_LAB_TEST_REPORT names a file, one JSON object
// per line for scripts/test-integration.mjs, which cannot see the extension host's console
// when VS Code runs inside code-server.
import Mocha from 'mocha';
import { appendFileSync } from 'node:fs';

export type ReportEvent =
  | { event: 'pass'; title: string; durationMs: number }
  | { event: 'fail'; title: string; durationMs: number; message: string; stack: string }
  | { event: 'pending'; title: string }
  | { event: 'note'; text: string }
  | { event: 'end'; passed: number; failed: number; pending: number; durationMs: number }
  | { event: 'crash'; message: string; stack: string };

const reportFile = process.env.MIGRATION_LAB_TEST_REPORT;

export function writeReport(event: ReportEvent): void {
  if (reportFile) appendFileSync(reportFile, JSON.stringify(event) + '\n');
}

/** A measured figure or other fact worth seeing in the harness output (e.g. activation ms). */
export function note(text: string): void {
  console.log(text);
  writeReport({ event: 'note', text });
}

const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;

export class ReportFileReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.on(EVENT_TEST_PASS, (test) => {
      writeReport({ event: 'pass', title: test.fullTitle(), durationMs: test.duration ?? 0 });
    });
    runner.on(EVENT_TEST_FAIL, (test, error: Error) => {
      writeReport({
        event: 'fail',
        title: test.fullTitle(),
        durationMs: test.duration ?? 0,
        message: String(error?.message ?? error),
        stack: String(error?.stack ?? ''),
      });
    });
    runner.on(EVENT_TEST_PENDING, (test) => writeReport({ event: 'pending', title: test.fullTitle() }));
    runner.once(EVENT_RUN_END, () => {
      const stats = runner.stats;
      writeReport({
        event: 'end',
        passed: stats?.passes ?? 0,
        failed: stats?.failures ?? 0,
        pending: stats?.pending ?? 0,
        durationMs: stats?.duration ?? 0,
      });
    });
  }

  /** Loading a suite failed before mocha could run anything. */
  static reportCrash(error: unknown): void {
    const e = error instanceof Error ? error : new Error(String(error));
    writeReport({ event: 'crash', message: e.message, stack: e.stack ?? '' });
  }
}
