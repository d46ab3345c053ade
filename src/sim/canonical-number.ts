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

/**
 * Room a number may take in the buffer: the longest canonical number,
 * "-1.7976931348623157e+308", is 24 bytes, and digits are stored four at a time (up to three
 * bytes past a number's end, which whatever comes next overwrites).
 */
export const MAX_NUMBER_BYTES = 32;

/** Powers of ten that are exact doubles (up to 1e22), so one multiplication by them rounds once. */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const ZERO = 48;
const POINT = 46;
const MINUS = 45;
/** The digits of g, zero-padded to four, as a little-endian word: four digits in one store. */
const FOUR_DIGITS = Uint32Array.from({ length: 10_000 }, (_, g) => {
  let word = 0;
  for (let i = 0; i < 4; i++) word |= (ZERO + (Math.floor(g / 10 ** (3 - i)) % 10)) << (8 * i);
  return word >>> 0;
});
/** How many digits g < 10^4 has (0 has one), and those digits alone, first in the word. */
const DIGIT_COUNT = Uint8Array.from({ length: 10_000 }, (_, g) => String(g).length);
const LEADING_DIGITS = Uint32Array.from({ length: 10_000 }, (_, g) => FOUR_DIGITS[g]! >>> (8 * (4 - DIGIT_COUNT[g]!)));
/** "0.0000" and two more zeros: the start of a number below 1 (its digits overwrite the zeros they replace). */
const ZERO_POINT_ZEROS = 0x30_30_2e_30;
const FOUR_ZEROS = 0x30_30_30_30;

/**
 * Writes canonicalNumber(value) at `pos` as ASCII (room for MAX_NUMBER_BYTES) and returns the
 * position after it. Integers up to 2^53 and non-integers from 1e-6 to 1e12 (what results
 * hold) are written digit by digit, the rest through canonicalNumber
 * (test/unit/sim-canonical-number.test.ts checks the two agree).
 */
export function writeCanonicalNumber(value: number, buf: Uint8Array, pos: number): number {
  // Most of a result's numbers are zeros (empty bins, counts of nothing): one byte, no view.
  if (value === 0) {
    buf[pos] = ZERO;
    return pos + 1;
  }
  const view = viewOf(buf);
  if (value === (value | 0)) return writeInt32(value | 0, view, pos);
  if (Number.isInteger(value)) {
    if (value < 9007199254740992 && value > -9007199254740992) return writeSafeInteger(value, view, pos);
  } else if (Number.isFinite(value)) {
    const end = writeRounded(value, buf, view, pos);
    if (end >= 0) return end;
  }
  return writeAscii(canonicalNumber(value), buf, pos);
}

/** The last buffer written to and a view of it: a writer keeps one buffer, so the view is made once. */
let lastBuf: Uint8Array | null = null;
let lastView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

function viewOf(buf: Uint8Array): DataView {
  if (buf !== lastBuf) {
    lastView = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    lastBuf = buf;
  }
  return lastView;
}

function writeAscii(text: string, buf: Uint8Array, pos: number): number {
  for (let i = 0; i < text.length; i++) buf[pos++] = text.charCodeAt(i);
  return pos;
}

function writeInt32(n: number, view: DataView, pos: number): number {
  if (n < 0) {
    // -2^31 has no int32 negation; it is written like any safe integer.
    if (n === -2147483648) return writeSafeInteger(n, view, pos);
    view.setUint8(pos++, MINUS);
    n = -n;
  }
  if (n < 1e4) return writeLeadingDigits(n, view, pos);
  if (n < 1e8) {
    const high = (n / 1e4) | 0;
    pos = writeLeadingDigits(high, view, pos);
    view.setUint32(pos, FOUR_DIGITS[n - high * 1e4]!, true);
    return pos + 4;
  }
  const high = (n / 1e8) | 0;
  pos = writeLeadingDigits(high, view, pos);
  return writeEightDigits(n - high * 1e8, view, pos);
}

/** An integer beyond int32 with |n| < 2^53: its high part and its last 8 digits (zero-padded), each an int32. */
function writeSafeInteger(n: number, view: DataView, pos: number): number {
  if (n < 0) {
    view.setUint8(pos++, MINUS);
    n = -n;
  }
  const high = Math.floor(n / 1e8);
  pos = writeInt32(high, view, pos);
  return writeEightDigits((n - high * 1e8) | 0, view, pos);
}

/** 0 <= n < 10^8, zero-padded to 8 digits. */
function writeEightDigits(n: number, view: DataView, pos: number): number {
  const high = (n / 1e4) | 0;
  view.setUint32(pos, FOUR_DIGITS[high]!, true);
  view.setUint32(pos + 4, FOUR_DIGITS[n - high * 1e4]!, true);
  return pos + 8;
}

/** 0 <= g < 10^4 without leading zeros. */
function writeLeadingDigits(g: number, view: DataView, pos: number): number {
  view.setUint32(pos, LEADING_DIGITS[g]!, true);
  return pos + DIGIT_COUNT[g]!;
}

/** A double's bits, for its binary exponent (reading it is cheaper than finding its decade by comparisons). */
const BITS = new Float64Array(1);
const EXPONENT = new Uint32Array(BITS.buffer);
/** The word holding the sign and exponent: the second on a little-endian platform. */
const HIGH_WORD = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 1 : 0;
/** The biased exponent of 1e-6 (2^-20 <= 1e-6 < 2^-19); 1e12 is below 2^40, exponent 1062. */
const FIRST_EXPONENT = 1003;
/**
 * Per binade [2^e, 2^(e+1)) from 1e-6 to 1e12, the least k with x x 10^k >= 1e11 for its
 * largest double x (at most 17). A smaller double of the binade needs that k or, being at least
 * half of x, the next one: a x 10^(k+1) >= 5 x 10^11.
 */
const LEAST_K = Array.from({ length: 1063 - FIRST_EXPONENT }, (_, i) => {
  const largest = 2 ** (FIRST_EXPONENT - 1023 + i + 1) * (1 - 2 ** -53);
  let k = 0;
  while (k < 17 && largest * POW10[k]! < 1e11) k++;
  return k;
});

/**
 * A finite non-integer: the integer m of 12 digits nearest to |value| x 10^k is what
 * toPrecision(12) prints (ties go up), and the shortest text of the double nearest to
 * m / 10^k is m's digits without trailing zeros (two decimals of at most 15 digits never round
 * to the same double), placed as Number.prototype.toString places them. |value| x 10^k is one
 * correctly rounded multiplication by an exact power of ten, off by at most 2^-14 below 2^40,
 * so its fraction decides the rounding except near one half, where its exact error does.
 * Returns -1 outside the range handled.
 */
function writeRounded(value: number, buf: Uint8Array, view: DataView, pos: number): number {
  const a = value < 0 ? -value : value;
  if (!(a >= 1e-6 && a < 1e12)) return -1;
  // The least k with a x 10^k >= 1e11 (at most 17): the binade's least k or the one after it.
  BITS[0] = a;
  let k = LEAST_K[(EXPONENT[HIGH_WORD]! >>> 20) - FIRST_EXPONENT]!;
  if (k < 17 && a * POW10[k]! < 1e11) k++;
  const p = a * POW10[k]!;
  // Rounding can put a x 10^k at 1e12 exactly (and below 1e11 at the bottom of the range).
  if (!(p >= 1e11 && p < 1e12)) return -1;
  // Rounded half up without a branch on the fraction (a coin toss the processor mispredicts):
  // p + 1/2 is exact or off by at most 2^-16, which only matters near one half, where the
  // fraction of p + 1/2 is near 0 or 1.
  let m = Math.floor(p + 0.5);
  const above = p + 0.5 - m;
  if (above < 0.001 || above > 0.999) {
    // Near one half the rounding error of p decides: the exact product is p + its error, and
    // fraction - 1/2 is exact, so the sign of their sum is (a tie rounds up).
    const floor = Math.floor(p);
    m = p - floor - 0.5 + productError(a, POW10[k]!, p) >= 0 ? floor + 1 : floor;
  }
  if (m === 1e12) {
    m = 1e11;
    k--;
  }
  if (value < 0) buf[pos++] = MINUS;
  // The value is 0.d1d2...d12 x 10^point: m's digits with a point placed as Number's toString
  // places it, then the trailing zeros dropped.
  const point = 12 - k;
  if (point >= 12) {
    // An integer (point is 12, or 13 after a carry), never in exponent form.
    writeTwelveDigits(m, view, pos);
    if (point === 12) return pos + 12;
    buf[pos + 12] = ZERO;
    return pos + 13;
  }
  let end: number;
  if (point <= 0) {
    // "0." and -point zeros (point > -6 since |value| >= 1e-6), then the digits.
    view.setUint32(pos, ZERO_POINT_ZEROS, true);
    view.setUint32(pos + 4, FOUR_ZEROS, true);
    end = writeTwelveDigits(m, view, pos + 2 - point);
  } else {
    // The digits one byte on, the first `point` of them moved back a byte, then the point.
    end = writeTwelveDigits(m, view, pos + 1);
    for (let i = 0; i < point; i++) buf[pos + i] = buf[pos + 1 + i]!;
    buf[pos + point] = POINT;
  }
  while (buf[end - 1] === ZERO) end--;
  // All the fraction was zeros: an integer, written without a point.
  if (buf[end - 1] === POINT) end--;
  return end;
}

/** The 12 digits of m (10^11 <= m < 10^12) at `pos`; returns the position after them. */
function writeTwelveDigits(m: number, view: DataView, pos: number): number {
  // m x 1e-8 rounds, so its floor may be one off the quotient: the remainder corrects it.
  let high = Math.floor(m * 1e-8);
  let rest = m - high * 1e8;
  if (rest < 0) {
    high--;
    rest += 1e8;
  } else if (rest >= 1e8) {
    high++;
    rest -= 1e8;
  }
  view.setUint32(pos, FOUR_DIGITS[high]!, true);
  writeEightDigits(rest | 0, view, pos + 4);
  return pos + 12;
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
