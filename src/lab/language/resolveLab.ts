// Turns all cells of a lab into the validated model: simulator configs for runs and
// comparisons, chart and check specs, parameters, per-cell diagnostics, and for each run the
// cells it depends on with a hash of their text (for "output may be stale" markers).

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type {
  ClusterConfig,
  ClusterHostConfig,
  MachineConfig,
  PolicyConfig,
  ProcessGroupConfig,
  SchedulerConfig,
  SimConfig,
  VmClusterConfig,
  VmConfig,
  VmHostConfig,
  WorkloadConfig,
} from '../../sim';
import { resolveCluster, resolveVmCluster, SimConfigError, type ServiceConfig } from '../../sim';
import { resolveMachine } from '../../sim';
import { resolveWorkload } from '../../sim';
import type { Diagnostic, Range } from '../document/diagnostic';
import { isCellLayout, parseInfoString, type CellKind, type LabCell, type LabCodeCell } from '../document/markdown';
import {
  CELL_SCHEMAS,
  CLUSTER_CHARTS,
  MACHINE_PRESET_NAMES,
  POLICY_NAMES,
  VM_CHARTS,
  type RefTarget,
  type Schema,
} from './schema';
import {
  infoStringDiagnostics,
  validateCell,
  validateParams,
  type CellValidation,
  type Reference,
  type ParamValue,
  type ValidationContext,
} from './validateCell';
import { formatQuantity } from './units';
import { parseYaml, type YNode } from './yaml';

export interface ResolveOptions {
  /** Parameter overrides (e.g. from the command line), written as in YAML: "2s", "10", "fair". */
  params?: Readonly<Record<string, string>>;
}

interface Dependent {
  /** Indices of the cells this item reads: itself, its machine, workload, policy and params cells. */
  dependsOn: number[];
  /** sha256 over the text of those cells and the parameter values used. */
  inputsHash: string;
}

export interface ResolvedRun extends Dependent {
  name: string;
  cellIndex: number;
  /** The machine cell or preset name, and the workload cell name, as written in the run. */
  machineName: string;
  workloadName: string;
  config: SimConfig;
  /** Set when the policy is a policy cell (user code) rather than a built-in. */
  policyCell?: number;
}

/** A run cell on a cluster (`cluster:` and `service:` instead of `machine:`). */
export interface ResolvedClusterRun extends Dependent {
  name: string;
  cellIndex: number;
  /** The cluster and service cell names, as written in the run. */
  clusterName: string;
  serviceName: string;
  config: ClusterConfig;
}

/** A run cell on a cluster with `vms:`: the VMs of those cells on the cluster's hosts. */
export interface ResolvedVmRun extends Dependent {
  name: string;
  cellIndex: number;
  clusterName: string;
  /** The vms cell names, as written in the run. */
  vmsNames: string[];
  config: VmClusterConfig;
}

export interface ResolvedCompare extends Dependent {
  name?: string;
  /** What check expressions call it (compares.<key>): its name, else compare1, compare2... in file order. */
  key: string;
  cellIndex: number;
  machineName: string;
  workloadName: string;
  policies: PolicyConfig[];
  seeds: number;
  metrics: string[];
  /** Everything but policy and seed, shared by every run of the comparison. */
  base: Omit<SimConfig, 'policy' | 'seed'>;
}

/** A run a `compare` cell with `runs:` compares: a request run or a VM run on a cluster. */
export type ComparedRun = { kind: 'requests'; run: ResolvedClusterRun } | { kind: 'vms'; run: ResolvedVmRun };

/** A `compare` cell over cluster runs: each run with seeds 1..n, its own seed replaced. */
export interface ResolvedRunsCompare extends Dependent {
  name?: string;
  key: string;
  cellIndex: number;
  runs: ComparedRun[];
  seeds: number;
  metrics: string[];
}

/**
 * The summary metrics each kind of cluster run can give a comparison: those its run summary
 * has (src/lab/notebook/execute.ts clusterRunOutput, src/lab/run/vmRunOutput.ts vmRunSummary).
 * energyJ needs every host's power model, the response times a completed request: a run
 * without one fails the comparison at run time, naming the run.
 */
export const COMPARED_RUN_METRICS: Readonly<Record<ComparedRun['kind'], readonly string[]>> = {
  requests: [
    'meanResponseS',
    'p95ResponseS',
    'p99ResponseS',
    'completed',
    'requestsDropped',
    'slaViolations',
    'slaViolationRatio',
    'energyJ',
  ],
  vms: ['energyJ', 'hostsOnMeanCount', 'overloadFraction', 'migrations', 'migrationDowntimeS', 'stealS'],
};

export const COMPARE_RUNS_DEFAULT_METRICS: Readonly<Record<ComparedRun['kind'], readonly string[]>> = {
  requests: ['meanResponseS', 'p95ResponseS', 'p99ResponseS'],
  vms: ['energyJ', 'hostsOnMeanCount', 'migrations', 'migrationDowntimeS'],
};

/** What a `show: sweep` chart sweeps: one parameter over values, each run over seeds 1..n. */
export interface ChartSweep {
  param: string;
  /** As the command line's --param takes them: "400/s", "2". */
  values: string[];
  seeds: number;
  metric: string;
}

export interface ResolvedChart {
  cellIndex: number;
  show?: string;
  /** Set for `show: sweep`. */
  sweep?: ChartSweep;
  /** Runs charted, from `runs:` or `run:`. */
  runs: string[];
  table?: string;
  vegaLite?: unknown;
  title?: string;
  /** With show: timeline, the stretch of the run it shows. */
  span?: { startNs: number; endNs: number };
}

export interface ResolvedCheck {
  cellIndex: number;
  id?: string;
  points: number;
  hidden: boolean;
  solution: boolean;
  expect: string;
  message?: string;
  /** Runs the expression reads. */
  runs: string[];
}

export interface ResolvedPolicyCell {
  name: string;
  cellIndex: number;
  lang: 'ts' | 'js';
  code: string;
}

export interface ResolvedLab {
  machines: Map<string, { cellIndex: number; config: MachineConfig }>;
  workloads: Map<string, { cellIndex: number; config: WorkloadConfig }>;
  policies: Map<string, ResolvedPolicyCell>;
  runs: ResolvedRun[];
  /** Runs on a cluster: run cells with `cluster:` (their names are run names too). */
  clusterRuns: ResolvedClusterRun[];
  /** Runs of VMs on a cluster: run cells with `cluster:` and `vms:`. */
  vmRuns: ResolvedVmRun[];
  /** The cell defining each run name, valid or not (a broken run is absent from `runs`). */
  runCells: Map<string, number>;
  compares: ResolvedCompare[];
  /** Compare cells with `runs:` (cluster runs); their keys share compares.<key> with the others. */
  runsCompares: ResolvedRunsCompare[];
  charts: ResolvedChart[];
  checks: ResolvedCheck[];
  /** Effective parameter values (overrides applied) and the cell declaring each. */
  params: Map<string, { value: ParamValue; cellIndex: number }>;
  /** Diagnostics per cell index (cells without problems have none). */
  diagnostics: Map<number, Diagnostic[]>;
  /**
   * Why a cell without problems of its own is left out of the model: the cells it uses that have
   * errors. Not diagnostics, so one mistake shows once, where it is; running the cell says this.
   */
  blocked: Map<number, string[]>;
  /** Problems not tied to a cell, e.g. an override for an undeclared parameter. */
  problems: string[];
}

/** What a comparison uses when it does not say (a compare cell, the library's compare()). */
export const COMPARE_DEFAULTS = {
  seeds: 5,
  metrics: ['meanResponseS', 'migrations', 'cacheMisses', 'energyJ'],
} as const;

const NO_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export const POLICY_NEEDS_NAME =
  "A policy cell needs a name: set it from the cell's status bar (or its quick fix), or write ```policy name=my-policy in the file";

/** Position-free: moving cells or adding Markdown between them leaves the hash unchanged. */
function hashInputs(
  cells: readonly LabCell[],
  indices: readonly number[],
  params: ReadonlyMap<string, ParamValue>,
): string {
  const parts: string[] = [];
  for (const i of indices) {
    const cell = cells[i];
    const attributes = cell.kind === 'markdown' ? {} : cell.attributes;
    parts.push(`${cell.kind}\u0000${JSON.stringify(Object.entries(attributes).sort())}\u0000${cell.value}`);
  }
  for (const [name, value] of [...params].sort(([a], [b]) => (a < b ? -1 : 1)))
    parts.push(`$${name}=${JSON.stringify(value)}`);
  return bytesToHex(sha256(utf8ToBytes(parts.join('\u0001'))));
}

/** Reads an override as YAML would read a plain scalar. */
function overrideValue(text: string): ParamValue {
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text.trim())) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}

/** The `name:` of a YAML cell (a policy cell's `name=`), read before validation so references can be checked. */
export function declaredName(cell: LabCodeCell): { name: string; range: Range } | undefined {
  if (cell.kind === 'policy') {
    const attr = cell.attributes.name;
    if (typeof attr === 'string') return { name: attr, range: NO_RANGE };
    const m = /\bname\s*:\s*['"]([\w-]+)['"]/.exec(cell.value);
    if (!m) return undefined;
    const before = cell.value.slice(0, m.index + m[0].indexOf(m[1]));
    const line = before.split('\n').length - 1;
    const character = before.length - before.lastIndexOf('\n') - 1;
    return { name: m[1], range: { start: { line, character }, end: { line, character: character + m[1].length } } };
  }
  const parsed = parseYaml(cell.value);
  if (parsed.root?.kind !== 'map') return undefined;
  const entry = parsed.root.entries.find((e) => e.key === 'name');
  if (!entry || entry.value.kind !== 'scalar' || typeof entry.value.value !== 'string') return undefined;
  return { name: entry.value.value, range: parsed.lines.range(entry.value.range.start, entry.value.range.end) };
}

// ---- lab values -> simulator configs ---------------------------------------------------------

type Obj = Record<string, unknown>;

/** Renames checked lab values to simulator keys (the schema's `sim` names). */
function toSim(value: unknown, schema: Schema): unknown {
  if (schema.type === 'list' && Array.isArray(value)) return value.map((item) => toSim(item, schema.items));
  if (schema.type !== 'object' || typeof value !== 'object' || value === null) return value;
  const out: Obj = {};
  for (const [key, v] of Object.entries(value)) {
    const field = schema.fields[key];
    if (field) out[field.sim ?? key] = toSim(v, field.schema);
  }
  return out;
}

const machineConfig = (v: Obj): MachineConfig => toSim(v, CELL_SCHEMAS.machine) as MachineConfig;

/** Workload values to simulator groups; a `uunifast:` block becomes the group's count and task set. */
function workloadConfig(v: Obj): WorkloadConfig {
  const { groups } = toSim(v, CELL_SCHEMAS.workload) as { groups: Obj[] };
  return {
    groups: groups.map(({ uunifast, ...group }) => {
      if (uunifast === undefined) return group as unknown as ProcessGroupConfig;
      const { n, utilization, period } = uunifast as { n: number; utilization: number; period: [number, number] };
      return {
        ...group,
        count: n,
        taskSet: { utilization, periodMinNs: period[0], periodMaxNs: period[1] },
      } as unknown as ProcessGroupConfig;
    }),
  };
}

/** A simulator config path ("groups[0].affinity[1]") in lab keys and indices, as far as it maps. */
function labPath(simPath: string, schema: Schema): (string | number)[] {
  const segments = simPath.split('.').flatMap((part) => {
    const [name, ...indices] = part.split('[');
    return [name, ...indices.map((i) => Number(i.replace(']', '')))].filter((x) => x !== '');
  });
  const path: (string | number)[] = [];
  let current: Schema = schema;
  for (const segment of segments) {
    if (typeof segment === 'number' && current.type === 'list') {
      path.push(segment);
      current = current.items;
    } else if (typeof segment === 'string' && current.type === 'object') {
      const hit = Object.entries(current.fields).find(
        ([key, field]) => (field.sim ?? key) === segment || (key === 'uunifast' && segment === 'taskSet'),
      );
      if (!hit) break;
      path.push(hit[0]);
      current = hit[1].schema;
    } else break;
  }
  return path;
}

/** The range of the deepest node along a lab path in a cell body (the value of a key). */
function rangeAt(text: string, path: readonly (string | number)[]): Range {
  const { root, lines } = parseYaml(text);
  let node = root;
  for (const segment of path) {
    const next: YNode | undefined =
      node?.kind === 'map' && typeof segment === 'string'
        ? node.entries.find((e) => e.key === segment)?.value
        : node?.kind === 'seq' && typeof segment === 'number'
          ? node.items[segment]
          : undefined;
    if (!next) break;
    node = next;
  }
  return node ? lines.range(node.range.start, node.range.end) : NO_RANGE;
}

/** "processes[0].affinity[1]" for messages. */
const showPath = (path: readonly (string | number)[]) =>
  path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');

/**
 * A simulator check's reason in the lab's words: the simulator states times in its base unit
 * ("at most the duration (60000000000 ns)"), the lab in the unit a person writes ("60s").
 */
function simulatorReason(reason: string): string {
  return reason.replace(/\b(\d+) ns\b/g, (_, ns: string) => formatQuantity(Number(ns), 'time'));
}

/**
 * The simulator's own checks beyond the schema (matrix shapes, CPU numbers that must exist on the
 * machine...), as a diagnostic on the offending value of a cell; undefined when it accepts.
 */
function simulatorCheck(
  check: () => void,
  prefix: 'machine' | 'workload',
  cellText: string,
  schema: Schema,
): Diagnostic | undefined {
  try {
    check();
    return undefined;
  } catch (e) {
    if (!(e instanceof SimConfigError)) throw e;
    const inCell = e.path === prefix || e.path.startsWith(`${prefix}.`);
    const path = inCell ? labPath(e.path.slice(prefix.length + 1), schema) : [];
    const where = path.length > 0 ? `${showPath(path)}: ` : '';
    return {
      range: rangeAt(cellText, path),
      severity: 'error',
      message: `${where}${simulatorReason(e.reason)} (simulator check)`,
      code: 'simulator-check',
    };
  }
}

/**
 * The simulator's own checks of a cluster config (power-of-d's d at most the number of hosts,
 * a Poisson arrival...), as a diagnostic on the service or cluster cell's offending value.
 */
function clusterProblem(
  config: ClusterConfig,
  cellsOf: Record<'service' | 'cluster', { at: number; text: string }> & { balancer?: { at: number; text: string } },
): { at: number; diagnostic: Diagnostic } | undefined {
  try {
    resolveCluster(config);
    return undefined;
  } catch (e) {
    if (!(e instanceof SimConfigError)) throw e;
    const inService = e.path === 'service' || e.path.startsWith('service.');
    const inRun = cellsOf.balancer !== undefined && e.path.startsWith('service.balancer');
    const { at, text } = inRun ? cellsOf.balancer! : inService ? cellsOf.service : cellsOf.cluster;
    const simPath = inService ? e.path.slice('service.'.length) : e.path;
    // The service's arrival is one key in the lab (`poisson 400/s`), its parts keys in the simulator.
    const path = labPath(simPath, inRun ? CELL_SCHEMAS.run : CELL_SCHEMAS[inService ? 'service' : 'cluster']);
    const where = path.length > 0 ? `${showPath(path)}: ` : '';
    return {
      at,
      diagnostic: {
        range: rangeAt(text, path),
        severity: 'error',
        message: `${where}${simulatorReason(e.reason)} (simulator check)`,
        code: 'simulator-check',
      },
    };
  }
}

// ---- resolution --------------------------------------------------------------------------------

const hasErrors = (ds: readonly Diagnostic[] | undefined) => (ds ?? []).some((d) => d.severity === 'error');

/**
 * Validations of recent resolves, by the cell's kind, text and attributes and by everything a
 * validation reads besides (the names the lab defines, the parameter values): on an edit
 * pause, the cells that did not change, in a lab whose names did not change, are not validated
 * again. Validations are never modified by their readers.
 */
const validations = new Map<string, CellValidation>();
const VALIDATIONS_KEPT = 8192;

/** Recent validation contexts by their text, each with a short id for the keys above. */
const contexts = new Map<string, string>();

function contextKey(ctx: ValidationContext): string {
  const names = Object.entries(ctx.names).map(([target, set]) => `${target}:${[...set].sort().join(',')}`);
  const text = JSON.stringify([names, [...ctx.params].sort(([a], [b]) => (a < b ? -1 : 1))]);
  let id = contexts.get(text);
  if (id === undefined) {
    id = `c${contexts.size}`;
    if (contexts.size >= 64) {
      // Forget them all (and the validations made under them): ids must stay unique.
      contexts.clear();
      validations.clear();
      id = 'c0';
    }
    contexts.set(text, id);
  }
  return id;
}

function validatedCell(cell: LabCodeCell, ctx: ValidationContext, context: string): CellValidation {
  const key = `${cell.kind}\u0000${JSON.stringify(cell.attributes)}\u0000${context}\u0000${cell.value}`;
  let v = validations.get(key);
  if (v === undefined) {
    v = validateCell(cell.kind as Exclude<CellKind, 'policy' | 'params'>, cell.value, cell.attributes, ctx);
    if (validations.size >= VALIDATIONS_KEPT) validations.delete(validations.keys().next().value!);
    validations.set(key, v);
  }
  return v;
}

/** Machines resolved recently, by their config: runs and edit pauses resolve the same ones again. */
const machinesByConfig = new Map<string, ReturnType<typeof resolveMachine>>();

function resolvedMachine(config: MachineConfig): ReturnType<typeof resolveMachine> {
  const key = JSON.stringify(config);
  let machine = machinesByConfig.get(key);
  if (machine === undefined) {
    machine = resolveMachine(config);
    if (machinesByConfig.size >= 256) machinesByConfig.delete(machinesByConfig.keys().next().value!);
    machinesByConfig.set(key, machine);
  }
  return machine;
}

export function resolveLab(cells: readonly LabCell[], options: ResolveOptions = {}): ResolvedLab {
  const lab: ResolvedLab = {
    machines: new Map(),
    workloads: new Map(),
    policies: new Map(),
    runs: [],
    clusterRuns: [],
    vmRuns: [],
    runCells: new Map(),
    compares: [],
    runsCompares: [],
    charts: [],
    checks: [],
    params: new Map(),
    diagnostics: new Map(),
    blocked: new Map(),
    problems: [],
  };
  const block = (index: number, reason: string) => {
    const list = lab.blocked.get(index) ?? [];
    if (!list.includes(reason)) list.push(reason);
    lab.blocked.set(index, list);
  };
  const push = (index: number, ...ds: Diagnostic[]) => {
    if (ds.length === 0) return;
    const list = lab.diagnostics.get(index) ?? [];
    list.push(...ds);
    lab.diagnostics.set(index, list);
  };
  const code = (i: number): LabCodeCell | undefined =>
    cells[i].kind === 'markdown' ? undefined : (cells[i] as LabCodeCell);
  const indicesOf = (kind: CellKind) => cells.flatMap((c, i) => (c.kind === kind ? [i] : []));

  for (let i = 0; i < cells.length; i++) {
    const meta = cells[i].metadata;
    if (isCellLayout(meta) && meta.type === 'code') {
      const info = parseInfoString(meta.info);
      if (info.kind === cells[i].kind) push(i, ...infoStringDiagnostics(info));
    }
  }

  // Parameters first: every other cell may use them.
  const paramCell = new Map<string, number>();
  for (const i of indicesOf('params')) {
    const v = validateParams(cells[i].value);
    push(i, ...v.diagnostics);
    for (const [name, { value, range }] of v.params) {
      if (paramCell.has(name)) {
        push(i, {
          range,
          severity: 'error',
          message: `Parameter "${name}" is already declared in cell ${paramCell.get(name)! + 1}`,
          code: 'duplicate-name',
        });
        continue;
      }
      paramCell.set(name, i);
      lab.params.set(name, { value, cellIndex: i });
    }
  }
  for (const [name, text] of Object.entries(options.params ?? {})) {
    const declared = lab.params.get(name);
    if (!declared)
      lab.problems.push(
        `--param ${name}: no params cell declares "${name}" (declared: ${[...lab.params.keys()].join(', ') || 'none'})`,
      );
    else declared.value = overrideValue(text);
  }
  const paramValues = new Map([...lab.params].map(([k, v]) => [k, v.value]));

  // Names, so references can be checked in any order.
  const definedAt: Record<RefTarget, Map<string, number>> = {
    machine: new Map(),
    workload: new Map(),
    cluster: new Map(),
    service: new Map(),
    vms: new Map(),
    run: new Map(),
    policy: new Map(),
  };
  /** Cells whose name cannot be read, per kind: an unknown name of that kind may be theirs. */
  const unnamed = new Map<RefTarget, number[]>();
  for (let i = 0; i < cells.length; i++) {
    const cell = code(i);
    if (!cell || !(cell.kind in definedAt)) continue;
    const target = cell.kind as RefTarget;
    const declared = declaredName(cell);
    if (!declared) {
      unnamed.set(target, [...(unnamed.get(target) ?? []), i]);
      if (cell.kind === 'policy') {
        const firstLine = {
          start: { line: 0, character: 0 },
          end: { line: 0, character: cell.value.split('\n')[0].length },
        };
        push(i, { range: firstLine, severity: 'error', message: POLICY_NEEDS_NAME, code: 'policy-needs-name' });
      }
      continue;
    }
    const builtIn =
      (target === 'policy' && POLICY_NAMES.includes(declared.name)) ||
      (target === 'machine' && MACHINE_PRESET_NAMES.includes(declared.name));
    const first = definedAt[target].get(declared.name);
    if (first !== undefined || builtIn) {
      const where =
        first !== undefined
          ? `cell ${first + 1} already defines it`
          : `it is a built-in ${target === 'policy' ? 'policy' : 'preset'}`;
      push(i, {
        range: declared.range,
        severity: 'error',
        message: `Duplicate ${target} name "${declared.name}": ${where}`,
        code: 'duplicate-name',
      });
      continue;
    }
    definedAt[target].set(declared.name, i);
  }
  lab.runCells = definedAt.run;
  const ctx: ValidationContext = {
    names: {
      machine: new Set([...definedAt.machine.keys(), ...MACHINE_PRESET_NAMES]),
      workload: new Set(definedAt.workload.keys()),
      cluster: new Set(definedAt.cluster.keys()),
      service: new Set(definedAt.service.keys()),
      vms: new Set(definedAt.vms.keys()),
      run: new Set(definedAt.run.keys()),
      policy: new Set([...POLICY_NAMES, ...definedAt.policy.keys()]),
    },
    params: paramValues,
    unreadable: new Set(unnamed.keys()),
  };
  /** Blocks a cell on each unknown name it uses of a kind with an unnamed cell; true if any. */
  const waitsForNames = (i: number, v: CellValidation): boolean => {
    for (const ref of v.excused) {
      const where = unnamed
        .get(ref.target)!
        .map((at) => cellPlace(cells, at))
        .join(', ');
      block(
        i,
        `${ref.target} "${ref.name}" is not defined yet: ${where} has no name it can be found by; fix that first`,
      );
    }
    return v.excused.length > 0;
  };

  const validated = new Map<number, CellValidation>();
  const context = contextKey(ctx);
  for (let i = 0; i < cells.length; i++) {
    const cell = code(i);
    if (!cell || cell.kind === 'params' || cell.kind === 'policy') continue;
    const v = validatedCell(cell, ctx, context);
    validated.set(i, v);
    push(i, ...v.diagnostics);
  }

  for (const [name, i] of definedAt.policy) {
    const cell = code(i)!;
    lab.policies.set(name, { name, cellIndex: i, lang: cell.attributes.lang === 'js' ? 'js' : 'ts', code: cell.value });
  }
  for (const [name, i] of definedAt.machine) {
    const v = validated.get(i)!;
    if (!v.value || hasErrors(v.diagnostics)) continue;
    const config = machineConfig(v.value);
    const problem = simulatorCheck(() => resolvedMachine(config), 'machine', cells[i].value, CELL_SCHEMAS.machine);
    if (problem) push(i, problem);
    else lab.machines.set(name, { cellIndex: i, config });
  }
  for (const [name, i] of definedAt.workload) {
    const v = validated.get(i)!;
    if (v.value && !hasErrors(v.diagnostics))
      lab.workloads.set(name, { cellIndex: i, config: workloadConfig(v.value) });
  }

  const workloadChecks = new Map<string, Diagnostic | undefined>();
  /** The cells a run-like cell reads, or undefined (with a diagnostic) when one of them is broken. */
  const inputs = (i: number, v: Obj, keyRanges: Map<string, Range>) => {
    const deps = new Set<number>([i]);
    const used = new Set(validated.get(i)!.paramsUsed);
    let broken = false;
    let machine: MachineConfig | undefined;
    let workload: WorkloadConfig | undefined;
    const machineName = v.machine as string | undefined;
    if (machineName !== undefined) {
      const at = definedAt.machine.get(machineName);
      if (at === undefined) machine = { preset: machineName };
      else {
        deps.add(at);
        validated.get(at)!.paramsUsed.forEach((p) => used.add(p));
        machine = lab.machines.get(machineName)?.config;
      }
      if (!machine) {
        broken = true;
        block(i, `${cellPlace(cells, at!)} has errors; fix it first`);
      }
    }
    const workloadName = v.workload as string | undefined;
    if (workloadName !== undefined) {
      const at = definedAt.workload.get(workloadName)!;
      deps.add(at);
      validated.get(at)!.paramsUsed.forEach((p) => used.add(p));
      workload = lab.workloads.get(workloadName)?.config;
      if (!workload) {
        broken = true;
        block(i, `${cellPlace(cells, at)} has errors; fix it first`);
      }
    }
    const policies = (v.policies as PolicyConfig[] | undefined) ?? (v.policy ? [v.policy as PolicyConfig] : []);
    for (const p of policies) {
      const at = definedAt.policy.get(p.name);
      if (at !== undefined) deps.add(at);
    }
    for (const p of used) {
      const at = paramCell.get(p);
      if (at !== undefined) deps.add(at);
    }
    if (!broken && machine && workload && workloadName !== undefined) {
      const at = definedAt.workload.get(workloadName)!;
      const seed = (v.seed as number | undefined) ?? 1;
      // Many runs share a machine, a workload and a seed: each combination is checked once.
      const key = JSON.stringify([machineName, workloadName, seed]);
      if (!workloadChecks.has(key))
        workloadChecks.set(
          key,
          simulatorCheck(
            () => resolveWorkload(workload, resolvedMachine(machine), seed),
            'workload',
            cells[at].value,
            CELL_SCHEMAS.workload,
          ),
        );
      const problem = workloadChecks.get(key);
      if (problem) {
        broken = true;
        push(at, {
          ...problem,
          message: `${problem.message.replace(/ \(simulator check\)$/, '')} (with machine "${machineName}", in ${cells[i].kind} cell ${i + 1})`,
        });
        push(i, {
          range: keyRanges.get('workload') ?? NO_RANGE,
          severity: 'error',
          message: `Workload "${workloadName}" does not fit machine "${machineName}": ${problem.message}`,
          code: 'simulator-check',
        });
      }
    }
    const dependsOn = [...deps].sort((a, b) => a - b);
    const usedValues = new Map([...used].filter((p) => paramValues.has(p)).map((p) => [p, paramValues.get(p)!]));
    const durationNs = (v.duration as number | undefined) ?? 10e9;
    const window = v.window as SimConfig['window'];
    if (window && window.endNs > durationNs) {
      broken = true;
      push(i, {
        range: keyRanges.get('window') ?? NO_RANGE,
        severity: 'error',
        message: `The window ends after the run: it must end by the duration (${formatQuantity(durationNs, 'time')})`,
        code: 'out-of-range',
      });
    }
    const common = {
      machine: machine!,
      workload: workload!,
      scheduler: (v.scheduler as SchedulerConfig | undefined) ?? { kind: 'fair' },
      durationNs,
      ...(window ? { window } : {}),
    };
    return { broken, dependsOn, inputsHash: hashInputs(cells, dependsOn, usedValues), common };
  };

  for (const [name, i] of definedAt.run) {
    const v = validated.get(i)!;
    if (!v.value || hasErrors(v.diagnostics) || waitsForNames(i, v)) continue;
    if (v.value.cluster !== undefined && v.value.vms !== undefined) {
      const run = vmRun(name, i, v.value);
      if (run) lab.vmRuns.push(run);
      continue;
    }
    if (v.value.cluster !== undefined) {
      const run = clusterRun(name, i, v.value);
      if (run) lab.clusterRuns.push(run);
      continue;
    }
    const { broken, dependsOn, inputsHash, common } = inputs(i, v.value, v.keyRanges);
    if (broken) continue;
    const policy = v.value.policy as PolicyConfig;
    const run: ResolvedRun = {
      name,
      cellIndex: i,
      machineName: v.value.machine as string,
      workloadName: v.value.workload as string,
      config: { ...common, policy, seed: (v.value.seed as number | undefined) ?? 1 },
      dependsOn,
      inputsHash,
    };
    const policyCell = definedAt.policy.get(policy.name);
    if (policyCell !== undefined) run.policyCell = policyCell;
    lab.runs.push(run);
  }

  /**
   * A run on a cluster: its cluster's hosts (machine cells or presets) and its service, as the
   * ClusterConfig the simulator runs, checked by the simulator (resolveCluster) with its
   * problems shown on the cell they are about.
   */
  function clusterRun(name: string, i: number, v: Obj): ResolvedClusterRun | undefined {
    const clusterName = v.cluster as string;
    const serviceName = v.service as string;
    const deps = new Set<number>([i]);
    const used = new Set(validated.get(i)!.paramsUsed);
    const uses = (at: number) => {
      deps.add(at);
      validated.get(at)?.paramsUsed.forEach((p) => used.add(p));
    };
    const clusterAt = definedAt.cluster.get(clusterName)!;
    const serviceAt = definedAt.service.get(serviceName)!;
    uses(clusterAt);
    uses(serviceAt);
    let broken = false;
    const valueOf = (at: number): Obj | undefined => {
      const cv = validated.get(at)!;
      if (cv.value && !hasErrors(lab.diagnostics.get(at))) return cv.value;
      broken = true;
      block(i, `${cellPlace(cells, at)} has errors; fix it first`);
      return undefined;
    };
    const c = valueOf(clusterAt);
    const s = valueOf(serviceAt);
    if (!c || !s) return undefined;
    // The cluster's own keys in the simulator's names (power figures in W and ns, events' `at`...).
    const sim = toSim(c, CELL_SCHEMAS.cluster) as Obj;
    const hostsOf = clusterHosts(i, sim, uses);
    if (!hostsOf || !builtInPolicy(clusterAt, c, uses)) broken = true;
    // A host's memory is VM runs' (requests do not model it); a spare that starts off is not
    // modelled for requests, so it is refused rather than run on. Of the network, the simulator
    // reads the latency (cluster-config.ts CLUSTER_LINK).
    const hosts = (hostsOf ?? []).map(({ ramBytes: _ram, off, ...rest }, k): ClusterHostConfig => {
      void _ram;
      if (off === true) {
        push(clusterAt, {
          range: rangeAt(cells[clusterAt].value, ['hosts', k, 'off']),
          severity: 'error',
          message: `hosts[${k}].off: a request run cannot start hosts powered off (VM runs can: give the run vms:, or use the service's autoscale)`,
          code: 'unsupported',
        });
        broken = true;
      }
      return rest as unknown as ClusterHostConfig;
    });
    for (const p of used) {
      const at = paramCell.get(p);
      if (at !== undefined) deps.add(at);
    }
    if (broken) return undefined;
    const config: ClusterConfig = {
      hosts,
      service: {
        ...(toSim(s, CELL_SCHEMAS.service) as ServiceConfig),
        ...(v.balancer !== undefined
          ? { balancer: toSim(v.balancer, CELL_SCHEMAS.run.fields.balancer!.schema) as ServiceConfig['balancer'] }
          : {}),
      },
      policy: c.policy as PolicyConfig,
      scheduler: (c.scheduler as SchedulerConfig | undefined) ?? { kind: 'fair' },
      durationNs: (v.duration as number | undefined) ?? 10e9,
      seed: (v.seed as number | undefined) ?? 1,
      ...(sim.power !== undefined ? { power: sim.power as ClusterConfig['power'] } : {}),
      ...(sim.events !== undefined ? { events: sim.events as ClusterConfig['events'] } : {}),
      ...(sim.link !== undefined ? { link: sim.link as ClusterConfig['link'] } : {}),
    };
    const problem = clusterProblem(config, {
      // The run's own balancer is checked where it is written.
      balancer: v.balancer !== undefined ? { at: i, text: cells[i].value } : undefined,
      service: { at: serviceAt, text: cells[serviceAt].value },
      cluster: { at: clusterAt, text: cells[clusterAt].value },
    });
    if (problem) {
      push(problem.at, problem.diagnostic);
      if (problem.at !== i)
        push(i, {
          range: validated.get(i)!.keyRanges.get(problem.at === serviceAt ? 'service' : 'cluster') ?? NO_RANGE,
          severity: 'error',
          message: `${problem.at === serviceAt ? 'Service' : 'Cluster'} "${problem.at === serviceAt ? serviceName : clusterName}" does not fit this run: ${problem.diagnostic.message}`,
          code: 'simulator-check',
        });
      return undefined;
    }
    const dependsOn = [...deps].sort((a, b) => a - b);
    const usedValues = new Map([...used].filter((p) => paramValues.has(p)).map((p) => [p, paramValues.get(p)!]));
    return {
      name,
      cellIndex: i,
      clusterName,
      serviceName,
      config,
      dependsOn,
      inputsHash: hashInputs(cells, dependsOn, usedValues),
    };
  }

  /**
   * A cluster cell's host entries in the simulator's names, each machine a machine cell's config
   * or a preset; undefined (the run blocked) when a machine cell they use has errors.
   */
  function clusterHosts(
    i: number,
    sim: Obj,
    uses: (at: number) => void,
  ): (Omit<VmHostConfig, 'ramBytes'> & { ramBytes?: number })[] | undefined {
    let broken = false;
    const hosts = (sim.hosts as Obj[]).map(({ machine: machineName, ...rest }) => {
      const at = definedAt.machine.get(machineName as string);
      if (at === undefined) return { ...rest, machine: { preset: machineName as string } };
      uses(at);
      const machine = lab.machines.get(machineName as string)?.config;
      if (!machine) {
        broken = true;
        block(i, `${cellPlace(cells, at)} has errors; fix it first`);
      }
      return { ...rest, machine: machine! };
    });
    return broken ? undefined : hosts;
  }

  /** False (with the error on the cluster cell) when the cluster's policy is a policy cell. */
  function builtInPolicy(clusterAt: number, c: Obj, uses: (at: number) => void): boolean {
    const policy = c.policy as PolicyConfig;
    const policyCell = definedAt.policy.get(policy.name);
    if (policyCell === undefined) return true;
    uses(policyCell);
    push(clusterAt, {
      range: validated.get(clusterAt)!.keyRanges.get('policy') ?? NO_RANGE,
      severity: 'error',
      message: `A cluster's hosts run built-in policies only: policy cell "${policy.name}" runs sandboxed on one machine`,
      code: 'unsupported',
    });
    return false;
  }

  /**
   * A run of VMs on a cluster: the cluster's hosts (with their RAM, power and spares), its
   * network and events, and the VMs of the vms cells named (their policies the first cell's), as
   * the VmClusterConfig the simulator runs, checked by the simulator (resolveVmCluster, which
   * also places every VM) with its problems shown on the cell they are about.
   */
  function vmRun(name: string, i: number, v: Obj): ResolvedVmRun | undefined {
    const clusterName = v.cluster as string;
    const vmsNames = v.vms as string[];
    const deps = new Set<number>([i]);
    const used = new Set(validated.get(i)!.paramsUsed);
    const uses = (at: number) => {
      deps.add(at);
      validated.get(at)?.paramsUsed.forEach((p) => used.add(p));
    };
    const runRanges = validated.get(i)!.keyRanges;
    const clusterAt = definedAt.cluster.get(clusterName)!;
    uses(clusterAt);
    const vmsAts = vmsNames.map((n) => definedAt.vms.get(n)!);
    vmsAts.forEach(uses);
    let broken = false;
    const valueOf = (at: number): Obj | undefined => {
      const cv = validated.get(at)!;
      if (cv.value && !hasErrors(lab.diagnostics.get(at))) return cv.value;
      broken = true;
      block(i, `${cellPlace(cells, at)} has errors; fix it first`);
      return undefined;
    };
    const c = valueOf(clusterAt);
    const vmCells = vmsAts.map(valueOf);
    if (!c || vmCells.some((x) => x === undefined)) return undefined;
    if (new Set(vmsNames).size !== vmsNames.length) {
      push(i, {
        range: runRanges.get('vms') ?? NO_RANGE,
        severity: 'error',
        message: 'vms: each vms cell once (a cell named twice would place its VMs twice under the same names)',
        code: 'duplicate-name',
      });
      return undefined;
    }
    const sim = toSim(c, CELL_SCHEMAS.cluster) as Obj;
    const hostsOf = clusterHosts(i, sim, uses);
    if (!hostsOf || !builtInPolicy(clusterAt, c, uses)) broken = true;
    // A VM run's live migrations use one link for every host: a host entry's own is request runs'.
    (hostsOf ?? []).forEach((h, k) => {
      if (!('link' in h)) return;
      push(clusterAt, {
        range: rangeAt(cells[clusterAt].value, ['hosts', k, 'network']),
        severity: 'error',
        message: `hosts[${k}].network: a VM run's hosts share the cluster's network: (a host's own link latency is for request runs)`,
        code: 'unsupported',
      });
      broken = true;
    });
    for (const p of used) {
      const at = paramCell.get(p);
      if (at !== undefined) deps.add(at);
    }
    if (broken) return undefined;
    // The placement and migration policies are the first vms cell's; another cell naming them
    // differently would be ignored, so it is refused.
    const policyKeys = ['placement', 'overcommit', 'slice', 'migration'] as const;
    const first = vmCells[0]!;
    for (let k = 1; k < vmCells.length; k++)
      for (const key of policyKeys)
        if (vmCells[k]![key] !== undefined && JSON.stringify(vmCells[k]![key]) !== JSON.stringify(first[key])) {
          push(i, {
            range: runRanges.get('vms') ?? NO_RANGE,
            severity: 'error',
            message: `vms: "${vmsNames[k]}" gives its own ${key}, but a run's VMs are placed and moved by the first cell's ("${vmsNames[0]}"): give it there, or run the cells apart`,
            code: 'conflicting-keys',
          });
          return undefined;
        }
    const simCells = vmCells.map((x) => toSim(x, CELL_SCHEMAS.vms) as Obj);
    const { name: _name, vms: _vms, ...policies } = simCells[0]!;
    void _name;
    void _vms;
    // A host entry without power of its own takes the cluster's.
    const hosts = hostsOf!.map((h) =>
      h.power === undefined && sim.power !== undefined ? { ...h, power: sim.power as VmHostConfig['power'] } : h,
    ) as VmHostConfig[];
    const offsets: number[] = [];
    const vms: VmConfig[] = [];
    for (const cell of simCells) {
      offsets.push(vms.length);
      vms.push(...(cell.vms as VmConfig[]));
    }
    const config: VmClusterConfig = {
      hosts,
      vms,
      ...(policies as Pick<VmClusterConfig, 'placement' | 'overcommit' | 'sliceNs' | 'migration'>),
      ...(sim.link !== undefined ? { link: sim.link as VmClusterConfig['link'] } : {}),
      ...(sim.events !== undefined ? { events: sim.events as VmClusterConfig['events'] } : {}),
      policy: c.policy as PolicyConfig,
      scheduler: (c.scheduler as SchedulerConfig | undefined) ?? { kind: 'fair' },
      durationNs: (v.duration as number | undefined) ?? 10e9,
      seed: (v.seed as number | undefined) ?? 1,
    };
    // The host entries that took the cluster's power: a problem with it is at the cluster's power:.
    const inheritsPower = new Set(
      hostsOf!.flatMap((h, k) => (h.power === undefined && sim.power !== undefined ? [k] : [])),
    );
    const problem = vmRunProblem(config, { clusterAt, vmsAts, offsets, inheritsPower });
    if (problem) {
      push(problem.at, problem.diagnostic);
      if (problem.at !== i) {
        const inVms = problem.at !== clusterAt;
        push(i, {
          range: runRanges.get(inVms ? 'vms' : 'cluster') ?? NO_RANGE,
          severity: 'error',
          message: `${inVms ? `VMs "${vmsNames[vmsAts.indexOf(problem.at)]}"` : `Cluster "${clusterName}"`} do${inVms ? '' : 'es'} not fit this run: ${problem.diagnostic.message}`,
          code: 'simulator-check',
        });
      }
      return undefined;
    }
    const dependsOn = [...deps].sort((a, b) => a - b);
    const usedValues = new Map([...used].filter((p) => paramValues.has(p)).map((p) => [p, paramValues.get(p)!]));
    return {
      name,
      cellIndex: i,
      clusterName,
      vmsNames,
      config,
      dependsOn,
      inputsHash: hashInputs(cells, dependsOn, usedValues),
    };
  }

  /**
   * The simulator's checks of a VM run (a VM that fits on no host, a check interval that is no
   * multiple of the slice, maintenance of a host that does not exist...), as a diagnostic on the
   * cell and value they are about: hosts, network, events and policy on the cluster cell, a VM
   * on its own vms cell's entry, the placement and migration keys on the first vms cell.
   */
  function vmRunProblem(
    config: VmClusterConfig,
    where: { clusterAt: number; vmsAts: number[]; offsets: number[]; inheritsPower: ReadonlySet<number> },
  ): { at: number; diagnostic: Diagnostic } | undefined {
    try {
      resolveVmCluster(config);
      return undefined;
    } catch (e) {
      if (!(e instanceof SimConfigError)) throw e;
      const vmEntry = /^vms\[(\d+)\](.*)$/.exec(e.path);
      let at: number;
      let simPath = e.path;
      let schema: Schema = CELL_SCHEMAS.vms;
      if (vmEntry) {
        const k = Number(vmEntry[1]);
        let j = where.offsets.length - 1;
        while (where.offsets[j]! > k) j--;
        at = where.vmsAts[j]!;
        simPath = `vms[${k - where.offsets[j]!}]${vmEntry[2]}`;
      } else if (/^(placement|overcommit|sliceNs|migration)\b/.test(e.path) || e.path === 'vms') {
        at = where.vmsAts[0]!;
      } else {
        at = where.clusterAt;
        schema = CELL_SCHEMAS.cluster;
        // hosts[k].power copied from the cluster's own power: (src/sim checks it per host).
        const hostPower = /^hosts\[(\d+)\]\.power\b(.*)$/.exec(e.path);
        if (hostPower && where.inheritsPower.has(Number(hostPower[1]))) simPath = `power${hostPower[2]}`;
      }
      const path = labPath(simPath, schema);
      const shown = showPath(path);
      return {
        at,
        diagnostic: {
          range: rangeAt(cells[at].value, path),
          severity: 'error',
          message: `${shown ? `${shown}: ` : ''}${simulatorReason(e.reason)} (simulator check)`,
          code: 'simulator-check',
        },
      };
    }
  }

  const keys = compareKeys(cells);
  for (const i of indicesOf('compare')) {
    const v = validated.get(i)!;
    if (!v.value || hasErrors(v.diagnostics) || waitsForNames(i, v)) continue;
    if (v.value.runs !== undefined) {
      const compare = runsCompare(i, keys.get(i)!, v.value);
      if (compare) lab.runsCompares.push(compare);
      continue;
    }
    const { broken, dependsOn, inputsHash, common } = inputs(i, v.value, v.keyRanges);
    if (broken) continue;
    lab.compares.push({
      name: v.value.name as string | undefined,
      key: keys.get(i)!,
      cellIndex: i,
      machineName: v.value.machine as string,
      workloadName: v.value.workload as string,
      policies: v.value.policies as PolicyConfig[],
      seeds: (v.value.seeds as number | undefined) ?? COMPARE_DEFAULTS.seeds,
      metrics: (v.value.metrics as string[] | undefined) ?? [...COMPARE_DEFAULTS.metrics],
      base: common,
      dependsOn,
      inputsHash,
    });
  }

  /**
   * A compare cell with `runs:`: cluster runs, all request runs or all VM runs (their summaries
   * have different metrics), each run as written but with seeds 1..n. Errors sit on the item.
   */
  function runsCompare(i: number, key: string, v: Obj): ResolvedRunsCompare | undefined {
    const names = v.runs as string[];
    const text = cells[i].value;
    const error = (path: (string | number)[], message: string, code = 'invalid-value') => {
      push(i, { range: rangeAt(text, path), severity: 'error', message, code });
    };
    const runs: ComparedRun[] = [];
    let broken = false;
    names.forEach((name, k) => {
      const request = lab.clusterRuns.find((r) => r.name === name);
      const vm = lab.vmRuns.find((r) => r.name === name);
      const at = definedAt.run.get(name)!;
      if (names.indexOf(name) !== k) {
        error(['runs', k], `runs[${k}]: run "${name}" is listed twice`);
        broken = true;
      } else if (request === undefined && vm === undefined) {
        broken = true;
        if (validated.get(at)?.value?.cluster === undefined)
          error(
            ['runs', k],
            `runs[${k}]: run "${name}" is a one-machine run; runs: compares cluster runs (compare one machine's policies with machine:, workload: and policies:)`,
          );
        else block(i, `${cellPlace(cells, at)} has errors; fix it first`);
      } else runs.push(request ? { kind: 'requests', run: request } : { kind: 'vms', run: vm! });
    });
    if (broken) return undefined;
    const kind = runs[0].kind;
    const other = runs.findIndex((r) => r.kind !== kind);
    if (other >= 0) {
      const what = (r: ComparedRun) => (r.kind === 'vms' ? 'a VM run' : 'a request run');
      error(
        ['runs', other],
        `runs[${other}]: "${runs[other].run.name}" is ${what(runs[other])} and "${runs[0].run.name}" ${what(runs[0])}; a comparison's runs are all request runs or all VM runs (their metrics differ)`,
      );
      return undefined;
    }
    const offered = COMPARED_RUN_METRICS[kind];
    const metrics = (v.metrics as string[] | undefined) ?? [...COMPARE_RUNS_DEFAULT_METRICS[kind]];
    metrics.forEach((metric, k) => {
      if (offered.includes(metric)) return;
      broken = true;
      error(
        ['metrics', k],
        `metrics[${k}]: ${kind === 'vms' ? 'VM' : 'request'} runs have no ${metric}; they have ${offered.join(', ')}`,
      );
    });
    if (broken) return undefined;
    const deps = new Set<number>([i, ...runs.flatMap((r) => r.run.dependsOn)]);
    const used = new Map(
      [...validated.get(i)!.paramsUsed].filter((p) => paramValues.has(p)).map((p) => [p, paramValues.get(p)!]),
    );
    const dependsOn = [...deps].sort((a, b) => a - b);
    return {
      name: v.name as string | undefined,
      key,
      cellIndex: i,
      runs,
      seeds: (v.seeds as number | undefined) ?? COMPARE_DEFAULTS.seeds,
      metrics,
      dependsOn,
      // The runs' own hashes cover their cells and the parameter values they use.
      inputsHash: bytesToHex(
        sha256(utf8ToBytes([hashInputs(cells, [i], used), ...runs.map((r) => r.run.inputsHash)].join('\u0001'))),
      ),
    };
  }

  /** Notes each run used that could not be resolved: the cell stays in the model and, run, says why. */
  const resolvedRuns = new Set(lab.runs.map((r) => r.name));
  const blockOnBrokenRuns = (i: number, v: CellValidation) => {
    for (const ref of v.references) {
      if (ref.target !== 'run' || resolvedRuns.has(ref.name)) continue;
      const at = definedAt.run.get(ref.name)!;
      block(
        i,
        lab.blocked.has(at)
          ? `${cellPlace(cells, at)} cannot run: ${lab.blocked.get(at)!.join('; ')}`
          : `${cellPlace(cells, at)} has errors; fix it first`,
      );
    }
  };

  for (const i of indicesOf('chart')) {
    const v = validated.get(i)!;
    if (!v.value || hasErrors(v.diagnostics) || waitsForNames(i, v)) continue;
    blockOnBrokenRuns(i, v);
    const c = v.value;
    const chart: ResolvedChart = {
      cellIndex: i,
      runs: (c.runs as string[] | undefined) ?? (c.run ? [c.run as string] : []),
    };
    if (c.show !== undefined) chart.show = c.show as string;
    if (c.table !== undefined || c.vegaLite !== undefined) chart.table = (c.table as string | undefined) ?? 'series';
    if (c.vegaLite !== undefined) chart.vegaLite = c.vegaLite;
    if (c.title !== undefined) chart.title = c.title as string;
    if (c.span !== undefined) {
      if (c.show !== 'timeline') {
        push(i, {
          range: v.keyRanges.get('span') ?? NO_RANGE,
          severity: 'error',
          message: '"span" belongs to show: timeline charts',
          code: 'unknown-key',
        });
        continue;
      }
      const span = c.span as { startNs: number; endNs: number };
      // The runs' logs start at the span: one that starts after a run ends shows nothing.
      const late = chart.runs
        .map((name) => lab.runs.find((r) => r.name === name))
        .find((r) => r && span.startNs >= r.config.durationNs);
      if (late) {
        push(i, {
          range: v.keyRanges.get('span') ?? NO_RANGE,
          severity: 'error',
          message: `The span starts at ${formatQuantity(span.startNs, 'time')}, when run "${late.name}" has ended (its duration is ${formatQuantity(late.config.durationNs, 'time')})`,
          code: 'out-of-range',
        });
        continue;
      }
      chart.span = span;
    }
    const sweep = chartSweep(c, v.keyRanges, lab.params);
    push(i, ...sweep.diagnostics);
    if (sweep.diagnostics.length > 0) continue;
    if (sweep.value) chart.sweep = sweep.value;
    // A sweep chart runs its runs itself (src/lab/run/sweep.ts), whatever their kind.
    const wrongKind = chart.sweep
      ? unsweptMetric(lab, chart.sweep, chart.runs, v.keyRanges)
      : wrongKindRuns(lab, chart, v.references);
    if (wrongKind.length > 0) {
      push(i, ...wrongKind);
      continue;
    }
    lab.charts.push(chart);
  }

  recordTimelines(lab);

  for (const i of indicesOf('check')) {
    const v = validated.get(i)!;
    if (!v.value || hasErrors(v.diagnostics) || waitsForNames(i, v)) continue;
    blockOnBrokenRuns(i, v);
    const a = code(i)!.attributes;
    const check: ResolvedCheck = {
      cellIndex: i,
      points: typeof a.points === 'string' ? Number(a.points) : 1,
      hidden: a.hidden === true,
      solution: a.solution === true,
      expect: v.value.expect as string,
      runs: [...new Set(v.references.filter((r) => r.target === 'run').map((r) => r.name))],
    };
    if (typeof a.id === 'string') check.id = a.id;
    const message = (v.value.message as string | undefined) ?? (typeof a.message === 'string' ? a.message : undefined);
    if (message !== undefined) check.message = message;
    lab.checks.push(check);
  }

  return lab;
}

/**
 * A chart's runs of the wrong kind, each an error at its `runs:` entry: the rule the notebook
 * draws by (src/lab/notebook/execute.ts chartOutput, src/lab/charts/index.ts), checked here so
 * such a chart is bad input at line:column instead of a cell that fails only when drawn. A VM
 * chart (VM_CHARTS) draws VM runs only, a request chart (CLUSTER_CHARTS) request runs only (one in
 * both, host-load, either), any
 * other chart (a raw Vega-Lite spec too) one-machine runs only. Runs not resolved are left to
 * the errors of their own cells.
 */
function wrongKindRuns(lab: ResolvedLab, chart: ResolvedChart, references: readonly Reference[]): Diagnostic[] {
  const show = chart.show ?? '';
  // A chart of both cluster families (host-load) draws runs of either.
  const kinds: RunKind[] = [
    ...(VM_CHARTS.includes(show) ? (['vms'] as const) : []),
    ...(CLUSTER_CHARTS.includes(show) ? (['requests'] as const) : []),
  ];
  if (kinds.length === 0) kinds.push('machine');
  const drawn = kinds.map((k) => RUN_KINDS[k].runs).join(' and ');
  const chartName = chart.show === undefined ? 'A raw Vega-Lite chart' : `A ${chart.show} chart`;
  const runRefs = references.filter((r) => r.target === 'run');
  const out: Diagnostic[] = [];
  const kindOf = (name: string): RunKind | undefined =>
    lab.vmRuns.some((r) => r.name === name)
      ? 'vms'
      : lab.clusterRuns.some((r) => r.name === name)
        ? 'requests'
        : lab.runs.some((r) => r.name === name)
          ? 'machine'
          : undefined;
  // Of a chart both families draw, every run is of its first run's family (one panel kind).
  const first = kinds.length > 1 ? chart.runs.map(kindOf).find((k) => k !== undefined && kinds.includes(k)) : undefined;
  for (const name of chart.runs) {
    const actual = kindOf(name);
    if (actual === undefined || (kinds.includes(actual) && (first === undefined || actual === first))) continue;
    out.push({
      range: runRefs.find((r) => r.name === name)?.range ?? NO_RANGE,
      severity: 'error',
      message: kinds.includes(actual)
        ? `${chartName} draws runs of one kind; "${name}" is ${RUN_KINDS[actual].one}, the first is ${RUN_KINDS[first!].one}.`
        : `${chartName} draws ${drawn} only; "${name}" is ${RUN_KINDS[actual].one}.`,
      code: 'bad-value',
    });
  }
  return out;
}

/**
 * A sweep's metric that one of its cluster runs cannot give (COMPARED_RUN_METRICS), at `metric:`
 * (at `show:` when the metric is the default). A one-machine run's summary has every metric but
 * those of a model its machine lacks, which the chart reports when no run gives it.
 */
function unsweptMetric(
  lab: ResolvedLab,
  sweep: ChartSweep,
  runs: readonly string[],
  keyRanges: ReadonlyMap<string, Range>,
): Diagnostic[] {
  for (const name of runs) {
    const kind = lab.vmRuns.some((r) => r.name === name)
      ? 'vms'
      : lab.clusterRuns.some((r) => r.name === name)
        ? 'requests'
        : undefined;
    if (kind === undefined || COMPARED_RUN_METRICS[kind].includes(sweep.metric)) continue;
    return [
      {
        range: keyRanges.get('metric') ?? keyRanges.get('show') ?? NO_RANGE,
        severity: 'error',
        message: `"${name}" is ${RUN_KINDS[kind].one}, and ${kind === 'vms' ? 'VM' : 'request'} runs have no ${sweep.metric}; they have ${COMPARED_RUN_METRICS[kind].join(', ')}`,
        code: 'bad-value',
      },
    ];
  }
  return [];
}

type RunKind = 'vms' | 'requests' | 'machine';
const RUN_KINDS: Readonly<Record<RunKind, { runs: string; one: string }>> = {
  vms: { runs: 'runs of VMs on a cluster (run: { cluster, vms })', one: 'a VM run' },
  requests: { runs: 'request runs on a cluster (run: { cluster, service })', one: 'a request run' },
  machine: { runs: 'one-machine runs (run: { machine, workload, policy })', one: 'a one-machine run' },
};

const SWEEP_KEYS = ['param', 'values', 'seeds', 'metric'] as const;

/** Spans of the timeline log a run keeps when a timeline chart draws it (src/sim/timeline.ts). */
export const TIMELINE_SPANS = 6_000;

/**
 * Runs a `show: timeline` or `show: migrations` chart draws (its inspector reads the log) record
 * their timeline log, from the earliest start of the spans those charts show. That changes no number of the run (the log is not in its digest), but
 * a result simulated without it cannot be drawn: the run's inputs hash says so, so a result
 * from before the chart was added is simulated again.
 */
function recordTimelines(lab: ResolvedLab): void {
  const fromNs = new Map<string, number>();
  for (const chart of lab.charts) {
    // The migrations chart's inspector reads the log too.
    if (chart.show !== 'timeline' && chart.show !== 'migrations') continue;
    for (const name of chart.runs) fromNs.set(name, Math.min(fromNs.get(name) ?? Infinity, chart.span?.startNs ?? 0));
  }
  for (const run of lab.runs) {
    const from = fromNs.get(run.name);
    if (from === undefined) continue;
    run.config = { ...run.config, timelineSegments: TIMELINE_SPANS, ...(from > 0 ? { timelineFromNs: from } : {}) };
    run.inputsHash = bytesToHex(sha256(utf8ToBytes(`${run.inputsHash}\u0001timeline ${TIMELINE_SPANS} from ${from}`)));
  }
}

/** The sweep of a chart cell: `param` and `values` with `show: sweep`, and those keys with no other kind. */
function chartSweep(
  c: Obj,
  keyRanges: ReadonlyMap<string, Range>,
  params: ResolvedLab['params'],
): { value?: ChartSweep; diagnostics: Diagnostic[] } {
  const at = (key: string) => keyRanges.get(key) ?? NO_RANGE;
  const error = (key: string, message: string, code: string): Diagnostic => ({
    range: at(key),
    severity: 'error',
    message,
    code,
  });
  if (c.show !== 'sweep') {
    return {
      diagnostics: SWEEP_KEYS.filter((k) => c[k] !== undefined).map((k) =>
        error(k, `"${k}" belongs to show: sweep charts`, 'unknown-key'),
      ),
    };
  }
  const diagnostics: Diagnostic[] = [];
  for (const key of ['param', 'values', 'runs'] as const) {
    if (c[key] === undefined)
      diagnostics.push(
        error(
          'show',
          `A sweep chart needs "${key}": ${key === 'runs' ? 'the runs to sweep' : key === 'param' ? 'the parameter to sweep' : 'the values to give it'}`,
          'missing-key',
        ),
      );
  }
  const param = c.param as string | undefined;
  if (param !== undefined && !params.has(param)) {
    const declared = [...params.keys()];
    diagnostics.push(
      error(
        'param',
        `No params cell declares "${param}" (declared: ${declared.join(', ') || 'none'})`,
        'unknown-param',
      ),
    );
  }
  const values = (c.values as unknown[] | undefined) ?? [];
  if (values.some((v) => v === null || typeof v === 'object'))
    diagnostics.push(error('values', 'Each value is one number or word, as in a params cell', 'wrong-type'));
  if (diagnostics.length > 0 || param === undefined) return { diagnostics };
  return {
    value: {
      param,
      values: values.map(String),
      seeds: (c.seeds as number | undefined) ?? 5,
      metric: (c.metric as string | undefined) ?? 'meanResponseS',
    },
    diagnostics,
  };
}

/** What identifies a protected cell across versions: its id (checks, or any locked cell), else its kind and name. */
export function cellKey(cell: LabCodeCell): string | undefined {
  return cellKeys(cell)[0];
}

/**
 * Every key a cell answers to: its kind and id, and its kind and name. A submission's cell
 * that shares either with a protected cell stands in its place (and is replaced by it): a new
 * id does not make a student's copy of a locked run a different run.
 */
export function cellKeys(cell: LabCodeCell): string[] {
  const keys: string[] = [];
  if (typeof cell.attributes.id === 'string') keys.push(`${cell.kind}#${cell.attributes.id}`);
  const name = declaredName(cell)?.name;
  if (name !== undefined) keys.push(`${cell.kind}:${name}`);
  return keys;
}

/** A readable name for messages: `check q1`, `machine duo`. */
export const cellLabel = (cell: LabCodeCell): string => (cellKey(cell) ?? cell.kind).replace(/[:#]/, ' ');

/** Where a cell is, for messages: `cell 3 (machine duo)`, numbered from 1 over every cell as VS Code counts them. */
export function cellPlace(cells: readonly LabCell[], index: number): string {
  const cell = cells[index];
  return cell.kind === 'markdown' ? `cell ${index + 1}` : `cell ${index + 1} (${cellLabel(cell)})`;
}

/** The key each compare cell is known by in results and check expressions: its name, else compare1, compare2... in file order. */
export function compareKeys(cells: readonly LabCell[]): Map<number, string> {
  const keys = new Map<number, string>();
  let ordinal = 0;
  cells.forEach((cell, i) => {
    if (cell.kind !== 'compare') return;
    ordinal++;
    keys.set(i, declaredName(cell)?.name ?? `compare${ordinal}`);
  });
  return keys;
}

/** Every simulation a comparison needs: each policy with seeds 1..n. */
export function compareConfigs(compare: ResolvedCompare): { policy: PolicyConfig; seed: number; config: SimConfig }[] {
  return compare.policies.flatMap((policy) =>
    Array.from({ length: compare.seeds }, (_, k) => ({
      policy,
      seed: k + 1,
      config: { ...compare.base, policy, seed: k + 1 },
    })),
  );
}
