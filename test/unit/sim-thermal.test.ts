/**
 * The RC thermal model against its closed form (docs/model.md, "Heat" and "Checked against
 * closed forms"), static power rising with temperature, and throttling at the trip point with
 * hysteresis.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulate, SimConfigError, type MachineConfig, type PolicyFactory, type SimConfig } from '../../src/sim/index';

const PSTATES = [
  { freqHz: 1.2e9, voltV: 0.8 },
  { freqHz: 2.4e9, voltV: 1.0 },
  { freqHz: 3.2e9, voltV: 1.2 },
];
const C = 436e-12;
const STATIC = 0.3;
const BUSY_W = C * 1.44 * 3.2e9 + STATIC;

/** Pins everything on CPU 0 and samples view.temperatureC(0) every `everyNs`. */
function sampler(samples: Array<[number, number]>, everyNs: number): PolicyFactory {
  return () => ({
    name: 'sampler',
    balanceIntervalNs: everyNs,
    place: () => 0,
    balance(view) {
      samples.push([view.nowNs, view.temperatureC(0)]);
    },
  });
}

function oneBusyCpu(
  thermal: MachineConfig['thermal'],
  demandNs: number,
  power: MachineConfig['power'] = { idleStates: [] },
): SimConfig {
  return {
    machine: { sockets: 1, coresPerSocket: 1, contextSwitchNs: 0, pstates: PSTATES, power, thermal },
    workload: { groups: [{ name: 'hot', count: 1, demand: { kind: 'fixed', valueNs: demandNs }, workingSetBytes: 0 }] },
    policy: { name: 'sampler' },
    scheduler: { kind: 'fcfs' },
    durationNs: 100e9,
    seed: 1,
  };
}

test('RC step response: T(t) = T_amb + P R (1 - exp(-t / RC)) to 0.1 C', () => {
  const R = 10;
  const Cth = 0.05;
  const samples: Array<[number, number]> = [];
  const r = simulate(oneBusyCpu({ ambientC: 45, resistanceKPerW: R, capacitanceJPerK: Cth, throttleC: 200 }, 2e9), {
    policy: sampler(samples, 10e6),
  });
  assert.ok(samples.length > 150);
  for (const [t, temp] of samples) {
    const expected = 45 + BUSY_W * R * (1 - Math.exp(-t / 1e9 / (R * Cth)));
    assert.ok(Math.abs(temp - expected) < 0.1, `at ${t / 1e6} ms: ${temp} vs ${expected}`);
  }
  // Heating is monotone while the work runs, so the peak is the value at its end.
  const end = 2;
  const tau = R * Cth;
  assert.equal(r.summary.makespanS, end);
  assert.ok(Math.abs(r.summary.peakTempC! - (45 + BUSY_W * R * (1 - Math.exp(-end / tau)))) < 1e-6);
  // The temperature series holds bin averages of the same curve.
  const binS = r.series.binNs / 1e9;
  r.series.cpus[0]!.temperatureC!.forEach((temp, b) => {
    if ((b + 1) * binS > end) return;
    const t0 = b * binS;
    const t1 = Math.min(end, t0 + binS);
    const avg = 45 + BUSY_W * R * (1 - (tau / (t1 - t0)) * (Math.exp(-t0 / tau) - Math.exp(-t1 / tau)));
    assert.ok(Math.abs(temp - avg) < 0.1, `bin ${b}: ${temp} vs ${avg}`);
  });
  assert.deepEqual(r.series.thermal, { ambientC: 45, tripC: 200, hysteresisC: 2 });
  assert.equal(r.summary.throttledS, 0);
});

test('a cooling core follows the same exponential back to ambient', () => {
  // Busy for 0.5 s, then idle (no idle states: static power only) until a late arrival.
  const samples: Array<[number, number]> = [];
  const cfg = oneBusyCpu({ ambientC: 30, resistanceKPerW: 10, capacitanceJPerK: 0.02, throttleC: 200 }, 0.5e9);
  cfg.workload.groups.push({
    name: 'late',
    count: 1,
    arrival: { kind: 'fixed', atNs: 1.5e9 },
    demand: { kind: 'fixed', valueNs: 1e6 },
    workingSetBytes: 0,
  });
  simulate(cfg, { policy: sampler(samples, 10e6) });
  const tau = 0.2;
  const at05 = 30 + BUSY_W * 10 * (1 - Math.exp(-0.5 / tau));
  const idleInf = 30 + STATIC * 10;
  for (const [t, temp] of samples.filter(([t]) => t > 0.5e9 && t <= 1.5e9)) {
    const expected = idleInf + (at05 - idleInf) * Math.exp(-(t / 1e9 - 0.5) / tau);
    assert.ok(Math.abs(temp - expected) < 0.1, `at ${t / 1e6} ms: ${temp} vs ${expected}`);
  }
});

test('static power rising with temperature: energy = A t + B x integral of (T - T_amb), exactly', () => {
  const R = 10;
  const Cth = 0.05;
  const k = 0.02; // +2 % static power per kelvin
  const r = simulate({
    ...oneBusyCpu({ ambientC: 45, resistanceKPerW: R, capacitanceJPerK: Cth, throttleC: 250 }, 1e9, {
      idleStates: [],
      staticPerK: k,
    }),
    policy: { name: 'pinned' },
  });
  assert.equal(r.summary.simulatedS, 1);
  const A = BUSY_W;
  const B = k * STATIC;
  const g = 1 / R - B;
  const tau = Cth / g;
  const inf = A / g;
  const t = 1;
  const integral = inf * t - inf * tau * (1 - Math.exp(-t / tau));
  const expected = A * t + B * integral;
  assert.ok(Math.abs(r.summary.energyJ! - expected) < 1e-9 * expected, `${r.summary.energyJ} vs ${expected}`);
  assert.ok(
    Math.abs(r.summary.peakTempC! - (45 + inf * (1 - Math.exp(-t / tau)))) < 1e-6,
    'leakage heats further than R x P at ambient',
  );
  assert.ok(Math.abs(r.summary.meanTempC! - (45 + integral / t)) < 1e-6, `mean ${r.summary.meanTempC}`);
});

test('throttling keeps the core within the trip point (plus a bounded overshoot) and costs run time', () => {
  // At 3.2 GHz the core would settle at 45 + 2.31 W x 20 K/W = 91 C; at 2.4 GHz at 72 C; at 1.2 GHz at 58 C.
  const thermal = { ambientC: 45, resistanceKPerW: 20, capacitanceJPerK: 0.01, throttleC: 70, hysteresisC: 2 };
  const samples: Array<[number, number]> = [];
  const hot = simulate(oneBusyCpu(thermal, 2e9), { policy: sampler(samples, 1e6) });
  const free = simulate(oneBusyCpu({ ...thermal, throttleC: 150 }, 2e9), { policy: sampler([], 1e9) });
  assert.ok(free.summary.peakTempC! > 85, `unthrottled it gets hot: ${free.summary.peakTempC}`);
  const overshoot = 0.01;
  assert.ok(hot.summary.peakTempC! <= 70 + overshoot, `peak ${hot.summary.peakTempC}`);
  for (const [t, temp] of samples) assert.ok(temp <= 70 + overshoot, `at ${t / 1e6} ms: ${temp}`);
  for (const temp of hot.series.cpus[0]!.temperatureC!) assert.ok(temp <= 70 + overshoot);
  // After the first trip it oscillates inside the hysteresis band: between 68 C and 70 C.
  const firstTrip = samples.findIndex(([, temp]) => temp > 69.9);
  assert.ok(firstTrip > 0);
  for (const [t, temp] of samples.slice(firstTrip)) assert.ok(temp > 68 - 0.5, `at ${t / 1e6} ms it cooled to ${temp}`);
  assert.ok(hot.summary.throttledS! > 1, `throttled ${hot.summary.throttledS} s`);
  assert.ok(hot.summary.makespanS > 1.2 * free.summary.makespanS, 'the capped frequency slows the work');
  const freqs = hot.series.cpus[0]!.frequencyHz!;
  assert.ok(Math.min(...freqs) < 3.2e9 * 0.8, 'the frequency series shows the cap');
});

test('a cap that even the lowest P-state cannot hold stays at the lowest P-state', () => {
  // Static power alone would heat the core to 45 + 0.3 x 100 = 75 C > 70 C: nothing to do but run slowly.
  const thermal = { ambientC: 45, resistanceKPerW: 100, capacitanceJPerK: 0.002, throttleC: 70 };
  const r = simulate(oneBusyCpu(thermal, 0.5e9), { policy: sampler([], 1e9) });
  const freqs = r.series.cpus[0]!.frequencyHz!;
  assert.ok(Math.abs(freqs[freqs.length - 1]! - 1.2e9) < 1, 'ends at the lowest P-state');
  assert.equal(r.summary.completed, 1);
});

test('invalid thermal settings name the field', () => {
  const bad = (thermal: unknown, path: string, pattern: RegExp) => {
    assert.throws(
      () => simulate({ ...oneBusyCpu(thermal as MachineConfig['thermal'], 1e6), policy: { name: 'pinned' } }),
      (e: unknown) => e instanceof SimConfigError && e.path === path && pattern.test(e.message),
      path,
    );
  };
  bad({ ambientC: 45, throttleC: 40 }, 'machine.thermal.throttleC', /must be above the ambient/);
  bad({ resistanceKPerW: 0 }, 'machine.thermal.resistanceKPerW', /greater than 0/);
  bad({ capacitanceJPerK: -1 }, 'machine.thermal.capacitanceJPerK', /greater than 0/);
  bad({ hysteresisC: 50 }, 'machine.thermal.hysteresisC', /smaller than trip point minus ambient/);
  // No hysteresis would chatter at the trip point every nanosecond or two: refused at the value.
  bad({ hysteresisC: 0 }, 'machine.thermal.hysteresisC', /0\.1/);
  bad({ tripC: 80 }, 'machine.thermal.tripC', /unknown field/);
  assert.throws(
    () => simulate({ ...oneBusyCpu({ resistanceKPerW: 10 }, 1e6, { staticPerK: 0.5 }), policy: { name: 'pinned' } }),
    (e: unknown) => e instanceof SimConfigError && e.path === 'machine.power.staticPerK' && /runaway/.test(e.message),
  );
});
