// Confidence intervals and the formatting of metrics with their units.
import assert from 'node:assert/strict';
import test from 'node:test';
import { meanInterval, tQuantile95 } from '../../src/lab/run/stats';
import {
  formatDifference,
  formatInterval,
  formatMetric,
  onScale,
  scaleFor,
  unitOf,
} from '../../src/lab/outputs/format';

test('t quantiles: the table for few samples, the normal limit for many', () => {
  assert.equal(tQuantile95(1), 12.706);
  assert.equal(tQuantile95(9), 2.262);
  assert.ok(Math.abs(tQuantile95(60) - 2.0003) < 0.002);
  assert.ok(Math.abs(tQuantile95(1e6) - 1.96) < 0.001);
  assert.ok(tQuantile95(31) < tQuantile95(30) && tQuantile95(31) > tQuantile95(40));
});

test('mean interval of known samples', () => {
  const interval = meanInterval([1, 2, 3, 4, 5]);
  assert.equal(interval.mean, 3);
  // s = sqrt(2.5), half-width = t(4) s / sqrt(5)
  assert.ok(Math.abs(interval.halfWidth - (2.776 * Math.sqrt(2.5)) / Math.sqrt(5)) < 1e-9);
  assert.ok(Number.isNaN(meanInterval([7]).halfWidth));
});

test('95 % intervals cover the true mean about 95 % of the time', () => {
  // A deterministic LCG: uniform samples with mean 0.5.
  let state = 12345;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let covered = 0;
  const trials = 2000;
  for (let t = 0; t < trials; t++) {
    const { mean, halfWidth } = meanInterval(Array.from({ length: 10 }, next));
    if (Math.abs(mean - 0.5) <= halfWidth) covered++;
  }
  assert.ok(covered / trials > 0.93 && covered / trials < 0.97, `${covered / trials}`);
});

test('each metric in its own unit and precision: times pick a readable unit, fractions read as percentages, counts as whole numbers', () => {
  assert.equal(unitOf('meanResponseS'), 'seconds');
  assert.equal(unitOf('throughputPerS'), 'per-second');
  assert.equal(unitOf('deadlineMissRatio'), 'fraction');
  assert.equal(unitOf('migrations'), 'count');
  assert.equal(formatMetric('meanResponseS', 0.0042), '4.2 ms');
  assert.equal(formatMetric('makespanS', 3.5), '3.5 s');
  assert.equal(formatMetric('makespanS', 0.1981234), '198.1 ms');
  assert.equal(formatMetric('migrations', 123456), '123,456');
  assert.equal(formatMetric('meanUtilization', 0.75471), '75.5 %');
  assert.equal(formatMetric('deadlineMissRatio', 0.0351), '3.51 %');
  assert.equal(formatMetric('energyJ', 92.0449), '92.04 J');
  assert.equal(formatMetric('peakTempC', 49.4567), '49.46 °C');
  assert.equal(formatMetric('migrationsByReason', { 'load-balance': 3, fault: 0 }), 'load-balance 3');
  assert.equal(formatInterval('meanResponseS', 0.302, 0.0014), '302.0 ± 1.4 ms');
  assert.equal(formatInterval('makespanS', 1.378, 1.6e-16), '1.378 ± 0.000 s');
});

test('values shown together share one scale: a column of means, their intervals and paired differences', () => {
  const scale = scaleFor('meanResponseS', [0.08539, 0.0837]);
  assert.deepEqual(scale, { symbol: 'ms', factor: 1e3, decimals: 2 });
  assert.equal(formatInterval('meanResponseS', 0.0837, 0.0009446, scale), '83.70 ± 0.94 ms');
  // Float noise in a difference of identical runs reads as 0, in the metric's unit (not 8.4e-17 s).
  assert.equal(formatDifference({ mean: 8.371e-17, halfWidth: 0 }, scale), '0.00 ± 0.00 ms');
  assert.equal(formatDifference({ mean: -0.001696, halfWidth: 0.000829 }, scale), '\u22121.70 ± 0.83 ms');
  assert.equal(formatDifference({ mean: 2, halfWidth: Number.NaN }, scaleFor('migrations', [10, 12])), '+2');
  assert.equal(onScale(-0.0001, scale), '-0.10');
});
