import { BhytCard, BhytCardOptions, parseBhytCardNumber } from './bhyt-card';
import { normaliseScan } from './cccd-qr';
import { parseDdSlashMmSlashYyyy } from './dates';
import { fail, IdentifierError, ok, ParseResult, Sex } from './result';
import {
  BHYT_QR_FIELDS,
  BHYT_QR_MIN_FIELDS,
  BHYT_QR_OPEN_END,
  BHYT_QR_SEX_VALUES,
  BHYT_QR_TERMINATOR,
} from './unconfirmed';

/**
 * Content of the QR code printed on BHYT cards. THE LAYOUT IS UNCONFIRMED: see
 * `BHYT_QR_FIELDS` in `unconfirmed.ts` for the reading chosen and why.
 */
export interface BhytQr {
  readonly card: BhytCard;
  readonly fullName: string;
  /** `yyyy-MM-dd`, or `yyyy` when only the birth year is printed. */
  readonly birthDate: string;
  readonly sex: Sex | null;
  readonly address: string | null;
  /** 5-character code of the facility of initial registration (maDKBD), or null. */
  readonly registeredFacility: string | null;
  /** `yyyy-MM-dd` or null. */
  readonly validFrom: string | null;
  /** `yyyy-MM-dd`, or null when open-ended (`-`) or absent. */
  readonly validTo: string | null;
  readonly issueDate: string | null;
  /** Fields from index 9 on (terminator removed), kept raw. */
  readonly extraFields: readonly string[];
}

const err = (code: string, part: string, message: string): IdentifierError => ({
  code,
  field: `bhytQr.${part}`,
  message,
});

/**
 * Decodes a hex-encoded UTF-8 text field. A field that is not well-formed hex or not valid UTF-8
 * is returned as plain text (some encoders do not hex-encode).
 */
export const decodeHexText = (field: string): string => {
  if (field.length === 0 || field.length % 2 !== 0 || !/^[0-9a-fA-F]+$/u.test(field)) return field;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(field, 'hex')).normalize('NFC');
  } catch {
    return field;
  }
};

/** Encodes text the way {@link decodeHexText} reads it (lower-case hex of UTF-8). */
export const encodeHexText = (text: string): string =>
  Buffer.from(text.normalize('NFC'), 'utf8').toString('hex');

const optionalDate = (
  raw: string | undefined,
  code: string,
  part: string,
  errors: IdentifierError[],
  openEnd = false,
): string | null => {
  if (raw === undefined || raw === '' || (openEnd && raw === BHYT_QR_OPEN_END)) return null;
  const iso = parseDdSlashMmSlashYyyy(raw);
  if (!iso) errors.push(err(code, part, 'must be a valid dd/MM/yyyy date'));
  return iso ?? null;
};

/**
 * Parses BHYT card QR text (unconfirmed layout). Codes: `BHYT_QR_EMPTY`, `BHYT_QR_FIELD_COUNT`,
 * `BHYT_QR_NAME_EMPTY`, `BHYT_QR_BIRTH_DATE`, `BHYT_QR_SEX`, `BHYT_QR_REGISTERED_FACILITY`,
 * `BHYT_QR_VALID_FROM`, `BHYT_QR_VALID_TO`, `BHYT_QR_ISSUE_DATE`, `BHYT_QR_VALIDITY_ORDER`, plus
 * the `BHYT_*` codes of {@link parseBhytCardNumber} (with field `bhytQr.card`).
 */
export const parseBhytQr = (raw: string, options: BhytCardOptions = {}): ParseResult<BhytQr> => {
  const text = normaliseScan(typeof raw === 'string' ? raw : '');
  if (text.trim().length === 0) return fail([err('BHYT_QR_EMPTY', 'text', 'QR text is empty')]);
  const fields = text.split('|').map((f) => f.trim());
  if (fields.length > 0 && fields[fields.length - 1] === BHYT_QR_TERMINATOR) fields.pop();
  if (fields.length < BHYT_QR_MIN_FIELDS) {
    return fail([
      err('BHYT_QR_FIELD_COUNT', 'text', `QR text must have at least ${BHYT_QR_MIN_FIELDS} fields`),
    ]);
  }
  const at = (i: number): string | undefined => fields[i];
  const errors: IdentifierError[] = [];

  const card = parseBhytCardNumber(at(BHYT_QR_FIELDS.cardNumber) ?? '', options);
  if (!card.ok) errors.push(...card.errors.map((e) => ({ ...e, field: 'bhytQr.card' as const })));

  const fullName = decodeHexText(at(BHYT_QR_FIELDS.fullNameHex) ?? '').trim();
  if (fullName.length === 0) errors.push(err('BHYT_QR_NAME_EMPTY', 'fullName', 'full name is empty'));

  const birthRaw = at(BHYT_QR_FIELDS.birthDate) ?? '';
  const birthDate = /^\d{4}$/u.test(birthRaw) ? birthRaw : parseDdSlashMmSlashYyyy(birthRaw);
  if (!birthDate)
    errors.push(err('BHYT_QR_BIRTH_DATE', 'birthDate', 'birth date must be dd/MM/yyyy or yyyy'));

  const sexRaw = at(BHYT_QR_FIELDS.sex);
  let sex: Sex | null = null;
  if (sexRaw !== undefined && sexRaw !== '') {
    sex = BHYT_QR_SEX_VALUES[sexRaw] ?? null;
    if (!sex) errors.push(err('BHYT_QR_SEX', 'sex', 'sex must be 1 (male) or 2 (female)'));
  }

  const addressRaw = at(BHYT_QR_FIELDS.addressHex);
  const address = addressRaw === undefined || addressRaw === '' ? null : decodeHexText(addressRaw).trim();

  const facilityRaw = at(BHYT_QR_FIELDS.registeredFacility);
  let registeredFacility: string | null = null;
  if (facilityRaw !== undefined && facilityRaw !== '') {
    const joined = facilityRaw.replace(/[\s-]+/gu, '');
    if (/^\d{5}$/u.test(joined)) registeredFacility = joined;
    else
      errors.push(
        err('BHYT_QR_REGISTERED_FACILITY', 'registeredFacility', 'must be a 5-digit facility code'),
      );
  }

  const validFrom = optionalDate(at(BHYT_QR_FIELDS.validFrom), 'BHYT_QR_VALID_FROM', 'validFrom', errors);
  const validTo = optionalDate(at(BHYT_QR_FIELDS.validTo), 'BHYT_QR_VALID_TO', 'validTo', errors, true);
  const issueDate = optionalDate(at(BHYT_QR_FIELDS.issueDate), 'BHYT_QR_ISSUE_DATE', 'issueDate', errors);
  if (validFrom && validTo && validTo < validFrom) {
    errors.push(err('BHYT_QR_VALIDITY_ORDER', 'validTo', 'validity end is before its start'));
  }

  if (errors.length > 0 || !card.ok || !birthDate) return fail(errors);
  return ok({
    card: card.value,
    fullName,
    birthDate,
    sex,
    address,
    registeredFacility,
    validFrom,
    validTo,
    issueDate,
    extraFields: fields.slice(BHYT_QR_FIELDS.issueDate + 1),
  });
};
