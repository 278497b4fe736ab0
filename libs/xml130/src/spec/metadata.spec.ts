import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLAIM_TABLE_IDS, SPEC, tableSpec } from './metadata';
import { renderRowTypes } from './generate-row-types';

const SHARED = '/work/shared/spec/xml130-fields.json';
const LOCAL = join(__dirname, 'xml130-fields.json');
const GENERATED = join(__dirname, 'row-types.generated.ts');

describe('field metadata', () => {
  (existsSync(SHARED) ? it : it.skip)('is an identical copy of the shared spec file', () => {
    expect(readFileSync(LOCAL, 'utf8')).toBe(readFileSync(SHARED, 'utf8'));
  });

  it('has generated row types that are up to date with the data file', () => {
    const expected = renderRowTypes(SPEC);
    if (process.env['UPDATE_XML130_TYPES'] === '1') writeFileSync(GENERATED, expected);
    expect(readFileSync(GENERATED, 'utf8')).toBe(expected);
  });

  it('declares the field counts the standard gives for every table (4750)', () => {
    const counts = { XML1: 66, XML2: 39, XML3: 47, XML4: 12, XML5: 9, XML6: 47, XML7: 26, XML8: 22, XML9: 35, XML10: 13, XML11: 23, XML13: 39, XML14: 22, XML15: 20 };
    for (const id of CLAIM_TABLE_IDS) expect(tableSpec(id).fields).toHaveLength(counts[id]);
    expect(tableSpec('XML0').fields).toHaveLength(26);
  });

  it('never exposes XML12, which hospitals do not send', () => {
    expect(CLAIM_TABLE_IDS as readonly string[]).not.toContain('XML12');
    expect(() => tableSpec('XML12' as 'XML1')).toThrow();
  });

  it('orders fields by position and knows list vs single-record tables', () => {
    const t = tableSpec('XML3');
    expect(t.fields.map((f) => f.position)).toEqual(t.fields.map((_, i) => i + 1));
    expect(tableSpec('XML1').single).toBe(true);
    expect(t.single).toBe(false);
    expect(t.rowElement).toBe('CHI_TIET_DVKT');
  });
});
