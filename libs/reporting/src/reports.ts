import { CareType, IdentifierType } from '@bhyt/contracts';
import { daysOf, Period, periodLabel, ReportKind } from './calendar';
import {
  BACKLOG_BUCKETS,
  BacklogBucket,
  emptyFigures,
  Figures,
  IDENTIFIER_TYPES,
  ReportInputs,
  Scope,
  ScopedFigures,
  scopedFigures,
} from './figures';

/**
 * Report definitions: which figures go in which column under which Vietnamese heading. A report
 * is a {@link ReportDocument} of sheets (tables); the XLSX and CSV writers render any document,
 * so a report is defined once here and never in the writers.
 */
export type CellKind = 'text' | 'int' | 'percent' | 'hours' | 'date';
export type Cell = string | number | null;
export interface Column {
  key: string;
  heading: string;
  kind: CellKind;
  width?: number;
}
export interface Sheet {
  name: string;
  title: string;
  columns: Column[];
  rows: Array<Record<string, Cell>>;
  /** Rows that are totals (bold in XLSX). */
  totalRows?: number[];
}
export interface ReportDocument {
  kind: ReportKind;
  period: Period;
  title: string;
  periodLabel: string;
  /** ISO instant of generation. */
  generatedAt: string;
  /** Backlog measured at this instant. */
  backlogAsOf: string;
  sheets: Sheet[];
  /** Figures per facility, province and in total, for the API and the web page. */
  scopes: ScopedFigures[];
}

export const CARE_TYPE_LABELS: Record<CareType, string> = {
  OUTPATIENT_VISIT: 'Khám bệnh ngoại trú',
  OUTPATIENT_TREATMENT: 'Điều trị ngoại trú',
  SCHEDULED_REFILL: 'Cấp thuốc theo hẹn',
  INPATIENT: 'Điều trị nội trú',
  DAY_TREATMENT: 'Điều trị ban ngày',
  TELEMEDICINE: 'Khám chữa bệnh từ xa',
};
/** The order of the six forms of care in QĐ 2733 PL01 Art. 8. */
export const ANNEX_CARE_ORDER: CareType[] = [
  'OUTPATIENT_VISIT',
  'OUTPATIENT_TREATMENT',
  'SCHEDULED_REFILL',
  'INPATIENT',
  'DAY_TREATMENT',
  'TELEMEDICINE',
];

export const IDENTIFIER_LABELS: Record<IdentifierType, string> = {
  CCCD: 'CCCD',
  PERSONAL_ID: 'Số định danh cá nhân',
  BHYT_CARD: 'Thẻ BHYT',
  VNEID_QR: 'VNeID',
};
export const BACKLOG_LABELS: Record<BacklogBucket, string> = {
  lt6h: 'Tồn < 6 giờ',
  h6to12: 'Tồn 6–12 giờ',
  h12to24: 'Tồn 12–24 giờ',
  ge24h: 'Tồn ≥ 24 giờ',
};

export const REPORT_TITLES: Record<ReportKind, string> = {
  weekly: 'Báo cáo tuần Đề án 06 — Liên thông dữ liệu Sổ sức khỏe điện tử',
  monthly: 'Báo cáo tháng — Liên thông dữ liệu Sổ sức khỏe điện tử',
  semiannual:
    'Báo cáo 6 tháng kết quả triển khai Sổ sức khỏe điện tử (Phụ lục 1 Điều 8, Quyết định 2733/QĐ-BYT)',
};

const hours = (ms: number | undefined): number | null =>
  ms === undefined ? null : Math.round((ms / 3600_000) * 100) / 100;
const rate = (n: number, d: number): number | null => (d ? n / d : null);

const scopeColumns: Column[] = [
  { key: 'facility', heading: 'Mã CSKCB', kind: 'text', width: 11 },
  { key: 'name', heading: 'Cơ sở / Tổng', kind: 'text', width: 38 },
  { key: 'province', heading: 'Mã tỉnh', kind: 'text', width: 8 },
];

function scopeCells(s: ScopedFigures): Record<string, Cell> {
  if (s.scope === 'all') return { facility: null, name: s.label, province: null };
  if ('province' in s.scope) return { facility: null, name: s.label, province: s.scope.province };
  const code = s.scope.facility;
  return { facility: code, name: s.label.replace(`${code} — `, ''), province: code.slice(0, 2) };
}

const totalIndexes = (scopes: ScopedFigures[], rowsPerScope = 1): number[] =>
  scopes.flatMap((s, i) =>
    s.scope === 'all' || 'province' in s.scope
      ? Array.from({ length: rowsPerScope }, (_, k) => i * rowsPerScope + k)
      : [],
  );

function complianceSheet(scopes: ScopedFigures[]): Sheet {
  const columns: Column[] = [
    ...scopeColumns,
    ...IDENTIFIER_TYPES.map((t) => ({
      key: `reg_${t}`,
      heading: `Đăng ký bằng ${IDENTIFIER_LABELS[t]}`,
      kind: 'int' as const,
    })),
    ...ANNEX_CARE_ORDER.map((c) => ({
      key: `care_${c}`,
      heading: CARE_TYPE_LABELS[c],
      kind: 'int' as const,
    })),
    { key: 'insured', heading: 'Lượt KCB có BHYT', kind: 'int' },
    { key: 'uninsured', heading: 'Lượt KCB không BHYT', kind: 'int' },
    { key: 'closed', heading: 'Hồ sơ đã kết thúc', kind: 'int' },
    { key: 'signed', heading: 'Hồ sơ đã ký số', kind: 'int' },
    { key: 'submitted', heading: 'Hồ sơ đã gửi cổng', kind: 'int' },
    { key: 'onTime', heading: 'Gửi đúng hạn', kind: 'int' },
    { key: 'onTimeRate', heading: 'Tỷ lệ gửi đúng hạn', kind: 'percent' },
    { key: 'accepted', heading: 'Cổng tiếp nhận hợp lệ', kind: 'int' },
    { key: 'rejected', heading: 'Bị từ chối', kind: 'int' },
    { key: 'missed', heading: 'Quá hạn chưa gửi', kind: 'int' },
    { key: 'p50', heading: 'Thời gian gửi P50 (giờ)', kind: 'hours' },
    { key: 'p90', heading: 'Thời gian gửi P90 (giờ)', kind: 'hours' },
    { key: 'p99', heading: 'Thời gian gửi P99 (giờ)', kind: 'hours' },
    ...BACKLOG_BUCKETS.map((b) => ({
      key: `backlog_${b}`,
      heading: BACKLOG_LABELS[b],
      kind: 'int' as const,
    })),
    { key: 'backlog', heading: 'Tổng tồn đọng', kind: 'int' },
    { key: 'reads', heading: 'Lượt tra cứu Sổ SKĐT', kind: 'int' },
  ];
  const rows = scopes.map((s) => {
    const f = s.figures;
    return {
      ...scopeCells(s),
      ...Object.fromEntries(IDENTIFIER_TYPES.map((t) => [`reg_${t}`, f.registrations[t]])),
      ...Object.fromEntries(
        ANNEX_CARE_ORDER.map((c) => [
          `care_${c}`,
          f.matrix[c].insured.encounters + f.matrix[c].uninsured.encounters,
        ]),
      ),
      insured: f.insuredEncounters,
      uninsured: f.uninsuredEncounters,
      closed: f.closed,
      signed: f.signed,
      submitted: f.submitted,
      onTime: f.onTime,
      onTimeRate: f.onTimeRate,
      accepted: f.accepted,
      rejected: f.rejected,
      missed: f.missed,
      p50: hours(f.delay?.p50Ms),
      p90: hours(f.delay?.p90Ms),
      p99: hours(f.delay?.p99Ms),
      ...Object.fromEntries(BACKLOG_BUCKETS.map((b) => [`backlog_${b}`, f.backlog[b]])),
      backlog: f.backlogTotal,
      reads: f.healthBookReads,
    };
  });
  return {
    name: 'Tổng hợp',
    title: 'Tổng hợp theo cơ sở và theo tỉnh',
    columns,
    rows,
    totalRows: totalIndexes(scopes),
  };
}

function rejectionSheet(scopes: ScopedFigures[]): Sheet {
  const rows = scopes.flatMap((s) =>
    Object.entries(s.figures.rejectionsByCode).map(([code, n]) => ({ ...scopeCells(s), code, n })),
  );
  return {
    name: 'Từ chối theo mã',
    title: 'Hồ sơ bị từ chối theo mã lỗi',
    columns: [
      ...scopeColumns,
      { key: 'code', heading: 'Mã lỗi', kind: 'text', width: 16 },
      { key: 'n', heading: 'Số hồ sơ', kind: 'int' },
    ],
    rows,
  };
}

function dailyRows(inputs: ReportInputs, period: Period): Array<Record<string, Cell>> {
  const facilities = [
    ...new Set([...inputs.claimDays.map((r) => r.facility), ...inputs.submissionDays.map((r) => r.facility)]),
  ].sort();
  const rows: Array<Record<string, Cell>> = [];
  for (const day of daysOf(period)) {
    for (const facility of facilities) {
      const claims = inputs.claimDays.filter((r) => r.facility === facility && r.day === day);
      const subs = inputs.submissionDays.filter((r) => r.facility === facility && r.day === day);
      const encounters = claims.reduce((a, r) => a + r.encounters, 0);
      const submittedThatDay = subs.reduce((a, r) => a + r.submitted, 0);
      if (!encounters && !submittedThatDay) continue;
      const onTimeThatDay = subs.reduce((a, r) => a + r.onTime, 0);
      rows.push({
        day,
        facility,
        encounters,
        submittedThatDay,
        onTimeThatDay,
        onTimeRate: rate(onTimeThatDay, submittedThatDay),
      });
    }
  }
  return rows;
}

const DAILY_SHEET = 'Theo ngày';

function dailySheet(rows: Array<Record<string, Cell>>): Sheet {
  return {
    name: DAILY_SHEET,
    title: 'Theo ngày: lượt KCB kết thúc trong ngày và hồ sơ cổng tiếp nhận trong ngày',
    columns: [
      { key: 'day', heading: 'Ngày', kind: 'date' },
      { key: 'facility', heading: 'Mã CSKCB', kind: 'text', width: 11 },
      { key: 'encounters', heading: 'Lượt KCB kết thúc', kind: 'int' },
      { key: 'submittedThatDay', heading: 'Hồ sơ gửi cổng trong ngày', kind: 'int' },
      { key: 'onTimeThatDay', heading: 'Trong đó đúng hạn', kind: 'int' },
      { key: 'onTimeRate', heading: 'Tỷ lệ đúng hạn', kind: 'percent' },
    ],
    rows,
  };
}

/** The Annex matrix for one scope: 6 forms of care × {BHYT, không BHYT} × {lượt KCB, lượt liên thông}. */
function annexRows(s: ScopedFigures, withScope: boolean): Array<Record<string, Cell>> {
  const rows = ANNEX_CARE_ORDER.map((c, i) => {
    const m = s.figures.matrix[c];
    const enc = m.insured.encounters + m.uninsured.encounters;
    const con = m.insured.interconnected + m.uninsured.interconnected;
    return {
      ...(withScope ? scopeCells(s) : {}),
      no: i + 1,
      careType: CARE_TYPE_LABELS[c],
      insuredEncounters: m.insured.encounters,
      insuredInterconnected: m.insured.interconnected,
      uninsuredEncounters: m.uninsured.encounters,
      uninsuredInterconnected: m.uninsured.interconnected,
      encounters: enc,
      interconnected: con,
      rate: rate(con, enc),
    } as Record<string, Cell>;
  });
  const sum = (k: string) => rows.reduce((a, r) => a + Number(r[k] ?? 0), 0);
  rows.push({
    ...(withScope ? scopeCells(s) : {}),
    no: null,
    careType: 'Cộng',
    insuredEncounters: sum('insuredEncounters'),
    insuredInterconnected: sum('insuredInterconnected'),
    uninsuredEncounters: sum('uninsuredEncounters'),
    uninsuredInterconnected: sum('uninsuredInterconnected'),
    encounters: sum('encounters'),
    interconnected: sum('interconnected'),
    rate: rate(sum('interconnected'), sum('encounters')),
  });
  return rows;
}

const annexColumns: Column[] = [
  { key: 'no', heading: 'STT', kind: 'int', width: 6 },
  { key: 'careType', heading: 'Hình thức KCB', kind: 'text', width: 26 },
  { key: 'insuredEncounters', heading: 'Có BHYT — Số lượt KCB', kind: 'int' },
  { key: 'insuredInterconnected', heading: 'Có BHYT — Số lượt liên thông', kind: 'int' },
  { key: 'uninsuredEncounters', heading: 'Không BHYT — Số lượt KCB', kind: 'int' },
  { key: 'uninsuredInterconnected', heading: 'Không BHYT — Số lượt liên thông', kind: 'int' },
  { key: 'encounters', heading: 'Tổng số lượt KCB', kind: 'int' },
  { key: 'interconnected', heading: 'Tổng số lượt liên thông', kind: 'int' },
  { key: 'rate', heading: 'Tỷ lệ liên thông', kind: 'percent' },
];

/** The sheets of a weekly or monthly report: compliance, rejections, the daily series. */
const complianceSheets = (scopes: ScopedFigures[], daily: Array<Record<string, Cell>>): Sheet[] => [
  complianceSheet(scopes),
  rejectionSheet(scopes),
  dailySheet(daily),
];

/**
 * The sheets of the 6-monthly report: the Annex matrix of the headline scope (all facilities, or
 * the reader's province or facility), one block per facility and province, the compliance table.
 */
function semiannualSheets(scopes: ScopedFigures[], headline: ScopedFigures): Sheet[] {
  const perScope = scopes.flatMap((s) => annexRows(s, true));
  return [
    {
      name: 'Phụ lục Điều 8',
      title: `Kết quả liên thông theo hình thức khám chữa bệnh — ${headline.scope === 'all' ? 'toàn bộ cơ sở' : headline.label}`,
      columns: annexColumns,
      rows: annexRows(headline, false),
      totalRows: [ANNEX_CARE_ORDER.length],
    },
    {
      name: 'Theo cơ sở',
      title: 'Kết quả liên thông theo cơ sở và theo tỉnh',
      columns: [...scopeColumns, ...annexColumns],
      rows: perScope,
      totalRows: perScope.flatMap((r, i) => (r['careType'] === 'Cộng' || r['facility'] === null ? [i] : [])),
    },
    complianceSheet(scopes),
  ];
}

/** Weekly (Project 06) and monthly reports: compliance per facility and province. */
export function buildComplianceReport(
  kind: 'weekly' | 'monthly',
  period: Period,
  inputs: ReportInputs,
  generatedAt: Date,
): ReportDocument {
  const scopes = scopedFigures(inputs);
  return {
    kind,
    period,
    title: REPORT_TITLES[kind],
    periodLabel: periodLabel(period),
    generatedAt: generatedAt.toISOString(),
    backlogAsOf: inputs.backlogAsOf,
    sheets: complianceSheets(scopes, dailyRows(inputs, period)),
    scopes,
  };
}

/**
 * The 6-monthly report to the Ministry (QĐ 2733 PL01 Art. 8): the matrix for all facilities,
 * then one block per facility and per province, then the compliance table as an appendix.
 * "Interconnected" = the gateway accepted a version of the encounter's claim.
 */
export function buildSemiannualReport(
  period: Period,
  inputs: ReportInputs,
  generatedAt: Date,
): ReportDocument {
  const scopes = scopedFigures(inputs);
  return {
    kind: 'semiannual',
    period,
    title: REPORT_TITLES.semiannual,
    periodLabel: periodLabel(period),
    generatedAt: generatedAt.toISOString(),
    backlogAsOf: inputs.backlogAsOf,
    sheets: semiannualSheets(
      scopes,
      scopes.find((s) => s.scope === 'all')!,
    ),
    scopes,
  };
}

export function buildReport(period: Period, inputs: ReportInputs, generatedAt: Date): ReportDocument {
  return period.kind === 'semiannual'
    ? buildSemiannualReport(period, inputs, generatedAt)
    : buildComplianceReport(period.kind, period, inputs, generatedAt);
}

/** The figures of the whole report for a scope, e.g. the province total (tests and the page). */
export const scopeFigures = (doc: ReportDocument, scope: ScopedFigures['scope']): Figures | undefined =>
  doc.scopes.find((s) => JSON.stringify(s.scope) === JSON.stringify(scope))?.figures;

const provinceOf = (facility: string): string => facility.slice(0, 2);

/** Whether a reader scoped to `reader` may see the figures of `scope`. */
export function scopeVisibleTo(scope: Scope, reader: Scope): boolean {
  if (reader === 'all') return true;
  if (scope === 'all') return false;
  if ('facility' in reader) return 'facility' in scope && scope.facility === reader.facility;
  // QĐ 384: a facility belongs to the province its code starts with (the registry enforces it).
  return 'facility' in scope
    ? provinceOf(scope.facility) === reader.province
    : scope.province === reader.province;
}

/**
 * The report as a reader scoped to one province or one facility may see it: only the facilities
 * in that scope and, for a province, its total — never another province's rows nor the network
 * total. The sheets are laid out again from the remaining figures by the same definitions, so
 * the JSON, XLSX and CSV of a scoped reader hold the same rows. The 6-monthly Annex matrix is
 * the reader's own scope instead of all facilities. A scope with no row in the document (a
 * province without facilities) is shown with zeros rather than refused.
 */
export function restrictReport(doc: ReportDocument, reader: Scope): ReportDocument {
  if (reader === 'all') return doc;
  const scopes = doc.scopes.filter((s) => scopeVisibleTo(s.scope, reader));
  let headline = scopes.find((s) => JSON.stringify(s.scope) === JSON.stringify(reader));
  if (!headline) {
    headline = {
      scope: reader,
      label: 'facility' in reader ? `${reader.facility} — ${reader.facility}` : `Tổng ${reader.province}`,
      figures: emptyFigures(),
    };
    scopes.push(headline);
  }
  const sheets =
    doc.kind === 'semiannual'
      ? semiannualSheets(scopes, headline)
      : complianceSheets(
          scopes,
          (doc.sheets.find((s) => s.name === DAILY_SHEET)?.rows ?? []).filter(
            (r) => typeof r['facility'] === 'string' && scopeVisibleTo({ facility: r['facility'] }, reader),
          ),
        );
  return { ...doc, sheets, scopes };
}
