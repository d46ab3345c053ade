// Command-line options: util.parseArgs with the options each command accepts.
import { parseArgs } from 'node:util';
import { DEFAULT_RUN_CPU_S, DEFAULT_RUN_MEMORY_MB, type RunLimits } from '../worker/limits';
import { BadInput } from './problems';

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

export function parseCommandArgs(command: string, argv: string[], options: OptionSpec, usage: string): ParsedArgs {
  try {
    const { positionals, values } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { positionals, values: values as ParsedArgs['values'] };
  } catch (error) {
    throw new BadInput([`migration-lab ${command}: ${(error as Error).message}`, usage]);
  }
}

/** `--param name=value` options as a record; a malformed one is bad input. */
export function paramOverrides(values: ParsedArgs['values']): Record<string, string> {
  const params: Record<string, string> = {};
  for (const text of (values.param as string[] | undefined) ?? []) {
    const eq = text.indexOf('=');
    if (eq <= 0) throw new BadInput([`--param ${text}: write --param name=value`]);
    params[text.slice(0, eq)] = text.slice(eq + 1);
  }
  return params;
}

/** A positive integer option, or the default. */
export function intOption(values: ParsedArgs['values'], name: string, fallback: number): number {
  const text = values[name];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (typeof text !== 'string' || !Number.isInteger(n) || n < 1)
    throw new BadInput([`--${name} ${String(text)}: expected a whole number of at least 1`]);
  return n;
}

/** A positive number option (decimals allowed), or the default. */
export function numberOption(values: ParsedArgs['values'], name: string, fallback: number): number {
  const text = values[name];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (typeof text !== 'string' || !Number.isFinite(n) || n <= 0)
    throw new BadInput([`--${name} ${String(text)}: expected a positive number`]);
  return n;
}

/** The run budget's options, shared by every command that runs simulations (src/worker/limits.ts). */
export const LIMIT_OPTIONS = {
  'cpu-limit': { type: 'string' },
  'memory-limit': { type: 'string' },
} as const;

export const LIMIT_USAGE = '[--cpu-limit seconds] [--memory-limit MB]';

/** `--cpu-limit` (seconds of CPU time per run) and `--memory-limit` (MB of heap per run). */
export function runLimits(values: ParsedArgs['values']): RunLimits {
  return {
    cpuMs: numberOption(values, 'cpu-limit', DEFAULT_RUN_CPU_S) * 1000,
    memoryMb: intOption(values, 'memory-limit', DEFAULT_RUN_MEMORY_MB),
  };
}
