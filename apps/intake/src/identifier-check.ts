import { parseBhytCardNumber, parseCccdQr, parseCitizenId } from '@bhyt/identifiers';
import type { FieldError } from '@bhyt/service-kit';
import type { RegisterVisitRequest } from './registration.schema';

/**
 * Checks the identifier a patient presented against the stated birth date and sex, and
 * returns the citizen ID to use for identity resolution. Errors name fields, never values.
 */
export function checkIdentifier(req: RegisterVisitRequest): { errors: FieldError[]; citizenId?: string } {
  const birthYear = Number(req.patient.birthDate.slice(0, 4));
  const sex: 'MALE' | 'FEMALE' | undefined = req.patient.sex === '1' ? 'MALE' : req.patient.sex === '2' ? 'FEMALE' : undefined;
  const expectations = { birthYear, ...(sex ? { sex } : {}) } as const;
  const toField = (errs: readonly { code: string; field: string; message: string }[], prefix: string): FieldError[] =>
    errs.map((e) => ({ field: `${prefix}${e.field === 'citizenId' ? '' : `.${e.field}`}`, code: e.code, message: e.message }));
  const errors: FieldError[] = [];
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
      if (r.ok) citizenId = r.value.citizenId.number;
      else errors.push(...r.errors.map((e) => ({ field: `identifier.value(${e.field})`, code: e.code, message: e.message })));
      break;
    }
    case 'BHYT_CARD': {
      const r = parseBhytCardNumber(req.identifier.value);
      if (!r.ok) errors.push(...r.errors.map((e) => ({ field: 'identifier.value', code: e.code, message: e.message })));
      else if (req.insuranceCard && req.insuranceCard.number !== r.value.number) {
        errors.push({ field: 'insuranceCard.number', code: 'CARD_MISMATCH', message: 'insurance card number differs from the identifier presented' });
      }
      if (!req.insuranceCard) {
        errors.push({ field: 'insuranceCard', code: 'REQUIRED', message: 'insurance card details are required when registering by BHYT card' });
      }
      break;
    }
  }
  if (req.insuranceCard) {
    const r = parseBhytCardNumber(req.insuranceCard.number);
    if (!r.ok) errors.push(...r.errors.map((e) => ({ field: 'insuranceCard.number', code: e.code, message: e.message })));
    if (req.insuranceCard.validFrom > req.insuranceCard.validTo) {
      errors.push({ field: 'insuranceCard.validTo', code: 'CARD_VALIDITY_ORDER', message: 'validTo is before validFrom' });
    }
  }
  return citizenId ? { errors, citizenId } : { errors };
}
