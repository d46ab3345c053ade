/**
 * Turns a policy cell's code into a plain script QuickJS can evaluate. TypeScript types are
 * stripped and `import`/`export` become CommonJS by sucrase, which keeps every line on its
 * line, so line numbers in QuickJS stack traces are the user's line numbers without a source map.
 */
import { transform } from 'sucrase';
import { PolicyCodeError } from './errors';

export type PolicyLanguage = 'ts' | 'js';

export function toScript(code: string, lang: PolicyLanguage, policy: string): string {
  try {
    return transform(code, {
      transforms: lang === 'ts' ? ['typescript', 'imports'] : ['imports'],
      disableESTransforms: true,
      production: true,
    }).code;
  } catch (e) {
    const err = e as Error & { loc?: { line: number; column: number } };
    const reason = err.message.replace(/\s*\(\d+:\d+\)$/, '');
    // sucrase's loc is 1-based in both line and column.
    const location = err.loc ? { line: err.loc.line, column: err.loc.column } : null;
    throw new PolicyCodeError(policy, `syntax error: ${reason}`, location);
  }
}
