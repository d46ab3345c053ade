// Runs the command-line runner from source (node --import tsx src/cli/main.ts) as a child
// process, the way a user or CI job runs the built bin.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], options: { cwd?: string; entry?: string; timeoutMs?: number } = {}): CliResult {
  const entry = options.entry ?? join(REPO, 'src', 'cli', 'main.ts');
  const nodeArgs = entry.endsWith('.ts') ? ['--import', 'tsx', entry] : [entry];
  // cwd is the repository so `--import tsx` resolves; paths in args are absolute.
  const r = spawnSync(process.execPath, [...nodeArgs, ...args], {
    cwd: options.cwd ?? REPO,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 240_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `ml-${prefix}-`));

/** A small lab to sweep: two runs, one of them under the swept policy `$pol`, for `$dur`. */
export const SWEEP_LAB = `# Sweep

\`\`\`params
pol: least-loaded
dur: 1s
\`\`\`

\`\`\`machine
name: duo
sockets: 2
coresPerSocket: 2
\`\`\`

\`\`\`workload
name: w
processes:
  - { name: web, count: 30, arrival: poisson 300/s, demand: exp 4ms }
  - { name: batch, count: 6, arrival: 0s, demand: exp 200ms }
\`\`\`

\`\`\`run
name: a
machine: duo
workload: w
policy: $pol
duration: $dur
\`\`\`

\`\`\`run
name: b
machine: duo
workload: w
policy: pinned
duration: $dur
\`\`\`
`;

/** The built command line, as users run it (`npm run build` first). */
export const BUILT_CLI = join(REPO, 'dist', 'cli.js');
