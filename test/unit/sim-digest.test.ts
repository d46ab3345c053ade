/**
 * The digest streamed into the hash equals SHA-256 of the whole canonical text, with the
 * portable hash and with Node's: same bytes, chunked or not, whatever the characters.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  canonicalDigest,
  canonicalJson,
  portableSha256,
  sha256Hex,
  simulate,
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
