import fc from 'fast-check';
import { centuryAndSexOf, centurySexDigitFor, parseCitizenId, parseOldId, parsePassport } from './citizen-id';
import { citizenIdArb } from './test-arbitraries';

const codes = (r: { ok: boolean; errors?: readonly { code: string }[] }): string[] =>
  r.ok ? [] : (r.errors ?? []).map((e) => e.code);

describe('parseCitizenId', () => {
  it('reads place, century/sex digit, birth year and serial of a valid number', () => {
    const r = parseCitizenId('079085000123');
    expect(r).toEqual({
      ok: true,
      value: {
        number: '079085000123',
        placeCode: '079',
        province: { code: '79', name: 'TP Hồ Chí Minh' },
        centurySexDigit: 0,
        sex: 'MALE',
        century: 1900,
        birthYear: 1985,
        serial: '000123',
      },
    });
  });

  it('maps every century/sex digit to its century and sex', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(centuryAndSexOf)).toEqual([
      { century: 1900, sex: 'MALE' },
      { century: 1900, sex: 'FEMALE' },
      { century: 2000, sex: 'MALE' },
      { century: 2000, sex: 'FEMALE' },
      { century: 2100, sex: 'MALE' },
      { century: 2100, sex: 'FEMALE' },
      { century: 2200, sex: 'MALE' },
      { century: 2200, sex: 'FEMALE' },
      { century: 2300, sex: 'MALE' },
      { century: 2300, sex: 'FEMALE' },
    ]);
  });

  it('accepts a female born in 2005 in Hà Nội and a number typed with spaces', () => {
    const r = parseCitizenId(' 001 305 012345 ', { birthYear: 2005, sex: 'FEMALE' });
    expect(r.ok && r.value).toMatchObject({ number: '001305012345', birthYear: 2005, sex: 'FEMALE' });
  });

  it('rejects empty input, non-digits and wrong lengths with one shape error', () => {
    expect(codes(parseCitizenId(''))).toEqual(['CCCD_EMPTY']);
    expect(codes(parseCitizenId('07908500012A'))).toEqual(['CCCD_NOT_DIGITS']);
    expect(codes(parseCitizenId('07908500012'))).toEqual(['CCCD_LENGTH']);
    expect(codes(parseCitizenId('0790850001234'))).toEqual(['CCCD_LENGTH']);
  });

  it('rejects a place code that is not a province (e.g. 003, 097, 100)', () => {
    for (const n of ['003085000123', '097085000123', '100085000123']) {
      expect(codes(parseCitizenId(n))).toEqual(['CCCD_PLACE_CODE_UNKNOWN']);
    }
  });

  it('reports a sex mismatch with the agreed code, field and message', () => {
    const r = parseCitizenId('079085000123', { sex: 'FEMALE' });
    expect(r).toEqual({
      ok: false,
      errors: [
        {
          code: 'CCCD_SEX_MISMATCH',
          field: 'citizenId',
          message: 'century/sex digit does not match the stated sex',
        },
      ],
    });
  });

  it('tells a wrong century apart from a wrong year', () => {
    expect(codes(parseCitizenId('079085000123', { birthYear: 2085 }))).toEqual(['CCCD_CENTURY_MISMATCH']);
    expect(codes(parseCitizenId('079085000123', { birthYear: 1986 }))).toEqual(['CCCD_BIRTH_YEAR_MISMATCH']);
    expect(codes(parseCitizenId('079085000123', { birthYear: 85 }))).toEqual([
      'CCCD_STATED_BIRTH_YEAR_INVALID',
    ]);
  });

  it('reports all consistency errors at once', () => {
    expect(codes(parseCitizenId('003085000123', { birthYear: 1990, sex: 'FEMALE' }))).toEqual([
      'CCCD_PLACE_CODE_UNKNOWN',
      'CCCD_BIRTH_YEAR_MISMATCH',
      'CCCD_SEX_MISMATCH',
    ]);
  });

  it('rejects a birth year after the reference year only when one is given', () => {
    expect(parseCitizenId('079499000123').ok).toBe(true);
    expect(codes(parseCitizenId('079499000123', { referenceYear: 2026 }))).toEqual([
      'CCCD_BIRTH_YEAR_IN_FUTURE',
    ]);
  });

  it('never puts the number into error codes or messages', () => {
    const r = parseCitizenId('003085000123', { birthYear: 1990, sex: 'FEMALE' });
    expect(JSON.stringify(r)).not.toContain('003085000123');
    expect(JSON.stringify(r)).not.toContain('085000123');
  });

  describe('properties', () => {
    it('always parses a generated valid number and agrees with the generating birth year and sex', () => {
      fc.assert(
        fc.property(citizenIdArb, (g) => {
          const r = parseCitizenId(g.number, { birthYear: g.birthYear, sex: g.sex });
          expect(r.ok).toBe(true);
          if (r.ok) {
            expect(r.value.birthYear).toBe(g.birthYear);
            expect(r.value.sex).toBe(g.sex);
            expect(r.value.province?.code).toBe(g.provinceCode);
            expect(centurySexDigitFor(r.value.birthYear, r.value.sex)).toBe(r.value.centurySexDigit);
          }
        }),
      );
    });

    it('detects, against the stated sex, any mutation of the century digit that changes the sex', () => {
      fc.assert(
        fc.property(citizenIdArb, fc.integer({ min: 0, max: 9 }), (g, mutant) => {
          const original = Number(g.number[3]);
          fc.pre(mutant % 2 !== original % 2);
          const mutated = `${g.number.slice(0, 3)}${mutant}${g.number.slice(4)}`;
          const r = parseCitizenId(mutated, { sex: g.sex });
          expect(r.ok).toBe(false);
          expect(codes(r)).toContain('CCCD_SEX_MISMATCH');
        }),
      );
    });

    it('detects, against the stated birth year, any mutation of the century digit that changes the century', () => {
      fc.assert(
        fc.property(citizenIdArb, fc.integer({ min: 0, max: 9 }), (g, mutant) => {
          fc.pre(Math.floor(mutant / 2) !== Math.floor(Number(g.number[3]) / 2));
          const mutated = `${g.number.slice(0, 3)}${mutant}${g.number.slice(4)}`;
          expect(codes(parseCitizenId(mutated, { birthYear: g.birthYear }))).toEqual([
            'CCCD_CENTURY_MISMATCH',
          ]);
        }),
      );
    });
  });
});

describe('centurySexDigitFor', () => {
  it('refuses birth years outside 1900–2399', () => {
    expect(() => centurySexDigitFor(1899, 'MALE')).toThrow(RangeError);
    expect(() => centurySexDigitFor(2400, 'MALE')).toThrow(RangeError);
  });
});

describe('parseOldId', () => {
  it('accepts 9 digits and rejects other shapes', () => {
    expect(parseOldId('025 123 456')).toEqual({ ok: true, value: { number: '025123456' } });
    expect(codes(parseOldId(''))).toEqual(['OLD_ID_EMPTY']);
    expect(codes(parseOldId('02512345X'))).toEqual(['OLD_ID_NOT_DIGITS']);
    expect(codes(parseOldId('0251234567'))).toEqual(['OLD_ID_LENGTH']);
  });
});

describe('parsePassport', () => {
  it('accepts one capital letter and 7 digits, upper-casing typed input', () => {
    expect(parsePassport('C1234567')).toEqual({ ok: true, value: { number: 'C1234567' } });
    expect(parsePassport('c1234567')).toEqual({ ok: true, value: { number: 'C1234567' } });
  });

  it('rejects two-letter passports unless the lenient form is asked for', () => {
    expect(codes(parsePassport('AB1234567'))).toEqual(['PASSPORT_FORMAT']);
    expect(parsePassport('AB1234567', { allowTwoLetterPrefix: true }).ok).toBe(true);
    expect(codes(parsePassport('C123456'))).toEqual(['PASSPORT_FORMAT']);
    expect(codes(parsePassport(' '))).toEqual(['PASSPORT_EMPTY']);
  });
});
