// Node's native SHA-256 (OpenSSL) for result digests in worker threads and the CLI: the
// simulator digests every result, and the portable JavaScript hash is several times slower.
import { createHash } from 'node:crypto';
import type { Sha256Factory } from '../sim';

export const nodeSha256: Sha256Factory = () => {
  const hash = createHash('sha256');
  return {
    update: (text) => void hash.update(text, 'utf8'),
    updateBytes: (bytes) => void hash.update(bytes),
    hex: () => hash.digest('hex'),
  };
};
