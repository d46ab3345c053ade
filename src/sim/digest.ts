/**
 * Canonical form and digest of a result: JSON with object keys sorted at every level and
 * non-integer numbers rounded to 12 significant digits (so the digest names the result, not
 * the last bits of floating-point noise), hashed with SHA-256. The digest streams the canonical
 * text into the hash in chunks, so a large result is never held as one string; the hash is the
 * caller's (node:crypto in Node workers) or the portable one here, which gives the same bytes.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** An incremental SHA-256 over UTF-8 text. */
export interface Sha256 {
  update(text: string): void;
  /** The digest of everything updated so far, as lowercase hex. */
  hex(): string;
}

/** Makes a fresh SHA-256: the simulator stays free of Node-only APIs by being handed one. */
export type Sha256Factory = () => Sha256;

/** SHA-256 in plain JavaScript (@noble/hashes): runs anywhere. */
export const portableSha256: Sha256Factory = () => {
  const hash = sha256.create();
  return {
    update: (text) => void hash.update(utf8ToBytes(text)),
    hex: () => bytesToHex(hash.digest()),
  };
};

/** Pieces shorter than this are gathered before they go to the hash: one call per piece is slow. */
const CHUNK_CHARS = 16_384;

export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, (piece) => parts.push(piece));
  return parts.join('');
}

function number(value: number): string {
  if (!Number.isFinite(value)) return 'null';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(12)));
}

function write(value: unknown, out: (piece: string) => void): void {
  if (value === null || value === undefined) {
    out('null');
  } else if (typeof value === 'number') {
    out(number(value));
  } else if (typeof value === 'string' || typeof value === 'boolean') {
    out(JSON.stringify(value));
  } else if (Array.isArray(value)) {
    out('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out(',');
      write(value[i], out);
    }
    out(']');
  } else if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    out('{');
    keys.forEach((k, i) => {
      out(i > 0 ? `,${JSON.stringify(k)}:` : `${JSON.stringify(k)}:`);
      write(obj[k], out);
    });
    out('}');
  } else {
    throw new TypeError(`cannot canonicalise a ${typeof value}`);
  }
}

export function sha256Hex(text: string, hash: Sha256Factory = portableSha256): string {
  const h = hash();
  h.update(text);
  return h.hex();
}

/** SHA-256 of canonicalJson(value), streamed: the same digest without the whole string. */
export function canonicalDigest(value: unknown, hash: Sha256Factory = portableSha256): string {
  const h = hash();
  let pending = '';
  write(value, (piece) => {
    pending += piece;
    if (pending.length >= CHUNK_CHARS) {
      h.update(pending);
      pending = '';
    }
  });
  if (pending.length > 0) h.update(pending);
  return h.hex();
}

/** Digest of a result object (its own `digest` field, if any, is excluded). */
export function digestOf(result: object, hash: Sha256Factory = portableSha256): string {
  const { digest: _omit, ...rest } = result as Record<string, unknown>;
  void _omit;
  return canonicalDigest(rest, hash);
}
