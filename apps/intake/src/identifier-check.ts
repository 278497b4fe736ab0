import { isCalendarDate, isStandardDateTime, vietnamCompact } from '@bhyt/contracts';
import { compareQrWithPatient, parseBhytCardNumber, parseCccdQr, parseCitizenId } from '@bhyt/identifiers';
import type { FieldError } from '@bhyt/service-kit';
import type { RegisterVisitRequest } from './registration.schema';

/**
 * Checks the identifier a patient presented against the stated birth date and sex, and
 * returns the citizen ID to use for identity resolution. Errors name fields, never values.
 */
export function checkIdentifier(req: RegisterVisitRequest): {
  errors: FieldError[];
  warnings: FieldError[];
  citizenId?: string;
} {
  const birthYear = Number(req.patient.birthDate.slice(0, 4));
  const sex: 'MALE' | 'FEMALE' | undefined =
    req.patient.sex === '1' ? 'MALE' : req.patient.sex === '2' ? 'FEMALE' : undefined;
  const expectations = { birthYear, ...(sex ? { sex } : {}) } as const;
  const toField = (
    errs: readonly { code: string; field: string; message: string }[],
    prefix: string,
  ): FieldError[] =>
    errs.map((e) => ({
      field: `${prefix}${e.field === 'citizenId' ? '' : `.${e.field}`}`,
      code: e.code,
      message: e.message,
    }));
  const errors: FieldError[] = [];
  const warnings: FieldError[] = [];
  let citizenId: string | undefined;
  switch (req.identifier.type) {
    case 'CCCD':
    case 'PERSONAL_ID': {
      const r = parseCitizenId(req.identifier.value, expectations);
      if (r.ok) citizenId = r.value.number;
      else errors.push(...toField(r.errors, 'identifier.value'));
      break;
    }
    case 'VNEID_QR': {
      const r = parseCccdQr(req.identifier.value);
      if (r.ok) {
        citizenId = r.value.citizenId.number;
        const found = compareQrWithPatient(r.value, req.patient);
        errors.push(...found.refusals);
        warnings.push(...found.warnings);
      } else
        errors.push(
          ...r.errors.map((e) => ({
            field: `identifier.value(${e.field})`,
            code: e.code,
            message: e.message,
          })),
        );
      break;
    }
    case 'BHYT_CARD': {
      const r = parseBhytCardNumber(req.identifier.value);
      if (!r.ok)
        errors.push(
          ...r.errors.map((e) => ({ field: 'identifier.value', code: e.code, message: e.message })),
        );
      else if (req.insuranceCard && req.insuranceCard.number !== r.value.number) {
        errors.push({
          field: 'insuranceCard.number',
          code: 'CARD_MISMATCH',
          message: 'insurance card number differs from the identifier presented',
        });
      }
      if (!req.insuranceCard) {
        errors.push({
          field: 'insuranceCard',
          code: 'REQUIRED',
          message: 'insurance card details are required when registering by BHYT card',
        });
      }
      break;
    }
  }
  if (req.insuranceCard) {
    const r = parseBhytCardNumber(req.insuranceCard.number);
    if (!r.ok)
      errors.push(
        ...r.errors.map((e) => ({ field: 'insuranceCard.number', code: e.code, message: e.message })),
      );
    if (req.insuranceCard.validFrom > req.insuranceCard.validTo) {
      errors.push({
        field: 'insuranceCard.validTo',
        code: 'CARD_VALIDITY_ORDER',
        message: 'validTo is before validFrom',
      });
    }
  }
  return citizenId ? { errors, warnings, citizenId } : { errors, warnings };
}

/**
 * Dates of a registration: a real birth date (yyyyMMdd, or yyyyMMddHHmm with unknown parts
 * as 00), not after the visit, and a visit not later than now plus the clock tolerance.
 */
export function checkRegistrationDates(
  req: RegisterVisitRequest,
  now: Date,
  toleranceMs: number,
): FieldError[] {
  const errors: FieldError[] = [];
  const b = req.patient.birthDate;
  const valid = b.length === 8 ? isCalendarDate(b) : isStandardDateTime(b, true);
  if (!valid)
    errors.push({
      field: 'patient.birthDate',
      code: 'DATE_INVALID',
      message: 'birth date is not a real date (yyyyMMdd or yyyyMMddHHmm)',
    });
  const registeredAt = req.registeredAt ? Date.parse(req.registeredAt) : now.getTime();
  if (registeredAt > now.getTime() + toleranceMs) {
    errors.push({
      field: 'registeredAt',
      code: 'DATE_IN_FUTURE',
      message: `is later than now (clock tolerance ${Math.round(toleranceMs / 60_000)} min)`,
    });
  }
  const visitDay = vietnamCompact(registeredAt, 8);
  if (valid && b.slice(0, 8) > visitDay)
    errors.push({
      field: 'patient.birthDate',
      code: 'BIRTH_AFTER_VISIT',
      message: 'birth date is after the visit',
    });
  if (req.insuranceCard) {
    for (const k of ['validFrom', 'validTo'] as const) {
      if (!isCalendarDate(req.insuranceCard[k]))
        errors.push({
          field: `insuranceCard.${k}`,
          code: 'DATE_INVALID',
          message: 'is not a real date (yyyyMMdd)',
        });
    }
  }
  return errors;
}
