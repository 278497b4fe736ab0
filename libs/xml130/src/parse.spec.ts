import fc from 'fast-check';
import {
  buildClaimTables,
  buildEnvelope,
  parseClaimTables,
  parseEnvelope,
  parseTable,
  serializeClaimTables,
  serializeTable,
  Xml130ParseError,
} from './index';
import { scenarios } from './testing';
import { emptyRow } from './build';
import type { ClaimTables } from './model';

const names = Object.keys(scenarios);
// Text without characters XML forbids (those are dropped on purpose by the serializer).
const xmlText = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '&',
        '<',
        '>',
        '\r',
        '\n',
        '\r\n',
        '\t',
        '"',
        ';',
        'ư',
        'Đ',
        '€',
        ']]>',
        '\u0085',
        '\u2028',
        '\u2029',
      ),
      fc.string({ unit: 'grapheme', maxLength: 3 }),
    ),
  )
  .map((parts) => parts.join(''))
  .map((s) =>
    // eslint-disable-next-line no-control-regex
    s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, ''),
  );

describe('parser', () => {
  it('round-trips build → serialize → envelope → parse for any scenario, seed and start time', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.date({
          min: new Date('2025-01-01T00:00:00Z'),
          max: new Date('2026-12-01T00:00:00Z'),
          noInvalidDate: true,
        }),
        (name, seed, start) => {
          const tables = buildClaimTables(scenarios[name]!({ patientSeed: seed, start }));
          const env = buildEnvelope({
            facilityCode: '79999',
            ngayLap: '20261102',
            files: serializeClaimTables(tables),
          });
          const back = parseEnvelope(env);
          expect(back.ngayLap).toBe('20261102');
          expect(parseClaimTables(back.files)).toEqual(tables);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('round-trips arbitrary text values including markup characters and carriage returns', () => {
    fc.assert(
      fc.property(xmlText, xmlText, (a, b) => {
        const row = { ...emptyRow('XML5'), MA_LK: 'LK', STT: '1', DIEN_BIEN_LS: a, GIAI_DOAN_BENH: b };
        expect(parseTable('XML5', serializeTable('XML5', [row]))).toEqual([row]);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps U+0085, U+2028 and U+2029 in text (XML 1.0 line-end rules, not XML 1.1)', () => {
    const row = { ...emptyRow('XML5'), MA_LK: 'LK', STT: '1', DIEN_BIEN_LS: 'a\u0085b\u2028c\u2029d' };
    expect(parseTable('XML5', serializeTable('XML5', [row]))).toEqual([row]);
  });

  it('rejects a document whose root is not the table root', () => {
    expect(() => parseClaimTables([{ loaiHoSo: 'XML1', xml: '<?xml version="1.0"?><X></X>' }])).toThrow(
      Xml130ParseError,
    );
  });

  it('rejects unknown LOAIHOSO values and XML12', () => {
    expect(() => parseClaimTables([{ loaiHoSo: 'XML12', xml: '<a/>' }])).toThrow(Xml130ParseError);
  });

  it('rejects malformed XML without echoing its content', () => {
    try {
      parseEnvelope('<GIAMDINHHS><SECRET');
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(Xml130ParseError);
      expect((e as Error).message).not.toContain('SECRET');
    }
  });

  it('reads a pretty-printed envelope with self-closing empty elements as produced by other tools', () => {
    const tables: ClaimTables = buildClaimTables(scenarios['outpatientVisit']!());
    const files = serializeClaimTables(tables).map((f) => ({
      ...f,
      xml: f.xml.replace(/<([A-Z_0-9]+)><\/\1>/g, '<$1/>'),
    }));
    const env = buildEnvelope({ facilityCode: '79999', ngayLap: '20261102', files }).replace(/></g, '>\n  <');
    expect(parseClaimTables(parseEnvelope(env).files)).toEqual(tables);
  });
});
