/**
 * Arrival traces from CSV or JSON text (pure string parsing, no file access: the caller reads
 * the file). Accepted columns/keys: `atNs` or `atS` (arrival time), optional `demandNs` or
 * `demandS` (CPU demand at reference speed). JSON may also be a plain array of arrival times in ns.
 */
import type { TraceRecord } from './config';
import { SimConfigError } from './errors';

function toRecord(fields: Record<string, unknown>, where: string): TraceRecord {
  const read = (ns: string, s: string): number | undefined => {
    const raw = fields[ns] ?? (fields[s] === undefined ? undefined : Number(fields[s]) * 1e9);
    if (raw === undefined || raw === '') return undefined;
    const value = typeof raw === 'number' ? raw : Number(raw);
    if (!Number.isFinite(value) || value < 0)
      throw new SimConfigError(`${where}.${fields[ns] !== undefined ? ns : s}`, 'must be a non-negative number');
    return Math.round(value);
  };
  const atNs = read('atNs', 'atS');
  if (atNs === undefined) throw new SimConfigError(where, 'needs atNs or atS');
  const demandNs = read('demandNs', 'demandS');
  if (demandNs !== undefined && demandNs < 1) throw new SimConfigError(`${where}.demandNs`, 'must be at least 1 ns');
  return demandNs === undefined ? { atNs } : { atNs, demandNs };
}

export function parseTrace(text: string, format: 'csv' | 'json', path = 'trace'): TraceRecord[] {
  const records: TraceRecord[] = [];
  if (format === 'json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new SimConfigError(path, `invalid JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(data)) throw new SimConfigError(path, 'must be a JSON array');
    data.forEach((item, i) => {
      const where = `${path}[${i}]`;
      if (typeof item === 'number') records.push(toRecord({ atNs: item }, where));
      else if (typeof item === 'object' && item !== null)
        records.push(toRecord(item as Record<string, unknown>, where));
      else throw new SimConfigError(where, 'must be a number or an object');
    });
  } else {
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
    if (lines.length === 0) throw new SimConfigError(path, 'is empty');
    const header = lines[0]!.split(',').map((h) => h.trim());
    if (!header.includes('atNs') && !header.includes('atS'))
      throw new SimConfigError(`${path}:1`, 'header needs an atNs or atS column');
    for (let i = 1; i < lines.length; i++) {
      const cells = lines[i]!.split(',').map((c) => c.trim());
      const fields: Record<string, unknown> = {};
      header.forEach((h, k) => {
        if (cells[k] !== undefined && cells[k] !== '') fields[h] = cells[k];
      });
      records.push(toRecord(fields, `${path}:${i + 1}`));
    }
  }
  return records;
}
