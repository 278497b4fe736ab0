import { findProvinceByPlaceCode, Province } from './provinces';
import { fail, IdentifierError, ok, ParseResult, Sex, stripWhitespace } from './result';
import {
  PASSPORT_LENIENT_PATTERN,
  PASSPORT_STRICT_PATTERN,
  UNCONFIRMED_CITIZEN_ID_FOREIGN_PLACE_CODES,
} from './unconfirmed';

/**
 * Personal identification number (số định danh cá nhân), printed on the chip CCCD and the 2024
 * "thẻ căn cước" and used as VNeID login and health identifier. Same 12-digit number whether it
 * is called CCCD or personal ID number (pilot-2733.md §5.2):
 *
 *   positions 1–3 birth-registration place code · 4 century+sex · 5–6 birth year (yy) · 7–12 random
 *
 * No check digit exists: validation is structural plus consistency with stated birth year/sex.
 */
export interface CitizenId {
  /** The 12 digits (whitespace removed). */
  readonly number: string;
  /** Positions 1–3, e.g. `079`. */
  readonly placeCode: string;
  /** Province of birth registration; `undefined` only for an accepted foreign place code. */
  readonly province: Province | undefined;
  /** Position 4 (0–9). */
  readonly centurySexDigit: number;
  readonly sex: Sex;
  /** First year of the century, e.g. 1900 for digits 0/1. */
  readonly century: number;
  /** Full birth year derived from positions 4–6. */
  readonly birthYear: number;
  /** Positions 7–12. */
  readonly serial: string;
}

export interface CitizenIdExpectations {
  /** Stated birth year (4 digits); checked against positions 4–6. */
  readonly birthYear?: number;
  /** Stated sex; checked against position 4. */
  readonly sex?: Sex;
  /**
   * When given, a birth year after this year is rejected (`CCCD_BIRTH_YEAR_IN_FUTURE`). Not
   * defaulted to the current year so that parsing stays a pure function.
   */
  readonly referenceYear?: number;
}

const FIELD = 'citizenId' as const;

/** Century digit → { first year of century, sex }: 0/1 → 1900 M/F, 2/3 → 2000, … 8/9 → 2300. */
export const centuryAndSexOf = (digit: number): { century: number; sex: Sex } => ({
  century: 1900 + Math.floor(digit / 2) * 100,
  sex: digit % 2 === 0 ? 'MALE' : 'FEMALE',
});

/** The position-4 digit for a birth year (1900–2399) and sex. */
export const centurySexDigitFor = (birthYear: number, sex: Sex): number => {
  if (!Number.isInteger(birthYear) || birthYear < 1900 || birthYear > 2399) {
    throw new RangeError('birth year must be an integer between 1900 and 2399');
  }
  return Math.floor((birthYear - 1900) / 100) * 2 + (sex === 'FEMALE' ? 1 : 0);
};

/**
 * Parses and checks a 12-digit personal ID number. Whitespace is ignored. All applicable errors
 * are reported together:
 * - `CCCD_EMPTY`, `CCCD_NOT_DIGITS`, `CCCD_LENGTH` (shape; nothing else is checked then);
 * - `CCCD_PLACE_CODE_UNKNOWN` (positions 1–3 not a province code);
 * - `CCCD_CENTURY_MISMATCH` (yy matches the stated birth year but the century does not),
 *   `CCCD_BIRTH_YEAR_MISMATCH` (yy differs), `CCCD_SEX_MISMATCH`, `CCCD_BIRTH_YEAR_IN_FUTURE`,
 *   `CCCD_STATED_BIRTH_YEAR_INVALID` (the stated year itself is not a 4-digit year).
 */
export const parseCitizenId = (
  value: string,
  expected: CitizenIdExpectations = {},
): ParseResult<CitizenId> => {
  const number = stripWhitespace(typeof value === 'string' ? value : '');
  if (number.length === 0) {
    return fail([{ code: 'CCCD_EMPTY', field: FIELD, message: 'personal ID number is empty' }]);
  }
  if (!/^\d+$/u.test(number)) {
    return fail([
      { code: 'CCCD_NOT_DIGITS', field: FIELD, message: 'personal ID number must contain digits only' },
    ]);
  }
  if (number.length !== 12) {
    return fail([{ code: 'CCCD_LENGTH', field: FIELD, message: 'personal ID number must have 12 digits' }]);
  }

  const errors: IdentifierError[] = [];
  const placeCode = number.slice(0, 3);
  const province = findProvinceByPlaceCode(placeCode);
  if (!province && !UNCONFIRMED_CITIZEN_ID_FOREIGN_PLACE_CODES.includes(placeCode)) {
    errors.push({
      code: 'CCCD_PLACE_CODE_UNKNOWN',
      field: FIELD,
      message: 'digits 1-3 are not a known birth-registration place code',
    });
  }
  const centurySexDigit = Number(number[3]);
  const { century, sex } = centuryAndSexOf(centurySexDigit);
  const yy = Number(number.slice(4, 6));
  const birthYear = century + yy;

  if (expected.birthYear !== undefined) {
    if (!Number.isInteger(expected.birthYear) || expected.birthYear < 1000 || expected.birthYear > 9999) {
      errors.push({
        code: 'CCCD_STATED_BIRTH_YEAR_INVALID',
        field: FIELD,
        message: 'the stated birth year is not a 4-digit year',
      });
    } else if (expected.birthYear !== birthYear) {
      errors.push(
        expected.birthYear % 100 === yy
          ? {
              code: 'CCCD_CENTURY_MISMATCH',
              field: FIELD,
              message: 'century/sex digit does not match the century of the stated birth year',
            }
          : {
              code: 'CCCD_BIRTH_YEAR_MISMATCH',
              field: FIELD,
              message: 'digits 5-6 do not match the stated birth year',
            },
      );
    }
  }
  if (expected.sex !== undefined && expected.sex !== sex) {
    errors.push({
      code: 'CCCD_SEX_MISMATCH',
      field: FIELD,
      message: 'century/sex digit does not match the stated sex',
    });
  }
  if (expected.referenceYear !== undefined && birthYear > expected.referenceYear) {
    errors.push({
      code: 'CCCD_BIRTH_YEAR_IN_FUTURE',
      field: FIELD,
      message: 'digits 4-6 give a birth year after the reference year',
    });
  }
  if (errors.length > 0) return fail(errors);
  return ok({
    number,
    placeCode,
    province,
    centurySexDigit,
    sex,
    century,
    birthYear,
    serial: number.slice(6),
  });
};

/** Old identity card (CMND): 9 digits, no checkable structure. */
export interface OldId {
  readonly number: string;
}

/** Parses a 9-digit old ID (CMND). Codes: `OLD_ID_EMPTY`, `OLD_ID_NOT_DIGITS`, `OLD_ID_LENGTH`. */
export const parseOldId = (value: string): ParseResult<OldId> => {
  const number = stripWhitespace(typeof value === 'string' ? value : '');
  if (number.length === 0)
    return fail([{ code: 'OLD_ID_EMPTY', field: 'oldId', message: 'old ID number is empty' }]);
  if (!/^\d+$/u.test(number)) {
    return fail([
      { code: 'OLD_ID_NOT_DIGITS', field: 'oldId', message: 'old ID number must contain digits only' },
    ]);
  }
  if (number.length !== 9) {
    return fail([{ code: 'OLD_ID_LENGTH', field: 'oldId', message: 'old ID number must have 9 digits' }]);
  }
  return ok({ number });
};

export interface Passport {
  /** Upper-cased, whitespace removed. */
  readonly number: string;
}

export interface PassportOptions {
  /** Also accept 2 letters + 7 digits (accepted "in practice", not by the gateway check). */
  readonly allowTwoLetterPrefix?: boolean;
}

/**
 * Parses a passport number: one capital letter + 7 digits (the gateway's `SO_CCCD` check).
 * Input is upper-cased first. Codes: `PASSPORT_EMPTY`, `PASSPORT_FORMAT`.
 */
export const parsePassport = (value: string, options: PassportOptions = {}): ParseResult<Passport> => {
  const number = stripWhitespace(typeof value === 'string' ? value : '').toUpperCase();
  if (number.length === 0) {
    return fail([{ code: 'PASSPORT_EMPTY', field: 'passport', message: 'passport number is empty' }]);
  }
  const pattern = options.allowTwoLetterPrefix ? PASSPORT_LENIENT_PATTERN : PASSPORT_STRICT_PATTERN;
  if (!pattern.test(number)) {
    return fail([
      {
        code: 'PASSPORT_FORMAT',
        field: 'passport',
        message: options.allowTwoLetterPrefix
          ? 'passport number must be 1 or 2 capital letters followed by 7 digits'
          : 'passport number must be 1 capital letter followed by 7 digits',
      },
    ]);
  }
  return ok({ number });
};
