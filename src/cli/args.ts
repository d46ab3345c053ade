// Command-line options: util.parseArgs with the options each command accepts.
import { parseArgs } from 'node:util';
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
  if (typeof text !== 'string' || !Number.isInteger(n) || n < 1) throw new BadInput([`--${name} ${String(text)}: expected a whole number of at least 1`]);
  return n;
}
