import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLAIM_TABLE_IDS, SPECS, tableSpec } from './metadata';
import { renderRowTypes } from './generate-row-types';
import { STANDARDS, standardFor } from './standards';

const SHARED = '/work/shared/spec';
const COPIES = [
  ['xml130-fields.json', 'xml130-fields.json'],
  ['xml3176-fields.json', 'xml3176-fields.json'],
] as const;
const GENERATED = join(__dirname, 'row-types.generated.ts');

describe('field metadata', () => {
  for (const [shared, local] of COPIES)
    (existsSync(join(SHARED, shared)) ? it : it.skip)(
      `${local} is an identical copy of the shared spec file`,
      () => {
        expect(readFileSync(join(__dirname, local), 'utf8')).toBe(readFileSync(join(SHARED, shared), 'utf8'));
      },
    );

  it('has generated row types that are up to date with the data files', () => {
    const expected = renderRowTypes([...SPECS]);
    if (process.env['UPDATE_XML130_TYPES'] === '1') writeFileSync(GENERATED, expected);
    expect(readFileSync(GENERATED, 'utf8')).toBe(expected);
  });

  it('declares the field counts the standard gives for every table (4750)', () => {
    const counts = {
      XML1: 66,
      XML2: 39,
      XML3: 47,
      XML4: 12,
      XML5: 9,
      XML6: 47,
      XML7: 26,
      XML8: 22,
      XML9: 35,
      XML10: 13,
      XML11: 23,
      XML13: 39,
      XML14: 22,
      XML15: 20,
    };
    for (const id of CLAIM_TABLE_IDS) expect(tableSpec(id, '4750').fields).toHaveLength(counts[id]);
    expect(tableSpec('XML0', '4750').fields).toHaveLength(26);
  });

  it('sends 37 XML13 elements under 3176, with the renamed ones and without the removed ones', () => {
    const t = tableSpec('XML13', '3176');
    expect(t.fields).toHaveLength(37);
    expect(t.fieldNames).toEqual(expect.arrayContaining(['MA_CSKCB_DI', 'MA_CSKCB_DEN', 'TINH_TRANG_CT']));
    expect(t.fieldNames).not.toEqual(expect.arrayContaining(['MA_NOI_DI']));
    for (const gone of ['MA_NOI_DI', 'MA_NOI_DEN', 'TEN_DICH_VU', 'TEN_THUOC', 'PP_DIEU_TRI'])
      expect(t.byName.has(gone)).toBe(false);
    expect(t.byName.get('TINH_TRANG_CT')?.position).toBe(28);
    expect(tableSpec('XML14', '3176').byName.get('NGAY_HEN_KL')).toMatchObject({
      maxLength: 8,
      format: 'yyyyMMdd',
    });
  });

  it('chooses the edition by the day the encounter ended, with the dates in one list', () => {
    expect(STANDARDS.map((s) => [s.id, s.effectiveFrom])).toEqual([
      ['4750', '20240701'],
      ['3176', '20250101'],
    ]);
    expect(standardFor('202412312359')).toBe('4750');
    expect(standardFor('20250101')).toBe('3176');
    expect(standardFor('20230101')).toBe('4750');
    expect(standardFor('not a date')).toBe('3176');
  });

  it('never exposes XML12, which hospitals do not send', () => {
    expect(CLAIM_TABLE_IDS as readonly string[]).not.toContain('XML12');
    expect(() => tableSpec('XML12' as 'XML1')).toThrow();
  });

  it('orders fields by position and knows list vs single-record tables', () => {
    for (const std of ['4750', '3176'] as const) {
      const t = tableSpec('XML3', std);
      expect(t.fields.map((f) => f.position)).toEqual(t.fields.map((_, i) => i + 1));
      expect(tableSpec('XML1', std).single).toBe(true);
      expect(t.single).toBe(false);
      expect(t.rowElement).toBe('CHI_TIET_DVKT');
    }
    const x13 = tableSpec('XML13', '3176');
    expect(x13.fields.map((f) => f.position)).toEqual(x13.fields.map((_, i) => i + 1));
  });
});
