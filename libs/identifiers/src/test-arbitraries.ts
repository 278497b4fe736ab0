/** fast-check arbitraries shared by this library's specs (not exported from the index). */
import fc from 'fast-check';
import { BHYT_OBJECT_GROUPS } from './bhyt-card';
import { centurySexDigitFor } from './citizen-id';
import { PROVINCES } from './provinces';
import { Sex } from './result';

export const sexArb: fc.Arbitrary<Sex> = fc.constantFrom<Sex>('MALE', 'FEMALE');
export const provinceCodeArb = fc.constantFrom(...PROVINCES.map((p) => p.code));
export const digitsArb = (n: number): fc.Arbitrary<string> =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));

export interface GeneratedCitizenId {
  readonly number: string;
  readonly birthYear: number;
  readonly sex: Sex;
  readonly provinceCode: string;
}

/** Valid personal ID numbers with the birth year (1900–2399) and sex they encode. */
export const citizenIdArb: fc.Arbitrary<GeneratedCitizenId> = fc
  .record({
    provinceCode: provinceCodeArb,
    birthYear: fc.integer({ min: 1900, max: 2399 }),
    sex: sexArb,
    serial: digitsArb(6),
  })
  .map(({ provinceCode, birthYear, sex, serial }) => ({
    number: `0${provinceCode}${centurySexDigitFor(birthYear, sex)}${String(birthYear % 100).padStart(2, '0')}${serial}`,
    birthYear,
    sex,
    provinceCode,
  }));

export const bhytCardArb = fc
  .record({
    group: fc.constantFrom(...BHYT_OBJECT_GROUPS),
    level: fc.integer({ min: 1, max: 5 }),
    province: provinceCodeArb,
    si: digitsArb(10),
  })
  .map((r) => ({ ...r, number: `${r.group}${r.level}${r.province}${r.si}` }));

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** A real calendar date within [fromYear, toYear], as parts. */
export const dateArb = (
  fromYear: number,
  toYear: number,
): fc.Arbitrary<{ y: number; m: number; d: number }> =>
  fc
    .date({
      min: new Date(Date.UTC(fromYear, 0, 1)),
      max: new Date(Date.UTC(toYear, 11, 31)),
      noInvalidDate: true,
    })
    .map((dt) => ({ y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate() }));

export const ddMMyyyy = ({ y, m, d }: { y: number; m: number; d: number }): string =>
  `${pad2(d)}${pad2(m)}${y}`;
export const ddSlash = ({ y, m, d }: { y: number; m: number; d: number }): string =>
  `${pad2(d)}/${pad2(m)}/${y}`;
export const iso = ({ y, m, d }: { y: number; m: number; d: number }): string => `${y}-${pad2(m)}-${pad2(d)}`;

/** Vietnamese-looking names (with diacritics), never containing `|`. */
export const nameArb = fc
  .array(
    fc.constantFrom('Nguyễn', 'Trần', 'Lê', 'Phạm', 'Văn', 'Thị', 'Ánh', 'Đức', 'Hương', 'Quỳnh', 'An'),
    {
      minLength: 2,
      maxLength: 4,
    },
  )
  .map((parts) => parts.join(' '));
