/**
 * Canonical form and digest of a result: JSON with object keys sorted at every level and
 * non-integer numbers rounded to 12 significant digits (so the digest names the result, not
 * the last bits of floating-point noise), hashed with SHA-256. The canonical form is written as
 * UTF-8 bytes into one reusable buffer and each full buffer goes to the hash, so a large result
 * is never held as one string (or as many small ones); the hash is the caller's (node:crypto in
 * Node workers) or the portable one here, which gives the same bytes.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { MAX_NUMBER_BYTES, writeCanonicalNumber } from './canonical-number';
import { decodeUtf8, encodeUtf8 } from './utf8';

/** An incremental SHA-256 over UTF-8 text. */
export interface Sha256 {
  update(text: string): void;
  /** Hashes UTF-8 bytes (the digest reads them before returning); without it the bytes go to update() as text. */
  updateBytes?(bytes: Uint8Array): void;
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
    updateBytes: (bytes) => void hash.update(bytes),
    hex: () => bytesToHex(hash.digest()),
  };
};

/** Bytes gathered before they go to the hash: one call per piece is slow. */
const CHUNK_BYTES = 65_536;
/** Up to this many bytes are copied one by one. */
const SHORT_BYTES = 64;

/**
 * Writes a value's canonical form as UTF-8 into a buffer of CHUNK_BYTES, handing the filled
 * part to `sink` whenever the next piece might not fit (and at the end), never inside a
 * character. The bytes handed over are only valid during the call.
 */
class CanonicalWriter {
  private readonly buf = new Uint8Array(CHUNK_BYTES);
  private readonly view = new DataView(this.buf.buffer);
  private pos = 0;

  constructor(private readonly sink: (bytes: Uint8Array) => void) {}

  end(): void {
    this.flush();
  }

  private flush(): void {
    if (this.pos > 0) this.sink(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }

  private room(bytes: number): void {
    if (this.pos + bytes > CHUNK_BYTES) this.flush();
  }

  private byte(code: number): void {
    if (this.pos === CHUNK_BYTES) this.flush();
    this.buf[this.pos++] = code;
  }

  value(value: unknown, depth: number): void {
    if (typeof value === 'number') this.number(value);
    else if (value === null || value === undefined) this.ascii('null');
    else if (typeof value === 'string') this.string(value);
    else if (typeof value === 'boolean') this.ascii(value ? 'true' : 'false');
    else if (Array.isArray(value)) this.array(value, depth);
    else if (typeof value === 'object') this.object(value as Record<string, unknown>, depth);
    else throw new TypeError(`cannot canonicalise a ${typeof value}`);
  }

  /** Bytes of whole characters. */
  private bytes(bytes: Uint8Array): void {
    const n = bytes.length;
    if (n <= SHORT_BYTES) {
      // A loop copies a key faster than TypedArray.set, which has a fixed cost per call.
      this.room(n);
      const buf = this.buf;
      let pos = this.pos;
      for (let i = 0; i < n; i++) buf[pos++] = bytes[i]!;
      this.pos = pos;
    } else if (n <= CHUNK_BYTES) {
      this.room(n);
      this.buf.set(bytes, this.pos);
      this.pos += n;
    } else {
      this.flush();
      this.sink(bytes);
    }
  }

  /**
   * A key's bytes, four at a time: keys are a large part of a table's bytes. The last word
   * may write up to three bytes past the key, which the next piece overwrites.
   */
  private key(key: KeyBytes): void {
    const words = key.words;
    if (key.length + 3 > CHUNK_BYTES) return this.bytes(key.bytes);
    this.room(key.length + 3);
    const view = this.view;
    const pos = this.pos;
    for (let i = 0; i < words.length; i++) view.setUint32(pos + 4 * i, words[i]!, true);
    this.pos = pos + key.length;
  }

  private number(value: number): void {
    this.room(MAX_NUMBER_BYTES);
    this.pos = writeCanonicalNumber(value, this.buf, this.pos);
  }

  private ascii(text: string): void {
    this.room(text.length);
    for (let i = 0; i < text.length; i++) this.buf[this.pos++] = text.charCodeAt(i);
  }

  /** JSON.stringify(text) in UTF-8: printable ASCII without quotes or backslashes is copied as is. */
  private string(text: string): void {
    const n = text.length;
    if (n <= CHUNK_BYTES - 2) {
      this.room(n + 2);
      const buf = this.buf;
      let pos = this.pos;
      buf[pos++] = 34;
      let i = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c < 0x20 || c === 34 || c === 92 || c > 0x7e) break;
        buf[pos++] = c;
      }
      if (i === n) {
        buf[pos++] = 34;
        this.pos = pos;
        return;
      }
    }
    this.bytes(encodeUtf8(JSON.stringify(text)));
  }

  private array(value: unknown[], depth: number): void {
    this.byte(91);
    const n = value.length;
    for (let i = 0; i < n; i++) {
      const item = value[i];
      // Series are long arrays of numbers: no dispatch for them, and one check of the room left.
      if (typeof item === 'number') {
        let pos = this.pos;
        if (pos > CHUNK_BYTES - MAX_NUMBER_BYTES - 1) {
          this.flush();
          pos = 0;
        }
        const buf = this.buf;
        if (i > 0) buf[pos++] = 44;
        this.pos = writeCanonicalNumber(item, buf, pos);
      } else {
        if (i > 0) this.byte(44);
        this.value(item, depth + 1);
      }
    }
    this.byte(93);
  }

  private object(obj: Record<string, unknown>, depth: number): void {
    const shape = this.shapeOf(obj, depth);
    // Object.values lists the values in Object.keys' order: one call instead of a lookup per key.
    const values = Object.values(obj);
    this.byte(123);
    let first = true;
    for (let j = 0; j < shape.order.length; j++) {
      const v = values[shape.order[j]!];
      // Keys whose value is undefined are left out (as JSON.stringify does).
      if (v === undefined) continue;
      this.key(first ? shape.keys[j]! : shape.commaKeys[j]!);
      first = false;
      // Table rows are mostly numbers: no dispatch for them.
      if (typeof v === 'number') this.number(v);
      else this.value(v, depth + 1);
    }
    this.byte(125);
  }

  /** The keys of `obj` sorted, as the positions of its values and as `"key":` in UTF-8. */
  private shapeOf(obj: Record<string, unknown>, depth: number): Shape {
    const keys = Object.keys(obj);
    const last = shapes[depth];
    if (last !== undefined && sameKeys(last.names, keys)) return last;
    const order = keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
    const written = order.map((i) => writtenKey(keys[i]!));
    const shape: Shape = {
      names: keys,
      order,
      keys: written.map((k) => k.plain),
      commaKeys: written.map((k) => k.comma),
    };
    shapes[depth] = shape;
    return shape;
  }
}

/**
 * Per nesting depth, the last object's keys and their sorted order: rows of a table share their
 * keys, and sorting them again for each row cost more than writing the row. Kept from one value
 * to the next (results have the same shapes), checked against each object's keys.
 */
const shapes: Shape[] = [];

/** The own keys of an object, the order they are written in (indexes into them) and each written key. */
interface Shape {
  names: string[];
  order: number[];
  /** `"name":` in UTF-8, in written order, and `,"name":` (every key but the first written). */
  keys: KeyBytes[];
  commaKeys: KeyBytes[];
}

function sameKeys(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A key as written (`"key":`) in UTF-8, as bytes and as little-endian words (the last one zero-padded). */
interface KeyBytes {
  length: number;
  bytes: Uint8Array;
  words: Uint32Array;
}

/** Keys as written, by key: a result has the keys of the one before (bounded, for values with keys of their own). */
const writtenKeys = new Map<string, { plain: KeyBytes; comma: KeyBytes }>();
const WRITTEN_KEYS_KEPT = 4096;

function writtenKey(key: string): { plain: KeyBytes; comma: KeyBytes } {
  let written = writtenKeys.get(key);
  if (written === undefined) {
    if (writtenKeys.size >= WRITTEN_KEYS_KEPT) writtenKeys.clear();
    const quoted = JSON.stringify(key);
    written = { plain: keyBytes(`${quoted}:`), comma: keyBytes(`,${quoted}:`) };
    writtenKeys.set(key, written);
  }
  return written;
}

function keyBytes(written: string): KeyBytes {
  const bytes = encodeUtf8(written);
  const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4);
  padded.set(bytes);
  const view = new DataView(padded.buffer);
  const words = Uint32Array.from({ length: padded.length / 4 }, (_, i) => view.getUint32(4 * i, true));
  return { length: bytes.length, bytes, words };
}

/** Writes `value`'s canonical form to `sink` in chunks of UTF-8. */
function writeCanonical(value: unknown, sink: (bytes: Uint8Array) => void): void {
  const writer = new CanonicalWriter(sink);
  writer.value(value, 0);
  writer.end();
}

export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  writeCanonical(value, (bytes) => parts.push(decodeUtf8(bytes)));
  return parts.join('');
}

export function sha256Hex(text: string, hash: Sha256Factory = portableSha256): string {
  const h = hash();
  h.update(text);
  return h.hex();
}

/** SHA-256 of canonicalJson(value), streamed: the same digest without the whole string. */
export function canonicalDigest(value: unknown, hash: Sha256Factory = portableSha256): string {
  const h = hash();
  writeCanonical(value, h.updateBytes ? (bytes) => h.updateBytes!(bytes) : (bytes) => h.update(decodeUtf8(bytes)));
  return h.hex();
}

/** Digest of a result object (its own `digest` field, if any, is excluded). */
export function digestOf(result: object, hash: Sha256Factory = portableSha256): string {
  const { digest: _omit, ...rest } = result as Record<string, unknown>;
  void _omit;
  return canonicalDigest(rest, hash);
}
