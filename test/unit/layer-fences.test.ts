// The layers' fences, read from the import statements of every source file (docs/architecture.md
// draws the same plan). The compiler fences what each layer may *use* (its tsconfig.json: no DOM
// or Node in src/sim, no vscode outside src/extension); this test fences what each may *import*:
// which layers and which rooms of src/lab, only src/sim/index.ts from outside src/sim, only the
// output contract from the renderer, no import circle in src/lab, and no clock or Math.random in
// the simulator. Each rule is also run on planted files, so a rule that can no longer fail fails.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '../..');

type Layer = 'sim' | 'sandbox' | 'lab' | 'worker' | 'cli' | 'extension' | 'webview' | 'tools';

/** The layer a repository file belongs to (undefined: not source, e.g. package.json). */
function layerOf(file: string): Layer | undefined {
  const [top, second] = file.split('/');
  if (top === 'webview') return 'webview';
  if (top === 'test' || top === 'bench' || top === 'scripts') return 'tools';
  if (top !== 'src') return undefined;
  if (second === 'policy-api') return 'sandbox';
  if (second === 'library') return 'cli';
  return (['sim', 'sandbox', 'lab', 'worker', 'cli', 'extension'] as const).find((l) => l === second);
}

/** Which layers each layer may import (the same as the project references of its tsconfig.json). */
const LAYER_IMPORTS: Readonly<Record<Layer, readonly Layer[]>> = {
  sim: [],
  sandbox: ['sim'],
  lab: ['sim'],
  worker: ['sim', 'sandbox', 'lab'],
  cli: ['sim', 'lab', 'worker'],
  extension: ['sim', 'sandbox', 'lab', 'worker', 'cli'],
  webview: ['lab'],
  tools: ['sim', 'sandbox', 'lab', 'worker', 'cli', 'extension', 'webview'],
};

/** The rooms of src/lab, each with the rooms it may import: one way, from the output contract up. */
const ROOM_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  outputs: [],
  document: [],
  language: ['outputs', 'document'],
  run: ['outputs', 'document', 'language'],
  charts: ['outputs', 'document', 'language', 'run'],
  grading: ['outputs', 'document', 'language'],
  report: ['outputs', 'document', 'language'],
  notebook: ['outputs', 'document', 'language', 'run', 'charts', 'grading'],
};

/** Layers that run where Node is not (the web extension, the browser, the webview). */
const NO_NODE: ReadonlySet<Layer> = new Set(['sim', 'sandbox', 'lab', 'webview']);

/** White-box tests of a simulator internal, the one place outside src/sim that may open it. */
const WHITE_BOX: Readonly<Record<string, readonly string[]>> = {
  'test/unit/sim-digest.test.ts': ['src/sim/digest.ts'],
  'test/unit/sim-canonical-number.test.ts': ['src/sim/canonical-number.ts'],
  'test/unit/policy-linux-cfs.test.ts': ['src/sim/policies/linuxCfs.ts'],
  'test/unit/sim-cpu-counts.test.ts': ['src/sim/cpu-counts.ts'],
  'test/unit/sim-running-vruntime.test.ts': ['src/sim/running-vruntime.ts'],
  'test/unit/event-queue.test.ts': ['src/sim/heap.ts'],
  'test/unit/ready-queue.test.ts': ['src/sim/ready-queue.ts'],
  'test/unit/sim-in-flight.test.ts': ['src/sim/cluster/in-flight.ts'],
  'test/unit/sim-cluster-latency.test.ts': ['src/sim/cluster/wire.ts'],
  // It recomputes a request run's digest without its load series, which the digest leaves out.
  'test/unit/lab-request-host-load.test.ts': ['src/sim/digest.ts'],
  'bench/queue-child.ts': ['src/sim/heap.ts'],
};

const NODE_BUILTINS = new Set(builtinModules);
const SOURCE = /\.(ts|mts|cts|mjs|cjs|js)$/;

/** `files`: repository path -> text. Resolves a relative specifier to a file of `files`. */
function resolveSpecifier(files: ReadonlyMap<string, string>, from: string, specifier: string): string | undefined {
  const base = path.posix.join(path.posix.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`, base.replace(/\.js$/, '.ts')])
    if (files.has(candidate)) return candidate;
  return undefined;
}

/** Every module specifier a file names: imports, re-exports, import() and require(). */
const specifiers = (text: string): string[] => ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);

/** An identifier that names a variable, not a member or key that happens to be spelled the same. */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) || ts.isQualifiedName(parent)) return parent.getChildAt(0) === node;
  if (
    ts.isPropertyAssignment(parent) ||
    ts.isPropertySignature(parent) ||
    ts.isPropertyDeclaration(parent) ||
    ts.isMethodDeclaration(parent) ||
    ts.isEnumMember(parent)
  )
    return parent.name !== node;
  return !ts.isBindingElement(parent) || parent.propertyName !== node;
}

/** The simulator reads no clock and no unseeded randomness: `Date`, `performance`, `Math.random`. */
function wallClockUses(file: string, text: string): string[] {
  const found: string[] = [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const visit = (node: ts.Node) => {
    if (ts.isIdentifier(node) && (node.text === 'Date' || node.text === 'performance') && isReference(node)) {
      found.push(`${node.text} at line ${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    }
    if (ts.isPropertyAccessExpression(node) && node.expression.getText() === 'Math' && node.name.text === 'random') {
      found.push(`Math.random at line ${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const roomOf = (file: string): string | undefined => (file.startsWith('src/lab/') ? file.split('/')[2] : undefined);

/** Every fence the files cross (all of them, or those of `only`), one line each. */
function violations(files: ReadonlyMap<string, string>, only?: ReadonlySet<string>): string[] {
  const found: string[] = [];
  const labGraph = new Map<string, string[]>();
  for (const [file, text] of files) {
    const layer = layerOf(file);
    if (layer === undefined || (only !== undefined && !only.has(file))) continue;
    if (layer === 'sim')
      for (const use of wallClockUses(file, text)) found.push(`${file}: the simulator may not read ${use}`);
    for (const specifier of specifiers(text)) {
      if (!specifier.startsWith('.')) {
        const bare = specifier.replace(/^node:/, '');
        if (specifier === 'vscode' && layer !== 'extension' && layer !== 'tools')
          found.push(`${file}: imports vscode (only src/extension may)`);
        if (NO_NODE.has(layer) && (specifier.startsWith('node:') || NODE_BUILTINS.has(bare)))
          found.push(`${file}: imports Node's ${specifier} (${layer} runs without Node)`);
        continue;
      }
      const target = resolveSpecifier(files, file, specifier);
      if (target === undefined) continue;
      const targetLayer = layerOf(target);
      if (targetLayer === undefined) continue;
      if (targetLayer !== layer && !LAYER_IMPORTS[layer].includes(targetLayer))
        found.push(`${file}: imports ${target} (${layer} may not import ${targetLayer})`);
      if (
        targetLayer === 'sim' &&
        layer !== 'sim' &&
        target !== 'src/sim/index.ts' &&
        !WHITE_BOX[file]?.includes(target)
      ) {
        found.push(`${file}: imports ${target}, around the simulator's public API (import src/sim/index.ts)`);
      }
      if (layer === 'webview' && targetLayer === 'lab' && roomOf(target) !== 'outputs')
        found.push(`${file}: imports ${target} (the renderer reads only the output contract, src/lab/outputs)`);
      const [fromRoom, toRoom] = [roomOf(file), roomOf(target)];
      if (fromRoom !== undefined && toRoom !== undefined) {
        (labGraph.get(file) ?? labGraph.set(file, []).get(file)!).push(target);
        const allowed = ROOM_IMPORTS[fromRoom];
        if (allowed === undefined) found.push(`${file}: src/lab/${fromRoom} is not a room of the plan (ROOM_IMPORTS)`);
        else if (toRoom !== fromRoom && !allowed.includes(toRoom))
          found.push(`${file}: imports ${target} (lab room ${fromRoom} may not import ${toRoom})`);
      }
    }
  }
  for (const cycle of cycles(labGraph)) found.push(`import circle in src/lab: ${cycle.join(' -> ')}`);
  return found;
}

/** Import circles of a graph, each once, as the path that closes it. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (state.get(node) === undefined) visit(node);
  return found;
}

function repositoryFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(path.join(root, dir))) {
      const file = dir === '' ? name : `${dir}/${name}`;
      if (name === 'node_modules' || name === 'fixtures' || name.startsWith('.')) continue;
      if (statSync(path.join(root, file)).isDirectory()) walk(file);
      else if (SOURCE.test(name) && !name.endsWith('.d.ts'))
        files.set(file, readFileSync(path.join(root, file), 'utf8'));
    }
  };
  for (const dir of ['src', 'webview', 'test', 'bench', 'scripts']) walk(dir);
  return files;
}

test('no source file crosses a fence', () => {
  const files = repositoryFiles();
  assert.ok(
    files.has('src/sim/index.ts') && files.has('src/lab/outputs/contract.ts') && files.has('webview/renderer.ts'),
    'the layers are where the plan says',
  );
  assert.ok(files.size > 200, `read ${files.size} source files`);
  assert.deepEqual(violations(files), []);
});

test('every lab room is in the plan', () => {
  const rooms = readdirSync(path.join(root, 'src/lab')).filter((name) =>
    statSync(path.join(root, 'src/lab', name)).isDirectory(),
  );
  assert.deepEqual(rooms.sort(), Object.keys(ROOM_IMPORTS).sort());
  const loose = readdirSync(path.join(root, 'src/lab')).filter((name) => SOURCE.test(name));
  assert.deepEqual(loose, [], 'every file of src/lab is in a room');
});

test('each fence fails on a planted file', () => {
  const repository = repositoryFiles();
  const planted = (file: string, text: string) => violations(new Map([...repository, [file, text]]), new Set([file]));
  const cases: [file: string, text: string, expected: RegExp][] = [
    [
      'src/lab/run/planted.ts',
      "import { Engine } from '../../sim/engine';\nexport const e = Engine;",
      /around the simulator's public API/,
    ],
    ['src/cli/planted.ts', "export { resolveMachine } from '../sim/machine';", /around the simulator's public API/],
    ['src/lab/language/planted.ts', "import * as vscode from 'vscode';\nexport const w = vscode;", /imports vscode/],
    ['src/lab/language/planted2.ts', "import 'vscode';", /imports vscode/],
    [
      'src/sim/planted.ts',
      "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;",
      /imports Node's node:fs/,
    ],
    ['src/sim/planted2.ts', 'export const now = () => Date.now();', /may not read Date/],
    [
      'src/sim/planted3.ts',
      'export const t = () => new Date().getTime() + performance.now();',
      /may not read Date.*|may not read performance/,
    ],
    ['src/sim/planted4.ts', 'export const r = Math.random();', /may not read Math.random/],
    [
      'src/sim/planted5.ts',
      "import { resolveLab } from '../lab/language/resolveLab';\nexport const r = resolveLab;",
      /sim may not import lab/,
    ],
    [
      'src/lab/planted.ts',
      "import { activate } from '../extension/activate';\nexport const a = activate;",
      /lab may not import extension/,
    ],
    [
      'webview/planted.ts',
      "import { resolveLab } from '../src/lab/language/resolveLab';\nexport const r = resolveLab;",
      /only the output contract/,
    ],
    [
      'src/lab/outputs/planted.ts',
      "import { resolveLab } from '../language/resolveLab';\nexport const r = resolveLab;",
      /room outputs may not import language/,
    ],
    [
      'src/lab/language/planted3.ts',
      "export { runCompare } from '../run/compare';",
      /room language may not import run/,
    ],
    ['src/worker/planted.ts', "const vscode = require('vscode');\nexport const v = vscode;", /imports vscode/],
    [
      'src/lab/charts/planted.ts',
      "export const load = () => import('../../sim/engine');",
      /around the simulator's public API/,
    ],
  ];
  for (const [file, text, expected] of cases) {
    const found = planted(file, text);
    assert.ok(
      found.some((v) => expected.test(v)),
      `${file} (${JSON.stringify(text)}): expected ${expected}, found ${JSON.stringify(found)}`,
    );
  }
  // A circle: the rooms allow it (one room), the graph does not.
  const circle = new Map([
    ...repository,
    ['src/lab/run/a.ts', "import { b } from './b';\nexport const a = b;"],
    ['src/lab/run/b.ts', "import { a } from './a';\nexport const b = a;"],
  ]);
  assert.ok(
    violations(circle, new Set(['src/lab/run/a.ts', 'src/lab/run/b.ts'])).some((v) =>
      /import circle in src\/lab: src\/lab\/run\/(a|b)\.ts/.test(v),
    ),
  );
  // Comments and strings are not uses: the simulator's own index says "no wall clock".
  assert.deepEqual(
    wallClockUses('x.ts', "// Date.now() and Math.random() are not allowed\nconst s = 'Date';\nexport { s };"),
    [],
  );
});
