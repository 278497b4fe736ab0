import ExcelJS from 'exceljs';
import { parsePeriod } from './calendar';
import { backlogBucket, emptyFigures, nearestRank, ReportInputs } from './figures';
import {
  buildComplianceReport,
  buildSemiannualReport,
  ReportDocument,
  restrictReport,
  scopeFigures,
  scopeVisibleTo,
} from './reports';
import { toCsv } from './csv';
import { toXlsx } from './xlsx';

const facilities = [
  { code: '79001', name: 'BV Mẫu 1', province: '79', provinceName: 'TP Hồ Chí Minh' },
  { code: '79002', name: 'BV Mẫu 2', province: '79', provinceName: 'TP Hồ Chí Minh' },
  { code: '01001', name: 'BV Trung ương', province: '01', provinceName: 'Hà Nội' },
];
const claim = (
  facility: string,
  day: string,
  careType: 'OUTPATIENT_VISIT' | 'INPATIENT' | 'TELEMEDICINE',
  insured: boolean,
  n: Partial<Record<string, number>>,
) => ({
  facility,
  day,
  careType,
  insured,
  encounters: 0,
  interconnected: 0,
  closed: 0,
  signed: 0,
  submitted: 0,
  onTime: 0,
  accepted: 0,
  rejected: 0,
  missed: 0,
  corrections: 0,
  ...n,
});

const inputs: ReportInputs = {
  facilities,
  claimDays: [
    claim('79001', '2026-01-15', 'OUTPATIENT_VISIT', true, {
      encounters: 5,
      interconnected: 4,
      closed: 5,
      signed: 5,
      submitted: 5,
      onTime: 4,
      accepted: 4,
      rejected: 1,
    }),
    claim('79001', '2026-01-16', 'INPATIENT', false, {
      encounters: 2,
      interconnected: 1,
      closed: 2,
      signed: 2,
      submitted: 1,
      onTime: 1,
      accepted: 1,
      missed: 1,
    }),
    claim('79002', '2026-01-16', 'TELEMEDICINE', true, {
      encounters: 3,
      interconnected: 3,
      closed: 3,
      signed: 3,
      submitted: 3,
      onTime: 3,
      accepted: 3,
    }),
    claim('01001', '2026-01-20', 'OUTPATIENT_VISIT', false, { encounters: 1, closed: 1 }),
  ],
  registrationDays: [
    { facility: '79001', day: '2026-01-15', identifierType: 'CCCD', n: 4 },
    { facility: '79001', day: '2026-01-16', identifierType: 'BHYT_CARD', n: 3 },
    { facility: '01001', day: '2026-01-20', identifierType: 'VNEID_QR', n: 1 },
  ],
  rejectionDays: [{ facility: '79001', day: '2026-01-15', code: 'XML1_MA_THE', n: 1 }],
  readDays: [{ facility: '79002', day: '2026-01-17', n: 7 }],
  submissionDays: [
    { facility: '79001', day: '2026-01-15', submitted: 3, onTime: 3 },
    { facility: '79001', day: '2026-01-16', submitted: 3, onTime: 2 },
    { facility: '79002', day: '2026-01-17', submitted: 3, onTime: 3 },
  ],
  delays: [
    { scope: { facility: '79001' }, n: 6, p50Ms: 3 * 3600_000, p90Ms: 20 * 3600_000, p99Ms: 30 * 3600_000 },
    { scope: 'all', n: 9, p50Ms: 2 * 3600_000, p90Ms: 18 * 3600_000, p99Ms: 30 * 3600_000 },
  ],
  backlog: [
    { facility: '01001', bucket: 'h6to12', n: 1 },
    { facility: '79001', bucket: 'ge24h', n: 1 },
  ],
  backlogAsOf: '2026-01-21T17:00:00.000Z',
};
const week = parsePeriod('weekly', '2026-01-15');
const at = new Date('2026-01-22T07:00:00Z');

describe('report figures', () => {
  const doc = buildComplianceReport('weekly', week, inputs, at);

  it('adds up a facility, its province and the grand total from the daily rows', () => {
    const f = scopeFigures(doc, { facility: '79001' })!;
    expect([
      f.encounters,
      f.closed,
      f.signed,
      f.submitted,
      f.onTime,
      f.accepted,
      f.rejected,
      f.missed,
    ]).toEqual([7, 7, 7, 6, 5, 5, 1, 1]);
    expect(f.onTimeRate).toBeCloseTo(5 / 6);
    expect([f.insuredEncounters, f.uninsuredEncounters, f.interconnected]).toEqual([5, 2, 5]);
    expect(f.registrations).toEqual({ CCCD: 4, PERSONAL_ID: 0, BHYT_CARD: 3, VNEID_QR: 0 });
    expect(f.rejectionsByCode).toEqual({ XML1_MA_THE: 1 });
    expect(f.backlog).toEqual({ lt6h: 0, h6to12: 0, h12to24: 0, ge24h: 1 });
    expect(f.delay).toEqual({ n: 6, p50Ms: 3 * 3600_000, p90Ms: 20 * 3600_000, p99Ms: 30 * 3600_000 });
    const hcm = scopeFigures(doc, { province: '79' })!;
    expect([hcm.encounters, hcm.submitted, hcm.healthBookReads, hcm.registrationsTotal]).toEqual([
      10, 9, 7, 7,
    ]);
    expect(hcm.delay).toBeNull(); // no row for the province: not invented from the facilities'
    const all = scopeFigures(doc, 'all')!;
    expect([all.encounters, all.closed, all.backlogTotal, all.registrationsTotal, all.delay?.n]).toEqual([
      11, 11, 2, 8, 9,
    ]);
  });

  it('lists every registry facility, then province totals, then the grand total', () => {
    expect(doc.scopes.map((s) => s.label)).toEqual([
      '01001 — BV Trung ương',
      '79001 — BV Mẫu 1',
      '79002 — BV Mẫu 2',
      'Tổng Hà Nội',
      'Tổng TP Hồ Chí Minh',
      'Tổng cộng',
    ]);
    expect(doc.sheets[0]!.totalRows).toEqual([3, 4, 5]);
  });

  it('shows a facility that sent events but is missing from the registry under its code', () => {
    const extra = buildComplianceReport(
      'weekly',
      week,
      {
        ...inputs,
        claimDays: [...inputs.claimDays, claim('48001', '2026-01-15', 'INPATIENT', true, { encounters: 1 })],
      },
      at,
    );
    expect(extra.scopes.map((s) => s.label)).toContain('48001 — 48001');
    expect(scopeFigures(extra, 'all')!.encounters).toBe(12);
  });

  it('lays out the daily sheet by encounter day and by submission day', () => {
    const daily = doc.sheets[2]!;
    expect(daily.rows.find((r) => r['day'] === '2026-01-16' && r['facility'] === '79001')).toEqual({
      day: '2026-01-16',
      facility: '79001',
      encounters: 2,
      submittedThatDay: 3,
      onTimeThatDay: 2,
      onTimeRate: 2 / 3,
    });
    expect(daily.rows.find((r) => r['day'] === '2026-01-17' && r['facility'] === '79002')).toMatchObject({
      encounters: 0,
      submittedThatDay: 3,
    });
    expect(daily.rows.some((r) => r['day'] === '2026-01-18')).toBe(false);
  });

  it('builds the 6-monthly Annex matrix: 6 forms of care × BHYT or not × encounters and interconnected', () => {
    const half = buildSemiannualReport(parsePeriod('semiannual', '2026-H1'), inputs, at);
    const annex = half.sheets[0]!;
    expect(annex.rows.map((r) => r['careType'])).toEqual([
      'Khám bệnh ngoại trú',
      'Điều trị ngoại trú',
      'Cấp thuốc theo hẹn',
      'Điều trị nội trú',
      'Điều trị ban ngày',
      'Khám chữa bệnh từ xa',
      'Cộng',
    ]);
    expect(annex.rows[0]).toMatchObject({
      insuredEncounters: 5,
      insuredInterconnected: 4,
      uninsuredEncounters: 1,
      uninsuredInterconnected: 0,
      encounters: 6,
      interconnected: 4,
    });
    expect(annex.rows[3]).toMatchObject({
      insuredEncounters: 0,
      uninsuredEncounters: 2,
      uninsuredInterconnected: 1,
    });
    expect(annex.rows[6]).toMatchObject({ encounters: 11, interconnected: 8, rate: 8 / 11 });
    const perScope = half.sheets[1]!;
    expect(perScope.rows).toHaveLength(6 * 7); // 3 facilities + 2 provinces + total, 7 rows each
    expect(
      perScope.rows.find((r) => r['province'] === '79' && r['facility'] === null && r['careType'] === 'Cộng'),
    ).toMatchObject({ encounters: 10, interconnected: 8 });
  });
});

describe('percentiles and backlog buckets', () => {
  it('takes the value at rank ceil(p·n), as percentile_disc does', () => {
    expect(nearestRank([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(nearestRank([1, 2, 3, 4], 0.5)).toBe(2);
    expect(nearestRank([1, 2, 3, 4], 0.99)).toBe(4);
    expect(nearestRank([], 0.5)).toBeNull();
  });
  it('buckets ages at 6, 12 and 24 hours, lower bound inclusive', () => {
    expect([5.99, 6, 11.99, 12, 23.99, 24, 100].map((h) => backlogBucket(h * 3600_000))).toEqual([
      'lt6h',
      'h6to12',
      'h6to12',
      'h12to24',
      'h12to24',
      'ge24h',
      'ge24h',
    ]);
  });
  it('starts from zeros for every identifier, care type and bucket', () => {
    const f = emptyFigures();
    expect(Object.keys(f.matrix)).toHaveLength(6);
    expect(f.onTimeRate).toBeNull();
  });
});

describe('CSV and XLSX', () => {
  const doc = buildComplianceReport('weekly', week, inputs, at);

  it('writes CSV with a BOM, Vietnamese headings, rates in percent and quoted text', () => {
    const csv = toCsv(doc);
    expect(csv.startsWith('\uFEFFMã CSKCB,Cơ sở / Tổng,Mã tỉnh,Đăng ký bằng CCCD,')).toBe(true);
    const lines = csv.split('\r\n');
    expect(lines).toHaveLength(doc.scopes.length + 2); // heading, rows, final empty
    const head = lines[0]!.split(',');
    const row = lines.find((l) => l.startsWith('79001,'))!.split(',');
    expect(row[head.indexOf('Tỷ lệ gửi đúng hạn (%)')]).toBe('83.3');
    expect(row[head.indexOf('Hồ sơ đã gửi cổng')]).toBe('6');
  });

  it('neutralises text cells that a spreadsheet would run as formulas', () => {
    const evil = buildComplianceReport(
      'weekly',
      week,
      {
        ...inputs,
        facilities: [{ code: '79001', name: '=HYPERLINK("x")', province: '79', provinceName: 'X' }],
      },
      at,
    );
    expect(toCsv(evil)).toContain(`79001,"'=HYPERLINK(""x"")"`);
  });

  it('writes an XLSX whose cells carry numbers, percent and date formats under Vietnamese headings', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await toXlsx(doc)) as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Tổng hợp', 'Từ chối theo mã', 'Theo ngày']);
    const ws = wb.getWorksheet('Tổng hợp')!;
    expect(String(ws.getCell('A1').value)).toContain('Đề án 06');
    expect(String(ws.getCell('A2').value)).toContain('từ 15/01/2026 đến 21/01/2026');
    const headings = (ws.getRow(4).values as unknown[]).slice(1);
    const col = (h: string) => headings.indexOf(h) + 1;
    const row79001 = [...Array(ws.rowCount).keys()]
      .map((i) => ws.getRow(i + 1))
      .find((r) => r.getCell(1).value === '79001')!;
    expect(row79001.getCell(col('Hồ sơ đã gửi cổng')).value).toBe(6);
    expect(row79001.getCell(col('Hồ sơ đã gửi cổng')).numFmt).toBe('#,##0');
    expect(row79001.getCell(col('Tỷ lệ gửi đúng hạn')).value).toBeCloseTo(5 / 6);
    expect(row79001.getCell(col('Tỷ lệ gửi đúng hạn')).numFmt).toBe('0.0%');
    expect(row79001.getCell(col('Thời gian gửi P90 (giờ)')).value).toBe(20);
    const daily = wb.getWorksheet('Theo ngày')!;
    expect(daily.getCell('A5').value).toEqual(new Date('2026-01-15T00:00:00Z'));
    expect(daily.getCell('A5').numFmt).toBe('dd/mm/yyyy');
  });
});

describe('a report cut to its reader’s scope', () => {
  // 01001 also has a rejection, so that every sheet has rows of both provinces to leave out.
  const both: ReportInputs = {
    ...inputs,
    rejectionDays: [
      ...inputs.rejectionDays,
      { facility: '01001', day: '2026-01-20', code: 'XML1_NGAY', n: 1 },
    ],
  };
  const doc = buildComplianceReport('weekly', week, both, at);
  const facilitiesOf = (d: ReportDocument) =>
    new Set(d.sheets.flatMap((sh) => sh.rows.map((r) => r['facility']).filter((f) => typeof f === 'string')));
  const labelsOf = (d: ReportDocument, sheet: number) => d.sheets[sheet]!.rows.map((r) => r['name']);

  it('decides visibility by facility code prefix for a province and by equality for a facility', () => {
    expect(scopeVisibleTo({ facility: '79002' }, { province: '79' })).toBe(true);
    expect(scopeVisibleTo({ facility: '01001' }, { province: '79' })).toBe(false);
    expect(scopeVisibleTo({ province: '79' }, { province: '79' })).toBe(true);
    expect(scopeVisibleTo({ province: '01' }, { province: '79' })).toBe(false);
    expect(scopeVisibleTo('all', { province: '79' })).toBe(false);
    expect(scopeVisibleTo({ facility: '79002' }, { facility: '79001' })).toBe(false);
    expect(scopeVisibleTo({ province: '79' }, { facility: '79001' })).toBe(false);
    expect(scopeVisibleTo('all', 'all')).toBe(true);
  });

  it('leaves the whole report to a reader of the whole network', () => {
    expect(restrictReport(doc, 'all')).toBe(doc);
  });

  it('shows a province its facilities and its total, and neither another province nor the network total', () => {
    const hcm = restrictReport(doc, { province: '79' });
    expect(hcm.scopes.map((s) => s.label)).toEqual([
      '79001 — BV Mẫu 1',
      '79002 — BV Mẫu 2',
      'Tổng TP Hồ Chí Minh',
    ]);
    expect(labelsOf(hcm, 0)).toEqual(['BV Mẫu 1', 'BV Mẫu 2', 'Tổng TP Hồ Chí Minh']);
    expect(hcm.sheets[0]!.totalRows).toEqual([2]);
    expect(hcm.sheets[0]!.rows[2]).toMatchObject({ province: '79', submitted: 9 });
    expect(hcm.sheets[1]!.rows.map((r) => r['code'])).toEqual(['XML1_MA_THE', 'XML1_MA_THE']); // 79001 and the province total
    expect([...facilitiesOf(hcm)].sort()).toEqual(['79001', '79002']);
    expect(hcm.sheets[2]!.rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(hcm)).not.toContain('Tổng cộng');
    expect(JSON.stringify(hcm)).not.toContain('XML1_NGAY');
  });

  it('shows Ha Noi none of Ho Chi Minh City’s rows', () => {
    const hn = restrictReport(doc, { province: '01' });
    expect(hn.scopes.map((s) => s.label)).toEqual(['01001 — BV Trung ương', 'Tổng Hà Nội']);
    expect([...facilitiesOf(hn)]).toEqual(['01001']);
    expect(hn.sheets[2]!.rows.map((r) => r['day'])).toEqual(['2026-01-20']);
  });

  it('shows a facility only its own rows, without any total', () => {
    const one = restrictReport(doc, { facility: '79002' });
    expect(one.scopes.map((s) => s.label)).toEqual(['79002 — BV Mẫu 2']);
    expect(one.sheets[0]!.totalRows).toEqual([]);
    expect(one.sheets[1]!.rows).toEqual([]);
    expect([...facilitiesOf(one)]).toEqual(['79002']);
  });

  it('shows a province without facilities a zero total rather than anything of the others', () => {
    const dn = restrictReport(doc, { province: '48' });
    expect(dn.scopes).toHaveLength(1);
    expect(dn.sheets[0]!.rows).toEqual([
      expect.objectContaining({ facility: null, province: '48', name: 'Tổng 48', closed: 0 }),
    ]);
    expect(dn.sheets[2]!.rows).toEqual([]);
  });

  it('heads a province’s 6-monthly report with the province’s own Annex matrix', () => {
    const half = restrictReport(buildSemiannualReport(parsePeriod('semiannual', '2026-H1'), both, at), {
      province: '79',
    });
    expect(half.sheets[0]!.title).toContain('Tổng TP Hồ Chí Minh');
    expect(half.sheets[0]!.rows[6]).toMatchObject({ careType: 'Cộng', encounters: 10, interconnected: 8 });
    expect(half.sheets[1]!.rows).toHaveLength(3 * 7);
    expect([...facilitiesOf(half)].sort()).toEqual(['79001', '79002']);
    expect(half.sheets[2]!.rows.map((r) => r['name'])).toEqual([
      'BV Mẫu 1',
      'BV Mẫu 2',
      'Tổng TP Hồ Chí Minh',
    ]);
  });

  it('writes the CSV and XLSX of a province without the other province’s rows', async () => {
    const hcm = restrictReport(doc, { province: '79' });
    const csv = toCsv(hcm);
    expect(csv).toContain('79001,');
    expect(csv).not.toContain('01001');
    expect(csv).not.toContain('Tổng cộng');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await toXlsx(hcm)) as never);
    const cells = wb.worksheets.flatMap((ws) =>
      ws.getSheetValues().flatMap((row) => (Array.isArray(row) ? row.map(String) : [])),
    );
    expect(cells).toContain('79002');
    expect(cells.some((c) => c.includes('01001') || c === 'Tổng cộng' || c === 'BV Trung ương')).toBe(false);
  });
});
