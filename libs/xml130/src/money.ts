import Decimal from 'decimal.js';
import { Dec, money } from './format';
import { MONEY_ROUNDING, XML3_BH_APPLIES_SERVICE_RATIO, XML3_SERVICE_RATIO_IS_PERCENT } from './unconfirmed';

/** Inputs of one cost line (XML2 drug line or XML3 service/supply line). */
export interface LineMoneyInput {
  readonly table: 'XML2' | 'XML3';
  readonly quantity: Decimal.Value;
  /** XML2 DON_GIA, XML3 DON_GIA_BV. */
  readonly unitPrice: Decimal.Value;
  /** XML3 DON_GIA_BH (XML2 uses DON_GIA). */
  readonly insurancePrice?: Decimal.Value;
  /** XML3 TYLE_TT_DV (percent). */
  readonly serviceRatio?: Decimal.Value;
  readonly paymentRatio: Decimal.Value;
  readonly benefitLevel: Decimal.Value;
  readonly otherSources?: {
    nsnn?: Decimal.Value;
    vtnn?: Decimal.Value;
    vttn?: Decimal.Value;
    cl?: Decimal.Value;
  };
  /**
   * XML2 under 3176 (xml3176.md §4 XML2 rows 30–32): T_BNTT, T_BHTT and T_BNCCT are written on
   * THANH_TIEN_BV instead of THANH_TIEN_BH (standard-rules.ts drugSplitFromHospitalAmount).
   */
  readonly drugSplitFromHospitalAmount?: boolean;
  /**
   * XML3 under 3176 (row 22): the facility does not charge the patient the difference to
   * DON_GIA_BH in a special TYLE_TT_DV case, so THANH_TIEN_BV = SL×DON_GIA_BV − SL×DON_GIA_BH×(100−TYLE_TT_DV)/100.
   */
  readonly specialPrice?: boolean;
}

export interface LineAmounts {
  THANH_TIEN_BV: string;
  THANH_TIEN_BH: string;
  T_NGUONKHAC_NSNN: string;
  T_NGUONKHAC_VTNN: string;
  T_NGUONKHAC_VTTN: string;
  T_NGUONKHAC_CL: string;
  T_NGUONKHAC: string;
  T_BNTT: string;
  T_BNCCT: string;
  T_BHTT: string;
}

const ZERO = new Dec(0);
const ONE_PERCENT = new Dec('0.01');
const ONE = new Dec(1);
const r2 = (v: Decimal): Decimal => (v.decimalPlaces() <= 2 ? v : v.toDecimalPlaces(2, MONEY_ROUNDING));
const cache = new Map<string, Decimal>();
/** Decimal for a value; small repeated values (ratios, '0', '100') are parsed once. */
function dec(v: Decimal.Value): Decimal {
  if (typeof v !== 'string' || v.length > 6) return new Dec(v);
  let c = cache.get(v);
  if (!c) {
    c = new Dec(v);
    if (cache.size < 10_000) cache.set(v, c);
  }
  return c;
}
const pctCache = new Map<string, Decimal>();
/** value/100 for a percentage (exact), cached: ratios repeat on every line. */
function pct(v: Decimal.Value): Decimal {
  const key = String(v);
  let c = pctCache.get(key);
  if (!c) {
    c = new Dec(v).mul(ONE_PERCENT);
    if (pctCache.size < 10_000) pctCache.set(key, c);
  }
  return c;
}
const complementCache = new Map<string, Decimal>();
/** 1 − value/100 for a percentage (exact), cached like pct(). */
function complement(v: Decimal.Value): Decimal {
  const key = String(v);
  let c = complementCache.get(key);
  if (!c) {
    c = ONE.sub(pct(v));
    if (complementCache.size < 10_000) complementCache.set(key, c);
  }
  return c;
}
const max0 = (v: Decimal): Decimal => (v.isNegative() ? ZERO : v);

export type LineAmountsDec = { [K in keyof LineAmounts]: Decimal };

const isZero = (x: Decimal.Value | undefined): boolean => x === undefined || x === '' || x === '0' || x === 0;

/**
 * xml130.md §7 line-level formulas with exact decimals; rounding to 2 decimals at
 * THANH_TIEN_BV, THANH_TIEN_BH and the provisional T_BHTT₀, then other-source deduction in the
 * order T_BNTT → T_BNCCT → T_BHTT, each floored at 0. Returns decimals (for summing).
 */
export function computeLineAmountsDec(
  i: LineMoneyInput,
  drugSplitFromHospitalAmount = i.drugSplitFromHospitalAmount === true,
): LineAmountsDec {
  const q = dec(i.quantity);
  const p = dec(i.unitPrice);
  const tyleBh = pct(i.paymentRatio);
  const mh = pct(i.benefitLevel);
  let bv: Decimal;
  let bh: Decimal;
  let bntt0: Decimal;
  let bhtt0: Decimal;
  let bncct0: Decimal;
  if (i.table === 'XML2') {
    const gross = q.mul(p);
    bv = r2(gross);
    bh = r2(gross.mul(tyleBh));
  } else {
    const dvFactor = XML3_SERVICE_RATIO_IS_PERCENT ? pct(i.serviceRatio ?? 100) : dec(i.serviceRatio ?? 100);
    const pBh = i.insurancePrice === undefined ? p : dec(i.insurancePrice);
    bv = i.specialPrice ? r2(q.mul(p).sub(q.mul(pBh).mul(ONE.sub(dvFactor)))) : r2(q.mul(p).mul(dvFactor));
    bh = r2(
      q
        .mul(pBh)
        .mul(tyleBh)
        .mul(XML3_BH_APPLIES_SERVICE_RATIO ? dvFactor : 1),
    );
  }
  // With TYLE_TT_BH = 100 the 3176 split on THANH_TIEN_BV gives exactly the 4750 one (THANH_TIEN_BH = THANH_TIEN_BV).
  if (i.table === 'XML2' && drugSplitFromHospitalAmount && String(i.paymentRatio) !== '100') {
    bntt0 = r2(bv.mul(complement(i.paymentRatio)));
    bhtt0 = r2(bv.mul(tyleBh).mul(mh));
    bncct0 = bv.sub(bhtt0).sub(bntt0);
  } else {
    bntt0 = bv.sub(bh);
    bhtt0 = r2(bh.mul(mh));
    bncct0 = bh.sub(bhtt0);
  }
  const o = i.otherSources;
  if (!o || (isZero(o.nsnn) && isZero(o.vtnn) && isZero(o.vttn) && isZero(o.cl)))
    return {
      THANH_TIEN_BV: bv,
      THANH_TIEN_BH: bh,
      T_NGUONKHAC_NSNN: ZERO,
      T_NGUONKHAC_VTNN: ZERO,
      T_NGUONKHAC_VTTN: ZERO,
      T_NGUONKHAC_CL: ZERO,
      T_NGUONKHAC: ZERO,
      T_BNTT: bntt0,
      T_BNCCT: bncct0,
      T_BHTT: bhtt0,
    };
  const [nsnn, vtnn, vttn, cl] = [o.nsnn, o.vtnn, o.vttn, o.cl].map((x) => r2(dec(x ?? '0'))) as [
    Decimal,
    Decimal,
    Decimal,
    Decimal,
  ];
  const nk = nsnn.add(vtnn).add(vttn).add(cl);
  let rem = nk;
  const bntt = max0(bntt0.sub(rem));
  rem = max0(rem.sub(bntt0));
  const bncct = max0(bncct0.sub(rem));
  rem = max0(rem.sub(bncct0));
  const bhtt = max0(bhtt0.sub(rem));
  return {
    THANH_TIEN_BV: bv,
    THANH_TIEN_BH: bh,
    T_NGUONKHAC_NSNN: nsnn,
    T_NGUONKHAC_VTNN: vtnn,
    T_NGUONKHAC_VTTN: vttn,
    T_NGUONKHAC_CL: cl,
    T_NGUONKHAC: nk,
    T_BNTT: bntt,
    T_BNCCT: bncct,
    T_BHTT: bhtt,
  };
}

/** Written form of line amounts (2 decimals, shortest form). */
export function formatLineAmounts(a: LineAmountsDec): LineAmounts {
  return {
    THANH_TIEN_BV: money(a.THANH_TIEN_BV),
    THANH_TIEN_BH: money(a.THANH_TIEN_BH),
    T_NGUONKHAC_NSNN: money(a.T_NGUONKHAC_NSNN),
    T_NGUONKHAC_VTNN: money(a.T_NGUONKHAC_VTNN),
    T_NGUONKHAC_VTTN: money(a.T_NGUONKHAC_VTTN),
    T_NGUONKHAC_CL: money(a.T_NGUONKHAC_CL),
    T_NGUONKHAC: money(a.T_NGUONKHAC),
    T_BNTT: money(a.T_BNTT),
    T_BNCCT: money(a.T_BNCCT),
    T_BHTT: money(a.T_BHTT),
  };
}

/** computeLineAmountsDec in written form. */
export function computeLineAmounts(i: LineMoneyInput): LineAmounts {
  return formatLineAmounts(computeLineAmountsDec(i));
}
