// Markdown images for a report: only files inside the lab's own folder (no URLs, no absolute
// paths, no way out through .. or a symlink), only real images (checked by their first bytes,
// so a secret renamed to .png is not inlined), inlined as data: URIs so the report fetches
// nothing when it is opened.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, resolve, sep } from 'node:path';
import type { ImageSource } from '../lab/report/reportHtml';

const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
const MAX_TOTAL_BYTES = 20 * 1024 * 1024;

const TYPES: Record<string, { mime: string; looksRight: (bytes: Buffer) => boolean }> = {
  '.png': {
    mime: 'image/png',
    looksRight: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  '.jpg': { mime: 'image/jpeg', looksRight: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  '.jpeg': { mime: 'image/jpeg', looksRight: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  '.gif': { mime: 'image/gif', looksRight: (b) => /^GIF8[79]a/.test(b.subarray(0, 6).toString('latin1')) },
  '.webp': {
    mime: 'image/webp',
    looksRight: (b) =>
      b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
  '.svg': {
    mime: 'image/svg+xml',
    looksRight: (b) =>
      /^(\uFEFF)?\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/.test(b.subarray(0, 4096).toString('utf8')),
  },
};

export function folderImages(folder: string): ImageSource {
  const root = realpathSync(folder);
  let total = 0;
  return (src) => {
    // A relative path and nothing else: no scheme (http:, file:, data:), no absolute path.
    if (/^[a-z][a-z0-9+.-]*:/i.test(src) || src.startsWith('/') || src.startsWith('\\') || src.includes('\0'))
      return undefined;
    let relative: string;
    try {
      relative = decodeURIComponent(src.split(/[?#]/)[0]!);
    } catch {
      return undefined;
    }
    let real: string;
    try {
      real = realpathSync(resolve(root, relative));
    } catch {
      return undefined;
    }
    if (!real.startsWith(root + sep)) return undefined;
    const type = TYPES[extname(real).toLowerCase()];
    if (!type) return undefined;
    const stat = statSync(real);
    if (!stat.isFile() || stat.size > MAX_IMAGE_BYTES || total + stat.size > MAX_TOTAL_BYTES) return undefined;
    const bytes = readFileSync(real);
    if (!type.looksRight(bytes)) return undefined;
    total += bytes.length;
    return `data:${type.mime};base64,${bytes.toString('base64')}`;
  };
}
