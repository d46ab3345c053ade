// The charts' colours and who gets which: one palette that reads on light and dark themes, a
// colour per policy, and distinct colours for the runs of one lab (two runs of a policy too).
import type { PolicyName } from '../../sim';

/**
 * Eleven colours taken from colour-blind-safe palettes, Okabe & Ito, "Color Universal Design"
 * (https://jfly.uni-koeln.de/color/) and Paul Tol's "bright", "vibrant" and "muted" schemes
 * (https://personal.sron.nl/~pault/), each moved in CIELAB lightness (hue kept, chroma lowered
 * only where sRGB cannot show it) to a relative luminance between 0.16 and 0.29. A mark then
 * has a WCAG 2 contrast of at least 3:1 (the minimum for graphics, WCAG 2.1 SC 1.4.11) on a
 * white background (Light Modern, High Contrast Light, the "light charts" setting) and on a dark
 * grey or black one (Dark Modern #1f1f1f, Dark+ #1e1e1e, High Contrast). As published, several
 * have less than 3:1 on white (Okabe-Ito's orange, yellow and grey, Tol's cyan) or on dark grey
 * (Tol's indigo).
 * The order is the order runs take them: each colour is as far (CIEDE2000, also with protanopia,
 * deuteranopia and tritanopia simulated) from the ones before it as the set allows.
 * test/unit/chart-colors.test.ts measures all of this.
 */
export const PALETTE = {
  blue: '#1578B8', // Okabe-Ito blue #0072B2
  orange: '#BE8200', // Okabe-Ito orange #E69F00
  red: '#C44056', // Tol bright red #EE6677
  lavender: '#9C7DF2', // Tol muted indigo #332288
  green: '#02815E', // Okabe-Ito bluish green #009E73
  olive: '#797300', // Okabe-Ito yellow #F0E442
  magenta: '#FD4483', // Tol vibrant magenta #EE3377
  sky: '#5398B9', // Tol muted cyan #88CCEE
  purple: '#B0499E', // Tol muted purple #AA4499
  grey: '#878787', // Okabe-Ito grey #999999
  moss: '#849C54', // no published source: the colour farthest (CIEDE2000, all four visions) from the ten above, for the eleventh reason
} as const;
export type Hue = keyof typeof PALETTE;
const ORDER = Object.values(PALETTE);

/**
 * Each built-in policy's own colour. Eleven colours for sixteen policies: the ones sharing a
 * colour seldom meet in a lab (and when they do, runColors gives the later one another).
 */
const POLICY_HUES: Record<PolicyName, Hue> = {
  pinned: 'blue',
  'least-loaded': 'orange',
  'work-stealing': 'red',
  'linux-cfs': 'lavender',
  'cache-affinity': 'green',
  'energy-aware': 'olive',
  random: 'magenta',
  'periodic-push': 'sky',
  'round-robin': 'purple',
  'global-queue': 'grey',
  'power-of-two': 'sky',
  'numa-aware': 'green',
  'heterogeneity-aware': 'green',
  'thermal-aware': 'red',
  'partitioned-edf': 'orange',
  'global-edf': 'red',
};

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** A policy's colour: its own for a built-in one, one picked by its name for a policy cell's. */
export function policyColor(policy: string): string {
  if (Object.hasOwn(POLICY_HUES, policy)) return PALETTE[POLICY_HUES[policy as PolicyName]];
  return ORDER[hash(policy) % ORDER.length];
}

/**
 * A colour for each name, all different while there are no more names than colours: a name gets
 * the colour it wants unless an earlier name (in the order given) wants it too; those left get
 * the palette's colours that nobody has, in palette order. Past eleven names colours repeat.
 */
export function distinctColors(wanted: readonly (readonly [name: string, color: string])[]): Map<string, string> {
  const granted = new Map<string, string>();
  const taken = new Set<string>();
  for (const [name, color] of wanted) {
    if (granted.has(name) || taken.has(color)) continue;
    granted.set(name, color);
    taken.add(color);
  }
  // In the order given (a scale's domain order is its legend's).
  const colors = new Map<string, string>();
  let spare = 0;
  for (const [name] of wanted) {
    if (colors.has(name)) continue;
    const color = granted.get(name) ?? ORDER.find((c) => !taken.has(c)) ?? ORDER[spare++ % ORDER.length];
    colors.set(name, color);
    taken.add(color);
  }
  return colors;
}

/** The runs' colours in a lab (runs in file order): each its policy's colour, unless an earlier run of the lab has it. */
export function runColors(runs: readonly { name: string; policy: string }[]): Map<string, string> {
  return distinctColors(runs.map((r) => [r.name, policyColor(r.policy)]));
}

/** A Vega-Lite colour scale giving each name its colour, in the order of the map. */
export function colorScale(colors: ReadonlyMap<string, string>) {
  return { domain: [...colors.keys()], range: [...colors.values()] };
}
