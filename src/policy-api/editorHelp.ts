/**
 * Completions and hovers for `policy` cells, read from the shipped policy API types
 * (migration-lab-policy.d.ts) so the editor says exactly what the types say. Pure: the extension
 * reads the .d.ts text from its install folder and passes it in; nothing here needs vscode.
 *
 * The .d.ts is parsed with a deliberately small reader: interface blocks of one member per line,
 * each with an optional JSDoc comment before it, `declare` lines, and the Reason union.
 */

export interface ApiMember {
  name: string;
  /** The member's declaration as written, e.g. `load(cpu: number): number`. */
  signature: string;
  /** Its JSDoc text, one paragraph per blank-line-separated block. */
  doc: string;
}

export interface PolicyApi {
  /** Members of each interface (PolicyView, PolicyActions, PolicyDefinition, MachineInfo, ...). */
  interfaces: ReadonlyMap<string, readonly ApiMember[]>;
  /** `declare function` / `declare const` globals (definePolicy, REASONS). */
  globals: readonly ApiMember[];
  /** The reason codes of the Reason union, in order. */
  reasons: readonly string[];
}

function cleanDoc(raw: string[]): string {
  return raw
    .map((l) => l.replace(/^\s*\/?\*+\/?\s?/, '').replace(/\s*\*\/\s*$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function parsePolicyApi(dts: string): PolicyApi {
  const interfaces = new Map<string, ApiMember[]>();
  const globals: ApiMember[] = [];
  let doc: string[] = [];
  let inDoc = false;
  let current: ApiMember[] | null = null;
  for (const line of dts.split('\n')) {
    const trimmed = line.trim();
    if (inDoc || trimmed.startsWith('/**')) {
      if (trimmed.startsWith('/**')) doc = [];
      doc.push(trimmed);
      inDoc = !trimmed.endsWith('*/');
      continue;
    }
    const open = /^interface (\w+) \{$/.exec(trimmed);
    if (open) {
      current = [];
      interfaces.set(open[1]!, current);
      doc = [];
      continue;
    }
    if (current && trimmed === '}') {
      current = null;
      doc = [];
      continue;
    }
    if (current) {
      const member = /^(?:readonly\s+)?(\w+)\??\s*[(:<]/.exec(trimmed);
      if (member) current.push({ name: member[1]!, signature: trimmed.replace(/;$/, ''), doc: cleanDoc(doc) });
      if (trimmed !== '' && !trimmed.startsWith('//')) doc = [];
      continue;
    }
    const declared = /^declare (?:function|const) (\w+)/.exec(trimmed);
    if (declared)
      globals.push({
        name: declared[1]!,
        signature: trimmed.replace(/^declare /, '').replace(/;$/, ''),
        doc: cleanDoc(doc),
      });
    if (trimmed !== '') doc = [];
  }
  const union = /type Reason =([^;]*);/.exec(dts);
  const reasons = union ? [...union[1]!.matchAll(/'([a-z-]+)'/g)].map((m) => m[1]!) : [];
  return { interfaces, globals, reasons };
}

export interface PolicyCompletion {
  label: string;
  detail: string;
  documentation: string;
  /** `reason` items are string contents (insert inside the quotes). */
  kind: 'member' | 'hook' | 'global' | 'reason';
}

const member = (m: ApiMember, kind: PolicyCompletion['kind']): PolicyCompletion => ({
  label: m.name,
  detail: m.signature,
  documentation: m.doc,
  kind,
});

/** Which interface a receiver expression (the text before the dot) refers to. */
function receiverInterface(receiver: string): string | null {
  if (/\bview\.machine$/.test(receiver)) return 'MachineInfo';
  if (/\bview$/.test(receiver)) return 'PolicyView';
  if (/\bact$/.test(receiver)) return 'PolicyActions';
  if (/\bmachine\.cpus\[[^\]]*\]!?$/.test(receiver)) return 'CpuInfo';
  return null;
}

/**
 * Completions for the text of the current line up to the cursor: members after `view.`,
 * `act.` and `view.machine.`; reason codes inside the quotes of `act.migrate(p, cpu, '`; the
 * hooks and settings of definePolicy at the start of a line; the globals otherwise.
 */
export function policyCompletions(api: PolicyApi, linePrefix: string): PolicyCompletion[] {
  if (/\bmigrate\([^)]*,[^)]*,\s*['"][a-z-]*$/.test(linePrefix) || /\breason\s*:\s*['"][a-z-]*$/.test(linePrefix)) {
    return api.reasons.map((r) => ({
      label: r,
      detail: 'Reason',
      documentation: 'A migration reason code (docs/model.md, Migration).',
      kind: 'reason',
    }));
  }
  const dotted = /([\w.\]![]+)\.(\w*)$/.exec(linePrefix);
  if (dotted) {
    const target = receiverInterface(dotted[1]!);
    const members = target ? api.interfaces.get(target) : undefined;
    return members ? members.map((m) => member(m, 'member')) : [];
  }
  if (/^\s*\w*$/.test(linePrefix)) {
    const hooks = (api.interfaces.get('PolicyDefinition') ?? []).map((m) => member(m, 'hook'));
    return [...hooks, ...api.globals.map((m) => member(m, 'global'))];
  }
  return api.globals.map((m) => member(m, 'global'));
}

/** The member or global under `character` (0-based) in `line`, with its signature and doc; null elsewhere. */
export function policyHover(api: PolicyApi, line: string, character: number): ApiMember | null {
  let start = character;
  let end = character;
  while (start > 0 && /\w/.test(line[start - 1]!)) start--;
  while (end < line.length && /\w/.test(line[end]!)) end++;
  if (start === end) return null;
  const word = line.slice(start, end);
  const before = line.slice(0, start);
  if (before.endsWith('.')) {
    const target = receiverInterface(before.slice(0, -1));
    return (target && api.interfaces.get(target)?.find((m) => m.name === word)) || null;
  }
  const hook = api.interfaces.get('PolicyDefinition')?.find((m) => m.name === word);
  if (hook && /^\s*$/.test(before)) return hook;
  return api.globals.find((m) => m.name === word) ?? null;
}
