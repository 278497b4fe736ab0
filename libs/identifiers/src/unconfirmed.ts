/**
 * EVERY UNCONFIRMED CHOICE OF THIS LIBRARY LIVES HERE.
 *
 * Each constant below encodes a reading that is not established by an official source we hold
 * (see /work/shared/spec/pilot-2733.md §5–6, bhyt-gateway.md §5, xml130.md §9). Change them here
 * when a real source or a real card/QR sample settles the question; the parsers import them and
 * the tests pin the current choice so that a change is visible.
 */

/**
 * BHYT card object-group codes that appear in secondary lists or in our brief but NOT in the
 * VNeID accepted list quoted in pilot-2733.md §5.4. They are NOT accepted by default; pass them
 * (or any other group) via `parseBhytCardNumber(value, { extraObjectGroups })` to accept them.
 * `ND` stands for "NĐ" written in ASCII.
 */
export const UNCONFIRMED_BHYT_OBJECT_GROUPS: readonly string[] = Object.freeze(['TD', 'TT', 'HK', 'ND']);

/**
 * Province part (characters 4–5) of BHYT cards issued by the social-insurance offices of the
 * Ministry of Defence (97) and of Public Security (98). The existence of such cards is confirmed
 * (gateway result codes 001/002) but these two codes are not; we ACCEPT them by default so that
 * those patients are not blocked at reception (the gateway lookup remains the authority).
 */
export const UNCONFIRMED_BHYT_SPECIAL_ISSUER_CODES: Readonly<Record<string, string>> = Object.freeze({
  '97': 'Ministry of Defence social insurance (unconfirmed)',
  '98': 'Ministry of Public Security social insurance (unconfirmed)',
});

/**
 * 3-digit personal-ID place codes for births registered abroad ("country" codes). Not
 * established: the list is empty, so such numbers fail with `CCCD_PLACE_CODE_UNKNOWN`. Add codes
 * here once confirmed.
 */
export const UNCONFIRMED_CITIZEN_ID_FOREIGN_PLACE_CODES: readonly string[] = Object.freeze([]);

/**
 * Facility codes (QĐ 384) are read as 5 DIGITS (as in @bhyt/contracts `FacilityCode`), although
 * the sources only say "5 characters" with the first two being the province code.
 */
export const FACILITY_CODE_PATTERN = /^\d{5}$/u;

/**
 * Passport: the gateway check is one capital letter + 7 digits (xml130.md §9); "practice also
 * accepts 2 letters + 7 digits". We require the strict form unless the caller opts in with
 * `parsePassport(value, { allowTwoLetterPrefix: true })`.
 */
export const PASSPORT_STRICT_PATTERN = /^[A-Z]\d{7}$/u;
export const PASSPORT_LENIENT_PATTERN = /^[A-Z]{1,2}\d{7}$/u;

/**
 * Chip-CCCD QR: the 7-field layout is agreed by several parsers. Unconfirmed parts:
 * - some readers deliver 6 fields when the old number is absent: we detect that layout when
 *   field 2 is not empty and not all digits (i.e. looks like a name);
 * - the old-number field may hold a 12-digit number (a re-issued personal ID, Decree 70/2024)
 *   as well as a 9-digit CMND: we accept 9 or 12 digits;
 * - the 2024 "thẻ căn cước" layout is unverified: fields after the 7th are kept, not interpreted.
 * Sex is `Nam`/`Nữ`; we compare case-insensitively after Unicode NFC normalisation and also
 * accept the unaccented `Nu`.
 */
export const CCCD_QR_SEX_VALUES: Readonly<Record<string, 'MALE' | 'FEMALE'>> = Object.freeze({
  nam: 'MALE',
  nữ: 'FEMALE',
  nu: 'FEMALE',
});

/**
 * BHYT card QR (paper/plastic card). The layout is NOT specified by any source we hold
 * (pilot-2733.md §6). Chosen reading, as widely reported by public HIS code:
 *
 *   0 card number (15 chars) | 1 full name, hex-encoded UTF-8 | 2 birth date dd/MM/yyyy or yyyy |
 *   3 sex 1 = male, 2 = female | 4 address, hex-encoded UTF-8 | 5 registered facility as
 *   "PP - FFF" (province - facility, joined into a 5-char code) | 6 valid from dd/MM/yyyy |
 *   7 valid to dd/MM/yyyy or "-" (open-ended) | 8 issue date dd/MM/yyyy | 9.. further fields
 *   (management code, guardian name, 5-year date, checksum …) kept raw, not interpreted;
 *   a trailing `$` terminator field is dropped.
 *
 * Only fields 0–2 are required; a text field that is not valid hex is taken as plain text.
 * The checksum field (if any) is NOT verified.
 */
export const BHYT_QR_FIELDS = Object.freeze({
  cardNumber: 0,
  fullNameHex: 1,
  birthDate: 2,
  sex: 3,
  addressHex: 4,
  registeredFacility: 5,
  validFrom: 6,
  validTo: 7,
  issueDate: 8,
} as const);
export const BHYT_QR_MIN_FIELDS = 3;
export const BHYT_QR_TERMINATOR = '$';
export const BHYT_QR_OPEN_END = '-';
export const BHYT_QR_SEX_VALUES: Readonly<Record<string, 'MALE' | 'FEMALE'>> = Object.freeze({
  '1': 'MALE',
  '2': 'FEMALE',
});

/**
 * A 10-digit number (the social-insurance number, the only number printed on cards since 2021)
 * is classified by `detectIdentifier` as `SOCIAL_INSURANCE_NUMBER`: an addition to the kinds
 * in our brief. Its digits carry no checkable structure we know of.
 */
export const SOCIAL_INSURANCE_NUMBER_PATTERN = /^\d{10}$/u;
