// One colour per policy, the same in every chart of every lab, from the Okabe-Ito palette
// (distinguishable with the common forms of colour blindness).
const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#999999'];
const EXTRA = ['#332288', '#88CCEE', '#44AA99', '#117733', '#999933', '#DDCC77', '#CC6677', '#882255', '#AA4499'];
const PALETTE = [...OKABE_ITO, ...EXTRA];

/** Built-in policies in a fixed order: each gets its own colour. */
const KNOWN_POLICIES = [
  'pinned',
  'least-loaded',
  'work-stealing',
  'linux-cfs',
  'cache-affinity',
  'energy-aware',
  'random',
  'global-queue',
  'round-robin',
  'periodic-push',
  'power-of-two',
  'numa-aware',
  'thermal-aware',
  'heterogeneity-aware',
  'global-edf',
  'partitioned-edf',
];

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function policyColor(policy: string): string {
  const known = KNOWN_POLICIES.indexOf(policy);
  return PALETTE[(known >= 0 ? known : hash(policy)) % PALETTE.length];
}

/** A Vega-Lite colour scale that gives each of these names its stable colour. */
export function colorScale(names: readonly string[], colorOf: (name: string) => string = policyColor) {
  return { domain: [...names], range: names.map(colorOf) };
}
