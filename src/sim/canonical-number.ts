/**
 * How a number is written in a result's canonical form: integers as JavaScript prints them,
 * other numbers rounded to 12 significant digits first (`canonicalNumber`, the definition), and
 * not finite as null. `writeCanonicalNumber` writes the same characters as ASCII bytes without
 * making a string: a result has hundreds of thousands of numbers, and toPrecision, parsing its
 * text back and printing the number again cost about five times the simulation that made them.
 */

/** The canonical text of a number: the definition the fast writer below must match. */
export function canonicalNumber(value: number): string {
  if (!Number.isFinite(value)) return 'null';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(12)));
}

/** Room a number may take in the buffer (the longest canonical number, "-1.7976931348623157e+308", is 24). */
export const MAX_NUMBER_BYTES = 32;

/** Powers of ten that are exact doubles (up to 1e22), so one multiplication by them rounds once. */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const ZERO = 48;
/** "0000" to "9999" in ASCII, four bytes each: four digits per division. */
const FOUR_DIGITS = Uint8Array.from(
  { length: 40_000 },
  (_, i) => ZERO + (Math.floor((i >> 2) / 10 ** (3 - (i & 3))) % 10),
);

/**
 * Writes canonicalNumber(value) at `pos` as ASCII (room for MAX_NUMBER_BYTES) and returns the
 * position after it. Integers up to 2^53 and non-integers from 1e-6 to 1e12 (what results
 * hold) are written digit by digit, the rest through canonicalNumber
 * (test/unit/sim-canonical-number.test.ts checks the two agree).
 */
export function writeCanonicalNumber(value: number, buf: Uint8Array, pos: number): number {
  if (value === (value | 0)) return writeInt32(value | 0, buf, pos);
  if (Number.isInteger(value)) {
    if (value < 9007199254740992 && value > -9007199254740992) return writeSafeInteger(value, buf, pos);
  } else if (Number.isFinite(value)) {
    const end = writeRounded(value, buf, pos);
    if (end >= 0) return end;
  }
  return writeAscii(canonicalNumber(value), buf, pos);
}

function writeAscii(text: string, buf: Uint8Array, pos: number): number {
  for (let i = 0; i < text.length; i++) buf[pos++] = text.charCodeAt(i);
  return pos;
}

function writeInt32(n: number, buf: Uint8Array, pos: number): number {
  if (n < 0) {
    // -2^31 has no int32 negation; it is written like any safe integer.
    if (n === -2147483648) return writeSafeInteger(n, buf, pos);
    buf[pos++] = 45;
    n = -n;
  }
  if (n < 10) {
    buf[pos] = ZERO + n;
    return pos + 1;
  }
  if (n < 1e4) return writeLeadingDigits(n, buf, pos);
  if (n < 1e8) {
    const high = (n / 1e4) | 0;
    pos = writeLeadingDigits(high, buf, pos);
    writeFourDigits(n - high * 1e4, buf, pos);
    return pos + 4;
  }
  const high = (n / 1e8) | 0;
  pos = writeLeadingDigits(high, buf, pos);
  return writeEightDigits(n - high * 1e8, buf, pos);
}

/** An integer beyond int32 with |n| < 2^53: its high part and its last 8 digits (zero-padded), each an int32. */
function writeSafeInteger(n: number, buf: Uint8Array, pos: number): number {
  if (n < 0) {
    buf[pos++] = 45;
    n = -n;
  }
  const high = Math.floor(n / 1e8);
  pos = writeInt32(high, buf, pos);
  return writeEightDigits((n - high * 1e8) | 0, buf, pos);
}

/** 0 <= n < 10^8, zero-padded to 8 digits. */
function writeEightDigits(n: number, buf: Uint8Array, pos: number): number {
  const high = (n / 1e4) | 0;
  writeFourDigits(high, buf, pos);
  writeFourDigits(n - high * 1e4, buf, pos + 4);
  return pos + 8;
}

/** 0 < g < 10^4 without leading zeros. */
function writeLeadingDigits(g: number, buf: Uint8Array, pos: number): number {
  const len = g < 10 ? 1 : g < 100 ? 2 : g < 1000 ? 3 : 4;
  const from = (g << 2) + 4 - len;
  for (let i = 0; i < len; i++) buf[pos + i] = FOUR_DIGITS[from + i]!;
  return pos + len;
}

/**
 * A finite non-integer: the integer m of 12 digits nearest to |value| x 10^k is what
 * toPrecision(12) prints (ties go up), and the shortest text of the double nearest to
 * m / 10^k is m's digits without trailing zeros (two decimals of at most 15 digits never round
 * to the same double), placed as Number.prototype.toString places them. |value| x 10^k is one
 * correctly rounded multiplication by an exact power of ten, off by at most 2^-14 below 2^40,
 * so its fraction decides the rounding except near one half, where its exact error does.
 * Returns -1 outside the range handled.
 */
function writeRounded(value: number, buf: Uint8Array, pos: number): number {
  const a = value < 0 ? -value : value;
  if (!(a >= 1e-6 && a < 1e12)) return -1;
  // The least k with a x 10^k >= 1e11, by bisection (Math.log10 cost more than the rest).
  let k = 0;
  for (let hi = 17; k < hi;) {
    const mid = (k + hi) >> 1;
    if (a * POW10[mid]! >= 1e11) hi = mid;
    else k = mid + 1;
  }
  const p = a * POW10[k]!;
  // Rounding can put a x 10^k at 1e12 exactly (and below 1e11 at the bottom of the range).
  if (!(p >= 1e11 && p < 1e12)) return -1;
  const floor = Math.floor(p);
  const fraction = p - floor;
  let up = fraction >= 0.5;
  // Near one half the rounding error of p decides: the exact product is p + its error, and
  // fraction - 1/2 is exact, so the sign of their sum is (a tie rounds up).
  if (fraction > 0.499 && fraction < 0.501) up = fraction - 0.5 + productError(a, POW10[k]!, p) >= 0;
  let m = up ? floor + 1 : floor;
  if (m === 1e12) {
    m = 1e11;
    k--;
  }
  if (value < 0) buf[pos++] = 45;
  // The value is 0.d1d2...d12 x 10^point: m's digits with a point placed as Number's toString
  // places it, then the trailing zeros dropped.
  const point = 12 - k;
  if (point >= 12) {
    // An integer (point is 12, or 13 after a carry), never in exponent form.
    pos = writeTwelveDigits(m, buf, pos, 12);
    for (let i = 12; i < point; i++) buf[pos++] = ZERO;
    return pos;
  }
  if (point <= 0) {
    // point > -6 since |value| >= 1e-6.
    buf[pos++] = ZERO;
    buf[pos++] = 46;
    for (let i = point; i < 0; i++) buf[pos++] = ZERO;
    pos = writeTwelveDigits(m, buf, pos, 12);
  } else pos = writeTwelveDigits(m, buf, pos, point);
  while (buf[pos - 1] === ZERO) pos--;
  // All the fraction was zeros: an integer, written without a point.
  if (buf[pos - 1] === 46) pos--;
  return pos;
}

/** The 12 digits of m (10^11 <= m < 10^12) at `pos`, with a decimal point after the first `point` (12: none). */
function writeTwelveDigits(m: number, buf: Uint8Array, pos: number, point: number): number {
  // Three groups of four digits: two divisions.
  const g0 = Math.floor(m / 1e8) | 0;
  const rest = (m - g0 * 1e8) | 0;
  const g1 = (rest / 1e4) | 0;
  // With a point, the digits go one byte further and the first `point` of them move back.
  const at = point < 12 ? pos + 1 : pos;
  writeFourDigits(g0, buf, at);
  writeFourDigits(g1, buf, at + 4);
  writeFourDigits(rest - g1 * 1e4, buf, at + 8);
  if (point >= 12) return pos + 12;
  for (let i = 0; i < point; i++) buf[pos + i] = buf[pos + 1 + i]!;
  buf[pos + point] = 46;
  return pos + 13;
}

function writeFourDigits(g: number, buf: Uint8Array, pos: number): void {
  const i = g << 2;
  buf[pos] = FOUR_DIGITS[i]!;
  buf[pos + 1] = FOUR_DIGITS[i + 1]!;
  buf[pos + 2] = FOUR_DIGITS[i + 2]!;
  buf[pos + 3] = FOUR_DIGITS[i + 3]!;
}

/** 2^27 + 1: splits a double into two halves whose products are exact (Veltkamp). */
const SPLIT = 134217729;

/** a x b - p exactly, for p = a x b rounded (Dekker's two-product; no overflow or underflow here). */
function productError(a: number, b: number, p: number): number {
  const sa = SPLIT * a;
  const ah = sa - (sa - a);
  const al = a - ah;
  const sb = SPLIT * b;
  const bh = sb - (sb - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}
