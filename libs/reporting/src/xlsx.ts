import ExcelJS from 'exceljs';
import { vnDate } from './calendar';
import { CellKind, ReportDocument } from './reports';
import { vietnamWallClock } from '@bhyt/contracts';

/** Number formats of the workbook: thousands separators, rates as percent, local dates. */
export const NUMBER_FORMATS: Record<Exclude<CellKind, 'text'>, string> = {
  int: '#,##0',
  percent: '0.0%',
  hours: '#,##0.00',
  date: 'dd/mm/yyyy',
};

const HEADER_ROW = 4;

/** Local (UTC+7) time of an ISO instant as `dd/MM/yyyy HH:mm`. */
const vnDateTime = (iso: string): string => {
  const local = vietnamWallClock(Date.parse(iso));
  return `${vnDate(local.slice(0, 10))} ${local.slice(11, 16)}`;
};

/**
 * The report as an XLSX workbook: one worksheet per sheet, a title block (report, period,
 * generation time), bold wrapped headings, typed cells with number formats, totals in bold,
 * frozen headings. Deterministic for a given document (creation time = generation time).
 */
export async function toXlsx(doc: ReportDocument): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'BHYT health-book platform — reporting';
  wb.created = new Date(doc.generatedAt);
  wb.modified = new Date(doc.generatedAt);
  for (const sheet of doc.sheets) {
    const ws = wb.addWorksheet(sheet.name.slice(0, 31), { views: [{ state: 'frozen', ySplit: HEADER_ROW }] });
    ws.getCell(1, 1).value = doc.title;
    ws.getCell(1, 1).font = { bold: true, size: 13 };
    ws.getCell(2, 1).value =
      `${doc.periodLabel} (từ ${vnDate(doc.period.from)} đến ${vnDate(doc.period.to)}) — ${sheet.title}`;
    ws.getCell(3, 1).value =
      `Ngày lập: ${vnDateTime(doc.generatedAt)} — tồn đọng tính đến ${vnDateTime(doc.backlogAsOf)} (giờ Việt Nam)`;
    ws.getCell(3, 1).font = { italic: true };
    const header = ws.getRow(HEADER_ROW);
    sheet.columns.forEach((c, i) => {
      const cell = header.getCell(i + 1);
      cell.value = c.heading;
      cell.font = { bold: true };
      cell.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
      cell.border = { bottom: { style: 'thin' } };
      ws.getColumn(i + 1).width = c.width ?? 14;
    });
    header.height = 45;
    const totals = new Set(sheet.totalRows ?? []);
    sheet.rows.forEach((r, ri) => {
      const row = ws.getRow(HEADER_ROW + 1 + ri);
      sheet.columns.forEach((c, ci) => {
        const v = r[c.key];
        const cell = row.getCell(ci + 1);
        if (v === null || v === undefined) return;
        if (c.kind === 'date' && typeof v === 'string') cell.value = new Date(`${v}T00:00:00Z`);
        else cell.value = v;
        if (c.kind !== 'text') cell.numFmt = NUMBER_FORMATS[c.kind];
      });
      if (totals.has(ri)) row.font = { bold: true };
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
