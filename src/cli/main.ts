// migration-lab: the headless runner, on the same lab core as the extension.
// Exit codes: 0 success, 1 checks failed (or verify found differences), 2 bad input, 3 the
// instructor's lab fails its own checks (grade).
import { exportCommand } from './export';
import { gradeCommand } from './grade';
import { mergeCommand } from './merge';
import { BadInput } from './problems';
import { releaseCommand } from './release';
import { runCommand } from './run';
import { sweepCommand } from './sweep';
import { verifyCommand } from './verify';

const USAGE = `usage: migration-lab <command> ...
  run <lab.lab.md> [--param name=value ...] [--json] [--out report.html] [--cpu-limit s] [--memory-limit MB]
  verify <lab.lab.md> [--param name=value ...] [--json] [--cpu-limit s] [--memory-limit MB]
  export <lab.lab.md> --out report.html [--data dir/] [--param name=value ...] [--cpu-limit s] [--memory-limit MB]
  release <instructor.lab.md> [--out student.lab.md]
  grade <submission.lab.md>... --source <instructor.lab.md> [--classroom result.json] [--junit junit.xml] [--csv scores.csv] [--workers N] [--cpu-limit s] [--memory-limit MB] [--submission-cpu-limit s]
  sweep <lab.lab.md> --param name=a,b,c ... [--seeds n] [--workers N] [--shard i/n | --shard slurm] [--out sweep.json] [--csv table.csv] [--stats stats.json] [--stats-csv stats.csv] [--cpu-limit s] [--memory-limit MB]
  merge <shard.json>... --out sweep.json [--csv table.csv] [--stats stats.json] [--stats-csv stats.csv]`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  run: runCommand,
  verify: verifyCommand,
  export: exportCommand,
  release: releaseCommand,
  grade: gradeCommand,
  sweep: sweepCommand,
  merge: mergeCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    console.error(USAGE);
    return 2;
  }
  try {
    return await command(rest);
  } catch (error) {
    if (!(error instanceof BadInput)) throw error;
    for (const line of error.lines) console.error(line);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(2);
  },
);
