// The tests module VS Code loads in its extension host (extensionTestsPath). `run()` follows
// the contract of @vscode/test-electron and @vscode/test-cli: it resolves when every test
// passed and rejects otherwise, so the same suite runs under the code-server harness
// (scripts/test-integration.mjs) and under a downloaded desktop VS Code.
//
// Mocha stays external to the bundle (scripts/build.mjs) and is loaded from the repo's
// node_modules, so the suites' `import { suite, test } from 'mocha'` share this instance.
import Mocha from 'mocha';
import { ReportFileReporter } from './reporter';

/**
 * The suites, imported only after mocha has set up its TDD interface (pre-require). The
 * restricted-mode suite needs a VS Code with workspace trust on and the folder untrusted, so the
 * harness runs it on its own (MIGRATION_LAB_TEST_SUITES=restricted) and the others without it.
 */
const suites =
  process.env.MIGRATION_LAB_TEST_SUITES === 'restricted'
    ? [() => import('./restricted.test')]
    : [
        () => import('./activation.test'),
        () => import('./notebook.test'),
        () => import('./diagnostics.test'),
        () => import('./language.test'),
        () => import('./editing.test'),
        () => import('./execution.test'),
        () => import('./policy-logs.test'),
        () => import('./examples.test'),
      ];

export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    // The first notebook open and run in a cold extension host can take several seconds.
    timeout: 60_000,
    reporter: ReportFileReporter,
  });
  mocha.suite.emit('pre-require', globalThis, 'test/integration', mocha);
  try {
    for (const load of suites) await load();
  } catch (error) {
    ReportFileReporter.reportCrash(error);
    throw error;
  }
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
