import { findProvince, Province } from './provinces';
import { fail, IdentifierError, ok, ParseResult, stripWhitespace } from './result';
import { SOCIAL_INSURANCE_NUMBER_PATTERN, UNCONFIRMED_BHYT_SPECIAL_ISSUER_CODES } from './unconfirmed';

/**
 * BHYT object (beneficiary group) codes accepted by VNeID, as quoted in pilot-2733.md §5.4
 * (QĐ 1351/QĐ-BHXH structure). ASCII only. This is a data list: extend it here when a source
 * confirms more codes; candidates we are not confident in are in `unconfirmed.ts` and can be
 * accepted per call with `extraObjectGroups`.
 */
// prettier-ignore
export const BHYT_OBJECT_GROUPS: readonly string[] = Object.freeze([
  'DN', 'HX', 'CH', 'NN', 'TK', 'HC', 'XK', 'HT', 'TB', 'NO', 'CT', 'XB', 'TN', 'CS', 'QN', 'CA',
  'CY', 'XN', 'MS', 'CC', 'CK', 'CB', 'KC', 'HD', 'TE', 'BT', 'HN', 'DT', 'DK', 'XD', 'TS', 'TC',
  'TQ', 'TA', 'TY', 'HG', 'LS', 'PV', 'CN', 'HS', 'SV', 'GB', 'GD',
]);

/** Labels for the groups the spec names explicitly (others unlabelled rather than guessed). */
export const BHYT_OBJECT_GROUP_LABELS: Readonly<Partial<Record<string, string>>> = Object.freeze({
  DN: 'enterprise employees',
  HC: 'civil servants',
  HT: 'pensioners',
  CA: 'police',
  QN: 'military',
  CY: 'cipher staff',
  HN: 'poor households',
  TE: 'children under 6',
  HS: 'pupils',
  SV: 'students',
  GD: 'households',
  CB: 'veterans',
});

export type BenefitLevel = 1 | 2 | 3 | 4 | 5;

/** Benefit level (character 3), pilot-2733.md §5.4. */
export const BHYT_BENEFIT_LEVELS: Readonly<Record<BenefitLevel, string>> = Object.freeze({
  1: '100 %, no ratio limits on some drugs/supplies',
  2: '100 % with limits',
  3: '95 %',
  4: '80 %',
  5: '100 % including costs outside the normal scope and transport',
});

/** Who issued the card, from characters 4–5. */
export type BhytIssuer =
  | { readonly kind: 'PROVINCE'; readonly code: string; readonly province: Province }
  | { readonly kind: 'SPECIAL'; readonly code: string; readonly description: string };

export interface BhytCard {
  /** 15 characters, upper-cased, whitespace removed. */
  readonly number: string;
  /** Characters 1–2. */
  readonly objectGroup: string;
  /** Character 3. */
  readonly benefitLevel: BenefitLevel;
  /** Characters 4–5. */
  readonly issuer: BhytIssuer;
  /** Characters 6–15: lifelong social-insurance number (mã số BHXH). */
  readonly socialInsuranceNumber: string;
}

export interface BhytCardOptions {
  /** Further object-group codes to accept (e.g. `UNCONFIRMED_BHYT_OBJECT_GROUPS`). */
  readonly extraObjectGroups?: readonly string[];
  /** Accept the special issuer codes 97/98 (default true; see `unconfirmed.ts`). */
  readonly allowSpecialIssuers?: boolean;
}

const FIELD = 'bhytCard' as const;

/**
 * Parses a 15-character BHYT card number. Whitespace is removed and letters upper-cased. Codes,
 * with the gateway `maKetQua` they correspond to:
 * - `BHYT_EMPTY`, `BHYT_LENGTH` (051) — nothing else checked then;
 * - `BHYT_GROUP_FORMAT` (051) characters 1–2 not two ASCII letters; `BHYT_GROUP_UNKNOWN` (051);
 * - `BHYT_BENEFIT_LEVEL` (053) character 3 not 1–5;
 * - `BHYT_PROVINCE` (052) characters 4–5 not a province (or accepted special issuer) code;
 * - `BHYT_SOCIAL_INSURANCE_NUMBER` (051) characters 6–15 not 10 digits.
 */
export const parseBhytCardNumber = (value: string, options: BhytCardOptions = {}): ParseResult<BhytCard> => {
  const number = stripWhitespace(typeof value === 'string' ? value : '').toUpperCase();
  if (number.length === 0) {
    return fail([
      { code: 'BHYT_EMPTY', field: FIELD, message: 'BHYT card number is empty', gatewayCode: '051' },
    ]);
  }
  if (number.length !== 15) {
    return fail([
      {
        code: 'BHYT_LENGTH',
        field: FIELD,
        message: 'BHYT card number must have 15 characters',
        gatewayCode: '051',
      },
    ]);
  }
  const errors: IdentifierError[] = [];
  const objectGroup = number.slice(0, 2);
  if (!/^[A-Z]{2}$/u.test(objectGroup)) {
    errors.push({
      code: 'BHYT_GROUP_FORMAT',
      field: FIELD,
      message: 'characters 1-2 (object group) must be two Latin letters',
      gatewayCode: '051',
    });
  } else if (
    !BHYT_OBJECT_GROUPS.includes(objectGroup) &&
    !(options.extraObjectGroups ?? []).includes(objectGroup)
  ) {
    errors.push({
      code: 'BHYT_GROUP_UNKNOWN',
      field: FIELD,
      message: 'characters 1-2 are not a known object group code',
      gatewayCode: '051',
    });
  }
  const levelChar = number[2] ?? '';
  if (!/^[1-5]$/u.test(levelChar)) {
    errors.push({
      code: 'BHYT_BENEFIT_LEVEL',
      field: FIELD,
      message: 'character 3 (benefit level) must be a digit 1-5',
      gatewayCode: '053',
    });
  }
  const issuerCode = number.slice(3, 5);
  const province = findProvince(issuerCode);
  const special =
    options.allowSpecialIssuers === false ? undefined : UNCONFIRMED_BHYT_SPECIAL_ISSUER_CODES[issuerCode];
  if (!province && special === undefined) {
    errors.push({
      code: 'BHYT_PROVINCE',
      field: FIELD,
      message: 'characters 4-5 are not a known province code',
      gatewayCode: '052',
    });
  }
  const socialInsuranceNumber = number.slice(5);
  if (!SOCIAL_INSURANCE_NUMBER_PATTERN.test(socialInsuranceNumber)) {
    errors.push({
      code: 'BHYT_SOCIAL_INSURANCE_NUMBER',
      field: FIELD,
      message: 'characters 6-15 (social-insurance number) must be 10 digits',
      gatewayCode: '051',
    });
  }
  if (errors.length > 0) return fail(errors);
  const issuer: BhytIssuer = province
    ? { kind: 'PROVINCE', code: issuerCode, province }
    : { kind: 'SPECIAL', code: issuerCode, description: special ?? '' };
  return ok({
    number,
    objectGroup,
    benefitLevel: Number(levelChar) as BenefitLevel,
    issuer,
    socialInsuranceNumber,
  });
};

export interface SocialInsuranceNumber {
  readonly number: string;
}

/**
 * Parses the 10-digit social-insurance number (the only number printed on cards since 2021;
 * also `MA_BHXH`, staff health identifiers). Codes: `SOCIAL_INSURANCE_NUMBER_EMPTY`,
 * `SOCIAL_INSURANCE_NUMBER_FORMAT`.
 */
export const parseSocialInsuranceNumber = (value: string): ParseResult<SocialInsuranceNumber> => {
  const number = stripWhitespace(typeof value === 'string' ? value : '');
  if (number.length === 0) {
    return fail([
      {
        code: 'SOCIAL_INSURANCE_NUMBER_EMPTY',
        field: 'socialInsuranceNumber',
        message: 'social-insurance number is empty',
      },
    ]);
  }
  if (!SOCIAL_INSURANCE_NUMBER_PATTERN.test(number)) {
    return fail([
      {
        code: 'SOCIAL_INSURANCE_NUMBER_FORMAT',
        field: 'socialInsuranceNumber',
        message: 'social-insurance number must be 10 digits',
      },
    ]);
  }
  return ok({ number });
};
