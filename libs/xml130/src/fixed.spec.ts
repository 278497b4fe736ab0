import fc from 'fast-check';
import { add, cmp, computeLineAmountsFx, fx, type Fx, mul, r2, sub, Unsafe } from './fixed';
import { Dec } from './format';
import { computeLineAmountsDec, type LineMoneyInput } from './money';

const text = (a: Fx): string => new Dec(a.n).div(new Dec(10).pow(a.s)).toFixed();
const decimalString = (maxInt: number, maxDecimals: number) =>
  fc
    .tuple(fc.integer({ min: 0, max: maxInt }), fc.nat({ max: maxDecimals }), fc.nat({ max: 999 }))
    .map(([i, d, f]) => (d === 0 ? String(i) : `${i}.${String(f).padStart(3, '0').slice(0, d)}`));

describe('fixed-point money arithmetic', () => {
  it('agrees with decimal.js on sums, differences, products, comparisons and rounding to 2 decimals', () => {
    fc.assert(
      fc.property(decimalString(10_000_000, 3), decimalString(100_000, 3), (x, y) => {
        const [a, b] = [fx(x), fx(y)];
        const [da, db] = [new Dec(x), new Dec(y)];
        expect(text(add(a, b))).toBe(da.add(db).toFixed());
        expect(text(sub(a, b))).toBe(da.sub(db).toFixed());
        expect(cmp(a, b)).toBe(da.cmp(db));
        expect(text(r2(sub(b, a)))).toBe(db.sub(da).toDecimalPlaces(2, Dec.ROUND_HALF_UP).toFixed());
        let product: Fx;
        try {
          product = mul(a, b);
        } catch (e) {
          // Refused only when the scaled product really leaves the safe-integer range.
          expect(e).toBeInstanceOf(Unsafe);
          expect(BigInt(a.n) * BigInt(b.n) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
          return;
        }
        expect(text(product)).toBe(da.mul(db).toFixed());
        expect(text(r2(product))).toBe(da.mul(db).toDecimalPlaces(2, Dec.ROUND_HALF_UP).toFixed());
      }),
      { numRuns: 300 },
    );
  });

  it('refuses values and results beyond the safe-integer range instead of rounding them', () => {
    expect(() => fx('123456789012345678901.5')).toThrow(Unsafe);
    expect(() => mul(fx('99999999999'), fx('99999999.999'))).toThrow(Unsafe);
  });

  it('computes the line amounts of decimal.js for drug and service lines under both editions', () => {
    const ratio = fc.oneof(
      fc.constant('100'),
      fc.constant('0'),
      fc.constant('50'),
      fc.constant('80'),
      fc.constant('95'),
      decimalString(100, 2),
    );
    const line = fc.record({
      table: fc.constantFrom('XML2' as const, 'XML3' as const),
      quantity: decimalString(1000, 3),
      unitPrice: decimalString(5_000_000, 3),
      insurancePrice: fc.option(decimalString(5_000_000, 3), { nil: undefined }),
      serviceRatio: fc.option(ratio, { nil: undefined }),
      paymentRatio: ratio,
      benefitLevel: ratio,
      otherSources: fc.option(
        fc.record({
          nsnn: decimalString(50_000, 3),
          vtnn: fc.constant('0'),
          vttn: decimalString(1000, 2),
          cl: fc.constant('0'),
        }),
        { nil: undefined },
      ),
      drugSplitFromHospitalAmount: fc.boolean(),
      specialPrice: fc.boolean(),
    });
    fc.assert(
      fc.property(line, (raw) => {
        const i = raw as LineMoneyInput;
        const d = computeLineAmountsDec(i);
        let f;
        try {
          f = computeLineAmountsFx(i);
        } catch (e) {
          expect(e).toBeInstanceOf(Unsafe); // decimal.js decides those
          return;
        }
        for (const k of [
          'THANH_TIEN_BV',
          'THANH_TIEN_BH',
          'T_NGUONKHAC',
          'T_BNTT',
          'T_BNCCT',
          'T_BHTT',
        ] as const)
          expect(text(f[k])).toBe(d[k].toFixed());
      }),
      { numRuns: 500 },
    );
  });
});
