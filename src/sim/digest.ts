/**
 * Canonical form and digest of a result: JSON with object keys sorted at every level and
 * non-integer numbers rounded to 12 significant digits (so the digest names the result, not
 * the last bits of floating-point noise), hashed with SHA-256.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join('');
}

function write(value: unknown, out: string[]): void {
  if (value === null || value === undefined) {
    out.push('null');
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) out.push('null');
    else if (Number.isInteger(value)) out.push(String(value));
    else out.push(String(Number(value.toPrecision(12))));
  } else if (typeof value === 'string' || typeof value === 'boolean') {
    out.push(JSON.stringify(value));
  } else if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      write(value[i], out);
    }
    out.push(']');
  } else if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    out.push('{');
    keys.forEach((k, i) => {
      if (i > 0) out.push(',');
      out.push(JSON.stringify(k), ':');
      write(obj[k], out);
    });
    out.push('}');
  } else {
    throw new TypeError(`cannot canonicalise a ${typeof value}`);
  }
}

export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** Digest of a result object (its own `digest` field, if any, is excluded). */
export function digestOf(result: object): string {
  const { digest: _omit, ...rest } = result as Record<string, unknown>;
  void _omit;
  return sha256Hex(canonicalJson(rest));
}
