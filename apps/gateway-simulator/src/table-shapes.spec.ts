import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { TABLE_ROOTS } from './validation';

const SPEC = join(__dirname, '../../../libs/xml130/src/spec/xml130-fields.json');

interface SpecTable {
  id: string;
  rootElement: string | null;
  listElement: string | null;
  rowElement: string | null;
}

describe('simulator table shapes', () => {
  it('are the same in the 3176 field tables (3176 renames elements, never tables)', () => {
    const spec3176 = JSON.parse(
      readFileSync(SPEC.replace('xml130-fields.json', 'xml3176-fields.json'), 'utf8'),
    ) as { tables: SpecTable[] };
    for (const t of spec3176.tables.filter((x) => x.id !== 'XML0' && x.id !== 'XML12'))
      expect(TABLE_ROOTS[t.id]?.root).toBe(t.rootElement);
  });

  it('match the root, list and row elements of the standard for every sendable table', () => {
    expect(existsSync(SPEC)).toBe(true);
    const spec = JSON.parse(readFileSync(SPEC, 'utf8')) as { tables: SpecTable[] };
    for (const t of spec.tables.filter((x) => x.id !== 'XML0' && x.id !== 'XML12')) {
      const mine = TABLE_ROOTS[t.id];
      expect({ id: t.id, root: mine?.root, rows: mine?.rows ?? null }).toEqual({
        id: t.id,
        root: t.rootElement,
        rows: t.listElement && t.rowElement ? [t.listElement, t.rowElement] : null,
      });
    }
  });
});
