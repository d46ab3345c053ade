/**
 * Lumped RC thermal model per core (HotSpot, Skadron et al. 2003; docs/model.md, Heat):
 *
 *   C dT/dt = P(T) - (T - T_amb) / R,  with P(T) = A + B (T - T_amb)
 *
 * where A is the core's power at ambient temperature and B how much its static power rises per
 * kelvin. Writing theta = T - T_amb and g = 1/R - B (> 0, checked when resolving), power is
 * constant between engine events, so the equation is solved exactly between them:
 *
 *   theta(t) = theta_inf + (theta_0 - theta_inf) exp(-t / tau),  theta_inf = A / g,  tau = C / g
 *
 * With B = 0 this is the step response T(t) = T_amb + P R (1 - exp(-t / RC)). No fixed time step.
 */
import { SimConfigError } from './errors';
import { onlySectionKeys, readNumber, type Section } from './spec';
import { optionalRecord } from './validate';

export interface ResolvedThermal {
  ambientC: number;
  resistanceKPerW: number;
  capacitanceJPerK: number;
  throttleC: number;
  hysteresisC: number;
}

export const THERMAL = {
  ambientC: {
    kind: 'number',
    unit: 'C',
    lab: 'ambient',
    min: -273.15,
    max: 200,
    default: 45,
    doc: 'Ambient temperature.',
    source: 'HotSpot (Skadron et al., ISCA 2003)',
  },
  resistanceKPerW: {
    kind: 'number',
    unit: 'K/W',
    lab: 'resistance',
    above: 0,
    default: 2,
    doc: 'Thermal resistance from a core to ambient: a core drawing P watts settles at ambient + P x this.',
    source: 'estimate: with 0.05 J/K a 0.1 s time constant, a core with its share of the spreader',
  },
  capacitanceJPerK: {
    kind: 'number',
    unit: 'J/K',
    lab: 'capacitance',
    above: 0,
    default: 0.05,
    doc: 'Heat capacity of a core.',
    source: 'estimate (see resistance)',
  },
  throttleC: {
    kind: 'number',
    unit: 'C',
    lab: 'throttle',
    max: 300,
    default: 85,
    doc: 'Trip point: at this temperature the core is throttled to a lower P-state (above ambient).',
    source: 'typical trip point',
  },
  hysteresisC: {
    kind: 'number',
    unit: 'C',
    lab: 'hysteresis',
    // Crossings are exact, with no polling interval: with no hysteresis a core at its trip point
    // would be capped and released every nanosecond or two (a 20 ms run took 31 s). Linux's
    // thermal zones poll, or keep a hysteresis; 0.1 C keeps the switching to milliseconds.
    min: 0.1,
    default: 2,
    doc: 'Throttling is lifted a step once the core is this many degrees below the trip point (at least 0.1 C).',
    source: 'typical hysteresis',
  },
} satisfies Section;

/** Checks a machine's `thermal` section; null when absent (temperature is not simulated). */
export function resolveThermal(value: unknown, path: string): ResolvedThermal | null {
  if (value === undefined) return null;
  const t = optionalRecord(value, path);
  onlySectionKeys(t, path, THERMAL);
  const ambientC = readNumber(THERMAL.ambientC, t.ambientC, `${path}.ambientC`);
  const throttleC = readNumber(THERMAL.throttleC, t.throttleC, `${path}.throttleC`);
  if (throttleC <= ambientC) {
    throw new SimConfigError(
      `${path}.throttleC`,
      `the trip point (${throttleC} C) must be above the ambient temperature (${ambientC} C)`,
    );
  }
  const hysteresisC = readNumber(THERMAL.hysteresisC, t.hysteresisC, `${path}.hysteresisC`);
  if (hysteresisC >= throttleC - ambientC) {
    throw new SimConfigError(
      `${path}.hysteresisC`,
      `must be smaller than trip point minus ambient (${throttleC - ambientC} C)`,
    );
  }
  return {
    ambientC,
    resistanceKPerW: readNumber(THERMAL.resistanceKPerW, t.resistanceKPerW, `${path}.resistanceKPerW`),
    capacitanceJPerK: readNumber(THERMAL.capacitanceJPerK, t.capacitanceJPerK, `${path}.capacitanceJPerK`),
    throttleC,
    hysteresisC,
  };
}

/** Temperature above ambient after `dtS` seconds at constant coefficients (closed form). */
export function thetaAfter(theta0: number, a: number, g: number, capacitance: number, dtS: number): number {
  const inf = a / g;
  return inf + (theta0 - inf) * Math.exp((-dtS * g) / capacitance);
}

/** Integral of theta over [0, dtS] in kelvin-seconds (closed form). */
export function thetaIntegral(theta0: number, a: number, g: number, capacitance: number, dtS: number): number {
  const inf = a / g;
  const tau = capacitance / g;
  return inf * dtS - (theta0 - inf) * tau * Math.expm1(-dtS / tau);
}

/**
 * Seconds until theta reaches `target` from `theta0` heading to `a / g`; Infinity when it never
 * does, 0 when it is there already (or past it in the direction of travel).
 */
export function secondsUntil(theta0: number, target: number, a: number, g: number, capacitance: number): number {
  const inf = a / g;
  if (theta0 < target) {
    if (inf <= target) return Infinity;
  } else if (theta0 > target) {
    if (inf >= target) return Infinity;
  } else return 0;
  return (capacitance / g) * Math.log((theta0 - inf) / (target - inf));
}
