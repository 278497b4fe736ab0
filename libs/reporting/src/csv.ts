import { Cell, Column, ReportDocument } from './reports';

/**
 * CSV of one sheet (the first by default): UTF-8 with a byte-order mark so that spreadsheet
 * programs read the Vietnamese headings, comma-separated, RFC 4180 quoting, CRLF line ends.
 * Numbers are plain (dot decimal), rates in percent, dates ISO: CSV is for machines.
 */
const needsQuote = /[",\r\n]/;
// A text cell starting with one of these is a formula to a spreadsheet program (CSV injection).
const formulaStart = /^[=+\-@\t\r]/;

export function csvCell(value: Cell, column: Column): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'number') {
    text = column.kind === 'percent' ? String(Math.round(value * 1000) / 10) : String(value);
  } else {
    text = column.kind === 'text' && formulaStart.test(value) ? `'${value}` : value;
  }
  return needsQuote.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(doc: ReportDocument, sheetIndex = 0): string {
  const sheet = doc.sheets[sheetIndex];
  if (!sheet) throw new RangeError(`the report has no sheet ${sheetIndex}`);
  const heading = (c: Column) =>
    csvCell(c.kind === 'percent' ? `${c.heading} (%)` : c.heading, { ...c, kind: 'text' });
  const lines = [
    sheet.columns.map(heading).join(','),
    ...sheet.rows.map((r) => sheet.columns.map((c) => csvCell(r[c.key] ?? null, c)).join(',')),
  ];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
