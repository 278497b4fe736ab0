import Decimal from 'decimal.js';
import { type LineMoneyInput } from './money';
import { MONEY_ROUNDING, XML3_BH_APPLIES_SERVICE_RATIO, XML3_SERVICE_RATIO_IS_PERCENT } from './unconfirmed';

/*
 * Exact decimal arithmetic on scaled integers (value = n / 10^s) for the validator's hot money
 * checks. decimal.js (precision 50) is exact for every amount of a claim, and so is this as long
 * as every integer stays within Number.MAX_SAFE_INTEGER: each operation checks that and throws
 * Unsafe otherwise, and the caller falls back to decimal.js. The results are therefore those of
 * decimal.js at a fraction of the cost (fixed.spec.ts compares the two on random lines).
 */

export class Fx {
  constructor(
    readonly n: number,
    readonly s: number,
  ) {}
}

/** Thrown when a value or an intermediate result does not fit exactly: use decimal.js instead. */
export class Unsafe extends Error {}
const UNSAFE = new Unsafe('fixed-point range exceeded');

/** Only ROUND_HALF_UP (unconfirmed.ts MONEY_ROUNDING) is replicated; any other mode disables the fast path. */
export const FIXED_AVAILABLE = MONEY_ROUNDING === Decimal.ROUND_HALF_UP;

const POW10: number[] = Array.from({ length: 23 }, (_, k) => 10 ** k); // exact up to 10^22
const MAX_SCALE = 15;

function safe(n: number): number {
  if (!Number.isSafeInteger(n)) throw UNSAFE;
  return n;
}

export const FX_ZERO = new Fx(0, 0);
const FX_ONE = new Fx(1, 0);
const NUM = /^(\d+)(?:\.(\d+))?$/;

/** A non-negative decimal string (the validator's NUM syntax) or a number, exactly; throws Unsafe if it does not fit. */
export function fx(v: string | number): Fx {
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return new Fx(v, 0);
    return fx(new Decimal(v).toFixed());
  }
  if (v === '0') return FX_ZERO;
  const m = NUM.exec(v);
  if (!m) throw UNSAFE;
  const frac = m[2] ?? '';
  if (frac.length > MAX_SCALE) throw UNSAFE;
  return new Fx(safe(+(m[1]! + frac)), frac.length);
}

function scaled(a: Fx, s: number): number {
  return a.s === s ? a.n : safe(a.n * POW10[s - a.s]!);
}

export function add(a: Fx, b: Fx): Fx {
  const s = Math.max(a.s, b.s);
  return new Fx(safe(scaled(a, s) + scaled(b, s)), s);
}
export function sub(a: Fx, b: Fx): Fx {
  const s = Math.max(a.s, b.s);
  return new Fx(safe(scaled(a, s) - scaled(b, s)), s);
}
export function mul(a: Fx, b: Fx): Fx {
  const s = a.s + b.s;
  if (s > MAX_SCALE) throw UNSAFE;
  return new Fx(safe(a.n * b.n), s);
}
export function cmp(a: Fx, b: Fx): number {
  const s = Math.max(a.s, b.s);
  const x = scaled(a, s);
  const y = scaled(b, s);
  return x < y ? -1 : x > y ? 1 : 0;
}
export const eq = (a: Fx, b: Fx): boolean => cmp(a, b) === 0;
const pct = (a: Fx): Fx => {
  if (a.s + 2 > MAX_SCALE) throw UNSAFE;
  return new Fx(a.n, a.s + 2);
};
const max0 = (a: Fx): Fx => (a.n < 0 ? FX_ZERO : a);

/** Rounded to 2 decimals, half away from zero (decimal.js ROUND_HALF_UP). */
export function r2(a: Fx): Fx {
  if (a.s <= 2) return a;
  const d = POW10[a.s - 2]!;
  const rem = a.n % d; // exact for safe integers; same sign as a.n
  let q = (a.n - rem) / d;
  if (2 * Math.abs(rem) >= d) q += a.n < 0 ? -1 : 1;
  return new Fx(q, 2);
}

export interface LineAmountsFx {
  THANH_TIEN_BV: Fx;
  THANH_TIEN_BH: Fx;
  T_NGUONKHAC: Fx;
  T_BNTT: Fx;
  T_BNCCT: Fx;
  T_BHTT: Fx;
}

const isZero = (x: Decimal.Value | undefined): boolean => x === undefined || x === '' || x === '0' || x === 0;
const val = (v: Decimal.Value): Fx =>
  typeof v === 'string' || typeof v === 'number'
    ? fx(v)
    : fx(typeof v === 'bigint' ? v.toString() : v.toFixed());

/**
 * computeLineAmountsDec (money.ts) step for step on scaled integers; throws Unsafe where a value
 * does not fit. Keep the two in step: fixed.spec.ts checks they agree.
 */
export function computeLineAmountsFx(
  i: LineMoneyInput,
  drugSplitFromHospitalAmount = i.drugSplitFromHospitalAmount === true,
): LineAmountsFx {
  const q = val(i.quantity);
  const p = val(i.unitPrice);
  const tyleBh = pct(val(i.paymentRatio));
  const mh = pct(val(i.benefitLevel));
  let bv: Fx;
  let bh: Fx;
  let bntt0: Fx;
  let bhtt0: Fx;
  let bncct0: Fx;
  if (i.table === 'XML2') {
    const gross = mul(q, p);
    bv = r2(gross);
    bh = r2(mul(gross, tyleBh));
  } else {
    const dvFactor = XML3_SERVICE_RATIO_IS_PERCENT
      ? pct(val(i.serviceRatio ?? 100))
      : val(i.serviceRatio ?? 100);
    const pBh = i.insurancePrice === undefined ? p : val(i.insurancePrice);
    bv = i.specialPrice
      ? r2(sub(mul(q, p), mul(mul(q, pBh), sub(FX_ONE, dvFactor))))
      : r2(mul(mul(q, p), dvFactor));
    const bhRaw = mul(mul(q, pBh), tyleBh);
    bh = r2(XML3_BH_APPLIES_SERVICE_RATIO ? mul(bhRaw, dvFactor) : bhRaw);
  }
  if (i.table === 'XML2' && drugSplitFromHospitalAmount && String(i.paymentRatio) !== '100') {
    bntt0 = r2(mul(bv, sub(FX_ONE, tyleBh)));
    bhtt0 = r2(mul(mul(bv, tyleBh), mh));
    bncct0 = sub(sub(bv, bhtt0), bntt0);
  } else {
    bntt0 = sub(bv, bh);
    bhtt0 = r2(mul(bh, mh));
    bncct0 = sub(bh, bhtt0);
  }
  const o = i.otherSources;
  if (!o || (isZero(o.nsnn) && isZero(o.vtnn) && isZero(o.vttn) && isZero(o.cl)))
    return {
      THANH_TIEN_BV: bv,
      THANH_TIEN_BH: bh,
      T_NGUONKHAC: FX_ZERO,
      T_BNTT: bntt0,
      T_BNCCT: bncct0,
      T_BHTT: bhtt0,
    };
  const nk = [o.nsnn, o.vtnn, o.vttn, o.cl].map((x) => r2(val(x ?? '0'))).reduce(add);
  let rem = nk;
  const bntt = max0(sub(bntt0, rem));
  rem = max0(sub(rem, bntt0));
  const bncct = max0(sub(bncct0, rem));
  rem = max0(sub(rem, bncct0));
  const bhtt = max0(sub(bhtt0, rem));
  return {
    THANH_TIEN_BV: bv,
    THANH_TIEN_BH: bh,
    T_NGUONKHAC: nk,
    T_BNTT: bntt,
    T_BNCCT: bncct,
    T_BHTT: bhtt,
  };
}
