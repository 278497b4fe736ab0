import type { Document, Element } from '@xmldom/xmldom';
import {
  STANDARD_IDS,
  tableSpec,
  validateCheckin,
  validateClaim,
  type CheckinRow,
  type ClaimTables,
  type StandardId,
  type TableId,
} from '@bhyt/xml130';
import type { CheckMode, ContentCheck } from './config';
import { child, childElements, children, decodeUtf8, parseXml, strictBase64, text, XmlError } from './xml';

export type SubmissionKind = 'record' | 'checkin';

export interface RecordError {
  readonly check: ContentCheck | 'signature' | 'duplicate';
  readonly table: string;
  readonly row?: number;
  readonly field?: string;
  readonly message: string;
}

export interface SyncRejection {
  readonly code: string;
  readonly thongDiep: string;
}

/** What the simulator extracts from a record to feed card history. */
export interface EncounterSummary {
  readonly maThe?: string;
  readonly ngayVao?: string;
  readonly ngayRa?: string;
  readonly tenBenh?: string;
  readonly tinhTrang?: string;
  readonly kqDieuTri?: string;
  readonly lyDoVV?: string;
  readonly withdrawn: boolean;
}

export interface ContentResult {
  readonly doc: Document;
  readonly xmlText: string;
  readonly maLk: string | undefined;
  readonly asyncErrors: RecordError[];
  readonly summary: EncounterSummary;
}

export const ALLOWED_TABLES = [
  'XML1',
  'XML2',
  'XML3',
  'XML4',
  'XML5',
  'XML6',
  'XML7',
  'XML8',
  'XML9',
  'XML10',
  'XML11',
  'XML13',
  'XML14',
  'XML15',
];

/** Inner root element per table (§4.2), with the row path under it for tables that have rows. */
export const TABLE_ROOTS: Record<string, { root: string; rows?: [string, string] }> = {
  XML1: { root: 'TONG_HOP' },
  XML2: { root: 'CHITIEU_CHITIET_THUOC', rows: ['DSACH_CHI_TIET_THUOC', 'CHI_TIET_THUOC'] },
  XML3: { root: 'CHITIEU_CHITIET_DVKT_VTYT', rows: ['DSACH_CHI_TIET_DVKT', 'CHI_TIET_DVKT'] },
  XML4: { root: 'CHITIEU_CHITIET_DICHVUCANLAMSANG', rows: ['DSACH_CHI_TIET_CLS', 'CHI_TIET_CLS'] },
  XML5: {
    root: 'CHITIEU_CHITIET_DIENBIENLAMSANG',
    rows: ['DSACH_CHI_TIET_DIEN_BIEN_BENH', 'CHI_TIET_DIEN_BIEN_BENH'],
  },
  XML6: {
    root: 'CHI_TIEU_HO_SO_BENH_AN_CHAM_SOC_VA_DIEU_TRI_HIV_AIDS',
    rows: [
      'DSACH_HO_SO_BENH_AN_CHAM_SOC_VA_DIEU_TRI_HIV_AIDS',
      'HO_SO_BENH_AN_CHAM_SOC_VA_DIEU_TRI_HIV_AIDS',
    ],
  },
  XML7: { root: 'CHI_TIEU_DU_LIEU_GIAY_RA_VIEN' },
  XML8: { root: 'CHI_TIEU_DU_LIEU_TOM_TAT_HO_SO_BENH_AN' },
  XML9: {
    root: 'CHI_TIEU_DU_LIEU_GIAY_CHUNG_SINH',
    rows: ['DSACH_GIAYCHUNGSINH', 'DU_LIEU_GIAY_CHUNG_SINH'],
  },
  XML10: { root: 'CHI_TIEU_DU_LIEU_GIAY_NGHI_DUONG_THAI' },
  XML11: { root: 'CHI_TIEU_DU_LIEU_GIAY_CHUNG_NHAN_NGHI_VIEC_HUONG_BAO_HIEM_XA_HOI' },
  XML13: { root: 'CHI_TIEU_GIAYCHUYENTUYEN' },
  XML14: { root: 'CHI_TIEU_GIAYHEN_KHAMLAI' },
  XML15: {
    root: 'CHI_TIEU_DIEUTRI_BENHLAO',
    rows: ['DSACH_CHITIET_DIEUTRI_BENHLAO', 'CHITIET_DIEUTRI_BENHLAO'],
  },
};

/**
 * The edition of the standard an endpoint takes (xml3176.md §6): …Qd3176 → 3176, …Qd4750 → 4750.
 * The QĐ 130 pilot endpoints get no edition checks (superseded; kept for old clients).
 */
export function standardOfEndpoint(path: string): StandardId | undefined {
  const m = /(\d{4})$/.exec(path);
  return m && (STANDARD_IDS as readonly string[]).includes(m[1]!) ? (m[1] as StandardId) : undefined;
}

/**
 * `tableShape`: every element of every row belongs to the table of the endpoint's edition, and a
 * date the edition writes as yyyyMMdd is not in the yyyyMMddHHmm form of another edition — a
 * 4750-shaped XML13 (MA_NOI_DI, TEN_DICH_VU, …) or XML14 (NGAY_HEN_KL with a time) sent to the
 * 3176 endpoints is refused with 202, the gateway's "XML content wrong" (bhyt-gateway.md §4.5, §9.4).
 */
function checkShape(
  findings: Findings,
  table: TableId,
  rows: Element[],
  standard: StandardId,
): Array<Record<string, string>> {
  const spec = tableSpec(table, standard);
  const others = STANDARD_IDS.filter((s) => s !== standard);
  const out: Array<Record<string, string>> = [];
  rows.forEach((r, i) => {
    const row: Record<string, string> = {};
    const at = spec.single ? {} : { row: i + 1 };
    for (const e of childElements(r)) {
      const name = e.nodeName;
      const f = spec.byName.get(name);
      if (!f) {
        const owner = others.find((o) => tableSpec(table, o).byName.has(name));
        findings.report({
          check: 'tableShape',
          table,
          ...at,
          field: name,
          message: owner
            ? `${name} is an element of ${table} under ${owner}, not under ${standard}`
            : `${name} is not an element of ${table} under ${standard}`,
        });
        continue;
      }
      const v = text(e);
      if (f.format === 'yyyyMMdd' && /^\d{12}$/.test(v))
        findings.report({
          check: 'tableShape',
          table,
          ...at,
          field: name,
          message: `${name} is a date (yyyyMMdd) under ${standard}; the yyyyMMddHHmm form is that of an earlier edition`,
        });
      row[name] = v;
    }
    out.push(row);
  });
  return out;
}

/** `fields`: the field, cross-table and amount rules of the edition (libs/xml130), per table, row and field. */
function checkFields(findings: Findings, violations: ReturnType<typeof validateClaim>): void {
  for (const v of violations)
    findings.report({
      check: 'fields',
      table: v.table,
      ...(v.row !== undefined ? { row: v.row } : {}),
      ...(v.field ? { field: v.field } : {}),
      message: `${v.code}: ${v.message}`,
    });
}

/** Thrown to reject synchronously. */
export class Rejection extends Error {
  constructor(
    readonly code: string,
    readonly thongDiep: string,
  ) {
    super(thongDiep);
  }
}

/** Collects findings and routes each to sync (throw), async (kept) or off (dropped) by check mode. */
class Findings {
  readonly asyncErrors: RecordError[] = [];
  constructor(private readonly modes: Readonly<Record<ContentCheck, CheckMode>>) {}
  report(error: RecordError, syncCode = '202'): void {
    const mode = this.modes[error.check as ContentCheck] ?? 'async';
    if (mode === 'off') return;
    if (mode === 'sync')
      throw new Rejection(
        syncCode,
        `${error.table}${error.field ? `.${error.field}` : ''}: ${error.message}`,
      );
    this.asyncErrors.push(error);
  }
}

/** Decodes fileHSBase64 and checks encoding/well-formedness (always synchronous). */
export function decodeFile(
  fileHSBase64: string,
  maxBytes: number,
): { bytes: Buffer; xmlText: string; doc: Document } {
  if (fileHSBase64.length === 0) throw new Rejection('204', 'fileHSBase64 is empty');
  if (Math.floor((fileHSBase64.length * 3) / 4) > maxBytes + 2)
    throw new Rejection('1001', `file larger than ${maxBytes} bytes`);
  const bytes = strictBase64(fileHSBase64);
  if (!bytes) throw new Rejection('205', 'fileHSBase64 is not strict base64');
  if (bytes.length === 0) throw new Rejection('204', 'decoded file is empty');
  if (bytes.length > maxBytes) throw new Rejection('1001', `file larger than ${maxBytes} bytes`);
  try {
    const xmlText = decodeUtf8(bytes);
    if (xmlText.trim() === '') throw new Rejection('204', 'XML is empty');
    return { bytes, xmlText, doc: parseXml(xmlText) };
  } catch (e) {
    if (e instanceof XmlError) throw new Rejection('123', e.message);
    throw e;
  }
}

const MA_LK_MAX = 100;

function checkMaLk(
  findings: Findings,
  table: string,
  row: number | undefined,
  value: string,
  expected: string | undefined,
): void {
  if (value === '')
    findings.report({
      check: 'sameMaLk',
      table,
      ...(row ? { row } : {}),
      field: 'MA_LK',
      message: 'MA_LK missing',
    });
  else if (value.length > MA_LK_MAX)
    findings.report({ check: 'sameMaLk', table, field: 'MA_LK', message: `MA_LK longer than ${MA_LK_MAX}` });
  else if (expected !== undefined && value !== expected) {
    findings.report({
      check: 'sameMaLk',
      table,
      ...(row ? { row } : {}),
      field: 'MA_LK',
      message: `MA_LK ${value} differs from XML1 MA_LK`,
    });
  }
}

const DATETIME12 = /^\d{12}$/;

/** Record content checks on the GIAMDINHHS envelope or XML0. */
export function checkContent(
  kind: SubmissionKind,
  doc: Document,
  xmlText: string,
  maCSKCB: string,
  modes: Readonly<Record<ContentCheck, CheckMode>>,
  standard?: StandardId,
): ContentResult {
  const findings = new Findings(modes);
  const root = doc.documentElement!;
  const expectedRoot = kind === 'record' ? 'GIAMDINHHS' : 'CHI_TIEU_TRANG_THAI_KCB';
  let summary: EncounterSummary = { withdrawn: false };
  if (root.nodeName !== expectedRoot) {
    findings.report({ check: 'rootShape', table: root.nodeName, message: `root must be ${expectedRoot}` });
    return { doc, xmlText, maLk: undefined, asyncErrors: findings.asyncErrors, summary };
  }
  if (!child(root, 'CHUKYDONVI'))
    findings.report({
      check: 'rootShape',
      table: expectedRoot,
      field: 'CHUKYDONVI',
      message: 'CHUKYDONVI missing',
    });

  if (kind === 'checkin') {
    const rows = children(child(root, 'DSACH_TRANG_THAI_KCB') ?? root, 'TRANG_THAI_KCB');
    if (rows.length === 0)
      findings.report({ check: 'rootShape', table: 'XML0', message: 'no TRANG_THAI_KCB row' });
    const maLk = rows[0] ? text(child(rows[0], 'MA_LK')) : undefined;
    rows.forEach((r, i) => {
      checkMaLk(findings, 'XML0', i + 1, text(child(r, 'MA_LK')), maLk);
      const cs = text(child(r, 'MA_CSKCB'));
      if (cs && cs !== maCSKCB)
        findings.report({
          check: 'envelope',
          table: 'XML0',
          row: i + 1,
          field: 'MA_CSKCB',
          message: 'MA_CSKCB differs from maCSKCB',
        });
      const ngayVao = text(child(r, 'NGAY_VAO'));
      if (ngayVao && !DATETIME12.test(ngayVao))
        findings.report({
          check: 'fields',
          table: 'XML0',
          row: i + 1,
          field: 'NGAY_VAO',
          message: 'expected yyyyMMddHHmm',
        });
    });
    if (standard) {
      const parsed = checkShape(findings, 'XML0', rows, standard);
      if (parsed.length)
        checkFields(findings, validateCheckin(parsed as unknown as CheckinRow[], { standard }));
    }
    summary = { withdrawn: false, ...(rows[0] ? { maThe: text(child(rows[0], 'MA_THE_BHYT')) } : {}) };
    return { doc, xmlText, maLk: maLk || undefined, asyncErrors: findings.asyncErrors, summary };
  }

  // GIAMDINHHS envelope
  const macskcb = text(child(child(root, 'THONGTINDONVI') ?? root, 'MACSKCB'));
  if (macskcb !== maCSKCB)
    findings.report({
      check: 'envelope',
      table: 'GIAMDINHHS',
      field: 'MACSKCB',
      message: 'MACSKCB differs from maCSKCB',
    });
  const info = child(root, 'THONGTINHOSO');
  if (!info) {
    findings.report({
      check: 'envelope',
      table: 'GIAMDINHHS',
      field: 'THONGTINHOSO',
      message: 'THONGTINHOSO missing',
    });
    return { doc, xmlText, maLk: undefined, asyncErrors: findings.asyncErrors, summary };
  }
  if (!/^\d{8}$/.test(text(child(info, 'NGAYLAP'))))
    findings.report({
      check: 'envelope',
      table: 'GIAMDINHHS',
      field: 'NGAYLAP',
      message: 'NGAYLAP must be yyyyMMdd',
    });
  const hosos = children(child(info, 'DANHSACHHOSO') ?? info, 'HOSO');
  const soLuong = text(child(info, 'SOLUONGHOSO'));
  if (soLuong !== String(hosos.length)) {
    findings.report({
      check: 'envelope',
      table: 'GIAMDINHHS',
      field: 'SOLUONGHOSO',
      message: `SOLUONGHOSO ${soLuong} but ${hosos.length} HOSO`,
    });
  }
  if (hosos.length !== 1)
    findings.report({
      check: 'envelope',
      table: 'GIAMDINHHS',
      field: 'HOSO',
      message: 'exactly one HOSO per file expected',
    });
  const hoso = hosos[0];
  if (!hoso) return { doc, xmlText, maLk: undefined, asyncErrors: findings.asyncErrors, summary };

  const seen = new Set<string>();
  const tables = new Map<string, Element>();
  for (const file of children(hoso, 'FILEHOSO')) {
    const loai = text(child(file, 'LOAIHOSO'));
    if (!ALLOWED_TABLES.includes(loai)) {
      findings.report({
        check: 'loaiHoSoSet',
        table: loai || '?',
        field: 'LOAIHOSO',
        message: `LOAIHOSO ${loai} not allowed`,
      });
      continue;
    }
    if (seen.has(loai)) {
      findings.report({ check: 'loaiHoSoSet', table: loai, field: 'LOAIHOSO', message: 'duplicate table' });
      continue;
    }
    seen.add(loai);
    const inner = strictBase64(text(child(file, 'NOIDUNGFILE')).replace(/\s+/g, ''));
    if (!inner || inner.length === 0) {
      findings.report({
        check: 'innerXml',
        table: loai,
        field: 'NOIDUNGFILE',
        message: 'NOIDUNGFILE is not base64',
      });
      continue;
    }
    let innerDoc: Document;
    try {
      innerDoc = parseXml(decodeUtf8(inner));
    } catch (e) {
      findings.report({
        check: 'innerXml',
        table: loai,
        field: 'NOIDUNGFILE',
        message: (e as Error).message,
      });
      continue;
    }
    const expected = TABLE_ROOTS[loai]!.root;
    if (innerDoc.documentElement!.nodeName !== expected) {
      findings.report({ check: 'innerXml', table: loai, message: `root must be ${expected}` });
      continue;
    }
    tables.set(loai, innerDoc.documentElement!);
  }
  if (!seen.has('XML1')) findings.report({ check: 'loaiHoSoSet', table: 'XML1', message: 'XML1 missing' });

  const xml1 = tables.get('XML1');
  const maLk = xml1 ? text(child(xml1, 'MA_LK')) : undefined;
  if (xml1) checkMaLk(findings, 'XML1', undefined, maLk ?? '', undefined);
  for (const [loai, el] of tables) {
    if (loai === 'XML1') continue;
    const rowsPath = TABLE_ROOTS[loai]!.rows;
    const rows = rowsPath ? children(child(el, rowsPath[0]) ?? el, rowsPath[1]) : [el];
    rows.forEach((r, i) =>
      checkMaLk(findings, loai, rowsPath ? i + 1 : undefined, text(child(r, 'MA_LK')), maLk),
    );
  }
  if (standard) {
    const claim: Record<string, Array<Record<string, string>>> = {};
    for (const [loai, el] of tables) {
      const rowsPath = TABLE_ROOTS[loai]!.rows;
      claim[loai] = checkShape(
        findings,
        loai as TableId,
        rowsPath ? children(child(el, rowsPath[0]) ?? el, rowsPath[1]) : [el],
        standard,
      );
    }
    if (claim['XML1']) checkFields(findings, validateClaim(claim as ClaimTables, { standard }));
  }
  if (xml1) {
    for (const f of ['NGAY_VAO', 'NGAY_RA']) {
      const v = text(child(xml1, f));
      if (v && !DATETIME12.test(v))
        findings.report({ check: 'fields', table: 'XML1', field: f, message: 'expected yyyyMMddHHmm' });
    }
    const pick = (f: string): Record<string, string> => {
      const v = text(child(xml1, f));
      return v ? { [f]: v } : {};
    };
    const v = {
      ...pick('MA_THE_BHYT'),
      ...pick('NGAY_VAO'),
      ...pick('NGAY_RA'),
      ...pick('CHAN_DOAN_RV'),
      ...pick('MA_LOAI_RV'),
      ...pick('KET_QUA_DTRI'),
      ...pick('LY_DO_VV'),
    };
    summary = {
      withdrawn: text(child(xml1, 'MA_DOITUONG_KCB')) === '8',
      ...(v['MA_THE_BHYT'] ? { maThe: v['MA_THE_BHYT'].split(';')[0]! } : {}),
      ...(v['NGAY_VAO'] ? { ngayVao: v['NGAY_VAO'] } : {}),
      ...(v['NGAY_RA'] ? { ngayRa: v['NGAY_RA'] } : {}),
      ...(v['CHAN_DOAN_RV'] ? { tenBenh: v['CHAN_DOAN_RV'] } : {}),
      ...(v['MA_LOAI_RV'] ? { tinhTrang: v['MA_LOAI_RV'] } : {}),
      ...(v['KET_QUA_DTRI'] ? { kqDieuTri: v['KET_QUA_DTRI'] } : {}),
      ...(v['LY_DO_VV'] ? { lyDoVV: v['LY_DO_VV'] } : {}),
    };
  }
  return { doc, xmlText, maLk: maLk || undefined, asyncErrors: findings.asyncErrors, summary };
}
