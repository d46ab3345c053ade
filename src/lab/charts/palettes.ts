// Fixed colours for miss causes and migration reasons, so a cause or reason looks the same in
// every chart; all from the charts' palette (colors.ts), so each reads on light and dark themes.
import { MISS_CAUSES, REASONS, type MissCause, type Reason } from '../../sim';
import { PALETTE, type Hue } from './colors';

const CAUSE_HUES: Record<MissCause, Hue> = {
  cold: 'grey',
  migration: 'red',
  eviction: 'orange',
  capacity: 'blue',
  coherence: 'purple',
};

/** All eleven colours, one per reason. */
const REASON_HUES: Record<Reason, Hue> = {
  'load-balance': 'blue',
  'cache-contention': 'orange',
  'cpu-contention': 'sky',
  heterogeneity: 'green',
  energy: 'olive',
  fault: 'red',
  deadline: 'purple',
  thermal: 'magenta',
  numa: 'lavender',
  maintenance: 'grey',
  request: 'moss',
};

export const causeColor = (cause: MissCause): string => PALETTE[CAUSE_HUES[cause]];
export const reasonColor = (reason: Reason): string => PALETTE[REASON_HUES[reason]];

export const causeScale = { domain: [...MISS_CAUSES], range: MISS_CAUSES.map(causeColor) };
/** Colours for the reasons that occur (all eleven when none does), each in its fixed colour. */
export function reasonScale(present: ReadonlySet<string>) {
  const reasons = REASONS.filter((r) => present.size === 0 || present.has(r));
  return { domain: reasons, range: reasons.map(reasonColor) };
}
