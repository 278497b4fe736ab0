import Decimal from 'decimal.js';
import { buildClaimTables, checkinRequired, validateClaim } from './index';
import { scenarios } from './testing';

describe('buildClaimTables', () => {
  it('lists several insurance cards as aligned ; lists in XML1', () => {
    const r = scenarios['outpatientVisit']!();
    r.cards = [
      {
        cardNumber: 'GD4797912345678',
        registrationFacility: '79999',
        validFrom: '20260101',
        validTo: '20260630',
      },
      {
        cardNumber: 'HT3797912345679',
        registrationFacility: '79001',
        validFrom: '20260701',
        validTo: '20261231',
      },
    ];
    const x1 = buildClaimTables(r).XML1![0]!;
    expect(x1.MA_THE_BHYT).toBe('GD4797912345678;HT3797912345679');
    expect(x1.MA_DKBD).toBe('79999;79001');
    expect(x1.GT_THE_TU).toBe('20260101;20260701');
    expect(x1.GT_THE_DEN).toBe('20260630;20261231');
    expect(validateClaim(buildClaimTables(r))).toEqual([]);
  });

  it('leaves card fields empty for a visit without insurance and still validates', () => {
    const r = scenarios['outpatientVisit']!();
    r.cards = [];
    r.patientCategory = '9';
    const t = buildClaimTables(r);
    expect(t.XML1![0]!.MA_THE_BHYT).toBe('');
    expect(validateClaim(t)).toEqual([]);
  });

  it('sums XML1 totals from the detail lines with exact decimals', () => {
    const t = buildClaimTables(scenarios['inpatientWithSurgery']!());
    const x1 = t.XML1![0]!;
    const lines = [...t.XML2!, ...t.XML3!] as Array<Record<string, string>>;
    const sum = (f: string) => lines.reduce((a, l) => a.add(l[f]!), new Decimal(0)).toFixed();
    expect(x1.T_TONGCHI_BV).toBe(sum('THANH_TIEN_BV'));
    expect(x1.T_BHTT).toBe(new Decimal(x1.T_TONGCHI_BH).sub(x1.T_BNCCT).toFixed());
    expect(x1.T_VTYT).toBe(
      t
        .XML3!.filter((l) => l.MA_NHOM === '10')
        .reduce((a, l) => a.add(l.THANH_TIEN_BV), new Decimal(0))
        .toFixed(),
    );
    expect(new Decimal(x1.T_VTYT).gt(0)).toBe(true);
  });

  it('computes SO_NGAY_DTRI from the care-type rule (4750: 0 for 01; NGAY_RA − NGAY_VAO + 1 for 03)', () => {
    expect(
      buildClaimTables(scenarios['outpatientVisit']!(), { standard: '4750' }).XML1![0]!.SO_NGAY_DTRI,
    ).toBe('0');
    expect(buildClaimTables(scenarios['inpatient']!()).XML1![0]!.SO_NGAY_DTRI).toBe('5');
  });

  it('ends outpatient treatment episodes at 23:59 of the last day', () => {
    expect(buildClaimTables(scenarios['outpatientTreatment']!()).XML1![0]!.NGAY_RA).toMatch(/2359$/);
  });

  it('repeats XML1 values in the tables that carry them', () => {
    const t = buildClaimTables(scenarios['referral']!());
    expect(t.XML13![0]!.NGAY_SINH).toBe(t.XML1![0]!.NGAY_SINH);
    expect(t.XML13![0]!.MA_THE_BHYT).toBe(t.XML1![0]!.MA_THE_BHYT);
  });

  it('says no check-in is due for emergencies (category 2) and one is due otherwise', () => {
    const r = scenarios['outpatientVisit']!();
    expect(checkinRequired(r)).toBe(true);
    r.patientCategory = '2';
    expect(checkinRequired(r)).toBe(false);
  });
});
