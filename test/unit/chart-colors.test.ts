// Chart colours: every colour a run, a miss cause or a migration reason is drawn in reads on light
// and dark themes (WCAG 2 contrast, computed here from the standard's formula), the colours are
// far apart (CIEDE2000, also with colour blindness simulated), and two runs of one policy get two
// colours through the path users take (a lab executed as the CLI and the editor execute it).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import fc from 'fast-check';
import { MISS_CAUSES, POLICY_NAMES, REASONS, simulate, type SimConfig } from '../../src/sim';
import { buildChart, sweepChart, type ChartRun } from '../../src/lab/charts';
import { compareChart } from '../../src/lab/charts/compare';
import type { CompareOutput } from '../../src/lab/outputs/contract';
import type { SweepGroup } from '../../src/lab/run/sweep';
import { policyColor } from '../../src/lab/charts/colors';
import { causeScale, reasonScale } from '../../src/lab/charts/palettes';
import { executeLab } from '../../src/cli/executeLab';
import { parseLab } from '../../src/lab/document/markdown';
import { inProcessRunHost } from '../../src/worker/runSimulation';

// ---- References, written from the published formulas (not the code under test) ----

/** sRGB channel (0..255) to linear light, as WCAG 2 defines it. */
const linear = (v: number): number => {
  const c = v / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};
const channels = (hex: string): [number, number, number] => {
  assert.match(hex, /^#[0-9a-fA-F]{6}$/);
  const n = parseInt(hex.slice(1), 16);
  return [n >> 16, (n >> 8) & 255, n & 255];
};
/** WCAG 2 relative luminance and contrast ratio (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio). */
const luminance = (hex: string): number => {
  const [r, g, b] = channels(hex).map(linear);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const contrast = (a: string, b: string): number => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};

type Lab = [number, number, number];
/** Linear sRGB to CIELAB (D65 white), IEC 61966-2-1 matrix. */
function labOf([r, g, b]: number[]): Lab {
  const x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
  const y = 0.2126729 * r + 0.7151522 * g + 0.072175 * b;
  const z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}
/** CIEDE2000 colour difference (Sharma, Wu & Dalal, Color Research & Application 30, 2005). */
function ciede2000([L1, a1, b1]: Lab, [L2, a2, b2]: Lab): number {
  const rad = Math.PI / 180;
  const Cm = (Math.hypot(a1, b1) + Math.hypot(a2, b2)) / 2;
  const G = 0.5 * (1 - Math.sqrt(Cm ** 7 / (Cm ** 7 + 25 ** 7)));
  const [a1p, a2p] = [(1 + G) * a1, (1 + G) * a2];
  const [C1p, C2p] = [Math.hypot(a1p, b1), Math.hypot(a2p, b2)];
  const hue = (b: number, a: number) => (a === 0 && b === 0 ? 0 : (Math.atan2(b, a) / rad + 360) % 360);
  const [h1p, h2p] = [hue(b1, a1p), hue(b2, a2p)];
  let dhp = 0;
  if (C1p * C2p !== 0) dhp = h2p - h1p > 180 ? h2p - h1p - 360 : h2p - h1p < -180 ? h2p - h1p + 360 : h2p - h1p;
  const dHp = 2 * Math.sqrt(C1p * C2p) * Math.sin((dhp / 2) * rad);
  const Lpm = (L1 + L2) / 2;
  const Cpm = (C1p + C2p) / 2;
  let hpm = h1p + h2p;
  if (C1p * C2p !== 0)
    hpm =
      Math.abs(h1p - h2p) <= 180 ? (h1p + h2p) / 2 : h1p + h2p < 360 ? (h1p + h2p + 360) / 2 : (h1p + h2p - 360) / 2;
  const T =
    1 -
    0.17 * Math.cos((hpm - 30) * rad) +
    0.24 * Math.cos(2 * hpm * rad) +
    0.32 * Math.cos((3 * hpm + 6) * rad) -
    0.2 * Math.cos((4 * hpm - 63) * rad);
  const SL = 1 + (0.015 * (Lpm - 50) ** 2) / Math.sqrt(20 + (Lpm - 50) ** 2);
  const SC = 1 + 0.045 * Cpm;
  const SH = 1 + 0.015 * Cpm * T;
  const RT =
    -Math.sin(2 * 30 * Math.exp(-(((hpm - 275) / 25) ** 2)) * rad) * 2 * Math.sqrt(Cpm ** 7 / (Cpm ** 7 + 25 ** 7));
  const [l, c, h] = [(L2 - L1) / SL, (C2p - C1p) / SC, dHp / SH];
  return Math.sqrt(l * l + c * c + h * h + RT * c * h);
}
/** Colour blindness simulated on linear RGB, severity 1 (Machado, Oliveira & Fernandes, IEEE TVCG 15(6), 2009). */
const VISIONS: Record<string, number[][] | undefined> = {
  normal: undefined,
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};
const seen = (hex: string, matrix: number[][] | undefined): Lab => {
  const rgb = channels(hex).map(linear);
  return labOf(
    matrix ? matrix.map((row) => Math.min(1, Math.max(0, row[0] * rgb[0] + row[1] * rgb[1] + row[2] * rgb[2]))) : rgb,
  );
};
/** The smallest CIEDE2000 difference between two of these colours, as each vision sees them. */
function closest(colors: readonly string[]): Record<string, { dE: number; pair: string }> {
  const out: Record<string, { dE: number; pair: string }> = {};
  for (const [vision, matrix] of Object.entries(VISIONS)) {
    out[vision] = { dE: Infinity, pair: '' };
    for (let i = 0; i < colors.length; i++) {
      for (let j = 0; j < i; j++) {
        const dE = ciede2000(seen(colors[i], matrix), seen(colors[j], matrix));
        if (dE < out[vision].dE) out[vision] = { dE, pair: `${colors[j]} ${colors[i]}` };
      }
    }
  }
  return out;
}

test("the references reproduce published values: WCAG contrast and Sharma et al.'s CIEDE2000 test data", () => {
  assert.equal(contrast('#000000', '#ffffff'), 21);
  assert.equal(contrast('#777777', '#ffffff').toFixed(2), '4.48');
  // Rows 1, 7, 17 and 34 of Sharma, Wu & Dalal's Table 1 (Lab pairs and their CIEDE2000).
  const rows: [Lab, Lab, number][] = [
    [[50, 2.6772, -79.7751], [50, 0, -82.7485], 2.0425],
    [[50, 0, 0], [50, -1, 2], 2.3669],
    [[50, 2.5, 0], [73, 25, -18], 27.1492],
    [[2.0776, 0.0795, -1.135], [0.9033, -0.0636, -0.5514], 0.9082],
  ];
  for (const [x, y, dE] of rows)
    assert.ok(Math.abs(ciede2000(x, y) - dE) < 1e-4, `${x} ${y}: ${ciede2000(x, y)} != ${dE}`);
  // Protanopia sees pure red and a dark olive alike: the simulation does what it should.
  assert.ok(ciede2000(seen('#ff0000', VISIONS.protanopia), seen('#ff0000', undefined)) > 20);
});

// ---- Charts built as the notebook builds them, with runs sharing one simulated result ----

const shared = simulate({
  machine: { sockets: 1, coresPerSocket: 2 },
  workload: {
    groups: [{ name: 'job', arrival: { kind: 'poisson', ratePerS: 200 }, demand: { kind: 'exp', meanNs: 2e6 } }],
  },
  policy: { name: 'pinned' },
  scheduler: { kind: 'fair' },
  durationNs: 1e8,
  seed: 1,
} satisfies SimConfig);
const chartRun = (name: string, policy: string): ChartRun => ({ name, policy, result: shared });

interface Scale {
  domain: string[];
  range: string[];
}
/** Every colour scale in a spec (objects with a domain and a range of colours). */
function scalesOf(spec: unknown): Scale[] {
  const out: Scale[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const { domain, range } = node as Partial<Scale>;
    if (Array.isArray(domain) && Array.isArray(range) && range.every((c) => typeof c === 'string' && c.startsWith('#')))
      out.push({ domain, range });
    Object.values(node).forEach(walk);
  };
  walk(spec);
  return out;
}
/** The colour of each run in a chart (from its run colour scales, which must agree with each other). */
function runColorsOf(spec: unknown, runs: readonly string[]): Map<string, string> {
  const colors = new Map<string, string>();
  for (const scale of scalesOf(spec).filter((s) => s.domain.some((d) => runs.includes(d)))) {
    scale.domain.forEach((name, i) => {
      assert.ok(!colors.has(name) || colors.get(name) === scale.range[i], `${name} has two colours in one chart`);
      colors.set(name, scale.range[i]);
    });
  }
  return colors;
}
const responseColors = (runs: readonly ChartRun[]) =>
  runColorsOf(
    buildChart({ cellIndex: 0, show: 'response', runs: runs.map((r) => r.name) }, runs).spec,
    runs.map((r) => r.name),
  );

/** What a run can be drawn in: ten runs of one policy take every colour runs are given. */
const RUN_COLORS = [
  ...new Set(responseColors(Array.from({ length: 10 }, (_, i) => chartRun(`r${i}`, 'least-loaded'))).values()),
];
const REASON_COLORS = reasonScale(new Set()).range;
const CAUSE_COLORS = causeScale.range;

/** White (Light Modern, Light+, High Contrast Light, "light charts"), Dark Modern, Dark+, High Contrast. */
const BACKGROUNDS = {
  'light #ffffff': '#ffffff',
  'Dark Modern #1f1f1f': '#1f1f1f',
  'Dark+ #1e1e1e': '#1e1e1e',
  'high contrast #000000': '#000000',
};

test('every colour a run, a policy, a migration reason or a miss cause is drawn in has at least 3:1 contrast on light and dark backgrounds', () => {
  assert.equal(REASON_COLORS.length, REASONS.length);
  assert.equal(CAUSE_COLORS.length, MISS_CAUSES.length);
  const policies = [...POLICY_NAMES, 'mine', 'my-policy', 'student-42'].map(policyColor);
  const failing: string[] = [];
  for (const [what, colors] of Object.entries({
    run: RUN_COLORS,
    policy: policies,
    reason: REASON_COLORS,
    cause: CAUSE_COLORS,
  })) {
    for (const color of colors) {
      for (const [name, background] of Object.entries(BACKGROUNDS)) {
        const ratio = contrast(color, background);
        if (ratio < 3) failing.push(`${what} ${color} on ${name}: ${ratio.toFixed(2)}:1`);
      }
    }
  }
  assert.deepEqual(failing, []);
});

/**
 * Marks of a spec, as Vega-Lite compiles it for the renderer, drawn in a colour of a fixed range
 * (runs, reasons, causes) but not opaque: their drawn colour is a blend with the background, with
 * less contrast than the colour itself. Vega-Lite draws points at 70 % unless told otherwise.
 */
async function faintMarks(spec: unknown): Promise<string[]> {
  const { compile } = await import('vega-lite');
  const compiled = compile(spec as never).spec as unknown;
  const palette = new Set<string>();
  const marks: { type?: string; name?: string; encode?: Record<string, Record<string, unknown>> }[] = [];
  const walk = (node: unknown, key = ''): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, key));
    if (!node || typeof node !== 'object') return;
    const item = node as { name?: string; range?: unknown; encode?: unknown };
    if (
      key === 'scales' &&
      Array.isArray(item.range) &&
      item.range.every((c) => typeof c === 'string' && c.startsWith('#'))
    )
      palette.add(item.name!);
    if (key === 'marks' && item.encode) marks.push(node as (typeof marks)[number]);
    for (const [k, v] of Object.entries(node)) walk(v, k);
  };
  walk(compiled);
  return marks.flatMap((mark) => {
    const encode = { ...mark.encode?.enter, ...mark.encode?.update };
    const colored = ['fill', 'stroke'].some((k) =>
      palette.has((encode[k] as { scale?: string } | undefined)?.scale ?? ''),
    );
    const faint = ['opacity', 'fillOpacity', 'strokeOpacity'].filter((k) => {
      const value = (encode[k] as { value?: unknown } | undefined)?.value;
      return typeof value === 'number' && value < 1;
    });
    return colored && faint.length > 0
      ? [`${mark.type} ${mark.name}: ${faint.map((k) => `${k} ${(encode[k] as { value: number }).value}`).join(', ')}`]
      : [];
  });
}

test("every chart draws its runs, reasons and causes opaque, so the drawn colour keeps its contrast; only a sweep's band is pale behind its line", async () => {
  const machine = { sockets: 1, coresPerSocket: 2, power: {}, thermal: {} };
  const result = simulate({
    machine,
    workload: {
      groups: [{ name: 'job', arrival: { kind: 'poisson', ratePerS: 400 }, demand: { kind: 'exp', meanNs: 3e6 } }],
    },
    policy: { name: 'work-stealing' },
    scheduler: { kind: 'fair' },
    durationNs: 3e8,
    seed: 1,
  });
  assert.ok(result.migrations.length > 0);
  const logged = simulate({
    machine,
    workload: {
      groups: [{ name: 'job', arrival: { kind: 'poisson', ratePerS: 400 }, demand: { kind: 'exp', meanNs: 3e6 } }],
    },
    policy: { name: 'work-stealing' },
    scheduler: { kind: 'fair' },
    durationNs: 3e8,
    seed: 1,
    timelineSegments: 2_000,
  });
  const runs = [
    { name: 'a', policy: 'work-stealing', result: logged },
    { name: 'b', policy: 'work-stealing', result: logged },
  ];
  const faint: string[] = [];
  for (const show of [
    'load',
    'queues',
    'cache-misses',
    'migrations',
    'timeline',
    'migration-cost',
    'response',
    'energy',
    'frequency',
    'temperature',
  ]) {
    for (const mark of await faintMarks(buildChart({ cellIndex: 0, show, runs: ['a', 'b'] }, runs).spec))
      faint.push(`${show}: ${mark}`);
  }
  const policies = ['pinned', 'work-stealing'];
  const comparison: CompareOutput = {
    machine: 'm',
    workload: 'w',
    policies,
    metrics: ['migrations'],
    seeds: 2,
    cells: policies.map((policy) => ({
      policy,
      metric: 'migrations',
      interval: { mean: 1, halfWidth: 0.1, n: 2 },
      best: false,
    })),
  };
  for (const mark of await faintMarks(compareChart(comparison).spec)) faint.push(`compare: ${mark}`);
  const groups: SweepGroup[] = ['1', '2'].flatMap((rate) =>
    policies.map((policy) => ({
      params: { rate },
      run: policy,
      policy,
      n: 2,
      metrics: { migrations: { mean: 1, halfWidth: 0.1, low: 0.9, high: 1.1 } },
    })),
  );
  const sweep = sweepChart({ param: 'rate', values: ['1', '2'], seeds: 2, metric: 'migrations' }, groups);
  const sweepFaint = await faintMarks(sweep.spec);
  assert.ok(
    sweepFaint.some((m) => m.startsWith('area ')),
    'the sweep band is pale',
  );
  for (const mark of sweepFaint) if (!mark.startsWith('area ')) faint.push(`sweep: ${mark}`);
  assert.deepEqual(faint, []);
});

test('colours are far apart: runs, reasons and causes each differ by CIEDE2000 >= 12, and >= 7 with protanopia, deuteranopia or tritanopia simulated', () => {
  assert.equal(RUN_COLORS.length, 10, `ten runs of one policy get ${RUN_COLORS.length} colours`);
  // A policy's own colour is one of the run colours, so the distances below cover them too.
  for (const policy of POLICY_NAMES)
    assert.ok(RUN_COLORS.includes(policyColor(policy)), `${policy}: ${policyColor(policy)}`);
  for (const [what, colors] of Object.entries({ runs: RUN_COLORS, reasons: REASON_COLORS, causes: CAUSE_COLORS })) {
    assert.equal(new Set(colors).size, colors.length, `${what}: ${colors}`);
    const near = closest(colors);
    for (const [vision, { dE, pair }] of Object.entries(near))
      assert.ok(dE >= (vision === 'normal' ? 12 : 7), `${what}, ${vision}: ${pair} differ by ${dE.toFixed(1)}`);
  }
  // The colours the first runs of a chart take are the farthest apart: a few runs never look alike.
  for (const [vision, { dE, pair }] of Object.entries(closest(RUN_COLORS.slice(0, 4))))
    assert.ok(dE >= 10, `first four, ${vision}: ${pair} differ by ${dE.toFixed(1)}`);
});

test("property: the runs of a chart all get different colours; a run keeps its policy's unless an earlier run of the chart has it; the same runs give the same colours", () => {
  const policy = fc.constantFrom(...POLICY_NAMES, 'mine', 'theirs');
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), policy), {
        minLength: 1,
        maxLength: 10,
        selector: ([name]) => name,
      }),
      (list) => {
        const runs = list.map(([name, p]) => chartRun(name, p));
        const colors = responseColors(runs);
        assert.deepEqual(
          [...colors.keys()],
          runs.map((r) => r.name),
        );
        assert.equal(new Set(colors.values()).size, runs.length);
        runs.forEach((run, i) => {
          const earlier = runs.slice(0, i).some((r) => policyColor(r.policy) === policyColor(run.policy));
          if (!earlier) assert.equal(colors.get(run.name), policyColor(run.policy), run.name);
          assert.ok(RUN_COLORS.includes(colors.get(run.name)!));
        });
        assert.deepEqual(responseColors(runs), colors);
      },
    ),
    { numRuns: 200 },
  );
});

// ---- The user's path: a lab executed as `migration-lab run` and the editor execute it ----

const LAB = `# Two runs of one policy
\`\`\`params
rate: 300/s
\`\`\`
\`\`\`machine
name: duo
sockets: 1
coresPerSocket: 2
\`\`\`
\`\`\`workload
name: jobs
processes:
  - { name: job, arrival: poisson $rate, demand: exp 2ms }
\`\`\`
\`\`\`run
name: first
machine: duo
workload: jobs
policy: least-loaded
duration: 200ms
seed: 1
\`\`\`
\`\`\`run
name: other
machine: duo
workload: jobs
policy: pinned
duration: 200ms
seed: 1
\`\`\`
\`\`\`run
name: second
machine: duo
workload: jobs
policy: least-loaded
duration: 300ms
seed: 2
\`\`\`
\`\`\`chart
show: response
runs: [first, second, other]
\`\`\`
\`\`\`chart
show: load
runs: [second]
\`\`\`
\`\`\`chart
show: sweep
runs: [first, second]
param: rate
values: [200/s, 400/s]
seeds: 1
metric: meanResponseS
\`\`\`
`;

async function chartsOf(text: string) {
  const execution = await executeLab(parseLab(text), { host: inProcessRunHost });
  return execution.charts.map(({ chart }) => {
    assert.ok(chart.ok, chart.ok ? '' : chart.error);
    return chart.value.spec;
  });
}

test('a lab with two runs of one policy draws them in two colours, each run in the same colour in every chart, a lone policy in its own colour', async () => {
  const [response, load, sweep] = await chartsOf(LAB);
  const colors = runColorsOf(response, ['first', 'second', 'other']);
  assert.equal(colors.get('first'), policyColor('least-loaded'));
  assert.equal(colors.get('other'), policyColor('pinned'));
  assert.notEqual(colors.get('second'), colors.get('first'));
  assert.notEqual(colors.get('second'), colors.get('other'));
  // Alone in a chart, `second` keeps the colour it has in the lab.
  assert.equal(runColorsOf(load, ['second']).get('second'), colors.get('second'));
  // The sweep draws one line per run (they share a policy), each in its run's colour.
  const lines = runColorsOf(sweep, ['first (least-loaded)', 'second (least-loaded)']);
  assert.deepEqual(Object.fromEntries(lines), {
    'first (least-loaded)': colors.get('first'),
    'second (least-loaded)': colors.get('second'),
  });
});

test('the energy lab draws performance and schedutil in different colours in every chart', async () => {
  const text = readFileSync(new URL('../../examples/energy.lab.md', import.meta.url), 'utf8');
  const specs = await chartsOf(text);
  let both = 0;
  for (const spec of specs) {
    const colors = runColorsOf(spec, ['performance', 'schedutil']);
    if (!colors.has('performance') || !colors.has('schedutil')) continue;
    both++;
    assert.notEqual(colors.get('performance'), colors.get('schedutil'));
    assert.equal(new Set(colors.values()).size, colors.size, JSON.stringify([...colors]));
  }
  assert.ok(both >= 3, `${both} charts draw both runs`);
});
