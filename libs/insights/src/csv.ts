/**
 * CSV (RFC 4180) that spreadsheets cannot be tricked by: a cell starting with `=`, `+`, `-`, `@`, a tab or a
 * carriage return is a formula to Excel, LibreOffice and Google Sheets, so it gets a leading `'` (OWASP's advice).
 * Numbers stay numbers: only strings are neutralised, so `-3` as a number is written as is.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  let text =
    value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows of objects as CSV with a header row, CRLF line ends and a BOM (so Excel reads UTF-8 Chinese right). */
export function toCsv(rows: Array<Record<string, unknown>>, columns?: string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const lines = [cols.map(csvCell).join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
