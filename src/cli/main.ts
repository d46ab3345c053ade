// migration-lab: the headless runner, on the same lab core as the extension.
//   migration-lab run <lab.lab.md> [--json]
// Exit codes: 0 success, 1 a cell failed, 2 bad input (missing file, unknown command).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cellPositionToFile, parseLab, type ParsedLabCell } from '../lab/markdown';
import type { CellOutcome } from '../lab/execute';
import { LabSession } from '../lab/execute';
import { RUN_MIME, type RunOutput } from '../lab/outputs';
import { nodeWorkerPool } from '../worker/nodeWorker';

const USAGE = 'usage: migration-lab run <lab.lab.md> [--json]';

async function run(file: string, json: boolean): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    console.error(`${file}: cannot read: ${(error as Error).message}`);
    return 2;
  }
  const cells = parseLab(text);
  const pool = nodeWorkerPool(join(__dirname, 'simWorker.node.js'));
  const session = new LabSession(pool);
  const runs: RunOutput[] = [];
  let failed = false;
  try {
    for (let index = 0; index < cells.length; index++) {
      const cell = cells[index];
      if (cell.kind === 'markdown') continue;
      const outcome = await session.execute(cells, index, { signal: new AbortController().signal });
      if (!outcome.ok) {
        failed = true;
        for (const line of problemLines(file, cells, index, outcome)) console.error(line);
        continue;
      }
      for (const item of outcome.outputs.flatMap((o) => o.items)) {
        if (item.mime === RUN_MIME) runs.push(item.data as RunOutput);
        else if (!json && item.mime === 'text/markdown') console.log(`${item.data}\n`);
      }
    }
  } finally {
    pool.dispose();
  }
  if (json) console.log(JSON.stringify({ lab: file, runs }, null, 2));
  return failed ? 1 : 0;
}

/** `file:line:col: message` lines (1-based) for a failed cell. */
function problemLines(file: string, cells: ParsedLabCell[], index: number, outcome: Exclude<CellOutcome, { ok: true }>): string[] {
  const cell = cells[index];
  const start = cell.kind === 'markdown' ? 0 : cell.bodyLine;
  if (outcome.cancelled) return [`${file}:${start + 1}:1: cancelled`];
  if (!outcome.at) return [`${file}:${start + 1}:1: ${outcome.title}: ${outcome.message}`];
  const source = cells[outcome.at.cellIndex];
  if (source.kind === 'markdown') return [`${file}:${start + 1}:1: ${outcome.title}: ${outcome.message}`];
  return outcome.at.diagnostics.map((d) => {
    const at = cellPositionToFile(source, d.range.start.line, d.range.start.character);
    return `${file}:${at.line + 1}:${at.character + 1}: ${d.message}`;
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, file, ...rest] = argv;
  if (command === 'run' && file) return run(file, rest.includes('--json'));
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then((code) => process.exit(code));
