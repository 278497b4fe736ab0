import fc from 'fast-check';
import Decimal from 'decimal.js';
import { computeLineAmounts } from './money';

describe('line money (xml130.md §7)', () => {
  it('computes XML2 THANH_TIEN_BV = SO_LUONG × DON_GIA, rounded to 2 decimals', () => {
    const a = computeLineAmounts({
      table: 'XML2',
      quantity: '14',
      unitPrice: '1250.5',
      paymentRatio: 100,
      benefitLevel: 80,
    });
    expect(a.THANH_TIEN_BV).toBe('17507');
    expect(a.THANH_TIEN_BH).toBe('17507');
    expect(a.T_BHTT).toBe('14005.6');
    expect(a.T_BNCCT).toBe('3501.4');
    expect(a.T_BNTT).toBe('0');
  });

  it('applies TYLE_TT_DV as a percentage in XML3 (second exam at 30 %)', () => {
    const a = computeLineAmounts({
      table: 'XML3',
      quantity: '1',
      unitPrice: '42100',
      serviceRatio: 30,
      paymentRatio: 100,
      benefitLevel: 100,
    });
    expect(a.THANH_TIEN_BV).toBe('12630');
    expect(a.THANH_TIEN_BH).toBe('12630');
  });

  it('puts the part of the hospital price above the insurance price on the patient (T_BNTT)', () => {
    const a = computeLineAmounts({
      table: 'XML3',
      quantity: '2',
      unitPrice: '300000',
      insurancePrice: '245500',
      paymentRatio: 100,
      benefitLevel: 80,
    });
    expect(a.T_BNTT).toBe('109000');
    expect(a.T_BHTT).toBe('392800');
    expect(a.T_BNCCT).toBe('98200');
  });

  it('rounds half up at 2 decimals', () => {
    const a = computeLineAmounts({
      table: 'XML2',
      quantity: '0.333',
      unitPrice: '1.5',
      paymentRatio: 100,
      benefitLevel: 100,
    });
    expect(a.THANH_TIEN_BV).toBe('0.5'); // 0.4995 → 0.50
  });

  it('deducts other sources from T_BNTT, then T_BNCCT, then T_BHTT, never below 0', () => {
    const a = computeLineAmounts({
      table: 'XML3',
      quantity: '1',
      unitPrice: '1000',
      insurancePrice: '800',
      paymentRatio: 100,
      benefitLevel: 80,
      otherSources: { nsnn: '300' },
    });
    // T_BNTT0 = 200, T_BHTT0 = 640, T_BNCCT0 = 160
    expect([a.T_BNTT, a.T_BNCCT, a.T_BHTT, a.T_NGUONKHAC]).toEqual(['0', '60', '640', '300']);
  });

  it('keeps THANH_TIEN_BV = T_BNTT + T_BNCCT + T_BHTT + T_NGUONKHAC for any line (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.constantFrom(32, 80, 95, 100),
        fc.integer({ min: 0, max: 100 }),
        (q1000, price, ratio, mh, nkPct) => {
          const quantity = new Decimal(q1000).div(1000).toFixed();
          const bv = new Decimal(quantity).mul(price).toDecimalPlaces(2);
          const nk = bv.mul(nkPct).div(100).toDecimalPlaces(2, Decimal.ROUND_DOWN).toFixed();
          const a = computeLineAmounts({
            table: 'XML2',
            quantity,
            unitPrice: String(price),
            paymentRatio: ratio,
            benefitLevel: mh,
            otherSources: { cl: nk },
          });
          const total = new Decimal(a.T_BNTT).add(a.T_BNCCT).add(a.T_BHTT).add(a.T_NGUONKHAC);
          expect(total.eq(a.THANH_TIEN_BV)).toBe(true);
          for (const v of Object.values(a)) expect(v).toMatch(/^\d+(\.\d{1,2})?$/);
        },
      ),
    );
  });
});
