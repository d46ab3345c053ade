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
import { onlyKeys, optNum, optionalRecord } from './validate';

export interface ResolvedThermal {
  ambientC: number;
  resistanceKPerW: number;
  capacitanceJPerK: number;
  throttleC: number;
  hysteresisC: number;
}

const THERMAL_KEYS = ['ambientC', 'resistanceKPerW', 'capacitanceJPerK', 'throttleC', 'hysteresisC'] as const;

/** Checks a machine's `thermal` section; null when absent (temperature is not simulated). */
export function resolveThermal(value: unknown, path: string): ResolvedThermal | null {
  if (value === undefined) return null;
  const t = optionalRecord(value, path);
  onlyKeys(t, path, THERMAL_KEYS);
  // HotSpot's ambient; 2 K/W and 0.05 J/K give a 0.1 s time constant (a core with its share of the spreader, estimate).
  const ambientC = optNum(t.ambientC, `${path}.ambientC`, 45, { min: -273.15, max: 200 });
  const throttleC = optNum(t.throttleC, `${path}.throttleC`, 85, { max: 300 });
  if (throttleC <= ambientC) {
    throw new SimConfigError(`${path}.throttleC`, `the trip point (${throttleC} C) must be above the ambient temperature (${ambientC} C)`);
  }
  const hysteresisC = optNum(t.hysteresisC, `${path}.hysteresisC`, 2, { min: 0 });
  if (hysteresisC >= throttleC - ambientC) {
    throw new SimConfigError(`${path}.hysteresisC`, `must be smaller than trip point minus ambient (${throttleC - ambientC} C)`);
  }
  return {
    ambientC,
    resistanceKPerW: optNum(t.resistanceKPerW, `${path}.resistanceKPerW`, 2, { above: 0 }),
    capacitanceJPerK: optNum(t.capacitanceJPerK, `${path}.capacitanceJPerK`, 0.05, { above: 0 }),
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
