import fc from 'fast-check';
import { isValidFacilityCode, parseFacilityCode } from './facility-code';
import { digitsArb, provinceCodeArb } from './test-arbitraries';

describe('parseFacilityCode', () => {
  it('reads the province from the first two digits', () => {
    expect(parseFacilityCode('79001')).toEqual({
      ok: true,
      value: { code: '79001', provinceCode: '79', province: { code: '79', name: 'TP Hồ Chí Minh' } },
    });
    expect(parseFacilityCode(' 01001 ').ok).toBe(true);
  });

  it('rejects codes that are not 5 digits or whose first two digits are not a province', () => {
    const code = (v: string): string | undefined => {
      const r = parseFacilityCode(v);
      return r.ok ? undefined : r.errors[0]?.code;
    };
    expect(code('')).toBe('FACILITY_CODE_EMPTY');
    expect(code('7900')).toBe('FACILITY_CODE_FORMAT');
    expect(code('790011')).toBe('FACILITY_CODE_FORMAT');
    expect(code('79A01')).toBe('FACILITY_CODE_FORMAT');
    expect(code('79 01')).toBe('FACILITY_CODE_FORMAT');
    expect(code('03001')).toBe('FACILITY_CODE_PROVINCE');
    expect(code('99001')).toBe('FACILITY_CODE_PROVINCE');
  });

  it('accepts every province code followed by any three digits', () => {
    fc.assert(fc.property(provinceCodeArb, digitsArb(3), (p, rest) => isValidFacilityCode(`${p}${rest}`)));
  });
});
