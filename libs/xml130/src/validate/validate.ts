import Decimal from 'decimal.js';
import {
  CARE_TYPE_CODES,
  COST_GROUPS,
  type CareTypeCodeEntry,
  costGroupsOfKind,
  DEPARTMENTS,
  ICD10,
  PATIENT_CATEGORIES,
} from '../codelists/codelists';
import { Dec, dayDiff } from '../format';
import type { CheckinRow, ClaimTables, Violation, ViolationCode } from '../model';
import {
  add as fxAdd,
  cmp as fxCmp,
  computeLineAmountsFx,
  eq as fxEq,
  FIXED_AVAILABLE,
  type Fx,
  FX_ZERO,
  fx,
  r2 as fxR2,
  sub as fxSub,
} from '../fixed';
import { computeLineAmountsDec, type LineMoneyInput } from '../money';
import {
  CLAIM_TABLE_IDS,
  type ClaimTableId,
  isClaimTableId,
  type StandardId,
  tableSpec,
} from '../spec/metadata';
import { repeatedFromXml1 } from '../spec/repeated-fields';
import { rulesOf, type StandardRules } from '../spec/standard-rules';
import { standardFor } from '../spec/standards';
import {
  ICD10_UNKNOWN_IS_VIOLATION,
  MONEY_ROUNDING,
  SERVICE_DAY_FROM,
  SUPPLY_KINDS_FOR_T_VTYT,
  T_BHTT_GDV_SKIPPED_CARD_GROUPS,
  TRADITIONAL_MEDICINE_CODE,
} from '../unconfirmed';
import { validateRows } from './field-rules';

type Row = Record<string, string>;
const NUM = /^\d+(\.\d+)?$/;
const DT = /^\d{12}$/;
const SUPPLY_GROUPS = costGroupsOfKind(SUPPLY_KINDS_FOR_T_VTYT);

interface Ctx {
  t: Partial<Record<ClaimTableId, Row[]>>;
  x1: Row;
  refDate: string;
  care?: CareTypeCodeEntry;
  standard: StandardId;
  rules: StandardRules;
  out: Violation[];
}

function v(
  out: Violation[],
  table: string,
  code: ViolationCode,
  message: string,
  row?: number,
  field?: string,
): void {
  out.push({
    table,
    code,
    message,
    ...(row !== undefined ? { row } : {}),
    ...(field !== undefined ? { field } : {}),
  });
}

/** An assessment finding that public pre-submission checkers raise but the decision and the gateway sheet do not. */
function warn(
  out: Violation[],
  table: string,
  code: ViolationCode,
  message: string,
  row?: number,
  field?: string,
): void {
  out.push({
    table,
    code,
    message,
    severity: 'warning',
    ...(row !== undefined ? { row } : {}),
    ...(field !== undefined ? { field } : {}),
  });
}

const rowsOf = (c: Ctx, id: ClaimTableId): Row[] => c.t[id] ?? [];
/** Cost group of a line on the claim's date, looked up once per code and run. */
let groups = new Map<string, ReturnType<typeof COST_GROUPS.lookup> | null>();
function groupOf(c: Ctx, r: Row): ReturnType<typeof COST_GROUPS.lookup> {
  const code = r['MA_NHOM'] ?? '';
  let g = groups.get(code);
  if (g === undefined) {
    g = (code ? COST_GROUPS.lookup(code, c.refDate) : undefined) ?? null;
    groups.set(code, g);
  }
  return g ?? undefined;
}
const items = (s: string | undefined): string[] => (s ? s.split(';') : []);
const ZERO = new Dec(0);
/** Parsed money values of one validation run, so totals and line checks parse each value once. */
let parsed = new WeakMap<Row, Map<string, Decimal | undefined>>();
function numCached(r: Row, f: string): Decimal | undefined {
  let m = parsed.get(r);
  if (!m) parsed.set(r, (m = new Map()));
  if (m.has(f)) return m.get(f);
  const x = num(r[f]);
  m.set(f, x);
  return x;
}
const num = (s: string | undefined): Decimal | undefined =>
  s === '0' ? ZERO : s !== undefined && NUM.test(s) ? new Dec(s) : undefined;

/** Normalises untrusted input into string rows; field-level problems are reported by validateRows. */
function normalise(
  tables: unknown,
  out: Violation[],
  standard: StandardId,
): Partial<Record<ClaimTableId, Row[]>> {
  const t: Partial<Record<ClaimTableId, Row[]>> = {};
  if (typeof tables !== 'object' || tables === null) {
    v(out, 'CLAIM', 'TABLE_MISSING', 'claim is not a set of tables');
    return t;
  }
  for (const [id, rows] of Object.entries(tables as Record<string, unknown>)) {
    if (!isClaimTableId(id)) {
      v(out, id, 'TABLE_NOT_ALLOWED', `${id} is not a claim table`);
      continue;
    }
    if (!Array.isArray(rows)) {
      v(out, id, 'INVALID_VALUE', `${id} must be a list of rows`);
      continue;
    }
    if (validateRows(id, rows, out, standard)) {
      t[id] = rows.slice() as Row[]; // every value is already text
      continue;
    }
    t[id] = rows.map((r) => {
      if (typeof r !== 'object' || r === null) return {};
      const rec = r as Record<string, unknown>;
      let clean = true;
      for (const k in rec) if (typeof rec[k] !== 'string') clean = false;
      if (clean) return rec as Row;
      const o: Row = {};
      for (const k in rec) o[k] = typeof rec[k] === 'string' ? (rec[k] as string) : '';
      return o;
    });
  }
  return t;
}

const XML2_AMOUNT_INPUTS = ['SO_LUONG', 'DON_GIA', 'TYLE_TT_BH', 'MUC_HUONG'];
const XML3_AMOUNT_INPUTS = ['SO_LUONG', 'DON_GIA_BV', 'DON_GIA_BH', 'TYLE_TT_DV', 'TYLE_TT_BH', 'MUC_HUONG'];
const OTHER_SOURCE_FIELDS = ['T_NGUONKHAC_NSNN', 'T_NGUONKHAC_VTNN', 'T_NGUONKHAC_VTTN', 'T_NGUONKHAC_CL'];
type Amounts<T> = Record<
  'THANH_TIEN_BV' | 'THANH_TIEN_BH' | 'T_NGUONKHAC' | 'T_BNTT' | 'T_BNCCT' | 'T_BHTT',
  T
>;

/** Exact arithmetic for the money rules: decimal.js, or scaled integers (fixed.ts) where every value fits. */
interface Arith<T> {
  /** A row's value when it has the NUM syntax. */
  num(r: Row, f: string): T | undefined;
  line(input: LineMoneyInput): Amounts<T>;
  zero: T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  eq(a: T, b: T): boolean;
  lt(a: T, b: T): boolean;
  isZero(a: T): boolean;
  /** To 2 decimals (MONEY_ROUNDING). */
  r2(a: T): T;
}
const DECIMAL: Arith<Decimal> = {
  num: numCached,
  line: (input) => computeLineAmountsDec(input),
  zero: ZERO,
  add: (a, b) => a.add(b),
  sub: (a, b) => a.sub(b),
  eq: (a, b) => a.eq(b),
  lt: (a, b) => a.lt(b),
  isZero: (a) => a.isZero(),
  r2: (a) => a.toDecimalPlaces(2, MONEY_ROUNDING),
};
const FIXED: Arith<Fx> = {
  num: (r, f) => {
    const s = r[f];
    return s !== undefined && NUM.test(s) ? fx(s) : undefined;
  },
  line: (input) => computeLineAmountsFx(input),
  zero: FX_ZERO,
  add: fxAdd,
  sub: fxSub,
  eq: fxEq,
  lt: (a, b) => fxCmp(a, b) < 0,
  isZero: (a) => a.n === 0,
  r2: fxR2,
};

/**
 * Runs a money check on scaled integers and, if a value does not fit them (fixed.ts Unsafe) or
 * on any other error, again on decimal.js: both are exact, the first is much cheaper. The check
 * writes to its own list so that an abandoned first run leaves nothing behind.
 */
function exactly(c: Ctx, check: <T>(a: Arith<T>, out: Violation[]) => void): void {
  let out: Violation[] = [];
  let done = false;
  if (FIXED_AVAILABLE)
    try {
      check(FIXED, out);
      done = true;
    } catch {
      out = []; // decimal.js decides, exactly as without the fast path
    }
  if (!done) check(DECIMAL, out);
  for (const x of out) c.out.push(x);
}

/** xml130.md §7 line formulas against the amounts written on one XML2/XML3 line (inputs already NUM). */
function lineAmountChecks<T>(
  a: Arith<T>,
  out: Violation[],
  c: Ctx,
  id: 'XML2' | 'XML3',
  r: Row,
  n: number,
): void {
  const input = {
    table: id,
    quantity: r['SO_LUONG'] ?? '0',
    unitPrice: (id === 'XML2' ? r['DON_GIA'] : r['DON_GIA_BV']) ?? '0',
    insurancePrice: id === 'XML2' ? undefined : r['DON_GIA_BH'],
    serviceRatio: id === 'XML2' ? undefined : r['TYLE_TT_DV'],
    paymentRatio: r['TYLE_TT_BH'] ?? '0',
    benefitLevel: r['MUC_HUONG'] ?? '0',
    otherSources: {
      nsnn: r['T_NGUONKHAC_NSNN'],
      vtnn: r['T_NGUONKHAC_VTNN'],
      vttn: r['T_NGUONKHAC_VTTN'],
      cl: r['T_NGUONKHAC_CL'],
    },
    drugSplitFromHospitalAmount: c.rules.drugSplitFromHospitalAmount,
  } as const;
  let exp = a.line(input);
  // 3176 special price: the facility may waive the difference to DON_GIA_BH when TYLE_TT_DV is not 100.
  if (id === 'XML3' && c.rules.specialPriceFormula && r['TYLE_TT_DV'] !== '100') {
    const special = a.line({ ...input, specialPrice: true });
    const bv = a.num(r, 'THANH_TIEN_BV');
    if (bv !== undefined && a.eq(bv, special.THANH_TIEN_BV)) exp = special;
  }
  for (const f of ['THANH_TIEN_BV', 'THANH_TIEN_BH', 'T_NGUONKHAC', 'T_BNTT', 'T_BNCCT', 'T_BHTT'] as const) {
    const got = a.num(r, f);
    if (got !== undefined && !a.eq(got, exp[f]))
      v(out, id, 'LINE_AMOUNT_MISMATCH', `${id} row ${n}: ${f} does not match the §7 formula`, n, f);
  }
  const nkv = a.num(r, 'T_NGUONKHAC');
  const bv = a.num(r, 'THANH_TIEN_BV');
  if (nkv !== undefined && bv !== undefined && !a.isZero(nkv) && !a.lt(nkv, bv))
    v(
      out,
      id,
      'OTHER_SOURCES_RANGE',
      `${id} row ${n}: T_NGUONKHAC must be below THANH_TIEN_BV`,
      n,
      'T_NGUONKHAC',
    );
}

/** XML1 totals against the sums of the detail lines, and T_BHTT = T_TONGCHI_BH − T_BNCCT. */
function totalChecks<T>(a: Arith<T>, out: Violation[], c: Ctx): void {
  const F = ['THANH_TIEN_BV', 'THANH_TIEN_BH', 'T_BNTT', 'T_BNCCT', 'T_NGUONKHAC', 'T_BHTT'] as const;
  const all: Amounts<T> = {
    THANH_TIEN_BV: a.zero,
    THANH_TIEN_BH: a.zero,
    T_BNTT: a.zero,
    T_BNCCT: a.zero,
    T_NGUONKHAC: a.zero,
    T_BHTT: a.zero,
  };
  let thuoc = a.zero;
  let vtyt = a.zero;
  let gdv = a.zero;
  for (const id of ['XML2', 'XML3'] as const)
    for (const r of rowsOf(c, id)) {
      for (const f of F) {
        const x = a.num(r, f);
        if (x === undefined) continue;
        all[f] = a.add(all[f], x);
        if (f === 'THANH_TIEN_BV' && id === 'XML2') thuoc = a.add(thuoc, x);
        if (f === 'THANH_TIEN_BV' && id === 'XML3' && SUPPLY_GROUPS.has(r['MA_NHOM'] ?? ''))
          vtyt = a.add(vtyt, x);
        if (f === 'T_BHTT' && r['MA_PTTT'] === '1') gdv = a.add(gdv, x);
      }
    }
  const check = (field: string, expected: T): void => {
    const got = a.num(c.x1, field);
    if (got !== undefined && !a.eq(got, a.r2(expected)))
      v(out, 'XML1', 'TOTAL_MISMATCH', `XML1: ${field} does not equal the sum of the detail lines`, 1, field);
  };
  check('T_THUOC', thuoc);
  check('T_VTYT', vtyt);
  check('T_TONGCHI_BV', all.THANH_TIEN_BV);
  check('T_TONGCHI_BH', all.THANH_TIEN_BH);
  for (const f of ['T_BNTT', 'T_BNCCT', 'T_NGUONKHAC', 'T_BHTT'] as const) check(f, all[f]);
  const tbh = a.num(c.x1, 'T_TONGCHI_BH');
  const tcct = a.num(c.x1, 'T_BNCCT');
  const tbhtt = a.num(c.x1, 'T_BHTT');
  const tnk = a.num(c.x1, 'T_NGUONKHAC');
  if (
    tbh !== undefined &&
    tcct !== undefined &&
    tbhtt !== undefined &&
    tnk !== undefined &&
    a.isZero(tnk) &&
    !a.eq(tbhtt, a.sub(tbh, tcct))
  )
    v(out, 'XML1', 'TOTAL_MISMATCH', 'XML1: T_BHTT must equal T_TONGCHI_BH − T_BNCCT', 1, 'T_BHTT');
  const skip = items(c.x1['MA_THE_BHYT']).some((card) =>
    T_BHTT_GDV_SKIPPED_CARD_GROUPS.includes(card.slice(0, 2)),
  );
  if (!skip) check('T_BHTT_GDV', gdv);
}

const RULES: Array<(c: Ctx) => void> = [
  function singleRecordTables(c) {
    for (const id of CLAIM_TABLE_IDS) {
      const rows = rowsOf(c, id);
      if (tableSpec(id).single && rows.length > 1)
        v(c.out, id, 'TOO_MANY_ROWS', `${id} holds one record per episode`);
      if (rows.length === 0 && c.t[id]) v(c.out, id, 'TABLE_MISSING', `${id} is present without rows`);
    }
  },
  function sameMaLk(c) {
    for (const id of CLAIM_TABLE_IDS)
      rowsOf(c, id).forEach((r, i) => {
        if (r['MA_LK'] !== c.x1['MA_LK'])
          v(c.out, id, 'MA_LK_MISMATCH', `${id} row ${i + 1}: MA_LK differs from XML1`, i + 1, 'MA_LK');
      });
  },
  function sttSequence(c) {
    for (const id of CLAIM_TABLE_IDS) {
      if (tableSpec(id).single || !tableSpec(id).byName.has('STT')) continue;
      rowsOf(c, id).forEach((r, i) => {
        if ((r['STT'] ?? '') !== '' && r['STT'] !== String(i + 1))
          v(c.out, id, 'STT_SEQUENCE', `${id} row ${i + 1}: STT must count up from 1`, i + 1, 'STT');
      });
    }
  },
  function codeLists(c) {
    const x1 = c.x1;
    if (x1['MA_LOAI_KCB'] && !c.care)
      v(
        c.out,
        'XML1',
        'CODE_UNKNOWN',
        'XML1: MA_LOAI_KCB is not in the care-type code list at the discharge date',
        1,
        'MA_LOAI_KCB',
      );
    if (x1['MA_DOITUONG_KCB'] && !PATIENT_CATEGORIES.lookup(x1['MA_DOITUONG_KCB'], c.refDate))
      v(
        c.out,
        'XML1',
        'CODE_UNKNOWN',
        'XML1: MA_DOITUONG_KCB is not in the patient-category code list',
        1,
        'MA_DOITUONG_KCB',
      );
    for (const k of items(x1['MA_KHOA']))
      if (!DEPARTMENTS.lookup(k, c.refDate))
        v(
          c.out,
          'XML1',
          'CODE_UNKNOWN',
          'XML1: MA_KHOA has a department code not in the code list',
          1,
          'MA_KHOA',
        );
    if (ICD10_UNKNOWN_IS_VIOLATION) {
      if (x1['MA_BENH_CHINH'] && !ICD10.lookup(x1['MA_BENH_CHINH'], c.refDate))
        v(
          c.out,
          'XML1',
          'CODE_UNKNOWN',
          'XML1: MA_BENH_CHINH is not an ICD-10 code of the code list',
          1,
          'MA_BENH_CHINH',
        );
      if (items(x1['MA_BENH_KT']).some((k) => !ICD10.lookup(k, c.refDate)))
        v(
          c.out,
          'XML1',
          'CODE_UNKNOWN',
          'XML1: MA_BENH_KT has a code not in the ICD-10 code list',
          1,
          'MA_BENH_KT',
        );
    }
    for (const id of ['XML2', 'XML3'] as const)
      rowsOf(c, id).forEach((r, i) => {
        const g = groupOf(c, r);
        if (r['MA_NHOM'] && !g)
          v(
            c.out,
            id,
            'CODE_UNKNOWN',
            `${id} row ${i + 1}: MA_NHOM is not in the cost-group code list`,
            i + 1,
            'MA_NHOM',
          );
        else if (g && g.table !== id)
          v(
            c.out,
            id,
            'INVALID_VALUE',
            `${id} row ${i + 1}: MA_NHOM belongs to ${g.table}`,
            i + 1,
            'MA_NHOM',
          );
        if (r['MA_KHOA'] && !DEPARTMENTS.lookup(r['MA_KHOA'], c.refDate))
          v(
            c.out,
            id,
            'CODE_UNKNOWN',
            `${id} row ${i + 1}: MA_KHOA is not in the department code list`,
            i + 1,
            'MA_KHOA',
          );
      });
  },
  function costGroupRequirements(c) {
    rowsOf(c, 'XML3').forEach((r, i) => {
      const n = i + 1;
      const g = groupOf(c, r);
      if (!r['MA_DICH_VU'] && !r['MA_VAT_TU'])
        v(
          c.out,
          'XML3',
          'FIELD_REQUIRED',
          `XML3 row ${n}: MA_DICH_VU or MA_VAT_TU is required`,
          n,
          'MA_DICH_VU',
        );
      if (r['MA_DICH_VU'] && !r['TEN_DICH_VU'])
        v(
          c.out,
          'XML3',
          'FIELD_REQUIRED',
          `XML3 row ${n}: TEN_DICH_VU is required when MA_DICH_VU is present`,
          n,
          'TEN_DICH_VU',
        );
      if (r['MA_VAT_TU'] && !r['TEN_VAT_TU'])
        v(
          c.out,
          'XML3',
          'FIELD_REQUIRED',
          `XML3 row ${n}: TEN_VAT_TU is required when MA_VAT_TU is present`,
          n,
          'TEN_VAT_TU',
        );
      if (g?.needsMachine && !r['MA_MAY'])
        v(
          c.out,
          'XML3',
          'FIELD_REQUIRED',
          `XML3 row ${n}: MA_MAY is required for paraclinical cost groups`,
          n,
          'MA_MAY',
        );
      if (g?.kind === 'surgery' && !r['PP_VO_CAM'])
        v(
          c.out,
          'XML3',
          'FIELD_REQUIRED',
          `XML3 row ${n}: PP_VO_CAM is required for surgery`,
          n,
          'PP_VO_CAM',
        );
      if (g?.kind === 'supply' && !r['MA_VAT_TU'])
        v(
          c.out,
          'XML3',
          'FIELD_REQUIRED',
          `XML3 row ${n}: MA_VAT_TU is required on supply lines`,
          n,
          'MA_VAT_TU',
        );
      const tt = num(r['T_TRANTT']);
      const bhtt = num(r['T_BHTT']);
      if (tt && bhtt && tt.lt(bhtt))
        v(c.out, 'XML3', 'INVALID_VALUE', `XML3 row ${n}: T_TRANTT must not be below T_BHTT`, n, 'T_TRANTT');
    });
    rowsOf(c, 'XML2').forEach((r, i) => {
      if (!r['MA_BAC_SI'])
        v(
          c.out,
          'XML2',
          'FIELD_REQUIRED',
          `XML2 row ${i + 1}: MA_BAC_SI (prescriber) is required`,
          i + 1,
          'MA_BAC_SI',
        );
    });
  },
  function lineAmounts(c) {
    for (const id of ['XML2', 'XML3'] as const)
      rowsOf(c, id).forEach((r, i) => {
        const fields = id === 'XML2' ? XML2_AMOUNT_INPUTS : XML3_AMOUNT_INPUTS;
        if (
          !fields.every((f) => NUM.test(r[f] ?? '')) ||
          !OTHER_SOURCE_FIELDS.every((f) => NUM.test(r[f] ?? ''))
        )
          return;
        exactly(c, (a, out) => lineAmountChecks(a, out, c, id, r, i + 1));
      });
  },
  function totals(c) {
    exactly(c, (a, out) => totalChecks(a, out, c));
  },
  function dateOrder(c) {
    const x1 = c.x1;
    const vao = x1['NGAY_VAO'] ?? '';
    const ra = x1['NGAY_RA'] ?? '';
    const vnt = x1['NGAY_VAO_NOI_TRU'] ?? '';
    const before = (a: string, b: string): boolean => DT.test(a) && DT.test(b) && a > b;
    if (before(vao, ra))
      v(c.out, 'XML1', 'DATE_ORDER', 'XML1: NGAY_VAO must not be after NGAY_RA', 1, 'NGAY_RA');
    if (before(vao, vnt))
      v(
        c.out,
        'XML1',
        'DATE_ORDER',
        'XML1: NGAY_VAO_NOI_TRU must not be before NGAY_VAO',
        1,
        'NGAY_VAO_NOI_TRU',
      );
    if (before(vnt, ra))
      v(
        c.out,
        'XML1',
        'DATE_ORDER',
        'XML1: NGAY_VAO_NOI_TRU must not be after NGAY_RA',
        1,
        'NGAY_VAO_NOI_TRU',
      );
    const from = items(x1['GT_THE_TU']);
    items(x1['GT_THE_DEN']).forEach((to, k) => {
      const f = from[k];
      if (f && /^\d{8}$/.test(f) && /^\d{8}$/.test(to) && f > to)
        v(c.out, 'XML1', 'DATE_ORDER', `XML1: card ${k + 1} GT_THE_TU is after GT_THE_DEN`, 1, 'GT_THE_DEN');
    });
    for (const id of ['XML2', 'XML3'] as const)
      rowsOf(c, id).forEach((r, i) => {
        const n = i + 1;
        const yl = r['NGAY_YL'] ?? '';
        if (before(yl, r['NGAY_TH_YL'] ?? ''))
          v(
            c.out,
            id,
            'DATE_ORDER',
            `${id} row ${n}: NGAY_TH_YL must not be before NGAY_YL`,
            n,
            'NGAY_TH_YL',
          );
        if (id === 'XML3' && before(yl, r['NGAY_KQ'] ?? ''))
          v(c.out, id, 'DATE_ORDER', `${id} row ${n}: NGAY_KQ must not be before NGAY_YL`, n, 'NGAY_KQ');
        if (before(vao, yl) || before(yl, ra))
          v(
            c.out,
            id,
            'DATE_ORDER',
            `${id} row ${n}: NGAY_YL must lie between NGAY_VAO and NGAY_RA`,
            n,
            'NGAY_YL',
          );
      });
    const x7 = rowsOf(c, 'XML7')[0];
    if (x7 && before(x7['NGAY_VAO'] ?? '', x7['NGAY_RA'] ?? ''))
      v(c.out, 'XML7', 'DATE_ORDER', 'XML7: NGAY_VAO must not be after NGAY_RA', 1, 'NGAY_RA');
    for (const id of ['XML10', 'XML11'] as const) {
      const r = rowsOf(c, id)[0];
      if (r && /^\d{8}$/.test(r['TU_NGAY'] ?? '') && /^\d{8}$/.test(r['DEN_NGAY'] ?? '')) {
        if ((r['TU_NGAY'] ?? '') > (r['DEN_NGAY'] ?? ''))
          v(c.out, id, 'DATE_ORDER', `${id}: TU_NGAY must not be after DEN_NGAY`, 1, 'DEN_NGAY');
        if (DT.test(vao) && (r['TU_NGAY'] ?? '') < vao.slice(0, 8))
          v(c.out, id, 'DATE_ORDER', `${id}: TU_NGAY must not be before NGAY_VAO`, 1, 'TU_NGAY');
      }
    }
    const x14 = rowsOf(c, 'XML14')[0];
    if (x14) {
      // 3176 makes NGAY_HEN_KL a date: compare the date parts (xml3176.md §4 XML14).
      const henDay = (x14['NGAY_HEN_KL'] ?? '').slice(0, 8);
      const raDay = (x14['NGAY_RA'] || ra).slice(0, 8);
      if (/^\d{8}$/.test(henDay) && /^\d{8}$/.test(raDay) && henDay < raDay)
        v(
          c.out,
          'XML14',
          'DATE_ORDER',
          'XML14 row 1: NGAY_HEN_KL must not be before NGAY_RA',
          1,
          'NGAY_HEN_KL',
        );
      const ct = x14['NGAY_CT'] ?? '';
      if (/^\d{8}$/.test(ct) && DT.test(vao) && ct < vao.slice(0, 8))
        v(c.out, 'XML14', 'DATE_ORDER', 'XML14: NGAY_CT must not be before NGAY_VAO', 1, 'NGAY_CT');
    }
  },
  function cardLists(c) {
    const fields = ['MA_THE_BHYT', 'MA_DKBD', 'GT_THE_TU', 'GT_THE_DEN'];
    const counts = fields.map((f) => items(c.x1[f]).length);
    if (counts.some((n) => n !== counts[0]))
      v(
        c.out,
        'XML1',
        'CARD_LIST_MISALIGNED',
        'XML1: MA_THE_BHYT, MA_DKBD, GT_THE_TU and GT_THE_DEN must list the same number of cards',
        1,
        'MA_THE_BHYT',
      );
  },
  function repeatedValues(c) {
    for (const id of CLAIM_TABLE_IDS) {
      const pairs = repeatedFromXml1(c.standard)[id];
      if (!pairs) continue;
      rowsOf(c, id).forEach((r, i) => {
        for (const [own, from] of pairs) {
          const val = r[own] ?? '';
          if (val !== '' && val !== (c.x1[from] ?? ''))
            v(
              c.out,
              id,
              'VALUE_MISMATCH',
              `${id} row ${i + 1}: ${own} differs from XML1 ${from}`,
              i + 1,
              own,
            );
        }
      });
    }
  },
  function treatmentDays(c) {
    const code = c.x1['MA_LOAI_KCB'] ?? '';
    const legacy = c.care?.treatmentDays;
    const rule =
      c.rules.treatmentDays[code] ??
      c.rules.treatmentDaysDefault ??
      (legacy === 'zero' ? 'zero' : legacy ? 'span' : undefined);
    const got = c.x1['SO_NGAY_DTRI'] ?? '';
    const vao = c.x1['NGAY_VAO'] ?? '';
    const ra = c.x1['NGAY_RA'] ?? '';
    if (
      !c.care ||
      !rule ||
      rule === 'longestDrugPeriod' ||
      !/^\d+$/.test(got) ||
      !DT.test(vao) ||
      !DT.test(ra)
    )
      return;
    let expected: number;
    if (rule === 'zero') expected = 0;
    else if (rule === 'span') expected = dayDiff(vao, ra) + 1;
    else {
      const days = new Set<string>();
      for (const r of rowsOf(c, 'XML3')) {
        const at = (SERVICE_DAY_FROM === 'NGAY_TH_YL' ? r['NGAY_TH_YL'] || r['NGAY_YL'] : r['NGAY_YL']) ?? '';
        if (r['MA_DICH_VU'] && DT.test(at)) days.add(at.slice(0, 8));
      }
      expected = days.size;
    }
    if (+got !== expected)
      v(
        c.out,
        'XML1',
        'TREATMENT_DAYS',
        `XML1 row 1: SO_NGAY_DTRI does not follow the ${c.standard} rule (${rule}) for MA_LOAI_KCB ${code}`,
        1,
        'SO_NGAY_DTRI',
      );
  },
  function tablesForCareType(c) {
    const care = c.care;
    const has = (id: ClaimTableId): boolean => rowsOf(c, id).length > 0;
    if (!has('XML2') && !has('XML3'))
      v(c.out, 'XML3', 'TABLE_MISSING', 'a claim needs at least one cost line in XML2 or XML3');
    for (const id of care?.requiredTables ?? [])
      if (isClaimTableId(id) && !has(id))
        v(c.out, id, 'TABLE_MISSING', `${id} is required for MA_LOAI_KCB ${c.x1['MA_LOAI_KCB']}`);
    const rv = c.x1['MA_LOAI_RV'] ?? '';
    if (care?.dischargePaper && rv !== '3' && !has('XML7'))
      v(
        c.out,
        'XML7',
        'TABLE_MISSING',
        `XML7 is required for MA_LOAI_KCB ${c.x1['MA_LOAI_KCB']} unless the patient absconded`,
      );
    const referred = rv === '2' || rv === '5';
    if (referred && !has('XML13'))
      v(c.out, 'XML13', 'TABLE_MISSING', 'XML13 is required when MA_LOAI_RV is 2 or 5');
    if (!referred && has('XML13'))
      v(c.out, 'XML13', 'TABLE_NOT_ALLOWED', 'XML13 is only sent when MA_LOAI_RV is 2 or 5');
  },
  function careTypeLimits(c) {
    const care = c.care;
    if (!care) return;
    let exams = 0;
    rowsOf(c, 'XML3').forEach((r, i) => {
      const g = groupOf(c, r);
      if (g?.kind === 'exam') exams++;
      if (g?.kind === 'bed' && !care.bedDaysAllowed)
        v(
          c.out,
          'XML3',
          'BED_DAYS_NOT_ALLOWED',
          `XML3 row ${i + 1}: bed days are not billed for MA_LOAI_KCB ${care.code}`,
          i + 1,
          'MA_NHOM',
        );
    });
    if (care.maxExamFees !== null && exams > care.maxExamFees)
      v(
        c.out,
        'XML3',
        'TOO_MANY_EXAM_FEES',
        `XML3: at most ${care.maxExamFees} examination fee for MA_LOAI_KCB ${care.code}`,
      );
    const vao = c.x1['NGAY_VAO'] ?? '';
    const ra = c.x1['NGAY_RA'] ?? '';
    if (
      care.maxCalendarDays !== null &&
      DT.test(vao) &&
      DT.test(ra) &&
      dayDiff(vao, ra) > care.maxCalendarDays
    )
      v(
        c.out,
        'XML1',
        'STAY_TOO_LONG',
        `XML1: MA_LOAI_KCB ${care.code} may not last more than ${care.maxCalendarDays} day`,
        1,
        'NGAY_RA',
      );
  },
  function conditionalGroups(c) {
    const x7 = rowsOf(c, 'XML7')[0];
    if (x7) {
      const f = ['SO_NGAY_NGHI', 'NGOAITRU_TUNGAY', 'NGOAITRU_DENNGAY'];
      const filled = f.filter((k) => (x7[k] ?? '') !== '').length;
      if (filled !== 0 && filled !== f.length)
        v(
          c.out,
          'XML7',
          'CONDITIONAL_FIELDS',
          'XML7: SO_NGAY_NGHI, NGOAITRU_TUNGAY and NGOAITRU_DENNGAY are all filled or all empty',
          1,
          'SO_NGAY_NGHI',
        );
    }
  },
  function referralFacilities(c) {
    if (!c.rules.referralFromList) return;
    const x13 = rowsOf(c, 'XML13')[0];
    if (!x13) return;
    const list = items(x13['MA_CSKCB_DI']);
    const from = c.x1['MA_NOI_DI'] ?? '';
    if (c.x1['MA_CSKCB'] && list.includes(c.x1['MA_CSKCB']))
      v(
        c.out,
        'XML13',
        'REFERRAL_FACILITY_MISMATCH',
        'XML13 row 1: MA_CSKCB_DI lists the facility itself (MA_CSKCB), which is never a referring facility',
        1,
        'MA_CSKCB_DI',
      );
    if (from !== '' && !list.includes(from))
      v(
        c.out,
        'XML13',
        'REFERRAL_FACILITY_MISMATCH',
        'XML13 row 1: MA_CSKCB_DI must contain XML1 MA_NOI_DI',
        1,
        'MA_CSKCB_DI',
      );
    if (from === '' && list.length > 0)
      v(
        c.out,
        'XML13',
        'REFERRAL_FACILITY_MISMATCH',
        'XML13 row 1: MA_CSKCB_DI is filled while XML1 MA_NOI_DI is empty',
        1,
        'MA_CSKCB_DI',
      );
  },
  function scopePaidByPatient(c) {
    if (!c.rules.scope2PaidByPatient) return;
    for (const id of ['XML2', 'XML3'] as const)
      rowsOf(c, id).forEach((r, i) => {
        if (r['PHAM_VI'] !== '2') return;
        const bhtt = numCached(r, 'T_BHTT');
        if (bhtt && !bhtt.isZero())
          v(
            c.out,
            id,
            'SCOPE_PAID_BY_PATIENT',
            `${id} row ${i + 1}: PHAM_VI 2 (paid by the patient) but T_BHTT is not 0`,
            i + 1,
            'T_BHTT',
          );
      });
  },
  function bedAndSurgeryLines(c) {
    const vao = c.x1['NGAY_VAO'] ?? '';
    const ra = c.x1['NGAY_RA'] ?? '';
    let bedDays = ZERO;
    rowsOf(c, 'XML3').forEach((r, i) => {
      const g = groupOf(c, r);
      if (g?.kind !== 'bed' && g?.kind !== 'surgery') return;
      const q = numCached(r, 'SO_LUONG');
      if (!q) return;
      if (g.kind === 'bed') bedDays = bedDays.add(q);
      if ((g.kind === 'bed' || g.kind === 'surgery') && q.gt(1))
        warn(
          c.out,
          'XML3',
          'LINE_QUANTITY_OVER_ONE',
          `XML3 row ${i + 1}: SO_LUONG above 1 on a ${g.kind === 'bed' ? 'bed-day' : 'surgery'} line (one per line)`,
          i + 1,
          'SO_LUONG',
        );
    });
    if (bedDays.isZero() || !DT.test(vao) || !DT.test(ra)) return;
    // Checkers: a stay of up to one calendar day bills at most one bed day; longer stays fewer bed days than treatment days.
    const allowed = Math.max(1, dayDiff(vao, ra));
    if (bedDays.gt(allowed))
      warn(
        c.out,
        'XML3',
        'BED_DAYS_EXCEED_STAY',
        `XML3: bed days (SO_LUONG of bed lines) exceed the length of stay from XML1 NGAY_VAO to NGAY_RA`,
        undefined,
        'SO_LUONG',
      );
  },
  function tenderFormat(c) {
    for (const id of ['XML2', 'XML3'] as const)
      rowsOf(c, id).forEach((r, i) => {
        const tt = r['TT_THAU'] ?? '';
        if (tt === '') return;
        const low = groupOf(c, r)?.kind === 'supply' ? 0 : 1;
        const m = /^[^;]+;G(\d{1,2})(?:\.\d{1,2})?;N(\d{1,2});(\d{4})$/.exec(tt);
        if (!m || +m[1]! < low || +m[2]! < low)
          warn(
            c.out,
            id,
            'TENDER_FORMAT',
            `${id} row ${i + 1}: TT_THAU must read decision;G${low}–G99;N${low}–N99;yyyy`,
            i + 1,
            'TT_THAU',
          );
      });
  },
  function imagingConclusion(c) {
    if (rowsOf(c, 'XML4').length === 0) return;
    const imaging = new Set(
      rowsOf(c, 'XML3')
        .filter((r) => groupOf(c, r)?.label === 'Imaging')
        .map((r) => r['MA_DICH_VU'] ?? ''),
    );
    rowsOf(c, 'XML4').forEach((r, i) => {
      if (!imaging.has(r['MA_DICH_VU'] ?? '') || (r['KET_LUAN'] ?? '') !== '') return;
      // 3176 (XML4 row 11): KET_LUAN stays empty when GIA_TRI holds the result.
      if (c.standard !== '4750' && (r['GIA_TRI'] ?? '') !== '') return;
      warn(
        c.out,
        'XML4',
        'IMAGING_CONCLUSION_MISSING',
        `XML4 row ${i + 1}: KET_LUAN is required for an imaging service`,
        i + 1,
        'KET_LUAN',
      );
    });
  },
  function traditionalMainDiagnosis(c) {
    const main = c.x1['MA_BENH_CHINH'] ?? '';
    if (
      main !== '' &&
      (TRADITIONAL_MEDICINE_CODE.test(main) ||
        (c.x1['MA_BENH_YHCT'] !== '' && items(c.x1['MA_BENH_YHCT']).includes(main)))
    )
      warn(
        c.out,
        'XML1',
        'TRADITIONAL_CODE_AS_MAIN',
        'XML1 row 1: MA_BENH_CHINH is a traditional-medicine code; those belong in MA_BENH_YHCT',
        1,
        'MA_BENH_CHINH',
      );
  },
  function appointmentAfterDischarge(c) {
    const x14 = rowsOf(c, 'XML14')[0];
    const ra = (x14?.['NGAY_RA'] || c.x1['NGAY_RA']) ?? '';
    const hen = x14?.['NGAY_HEN_KL'] ?? '';
    if (x14 && DT.test(ra) && /^\d{8}(\d{4})?$/.test(hen) && hen.slice(0, 8) === ra.slice(0, 8))
      warn(
        c.out,
        'XML14',
        'APPOINTMENT_NOT_AFTER_DISCHARGE',
        'XML14 row 1: NGAY_HEN_KL is on the day of discharge; an appointment is for a later day',
        1,
        'NGAY_HEN_KL',
      );
  },
];

export interface ValidateOptions {
  /** The edition to check against; default: the one in force on XML1 NGAY_RA (the end of the encounter). */
  readonly standard?: StandardId;
}

/**
 * Every field rule of the edition's metadata plus the cross-table rules of xml130.md §7 and §11
 * and xml3176.md, and the assessment rules of public pre-submission checkers. Errors (no
 * severity) come from the decision's text or the gateway sheet; warnings from the checkers only.
 * Never throws: any unexpected input becomes a violation.
 */
export function assessClaim(
  tables: ClaimTables,
  options: ValidateOptions = {},
): { standard: StandardId; errors: Violation[]; warnings: Violation[] } {
  const out: Violation[] = [];
  parsed = new WeakMap();
  groups = new Map();
  let standard: StandardId = options.standard ?? standardFor('');
  try {
    const x1raw = (tables as Partial<Record<string, unknown[]>> | null)?.XML1?.[0] as
      Record<string, unknown> | undefined;
    const ngayRa = typeof x1raw?.['NGAY_RA'] === 'string' ? x1raw['NGAY_RA'] : '';
    standard = options.standard ?? standardFor(ngayRa);
    const t = normalise(tables, out, standard);
    const x1 = t.XML1?.[0];
    if (!x1) {
      v(out, 'XML1', 'TABLE_MISSING', 'XML1 is required in every claim');
      return split(standard, out);
    }
    const refDate = (x1['NGAY_RA'] || x1['NGAY_VAO'] || '').slice(0, 8);
    const care = /^\d{8}$/.test(refDate)
      ? CARE_TYPE_CODES.lookup(x1['MA_LOAI_KCB'] ?? '', refDate)
      : undefined;
    const ctx: Ctx = {
      t,
      x1,
      refDate: /^\d{8}$/.test(refDate) ? refDate : '99991231',
      ...(care ? { care } : {}),
      standard,
      rules: rulesOf(standard),
      out,
    };
    for (const rule of RULES) {
      try {
        rule(ctx);
      } catch {
        v(out, 'CLAIM', 'INVALID_VALUE', `rule ${rule.name} could not be evaluated on this input`);
      }
    }
  } catch {
    v(out, 'CLAIM', 'INVALID_VALUE', 'claim could not be evaluated');
  }
  return split(standard, out);
}

function split(
  standard: StandardId,
  out: Violation[],
): { standard: StandardId; errors: Violation[]; warnings: Violation[] } {
  const errors: Violation[] = [];
  const warnings: Violation[] = [];
  for (const x of out) (x.severity === 'warning' ? warnings : errors).push(x);
  return { standard, errors, warnings };
}

/** The errors of assessClaim: what makes the claim invalid under its edition. */
export function validateClaim(tables: ClaimTables, options: ValidateOptions = {}): Violation[] {
  return assessClaim(tables, options).errors;
}

/** Field rules of XML0 (of its edition) plus the check-in rules of xml130.md §11. Never throws. */
export function validateCheckin(rows: CheckinRow[], options: ValidateOptions = {}): Violation[] {
  const out: Violation[] = [];
  try {
    if (!Array.isArray(rows) || rows.length === 0) {
      v(out, 'XML0', 'TABLE_MISSING', 'XML0 needs at least one row');
      return out;
    }
    // The encounter has not ended: the edition in force on the day of admission, unless given.
    validateRows(
      'XML0',
      rows,
      out,
      options.standard ?? standardFor(typeof rows[0]?.NGAY_VAO === 'string' ? rows[0].NGAY_VAO : ''),
    );
    rows.forEach((r, i) => {
      const n = i + 1;
      if (typeof r !== 'object' || r === null) return;
      const codes = ['MA_DICH_VU', 'MA_THUOC', 'MA_VAT_TU'].filter(
        (f) => typeof r[f as keyof CheckinRow] === 'string' && r[f as keyof CheckinRow] !== '',
      );
      if (codes.length > 1)
        v(
          out,
          'XML0',
          'FIRST_COST_AMBIGUOUS',
          `XML0 row ${n}: exactly one of MA_DICH_VU, MA_THUOC, MA_VAT_TU is given`,
          n,
          codes[1],
        );
      if (r.STT !== String(n))
        v(out, 'XML0', 'STT_SEQUENCE', `XML0 row ${n}: STT must count up from 1`, n, 'STT');
      if (DT.test(r.NGAY_VAO ?? '') && DT.test(r.NGAY_VAO_NOI_TRU ?? '') && r.NGAY_VAO_NOI_TRU < r.NGAY_VAO)
        v(
          out,
          'XML0',
          'DATE_ORDER',
          `XML0 row ${n}: NGAY_VAO_NOI_TRU must not be before NGAY_VAO`,
          n,
          'NGAY_VAO_NOI_TRU',
        );
      const day = (r.NGAY_VAO ?? '').slice(0, 8);
      if (/^\d{8}$/.test(day) && r.MA_LOAI_KCB && !CARE_TYPE_CODES.lookup(r.MA_LOAI_KCB, day))
        v(
          out,
          'XML0',
          'CODE_UNKNOWN',
          `XML0 row ${n}: MA_LOAI_KCB is not in the care-type code list`,
          n,
          'MA_LOAI_KCB',
        );
    });
  } catch {
    v(out, 'XML0', 'INVALID_VALUE', 'check-in could not be evaluated');
  }
  return out;
}
