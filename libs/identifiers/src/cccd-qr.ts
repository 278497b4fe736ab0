import { CitizenId, parseCitizenId } from './citizen-id';
import { parseDdMmYyyy } from './dates';
import { fail, IdentifierError, ok, ParseResult, Sex } from './result';
import { CCCD_QR_SEX_VALUES } from './unconfirmed';

/** Content of the QR code on the chip citizen-ID card (pilot-2733.md §5.3). */
export interface CccdQr {
  readonly citizenId: CitizenId;
  /** Old number carried by the card (9-digit CMND or a previous 12-digit number), or null. */
  readonly oldId: string | null;
  readonly fullName: string;
  /** `yyyy-MM-dd`. */
  readonly birthDate: string;
  readonly sex: Sex;
  readonly address: string;
  /** `yyyy-MM-dd`. */
  readonly issueDate: string;
  /** Fields after the 7th (newer cards), kept as read, not interpreted. */
  readonly extraFields: readonly string[];
}

const err = (code: string, part: string, message: string): IdentifierError => ({
  code,
  field: `cccdQr.${part}`,
  message,
});

/** Normalises a scanner's text: NFC, without a BOM, without trailing CR/LF. */
export const normaliseScan = (raw: string): string =>
  raw
    .normalize('NFC')
    .replace(/^\uFEFF/u, '')
    .replace(/[\r\n]+$/u, '');

/**
 * Parses chip-CCCD QR text: `id|oldId|name|ddMMyyyy|Nam/Nữ|address|ddMMyyyy[|extra…]`, also the
 * 6-field variant without the old-number field (see `unconfirmed.ts`). The personal ID number is
 * checked against the birth year and sex of the same QR. Codes: `CCCD_QR_EMPTY`,
 * `CCCD_QR_FIELD_COUNT`, `CCCD_QR_OLD_ID`, `CCCD_QR_NAME_EMPTY`, `CCCD_QR_BIRTH_DATE`,
 * `CCCD_QR_SEX`, `CCCD_QR_ISSUE_DATE`, `CCCD_QR_ISSUE_BEFORE_BIRTH`, plus the `CCCD_*` codes of
 * {@link parseCitizenId} (with field `cccdQr.citizenId`).
 */
export const parseCccdQr = (raw: string): ParseResult<CccdQr> => {
  const text = normaliseScan(typeof raw === 'string' ? raw : '');
  if (text.trim().length === 0) return fail([err('CCCD_QR_EMPTY', 'text', 'QR text is empty')]);
  const fields = text.split('|').map((f) => f.trim());
  if (fields.length < 6) {
    return fail([err('CCCD_QR_FIELD_COUNT', 'text', 'QR text must have at least 6 "|"-separated fields')]);
  }
  const second = fields[1] ?? '';
  const hasOldIdField = second === '' || /^\d+$/u.test(second);
  if (hasOldIdField && fields.length < 7) {
    return fail([
      err('CCCD_QR_FIELD_COUNT', 'text', 'QR text with an old-number field must have at least 7 fields'),
    ]);
  }
  const [idRaw = '', oldIdRaw, name = '', birthRaw = '', sexRaw = '', address = '', issueRaw = '', ...extra] =
    hasOldIdField ? fields : [fields[0], '', ...fields.slice(1)];

  const errors: IdentifierError[] = [];
  const oldId = oldIdRaw === undefined || oldIdRaw === '' ? null : oldIdRaw;
  if (oldId !== null && !/^(\d{9}|\d{12})$/u.test(oldId)) {
    errors.push(err('CCCD_QR_OLD_ID', 'oldId', 'old number must be 9 or 12 digits'));
  }
  if (name.length === 0) errors.push(err('CCCD_QR_NAME_EMPTY', 'fullName', 'full name is empty'));
  const birthDate = parseDdMmYyyy(birthRaw);
  if (!birthDate)
    errors.push(err('CCCD_QR_BIRTH_DATE', 'birthDate', 'birth date must be a valid ddMMyyyy date'));
  const sex = CCCD_QR_SEX_VALUES[sexRaw.toLowerCase()];
  if (!sex) errors.push(err('CCCD_QR_SEX', 'sex', 'sex must be "Nam" or "Nữ"'));
  const issueDate = parseDdMmYyyy(issueRaw);
  if (!issueDate)
    errors.push(err('CCCD_QR_ISSUE_DATE', 'issueDate', 'issue date must be a valid ddMMyyyy date'));
  if (birthDate && issueDate && issueDate < birthDate) {
    errors.push(err('CCCD_QR_ISSUE_BEFORE_BIRTH', 'issueDate', 'issue date is before the birth date'));
  }

  const id = parseCitizenId(idRaw, {
    ...(birthDate ? { birthYear: Number(birthDate.slice(0, 4)) } : {}),
    ...(sex ? { sex } : {}),
  });
  if (!id.ok) errors.push(...id.errors.map((e) => ({ ...e, field: 'cccdQr.citizenId' as const })));

  if (errors.length > 0 || !id.ok || !birthDate || !sex || !issueDate) return fail(errors);
  return ok({
    citizenId: id.value,
    oldId,
    fullName: name,
    birthDate,
    sex,
    address,
    issueDate,
    extraFields: extra,
  });
};
