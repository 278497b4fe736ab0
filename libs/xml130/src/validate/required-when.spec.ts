import { compileRequiredWhen } from './required-when';

const c = (text: string) => {
  const p = compileRequiredWhen(text, 'KHAC');
  if (!p) throw new Error(`not compiled: ${text}`);
  return p;
};

describe('requiredWhen phrasing of the field metadata', () => {
  it('"required when X is present" / "has a value" depends on X being filled', () => {
    expect(c('required when NGAY_VAO_NOI_TRU is present')({ NGAY_VAO_NOI_TRU: '202601010000' })).toBe(true);
    expect(c('required when GIA_TRI has a value')({ GIA_TRI: '' })).toBe(false);
  });
  it('"required when X and Y are both empty" needs both empty', () => {
    const p = c('required when MA_THUOC and MA_VAT_TU are both empty');
    expect(p({ MA_THUOC: '', MA_VAT_TU: '' })).toBe(true);
    expect(p({ MA_THUOC: '40.1', MA_VAT_TU: '' })).toBe(false);
  });
  it('"required except for cost groups (MA_NHOM) 7 and 17" exempts exactly those groups', () => {
    const p = c('required except for cost groups (MA_NHOM) 7 and 17');
    expect(p({ MA_NHOM: '4' })).toBe(true);
    expect(p({ MA_NHOM: '7' })).toBe(false);
    expect(p({ MA_NHOM: '17' })).toBe(false);
  });
  it('"required when X = n (...)" matches the value, also inside a ; list', () => {
    expect(c('required when MA_NHOM = 12 (patient transport)')({ MA_NHOM: '12' })).toBe(true);
    expect(c('required when MA_NHOM = 12 (patient transport)')({ MA_NHOM: '1' })).toBe(false);
    expect(c('required when MA_TINH_TRANG_DK = 1')({ MA_TINH_TRANG_DK: '3;1' })).toBe(true);
  });
  it('"required when X is 1, 2, 3, 8 or 18" matches any listed value', () => {
    const p = c('required when MA_NHOM is 1, 2, 3, 8 or 18');
    expect(['1', '2', '3', '8', '18'].every((v) => p({ MA_NHOM: v }))).toBe(true);
    expect(p({ MA_NHOM: '13' })).toBe(false);
  });
  it('"required unless X = 0" applies to every other value', () => {
    const p = c('required unless LOAI_DTRI_LAO = 0');
    expect(p({ LOAI_DTRI_LAO: '1' })).toBe(true);
    expect(p({ LOAI_DTRI_LAO: '0' })).toBe(false);
  });
  it('"required when X is \'other\' (KHAC)" uses the configured code for other', () => {
    const p = c("required when MA_PHAC_DO_DIEU_TRI is 'other' (KHAC)");
    expect(p({ MA_PHAC_DO_DIEU_TRI: 'KHAC' })).toBe(true);
    expect(p({ MA_PHAC_DO_DIEU_TRI: '1a' })).toBe(false);
  });
  it('returns undefined for phrasing it cannot express', () => {
    expect(
      compileRequiredWhen(
        'same rule as under the former Decision 4210 (conditional; exact rule not stated)',
        'KHAC',
      ),
    ).toBeUndefined();
  });
});
