// Files a command writes must never be files it reads: `release X --out X` would replace the
// answer key with the student version, `grade --csv` onto a submission would destroy it. Each
// command lists its inputs and planned outputs before anything runs; a clash is bad input.
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { BadInput } from './problems';

/** The file a path names: symlinks and hard links resolved as far as the file exists. */
function identity(path: string): string {
  try {
    const s = statSync(path);
    return `inode:${s.dev}:${s.ino}`;
  } catch {
    try {
      return join(realpathSync(dirname(resolve(path))), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

/** Throws BadInput when an output would overwrite an input or another output. */
export function refuseOverwrites(
  inputs: readonly string[],
  outputs: readonly { option: string; path: string | undefined }[],
): void {
  const read = new Map(inputs.map((file) => [identity(file), file]));
  const written = new Map<string, string>();
  const problems: string[] = [];
  for (const { option, path } of outputs) {
    if (path === undefined) continue;
    const id = identity(path);
    const input = read.get(id);
    if (input !== undefined)
      problems.push(`${option} ${path}: that is the input ${input}; write the output to another file`);
    else if (written.has(id)) problems.push(`${option} ${path}: ${written.get(id)} writes the same file`);
    else written.set(id, option);
  }
  if (problems.length > 0) throw new BadInput(problems);
}
