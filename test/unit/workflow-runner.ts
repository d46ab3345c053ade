// Runs a GitHub Actions workflow's jobs on this machine, for the part of GitHub Actions the
// shipped templates (templates/github/) use: a matrix, env at every level, `run:` steps in bash
// with GITHUB_OUTPUT, `${{ }}` expressions over matrix, strategy, steps' outputs and secrets,
// and actions the test provides handlers for (checkout, artifacts...). Anything else in a
// workflow (an unknown action or expression) fails the test, so a template cannot drift into
// something this runner would silently skip.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
}

export interface Job {
  needs?: string | string[];
  if?: string;
  strategy?: { matrix?: Record<string, (string | number)[]> };
  env?: Record<string, string>;
  steps: Step[];
}

export interface Workflow {
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

export const readWorkflow = (path: string): Workflow => parse(readFileSync(path, 'utf8')) as Workflow;

export interface ActionCall {
  workspace: string;
  /** The step's `with:`, expressions evaluated. */
  inputs: Record<string, string>;
  /** The step's environment (workflow, job and step env), expressions evaluated. */
  env: Record<string, string>;
}

export interface RunnerOptions {
  /** Handlers by action name without version: `actions/checkout`. */
  actions: Record<string, (call: ActionCall) => void>;
  secrets?: Record<string, string>;
  /** `github.*` values the workflow reads. */
  github?: Record<string, string>;
}

/** What a job run leaves: its workspace, and per step id its outputs (`steps.<id>.outputs.<name>`). */
export interface JobRun {
  matrix: Record<string, string | number>;
  workspace: string;
  steps: Record<string, { outputs: Record<string, string> }>;
}

export class LocalRunner {
  constructor(
    private readonly workflow: Workflow,
    private readonly options: RunnerOptions,
  ) {}

  /** Runs every job of the matrix (one fresh workspace each), in order. */
  runJob(name: string): JobRun[] {
    const job = this.workflow.jobs[name];
    if (!job) throw new Error(`no job ${name}`);
    const matrix = job.strategy?.matrix ?? {};
    let combos: Record<string, string | number>[] = [{}];
    for (const [key, values] of Object.entries(matrix))
      combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
    return combos.map((combo, index) => this.runOne(job, combo, index, combos.length));
  }

  private runOne(job: Job, matrix: Record<string, string | number>, index: number, total: number): JobRun {
    const workspace = mkdtempSync(join(tmpdir(), 'ml-workflow-'));
    const runnerTemp = mkdtempSync(join(tmpdir(), 'ml-runner-'));
    const steps: JobRun['steps'] = {};
    const context = {
      matrix,
      strategy: { 'job-total': total, 'job-index': index },
      steps,
      secrets: this.options.secrets ?? {},
      github: this.options.github ?? {},
    };
    const evaluate = (text: string) =>
      text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => String(this.value(expr, context)));
    if (job.if !== undefined && !this.condition(job.if, context)) return { matrix, workspace, steps };
    const env = (step: Step) =>
      Object.fromEntries(
        Object.entries({ ...this.workflow.env, ...job.env, ...step.env }).map(([k, v]) => [k, evaluate(String(v))]),
      );
    for (const [n, step] of job.steps.entries()) {
      if (step.if !== undefined && !this.condition(step.if, context)) continue;
      if (step.uses !== undefined) {
        const action = step.uses.replace(/@.*$/, '');
        const handler = this.options.actions[action];
        if (!handler) throw new Error(`the workflow uses ${step.uses}, which this runner has no handler for`);
        const inputs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, evaluate(String(v))]));
        handler({ workspace, inputs, env: env(step) });
        continue;
      }
      const outputFile = join(runnerTemp, `output-${n}`);
      writeFileSync(outputFile, '');
      // GitHub's defaults: `bash -e {0}`, or `bash --noprofile --norc -eo pipefail {0}` with shell: bash.
      const shellArgs = step.shell === 'bash' ? ['--noprofile', '--norc', '-eo', 'pipefail', '-c'] : ['-e', '-c'];
      if (step.shell !== undefined && step.shell !== 'bash')
        throw new Error(`shell ${step.shell} is not supported here`);
      const r = spawnSync('bash', [...shellArgs, evaluate(step.run!)], {
        cwd: workspace,
        encoding: 'utf8',
        timeout: 300_000,
        env: {
          ...process.env,
          ...env(step),
          CI: 'true',
          GITHUB_ACTIONS: 'true',
          GITHUB_WORKSPACE: workspace,
          GITHUB_OUTPUT: outputFile,
          RUNNER_TEMP: runnerTemp,
        },
      });
      if (r.status !== 0)
        throw new Error(`step "${step.name ?? step.run}" exited with ${r.status}:\n${r.stdout}\n${r.stderr}`);
      if (step.id !== undefined) steps[step.id] = { outputs: parseOutputs(readFileSync(outputFile, 'utf8')) };
    }
    return { matrix, workspace, steps };
  }

  /** The few expressions the templates use: context paths, and comparisons with string literals. */
  private condition(expr: string, context: object): boolean {
    const text = expr.replace(/^\$\{\{\s*|\s*\}\}$/g, '');
    if (text === 'always()') return true;
    const m = /^(.+?)\s*(==|!=)\s*'([^']*)'$/.exec(text);
    if (!m) throw new Error(`cannot evaluate the condition ${expr}`);
    const equal = String(this.value(m[1], context)) === m[3];
    return m[2] === '==' ? equal : !equal;
  }

  private value(expr: string, context: object): unknown {
    let current: unknown = context;
    for (const part of expr.split('.')) {
      if (current === null || typeof current !== 'object' || !(part in current))
        throw new Error(`the expression ${expr} is not known to this runner`);
      current = (current as Record<string, unknown>)[part];
    }
    return current;
  }
}

/** `name=value` lines and `name<<DELIMITER` blocks of a GITHUB_OUTPUT file. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([\w-]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      out[heredoc[1]] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i].includes('=')) {
      out[lines[i].slice(0, lines[i].indexOf('='))] = lines[i].slice(lines[i].indexOf('=') + 1);
    }
  }
  return out;
}

/** upload-artifact and download-artifact over a folder of this machine. */
export function artifactStore(): Record<string, (call: ActionCall) => void> {
  const store = mkdtempSync(join(tmpdir(), 'ml-artifacts-'));
  const copy = (from: string, to: string) => {
    const r = spawnSync('cp', ['-r', from, to]);
    if (r.status !== 0) throw new Error(`cp ${from} ${to}: ${r.stderr}`);
  };
  return {
    'actions/upload-artifact': ({ workspace, inputs }) => {
      const paths = inputs.path
        .split('\n')
        .map((p) => p.trim())
        .filter(Boolean);
      const target = join(store, inputs.name);
      mkdirSync(target, { recursive: true });
      for (const path of paths) {
        const r = spawnSync('sh', ['-c', `ls -d ${path}`], { cwd: workspace, encoding: 'utf8' });
        if (r.status !== 0) {
          if (inputs['if-no-files-found'] === 'error')
            throw new Error(`upload-artifact ${inputs.name}: no files match ${path}`);
          continue;
        }
        for (const file of r.stdout.trim().split('\n'))
          copy(join(workspace, file), join(target, file.split('/').pop()!));
      }
    },
    'actions/download-artifact': ({ workspace, inputs }) => {
      const pattern = new RegExp(
        `^${(inputs.pattern ?? inputs.name ?? '*').replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`,
      );
      const names = spawnSync('ls', [store], { encoding: 'utf8' })
        .stdout.trim()
        .split('\n')
        .filter((name) => pattern.test(name));
      if (names.length === 0)
        throw new Error(`download-artifact: no artifact matches ${inputs.pattern ?? inputs.name}`);
      const base = join(workspace, inputs.path ?? '.');
      mkdirSync(base, { recursive: true });
      for (const name of names) {
        const to = inputs['merge-multiple'] === 'true' ? base : join(base, name);
        mkdirSync(to, { recursive: true });
        for (const file of spawnSync('ls', [join(store, name)], { encoding: 'utf8' })
          .stdout.trim()
          .split('\n'))
          copy(join(store, name, file), join(to, file));
      }
    },
  };
}
