// Confidence intervals and the formatting of metrics with their units.
import assert from 'node:assert/strict';
import test from 'node:test';
import { meanInterval, tQuantile95 } from '../../src/lab/stats';
import { formatInterval, formatMetric, unitOfKey } from '../../src/lab/format';

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
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let covered = 0;
  const trials = 2000;
  for (let t = 0; t < trials; t++) {
    const { mean, halfWidth } = meanInterval(Array.from({ length: 10 }, next));
    if (Math.abs(mean - 0.5) <= halfWidth) covered++;
  }
  assert.ok(covered / trials > 0.93 && covered / trials < 0.97, `${covered / trials}`);
});

test('metric units come from the key; times pick a readable unit', () => {
  assert.equal(unitOfKey('meanResponseS'), 's');
  assert.equal(unitOfKey('throughputPerS'), '/s');
  assert.equal(unitOfKey('energyJ'), 'J');
  assert.equal(unitOfKey('edpJs'), 'J·s');
  assert.equal(unitOfKey('peakTempC'), '°C');
  assert.equal(unitOfKey('migrations'), '');
  assert.equal(formatMetric('meanResponseS', 0.0042), '4.2 ms');
  assert.equal(formatMetric('makespanS', 3.5), '3.5 s');
  assert.equal(formatMetric('migrations', 123456), '123,456');
  assert.equal(formatMetric('migrationsByReason', { 'load-balance': 3, fault: 0 }), 'load-balance 3');
  assert.equal(formatInterval('meanResponseS', 0.302, 0.0014), '302 ± 1.4 ms');
  assert.equal(formatInterval('makespanS', 1.378, 1.6e-16), '1.378 ± 0 s');
});
