import Decimal from 'decimal.js';
import {
  buildClaimTables,
  parseClaimTables,
  serializeClaimTables,
  standardOfRecord,
  tableSpec,
  validateClaim,
} from './index';
import { listScenarios, scenarios } from './testing';
import { buildCheckinRow, machineCode } from './build';
import { computeLineAmounts } from './money';
import { rulesOf } from './spec/standard-rules';

const END_2024 = new Date('2024-12-20T01:30:00Z');

describe('builders under QĐ 3176 (encounters that ended from 01/01/2025)', () => {
  it('choose the edition by the day the encounter ended', () => {
    const late = scenarios['inpatient']!({ start: new Date('2024-12-29T01:30:00Z') });
    expect(late.dischargedAt.toISOString() > '2025-01-01').toBe(true);
    expect(standardOfRecord(late)).toBe('3176');
    expect(standardOfRecord(scenarios['outpatientVisit']!({ start: END_2024 }))).toBe('4750');
  });

  it('write XML13 with MA_CSKCB_DI/MA_CSKCB_DEN and TINH_TRANG_CT and without TEN_DICH_VU/TEN_THUOC', () => {
    const r = scenarios['referral']!();
    r.referredFrom = '79010';
    r.referral!.earlierFacilities = ['79020'];
    const t = buildClaimTables(r);
    const x13 = t.XML13![0]! as Record<string, string>;
    expect(Object.keys(x13)).toEqual(tableSpec('XML13', '3176').fieldNames);
    expect(x13['MA_CSKCB_DI']).toBe('79020;79010');
    expect(x13['MA_CSKCB_DEN']).toBe(t.XML1![0]!.MA_NOI_DEN);
    expect(x13['TINH_TRANG_CT']).toMatch(/huyết áp/);
    for (const gone of ['MA_NOI_DI', 'MA_NOI_DEN', 'TEN_DICH_VU', 'TEN_THUOC', 'PP_DIEU_TRI'])
      expect(x13).not.toHaveProperty(gone);
    expect(validateClaim(t)).toEqual([]);
  });

  it('never name the facility itself as the referring facility (XML1 MA_NOI_DI empty → MA_CSKCB_DI empty)', () => {
    const r = scenarios['referral']!();
    const t3176 = buildClaimTables(r);
    expect(t3176.XML1![0]!.MA_NOI_DI).toBe('');
    expect(t3176.XML13![0]!.MA_CSKCB_DI).toBe('');
    r.referral!.earlierFacilities = ['79020'];
    expect(buildClaimTables(r).XML13![0]!.MA_CSKCB_DI).toBe('');
    r.referredFrom = r.facilityCode;
    expect(buildClaimTables(r).XML13![0]!.MA_CSKCB_DI).toBe('79020');
    delete r.referredFrom;
    delete r.referral!.earlierFacilities;
    const t4750 = buildClaimTables(r, { standard: '4750' });
    expect(t4750.XML13![0]!.MA_NOI_DI).toBe('');
    expect(validateClaim(t4750, { standard: '4750' })).toEqual([]);
  });

  it('write XML14 NGAY_HEN_KL as yyyyMMdd (4750: yyyyMMddHHmm)', () => {
    const r = scenarios['followUpAppointment']!();
    expect(buildClaimTables(r).XML14![0]!.NGAY_HEN_KL).toMatch(/^\d{8}$/);
    expect(buildClaimTables(r, { standard: '4750' }).XML14![0]!.NGAY_HEN_KL).toMatch(/^\d{12}$/);
  });

  it('write MA_TTDV as the practising-licence number (4750: the BHXH number) and MA_NGHE_NGHIEP as the level-2 code', () => {
    const r = scenarios['inpatient']!();
    r.patient.occupationCode = '22110';
    const x1 = buildClaimTables(r).XML1![0]!;
    expect(x1.MA_TTDV).toBe('000456/HCM-GPHN');
    expect(x1.MA_NGHE_NGHIEP).toBe('22');
    const old = buildClaimTables(r, { standard: '4750' }).XML1![0]!;
    expect(old.MA_TTDV).toBe('7900000001');
    expect(old.MA_NGHE_NGHIEP).toBe('22110');
  });

  it("write a foreigner's passport number in SO_CCCD and leave it empty for a newborn without one", () => {
    const foreigner = scenarios['outpatientVisit']!();
    delete foreigner.patient.citizenId;
    foreigner.patient.passportNumber = 'C1234567';
    foreigner.patient.nationalityCode = '074';
    const t = buildClaimTables(foreigner);
    expect(t.XML1![0]!.SO_CCCD).toBe('C1234567');
    expect(buildCheckinRow(foreigner).SO_CCCD).toBe('C1234567');
    expect(validateClaim(t)).toEqual([]);
    const baby = scenarios['newborn']!();
    delete baby.patient.citizenId;
    const tb = buildClaimTables(baby);
    expect(tb.XML1![0]!.SO_CCCD).toBe('');
    expect(validateClaim(tb)).toEqual([]);
  });

  it("write the patient's height in XML1 DU_PHONG", () => {
    const r = scenarios['inpatient']!();
    r.patient.heightCm = '168';
    expect(buildClaimTables(r).XML1![0]!.DU_PHONG).toBe('168');
    expect(buildClaimTables(r, { standard: '4750' }).XML1![0]!.DU_PHONG).toBe('');
  });

  it('write MA_MAY as XX.n.Z (4750: XX.n.YYYYY.Z), DC analysers as DN', () => {
    expect(machineCode('HH.1.79999.1', '79999', rulesOf('3176'))).toBe('HH.1.1');
    expect(machineCode('DC.3[vaynganhang].79999.SN7', '79999', rulesOf('3176'))).toBe(
      'DN.3[vaynganhang].SN7',
    );
    expect(machineCode('XQ.2.SN9', '79999', rulesOf('4750'))).toBe('XQ.2.79999.SN9');
    const t = buildClaimTables(scenarios['inpatient']!());
    expect(t.XML3!.filter((l) => l.MA_MAY).map((l) => l.MA_MAY)).toEqual(['HH.1.1', 'XQ.1.2']);
  });

  it('count SO_NGAY_DTRI per care type: general formula, days with services (02), longest drug period (07)', () => {
    expect(buildClaimTables(scenarios['outpatientVisit']!()).XML1![0]!.SO_NGAY_DTRI).toBe('1');
    const treatment = scenarios['outpatientTreatment']!();
    const days = new Set(
      treatment.services.map((s) => (s.executedAt ?? s.orderedAt).toISOString().slice(0, 10)),
    ).size;
    expect(buildClaimTables(treatment).XML1![0]!.SO_NGAY_DTRI).toBe(String(days));
    expect(buildClaimTables(scenarios['scheduledRefill']!()).XML1![0]!.SO_NGAY_DTRI).toBe('30');
    expect(
      buildClaimTables(scenarios['scheduledRefill']!(), { standard: '4750' }).XML1![0]!.SO_NGAY_DTRI,
    ).toBe('0');
  });

  it('use the special-price THANH_TIEN_BV when the facility waives the difference (annex example: 72,000)', () => {
    const a = computeLineAmounts({
      table: 'XML3',
      quantity: '1',
      unitPrice: '100000',
      insurancePrice: '40000',
      serviceRatio: '30',
      paymentRatio: '100',
      benefitLevel: '80',
      specialPrice: true,
    });
    expect(a.THANH_TIEN_BV).toBe('72000');
    expect(a.THANH_TIEN_BH).toBe('12000');
    expect(a.T_BNTT).toBe('60000');
    const r = scenarios['outpatientVisit']!();
    r.services.push({
      ...r.services[0]!,
      hospitalPrice: '100000',
      insurancePrice: '40000',
      serviceRatio: 30,
      waivesPriceDifference: true,
      department: 'K03',
    });
    const t = buildClaimTables(r);
    expect(t.XML3!.at(-1)!.THANH_TIEN_BV).toBe('72000');
    const errors = validateClaim(t).filter((v) => v.code === 'LINE_AMOUNT_MISMATCH');
    expect(errors).toEqual([]);
  });

  it('split XML2 amounts on THANH_TIEN_BV under 3176', () => {
    const input = {
      table: 'XML2' as const,
      quantity: '3',
      unitPrice: '1250.55',
      paymentRatio: '50',
      benefitLevel: '80',
    };
    const a = computeLineAmounts({ ...input, drugSplitFromHospitalAmount: true });
    const bv = new Decimal('3751.65');
    expect(a.THANH_TIEN_BV).toBe(bv.toFixed());
    expect(a.T_BNTT).toBe(bv.mul(0.5).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed());
    expect(a.T_BHTT).toBe(bv.mul(0.5).mul(0.8).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed());
    expect(a.T_BNCCT).toBe(bv.sub(a.T_BHTT).sub(a.T_BNTT).toFixed());
  });

  it('give the fund nothing on a PHAM_VI 2 line (paid by the patient)', () => {
    const r = scenarios['outpatientVisit']!();
    r.drugs[0]!.scope = 2;
    const t = buildClaimTables(r);
    expect(t.XML2![0]!.T_BHTT).toBe('0');
    expect(validateClaim(t)).toEqual([]);
  });
});

describe('every scenario under the rules of its date', () => {
  const ends = [
    ['4750', END_2024],
    ['3176', new Date('2026-11-02T01:30:00Z')],
  ] as const;
  for (const [standard, start] of ends)
    it.each(listScenarios().map((s) => [s.name, s] as const))(
      `%s ending in ${start.getUTCFullYear()} builds ${standard}, validates clean and round-trips`,
      (_n, s) => {
        const r = s.build({ start, facilityCode: '79999', patientSeed: 3 });
        const t = buildClaimTables(r);
        expect(standardOfRecord(r)).toBe(r.dischargedAt < new Date('2024-12-31T17:00:00Z') ? '4750' : '3176');
        expect(validateClaim(t)).toEqual([]);
        expect(parseClaimTables(serializeClaimTables(t))).toEqual(t);
      },
    );
});
