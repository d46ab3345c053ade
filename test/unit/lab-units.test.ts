import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DIMENSIONS,
  formatQuantity,
  parseArrival,
  parseDistribution,
  parseQuantity,
  parseScheduler,
  parseTimeRange,
  type Dimension,
} from '../../src/lab/language/units';

const value = <T>(r: { ok: true; value: T } | { ok: false; message: string }): T => {
  if (!r.ok) throw new Error(`expected success, got: ${r.message}`);
  return r.value;
};

test('every unit of every dimension converts to the base unit', () => {
  const cases: [Dimension, string, number][] = [
    ['bytes', '3B', 3],
    ['bytes', '32KiB', 32 * 1024],
    ['bytes', '1MiB', 1024 ** 2],
    ['bytes', '2GiB', 2 * 1024 ** 3],
    ['time', '90ns', 90],
    ['time', '500us', 500_000],
    ['time', '500µs', 500_000],
    ['time', '4ms', 4_000_000],
    ['time', '1.5s', 1_500_000_000],
    ['time', '4 ms', 4_000_000],
    ['frequency', '50Hz', 50],
    ['frequency', '800kHz', 800_000],
    ['frequency', '1416MHz', 1_416_000_000],
    ['frequency', '2.4GHz', 2_400_000_000],
    ['voltage', '800mV', 0.8],
    ['voltage', '1.2V', 1.2],
    ['power', '300mW', 0.3],
    ['power', '0.3W', 0.3],
    ['energy', '5J', 5],
    ['energy', '250mJ', 0.25],
    ['temperature', '45C', 45],
    ['temperature', '85°C', 85],
    ['temperature', '-10C', -10],
    ['thermalResistance', '2K/W', 2],
    ['heatCapacity', '0.05J/K', 0.05],
    ['fraction', '30%', 0.3],
    ['fraction', '0.25', 0.25],
    ['rate', '400/s', 400],
    ['rate', '2/ms', 2000],
    ['rate', '1/us', 1e6],
    ['bandwidth', '10GiB/s', 10 * 1024 ** 3],
    ['bandwidth', '12.8GB/s', 12.8e9],
    ['bandwidth', '512MiB/s', 512 * 1024 ** 2],
  ];
  for (const [dimension, text, expected] of cases) {
    const got = value(parseQuantity(text, dimension));
    assert.ok(Math.abs(got - expected) <= Math.abs(expected) * 1e-12, `${text} as ${dimension}: ${got} != ${expected}`);
  }
});

test('every declared unit is accepted (no unit is listed but unparseable)', () => {
  for (const [dimension, info] of Object.entries(DIMENSIONS)) {
    for (const [unit, factor] of Object.entries(info.units as Record<string, number>)) {
      const got = value(parseQuantity(`2${unit}`, dimension as Dimension));
      assert.equal(got, 2 * factor, `2${unit}`);
    }
  }
});

test('quantities are exact: nothing is rounded (the keys that need whole numbers refuse the rest)', () => {
  assert.equal(value(parseQuantity('1.0000004ms', 'time')), 1_000_000.4);
  assert.equal(value(parseQuantity('1.3ns', 'time')), 1.3);
  // Decimal units shift the decimal point: 4.2 x 1000 in floating point would be 4200.000000000001.
  assert.equal(value(parseQuantity('4.2us', 'time')), 4200);
  assert.equal(value(parseQuantity('1.1us', 'time')), 1100);
  assert.equal(value(parseQuantity('1.2e-3s', 'time')), 1_200_000);
  assert.equal(value(parseQuantity('0.5KiB', 'bytes')), 512);
  assert.equal(value(parseQuantity('0.1KiB', 'bytes')), 102.4);
  // Times inside distributions, arrivals and schedulers that the simulator keeps in whole ns.
  const fine = parseDistribution('1.5ns');
  assert.ok(
    !fine.ok && fine.code === 'too-fine' && /1.5ns is not a whole number of nanoseconds/.test(fine.message),
    JSON.stringify(fine),
  );
  assert.ok(!parseArrival('every 0.5ns').ok);
  assert.ok(!parseScheduler('rr 2.5ns').ok);
  assert.deepEqual(
    parseDistribution('exp 1.5ns'),
    { ok: true, value: { kind: 'exp', meanNs: 1.5 } },
    'a mean is a parameter, kept exactly',
  );
});

test('bad units name the allowed units and point at the unit', () => {
  const r = parseQuantity('32kb', 'bytes');
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.code, 'bad-unit');
  assert.equal(r.message, 'Unknown size unit "kb": use one of B, KiB, MiB, GiB');
  assert.deepEqual([r.start, r.end], [2, 4]);

  const t = parseQuantity('4 mins', 'time');
  assert.ok(
    !t.ok && t.message === 'Unknown time unit "mins": use one of ns, us, µs, ms, s' && t.start === 2 && t.end === 6,
  );

  const f = parseQuantity('2.4GHZ', 'frequency');
  assert.ok(!f.ok && /Hz, kHz, MHz, GHz/.test(f.message));

  const v = parseQuantity('1.0W', 'voltage');
  assert.ok(!v.ok && /Unknown voltage unit "W": use one of V, mV/.test(v.message));
});

test('missing units and non-numbers are rejected', () => {
  const bare = parseQuantity('5', 'time');
  assert.ok(!bare.ok && bare.code === 'bad-unit' && /needs a unit: one of ns/.test(bare.message));
  assert.equal(value(parseQuantity('0', 'time')), 0, 'a bare zero needs no unit');
  const word = parseQuantity('fast', 'frequency');
  assert.ok(!word.ok && word.code === 'bad-number' && /like 2.4GHz/.test(word.message));
  assert.ok(!parseQuantity('', 'bytes').ok);
  assert.ok(!parseQuantity('1..2s', 'time').ok);
});

test('distributions', () => {
  assert.deepEqual(value(parseDistribution('4ms')), { kind: 'fixed', valueNs: 4e6 });
  assert.deepEqual(value(parseDistribution('fixed 2s')), { kind: 'fixed', valueNs: 2e9 });
  assert.deepEqual(value(parseDistribution('exp 4ms')), { kind: 'exp', meanNs: 4e6 });
  assert.deepEqual(value(parseDistribution('uniform 1ms 3ms')), { kind: 'uniform', minNs: 1e6, maxNs: 3e6 });
  assert.deepEqual(value(parseDistribution('lognormal 4ms 1.5')), { kind: 'lognormal', meanNs: 4e6, cv: 1.5 });
  assert.deepEqual(value(parseDistribution('pareto 1ms 100ms 1.5')), {
    kind: 'pareto',
    minNs: 1e6,
    maxNs: 1e8,
    alpha: 1.5,
  });
});

test('bad distributions say what is wrong and where', () => {
  const unit = parseDistribution('exp 4mz');
  assert.ok(!unit.ok && unit.code === 'bad-unit' && unit.start === 5 && unit.end === 7, JSON.stringify(unit));
  const arity = parseDistribution('uniform 1ms');
  assert.ok(!arity.ok && /"uniform" takes 2 arguments: uniform 1ms 3ms/.test(arity.message));
  const order = parseDistribution('uniform 3ms 1ms');
  assert.ok(!order.ok && order.code === 'out-of-range');
  const name = parseDistribution('gauss 1ms 2ms');
  assert.ok(!name.ok && /Unknown distribution "gauss"/.test(name.message) && name.start === 0 && name.end === 5);
  const word = parseDistribution('exponential');
  assert.ok(!word.ok && /Unknown distribution "exponential"/.test(word.message));
  const cv = parseDistribution('lognormal 4ms -1');
  assert.ok(!cv.ok && cv.code === 'out-of-range' && cv.start === 14);
  const alpha = parseDistribution('pareto 0ms 1ms 2');
  assert.ok(!alpha.ok && /minimum must be greater than 0/.test(alpha.message));
  const negative = parseDistribution('exp -4ms');
  assert.ok(!negative.ok && /must not be negative/.test(negative.message));
});

test('arrivals', () => {
  assert.deepEqual(value(parseArrival('0s')), { kind: 'fixed', atNs: 0 });
  assert.deepEqual(value(parseArrival('poisson 400/s')), { kind: 'poisson', ratePerS: 400 });
  assert.deepEqual(value(parseArrival('poisson 2/ms after 1s')), { kind: 'poisson', ratePerS: 2000, startNs: 1e9 });
  assert.deepEqual(value(parseArrival('every 10ms')), { kind: 'fixed', atNs: 0, everyNs: 1e7 });
  assert.deepEqual(value(parseArrival('1s every 10ms')), { kind: 'fixed', atNs: 1e9, everyNs: 1e7 });
  const rate = parseArrival('poisson 400');
  assert.ok(!rate.ok && rate.code === 'bad-unit' && /\/s, \/ms, \/us, Hz/.test(rate.message) && rate.start === 8);
  const zero = parseArrival('poisson 0/s');
  assert.ok(!zero.ok && zero.code === 'out-of-range');
  const word = parseArrival('random');
  assert.ok(!word.ok && /Unknown arrival "random"/.test(word.message));
});

test('schedulers', () => {
  assert.deepEqual(value(parseScheduler('fair')), { kind: 'fair' });
  assert.deepEqual(value(parseScheduler('fcfs')), { kind: 'fcfs' });
  assert.deepEqual(value(parseScheduler('rr 4ms')), { kind: 'rr', quantumNs: 4e6 });
  assert.deepEqual(value(parseScheduler('rr')), { kind: 'rr' });
  assert.deepEqual(value(parseScheduler('edf')), { kind: 'edf' });
  assert.deepEqual(value(parseScheduler('priority')), { kind: 'priority' });
  const unknown = parseScheduler('sjf');
  assert.ok(!unknown.ok && /Unknown scheduler "sjf": use one of: fair/.test(unknown.message));
  const args = parseScheduler('edf 4ms');
  assert.ok(!args.ok && /"edf" takes no arguments/.test(args.message) && args.start === 4);
  const q = parseScheduler('rr 4');
  assert.ok(!q.ok && q.code === 'bad-unit');
});

test('property: formatQuantity output parses back to the same value', () => {
  const dims: Dimension[] = [
    'time',
    'bytes',
    'frequency',
    'voltage',
    'power',
    'energy',
    'rate',
    'bandwidth',
    'fraction',
  ];
  fc.assert(
    fc.property(fc.constantFrom(...dims), fc.integer({ min: 1, max: 2 ** 40 }), (dimension, n) => {
      const v = dimension === 'fraction' ? n / 2 ** 40 : n;
      const back = value(parseQuantity(formatQuantity(v, dimension), dimension));
      return Math.abs(back - v) <= Math.abs(v) * 1e-5 + (dimension === 'time' || dimension === 'bytes' ? 1 : 0);
    }),
  );
});

test('a space between a number and its unit is allowed inside distributions, arrivals and schedulers', () => {
  assert.deepEqual(parseDistribution('exp 4 ms'), { ok: true, value: { kind: 'exp', meanNs: 4e6 } });
  assert.deepEqual(parseDistribution('uniform 1 ms 3 ms'), {
    ok: true,
    value: { kind: 'uniform', minNs: 1e6, maxNs: 3e6 },
  });
  assert.deepEqual(parseArrival('poisson 400/s after 1 s'), {
    ok: true,
    value: { kind: 'poisson', ratePerS: 400, startNs: 1e9 },
  });
  const unknownUnit = parseDistribution('4 parsecs');
  assert.ok(!unknownUnit.ok && unknownUnit.code === 'bad-unit', JSON.stringify(unknownUnit));
});

test('an observation window is two whole-nanosecond times; a finer end is refused at its position', () => {
  assert.deepEqual(value(parseTimeRange('1s..5s')), { startNs: 1e9, endNs: 5e9 });
  const fine = parseTimeRange('1s..1.5ns');
  assert.ok(!fine.ok);
  assert.equal(fine.code, 'too-fine');
  assert.deepEqual([fine.start, fine.end], [4, 9]);
  const backwards = parseTimeRange('5s..1s');
  assert.ok(!backwards.ok && backwards.code === 'out-of-range');
});

test('a window end past 2^53 ns and a number that overflows are refused where they are', () => {
  const far = parseTimeRange('1s..1e8s');
  assert.ok(!far.ok);
  assert.equal(far.code, 'out-of-range');
  assert.deepEqual([far.start, far.end], [4, 8]);
  assert.match(far.message, /^1e8s is more than the simulator can count exactly/);
  for (const text of ['1e400s', '1e400', '  2e308 ms']) {
    const r = parseQuantity(text, 'time');
    assert.ok(!r.ok, text);
    assert.equal(r.code, 'out-of-range', text);
    assert.equal(r.message, `${text.trim()} is too large a number`);
    assert.deepEqual([r.start, r.end], [text.length - text.trimStart().length, text.length], text);
  }
});
