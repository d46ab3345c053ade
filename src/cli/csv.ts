// CSV text (RFC 4180: comma separated, quotes doubled, CRLF not required) from rows of values.
export type CsvValue = string | number | boolean | null | undefined;

function field(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = typeof value === 'number' && !Number.isFinite(value) ? '' : String(value);
  // A text a spreadsheet would read as a formula (a submission named `=HYPERLINK(...)`) is
  // kept as text, the usual way: a leading apostrophe. Numbers, and texts that are numbers, stay as they are.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text) && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text))
    text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Columns in first-seen order over all rows, so rows with extra keys still line up. */
export function toCsv(rows: readonly Record<string, CsvValue>[], columns?: readonly string[]): string {
  const header = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [header.map(field).join(','), ...rows.map((r) => header.map((c) => field(r[c])).join(','))].join('\n') + '\n';
}
