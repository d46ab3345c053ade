// Fixed colours for miss causes and migration reasons, so a cause or reason looks the same in
// every chart (Okabe-Ito and Tol's colour-blind-safe palettes).
import { MISS_CAUSES, REASONS } from '../../sim';

const CAUSE_COLORS: Record<(typeof MISS_CAUSES)[number], string> = {
  cold: '#999999',
  migration: '#D55E00',
  eviction: '#E69F00',
  capacity: '#0072B2',
  coherence: '#CC79A7',
};

const REASON_COLORS: Record<(typeof REASONS)[number], string> = {
  'load-balance': '#0072B2',
  'cache-contention': '#E69F00',
  'cpu-contention': '#56B4E9',
  heterogeneity: '#009E73',
  energy: '#F0E442',
  fault: '#D55E00',
  deadline: '#CC79A7',
  thermal: '#882255',
  numa: '#332288',
  maintenance: '#999999',
  request: '#44AA99',
};

export const causeScale = { domain: [...MISS_CAUSES], range: MISS_CAUSES.map((c) => CAUSE_COLORS[c]) };
/** Colours for the reasons that occur (all ten when none does), each in its fixed colour. */
export function reasonScale(present: ReadonlySet<string>) {
  const reasons = REASONS.filter((r) => present.size === 0 || present.has(r));
  return { domain: reasons, range: reasons.map((r) => REASON_COLORS[r]) };
}
