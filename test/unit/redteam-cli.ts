// What the red-team tests (redteam-s8, redteam-s12) share: the built CLI run on labs written to
// one temporary directory, and the assertions every attack makes (no crash or hang; bad input
// exits 2 with an error at the line and column of the value).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT_CLI, tempDir } from './cli-helpers';

export interface RedTeamResult {
  code: number | null;
  signal: string | null;
  out: string;
  ms: number;
}

/** `line:col` (1-based) of the `nth` occurrence of `needle` in `text`. */
export function pos(text: string, needle: string, nth = 1): string {
  let i = -1;
  for (let k = 0; k < nth; k++) {
    i = text.indexOf(needle, i + 1);
    assert.ok(i >= 0, `"${needle}" not in the lab`);
  }
  const before = text.slice(0, i).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

/** Never a crash, a stack trace, a hang or an out-of-memory, whatever the lab. */
export function noCrash(r: RedTeamResult): void {
  assert.equal(r.signal, null, `the command was killed (${r.signal}) after ${r.ms} ms: it hung\n${r.out}`);
  assert.doesNotMatch(r.out, /WorkerCrashed|V8_Fatal|SIGTRAP|SIGABRT|heap out of memory|\n\s+at .+:\d+:\d+\)?\n/);
}

/** The CLI and lab files of one red-team suite, in a temporary directory of its own. */
export function redTeam(name: string, defaultTimeoutMs: number) {
  const dir = tempDir(name);

  /** The built CLI on `args` in the directory, killed after `timeoutMs` (a hang shows as signal SIGTERM). */
  function cli(args: string[], timeoutMs = defaultTimeoutMs): RedTeamResult {
    assert.ok(existsSync(BUILT_CLI), `${BUILT_CLI} is missing: run npm run build first`);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [BUILT_CLI, ...args], {
      cwd: dir,
      encoding: 'utf8',
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: r.status, signal: r.signal, out: `${r.stdout}\n${r.stderr}`, ms: Date.now() - t0 };
  }

  const write = (file: string, text: string) => {
    writeFileSync(join(dir, file), text);
    return file;
  };

  /** Bad input: `run --json` exits 2 with `file:line:col: ...` matching `pattern` at the `nth` `needle` (plus `offset` columns). */
  function errorAt(file: string, text: string, needle: string, pattern: RegExp, nth = 1, offset = 0): void {
    const r = cli(['run', file, '--json']);
    noCrash(r);
    assert.equal(r.code, 2, r.out);
    const [line, col] = pos(text, needle, nth).split(':').map(Number);
    const at = `${file}:${line}:${col! + offset}: `;
    const lines = r.out.split('\n').filter((l) => l.startsWith(at));
    assert.ok(
      lines.some((l) => pattern.test(l)),
      `no error at ${at} matches ${pattern}:\n${r.out}`,
    );
  }

  return { dir, cli, write, errorAt };
}
