// CSV text (RFC 4180: comma separated, quotes doubled, CRLF not required) from rows of values.
export type CsvValue = string | number | boolean | null | undefined;

function field(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' && !Number.isFinite(value) ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Columns in first-seen order over all rows, so rows with extra keys still line up. */
export function toCsv(rows: readonly Record<string, CsvValue>[], columns?: readonly string[]): string {
  const header = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [header.map(field).join(','), ...rows.map((r) => header.map((c) => field(r[c])).join(','))].join('\n') + '\n';
}
