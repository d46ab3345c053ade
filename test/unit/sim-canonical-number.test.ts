/**
 * The digit-by-digit number writer of the canonical form gives exactly the text of its
 * definition, String(Number(x.toPrecision(12))) for non-integers and String(x) for integers,
 * over every kind of double: random bit patterns, the ranges results hold, integers around
 * 2^31 and 2^53, powers of ten, and the values whose rounding is a tie or nearly one (dyadic
 * fractions and 13-digit decimals ending in 5), where the writer decides by exact arithmetic.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MAX_NUMBER_BYTES, writeCanonicalNumber } from '../../src/sim/canonical-number';

/** The canonical number as digest.ts wrote it before the fast writer: the reference. */
function reference(value: number): string {
  if (!Number.isFinite(value)) return 'null';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(12)));
}

const buf = new Uint8Array(4 * MAX_NUMBER_BYTES);
const decoder = new TextDecoder();

/** What the writer writes, in the middle of a buffer (so a write before or past its room would show). */
function written(value: number): string {
  buf.fill(0x7e);
  const start = MAX_NUMBER_BYTES;
  const end = writeCanonicalNumber(value, buf, start);
  assert.ok(end - start <= MAX_NUMBER_BYTES, `${value} took ${end - start} bytes`);
  assert.ok(
    buf.subarray(0, start).every((b) => b === 0x7e),
    `${value}: wrote before its position`,
  );
  return decoder.decode(buf.subarray(start, end));
}

const same = (value: number) => assert.equal(written(value), reference(value), `the canonical text of ${value}`);

/** A double from 64 random bits: every exponent, subnormals, NaNs and infinities. */
const anyBits = fc
  .tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }))
  .map(([hi, lo]) => {
    const view = new DataView(new ArrayBuffer(8));
    view.setUint32(0, hi);
    view.setUint32(4, lo);
    return view.getFloat64(0);
  });

/** x / 10^d for an integer x of up to 16 digits: short decimals, and 13 digits ending in 5 (ties at 12 digits). */
const decimal = fc
  .tuple(fc.integer({ min: 0, max: 2 ** 53 - 1 }), fc.integer({ min: 0, max: 22 }), fc.boolean())
  .map(([x, d, tie]) => (tie ? (Math.floor(x / 1e4) * 10 + 5) / 10 ** d : x / 10 ** d));

/** n / 2^e: exact binary fractions, whose decimal expansions end in 5 (true ties). */
const dyadic = fc
  .tuple(fc.integer({ min: 0, max: 2 ** 53 - 1 }), fc.integer({ min: 1, max: 60 }))
  .map(([n, e]) => n / 2 ** e);

/** Next to a power of ten, where the decade of a number is easy to get wrong. */
const nearPowerOfTen = fc
  .tuple(fc.integer({ min: -12, max: 22 }), fc.integer({ min: -50, max: 50 }))
  .map(([e, ulps]) => {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, 10 ** e);
    view.setBigInt64(0, view.getBigInt64(0) + BigInt(ulps));
    return view.getFloat64(0);
  });

const double = fc.oneof(
  anyBits,
  fc.double(),
  fc.double({ min: 0, max: 1 }),
  fc.double({ min: 1e-7, max: 1e13 }),
  decimal,
  dyadic,
  nearPowerOfTen,
  fc.integer({ min: -(2 ** 31) - 5, max: 2 ** 31 + 5 }),
  fc.maxSafeInteger(),
);

test('the canonical number writer agrees with toPrecision(12) on every kind of double, and their negatives', () => {
  fc.assert(
    fc.property(double, (x) => {
      same(x);
      same(-x);
    }),
    { numRuns: 200_000 },
  );
});

test('ties and near-ties at the 12th digit round as toPrecision rounds them (half up, by the exact binary value)', () => {
  // 13-digit decimals ending in 5 lie within 1e-5 of a tie once scaled: the exact error of the
  // scaling decides. Every one of these is such a case, at every decade the writer handles.
  for (let decade = -6; decade <= 11; decade++) {
    for (let i = 0; i < 2000; i++) {
      const digits = 1e12 + Math.floor(((i * 0.6180339887498949) % 1) * 9e12);
      const value = ((digits - (digits % 10) + 5) / 1e12) * 10 ** decade;
      same(value);
      same(-value);
    }
  }
  for (const value of [
    1234567890.125, 0.5000000000005, 2.0000000000005, 999999999999.5, 99999999999.95, 0.0000012345678901255,
  ])
    same(value);
});

test('integers, limits and special values', () => {
  const values = [0, -0, 1, -1, 9, 10, 99, 100, 9999, 10000, 99999999, 1e8, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 32];
  values.push(2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 53 + 2, 1e21, 1e21 - 65536, 1.5e300, -1.5e300);
  values.push(NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE);
  values.push(1e-6, 1e-7, 9.999999999995e-7, 1e12 - 0.5, 1e12 - 0.25, 0.1 + 0.2, 1 / 3, 2 / 3, Math.PI * 1e11);
  for (const value of values) same(value);
  for (let e = 0; e <= 53; e++) for (let d = -3; d <= 3; d++) same(2 ** e + d);
});
