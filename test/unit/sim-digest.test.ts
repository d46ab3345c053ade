/**
 * The digest streamed into the hash equals SHA-256 of the whole canonical text, with the
 * portable hash and with Node's: same bytes, chunked or not, whatever the characters. The
 * canonical text is the one the string writer gave before the canonical form was written as
 * bytes (kept here as the reference), for any value; and the bench cases keep their digests.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { CASES } from '../../bench/cases';
import {
  canonicalDigest,
  canonicalJson,
  portableSha256,
  sha256Hex,
  simulate,
  Simulation,
  type Sha256Factory,
  type SimConfig,
} from '../../src/sim/index';
import { digestOf } from '../../src/sim/digest';
import { nodeSha256 } from '../../src/worker/nodeSha256';

const config: SimConfig = {
  machine: { preset: 'server-2x8', smt: 2 },
  workload: {
    groups: [
      {
        name: 'wéb ✓ 😀',
        arrival: { kind: 'poisson', ratePerS: 2000 },
        demand: { kind: 'lognormal', meanNs: 3e6, cv: 1.5 },
        workingSetBytes: 512 * 1024,
        dirtyFraction: 0.3,
      },
      {
        name: 'batch',
        count: 8,
        demand: { kind: 'pareto', alpha: 1.2, minNs: 5e7, maxNs: 5e8 },
        workingSetBytes: 4 << 20,
      },
    ],
  },
  policy: { name: 'least-loaded' },
  scheduler: { kind: 'fair' },
  durationNs: 5e8,
  seed: 7,
};

/** An independent canonical form: JSON.stringify with sorted keys and numbers rounded to 12 digits. */
function referenceCanonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'number') return Number.isFinite(v) ? (Number.isInteger(v) ? v : Number(v.toPrecision(12))) : null;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const obj = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(obj)
          .sort()
          .filter((k) => obj[k] !== undefined)
          .map((k) => [k, obj[k]]),
      );
    }
    return v;
  });
}

const nodeHex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

test('a result digest is SHA-256 of its canonical JSON, streamed with either hash', () => {
  const result = simulate(config);
  const { digest, ...rest } = result;
  const text = referenceCanonical(rest);
  assert.equal(canonicalJson(rest), text);
  assert.ok(text.length > 100_000, `the result spans many chunks (${text.length} characters)`);
  assert.equal(digest, nodeHex(text));
  assert.equal(digestOf(result, portableSha256), digest);
  assert.equal(digestOf(result, nodeSha256), digest);
  assert.equal(simulate(config, { sha256: nodeSha256 }).digest, digest);
});

test('the digest of this run is the one the simulator gave before digests were streamed', () => {
  // Computed with the whole-string digest on simulator version 2 (commit ba54f1d, before the
  // streamed digest was merged in; 6657a22 gave a474fbd7... on version 1): streaming must not
  // change it. Version 3 (issue 15) changed the result: migrationsByReason has the reason
  // `request`, and processes taken from a queue keep their wait; 172305ca... became this.
  assert.equal(simulate(config).digest, '62414f3855b83f8560874733ecc5f53a6e1c0bfdafa79ec46547188a449356cb');
});

test('multi-byte characters at chunk boundaries hash as whole characters', () => {
  for (const pad of [16_380, 16_381, 16_382, 16_383, 16_384]) {
    const value = { a: 'x'.repeat(pad), b: ['€😀', 'é'.repeat(20_000), '😀'.repeat(9_000)], c: 0.1 + 0.2 };
    const text = referenceCanonical(value);
    assert.equal(canonicalDigest(value), nodeHex(text), `pad ${pad}`);
    assert.equal(canonicalDigest(value, nodeSha256), nodeHex(text), `pad ${pad}, node hash`);
    assert.equal(sha256Hex(text), nodeHex(text));
  }
});

/** The canonical writer before it wrote bytes (digest.ts at commit 4bd3113), verbatim: the reference text. */
function stringCanonical(value: unknown): string {
  const parts: string[] = [];
  const number = (v: number): string => {
    if (!Number.isFinite(v)) return 'null';
    if (Number.isInteger(v)) return String(v);
    return String(Number(v.toPrecision(12)));
  };
  const write = (v: unknown, out: (piece: string) => void): void => {
    if (v === null || v === undefined) {
      out('null');
    } else if (typeof v === 'number') {
      out(number(v));
    } else if (typeof v === 'string' || typeof v === 'boolean') {
      out(JSON.stringify(v));
    } else if (Array.isArray(v)) {
      out('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) out(',');
        write(v[i], out);
      }
      out(']');
    } else if (typeof v === 'object') {
      const obj = v as Record<string, unknown>;
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
      throw new TypeError(`cannot canonicalise a ${typeof v}`);
    }
  };
  write(value, (piece) => parts.push(piece));
  return parts.join('');
}

/** A hash that takes text only (a caller's own, written before updateBytes): it must get the same text. */
const textOnlySha256: Sha256Factory = () => {
  const hash = createHash('sha256');
  return { update: (text) => void hash.update(text, 'utf8'), hex: () => hash.digest('hex') };
};

/** Keys that sort in surprising ways: integer-like ones, upper before lower case, outside the BMP, lone surrogates. */
const key = fc.oneof(
  fc.constantFrom('a', 'B', 'b', '10', '9', '0', '', 'é', '😀', '\ud800', 'a"b', 'x\\y', '\n', 'energyJ', 'pid'),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
  fc.string({ unit: 'binary', maxLength: 3 }),
);

/** Values as results hold them, and then some: numbers of every kind, undefined fields, shapes that change row to row. */
const leaf = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.double({ min: 0, max: 1 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('a\\b', '"', 'a"', '\n', '\u007f', '\u0000', 'é', '😀', '\udc00x', 'plain'),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);
const { value: valueArb } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 6 }),
    fc.dictionary(key, tie('value'), { maxKeys: 6 }),
    // Rows of a table: same keys (sometimes in another order, or one left undefined), at one depth.
    fc
      .tuple(
        fc.uniqueArray(key, { minLength: 1, maxLength: 5 }),
        fc.array(fc.array(leaf, { minLength: 5, maxLength: 5 }), { maxLength: 6 }),
      )
      .map(([keys, rows]) =>
        rows.map((row, r) => Object.fromEntries((r % 3 === 2 ? [...keys].reverse() : keys).map((k, i) => [k, row[i]]))),
      ),
  ),
}));

test("the canonical text and digest of any value are the string writer's, with every hash", () => {
  fc.assert(
    fc.property(valueArb, (value) => {
      const text = stringCanonical(value);
      assert.equal(canonicalJson(value), text);
      const want = nodeHex(text);
      assert.equal(canonicalDigest(value), want);
      assert.equal(canonicalDigest(value, nodeSha256), want);
      assert.equal(canonicalDigest(value, textOnlySha256), want);
    }),
    { numRuns: 3000 },
  );
});

test("text at the byte chunks' edges, and keys and strings longer than a chunk, hash as whole characters", () => {
  for (const pad of [65_530, 65_531, 65_532, 65_533, 65_534, 65_535, 65_536]) {
    const value = {
      a: 'x'.repeat(pad),
      b: ['€😀', 'é'.repeat(40_000), '😀'.repeat(20_000), 'y'.repeat(70_000)],
      ['k'.repeat(pad + 10)]: [0.1 + 0.2, 'é'],
      ['é'.repeat(pad >> 1)]: 1,
      c: Array.from({ length: 30_000 }, (_, i) => i / 7),
    };
    const text = stringCanonical(value);
    assert.equal(canonicalJson(value), text, `pad ${pad}`);
    for (const hash of [portableSha256, nodeSha256, textOnlySha256])
      assert.equal(canonicalDigest(value, hash), nodeHex(text), `pad ${pad}`);
  }
});

test("the bench cases keep their digests (1 s of each), and each is SHA-256 of the string writer's text", () => {
  // Digests from the string writer (main at 4bd3113), before the canonical form was written as bytes.
  const digests: Record<string, string> = {
    'edf-4cpu-20tasks': '7e1b509d245f7a2451892a0ba57a5c1607cd610c233b0afa9aaba05a3a368084',
    'edf-32cpu-160tasks': 'fdcda0692f70c171c6293d856f184d9d3f50894d3f9ade5c61c5744a0b776844',
    'open-64cpu-poisson': '9acbba47378746f2808a8faeac281990626072e3b03e0392c247bdfcd66cebce',
    'edf-4cpu-20tasks+heat': 'f238bd0fb9e530ebbf20111903d1c7ff53e249ef9588627386f8b696f88a668a',
    'edf-32cpu-160tasks+heat': '76230a2693a85c6edc04068af3612f7df1163a49b120e4e40fdceb02ae8893e5',
    'open-64cpu-poisson+heat': 'a16a5fb55fdae070223157ac6e644382b1d6c41d6c4de44d96efbc11bcdeda3b',
  };
  assert.deepEqual(Object.keys(digests).sort(), CASES.map((c) => c.name).sort());
  for (const c of CASES) {
    const simulation = new Simulation(c.config(1), { sha256: nodeSha256 });
    simulation.advance(simulation.endNs);
    const result = simulation.result();
    assert.equal(result.digest, digests[c.name], c.name);
    const { digest: _digest, ...rest } = result;
    void _digest;
    assert.equal(nodeHex(stringCanonical(rest)), result.digest, `${c.name}: the string writer's text`);
    assert.equal(digestOf(result, portableSha256), result.digest, `${c.name}: portable hash`);
  }
});
