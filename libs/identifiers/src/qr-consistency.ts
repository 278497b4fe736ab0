import type { CccdQr } from './cccd-qr';

/** What the desk typed about the patient, to compare with a VNeID / chip-CCCD QR. */
export interface TypedPatient {
  fullName: string;
  /** yyyyMMdd or yyyyMMddHHmm */
  birthDate: string;
  sex: '1' | '2' | '3';
  address?: string;
}

export interface ConsistencyFinding {
  field: 'patient.fullName' | 'patient.birthDate' | 'patient.sex' | 'patient.address';
  code:
    | 'QR_NAME_MISMATCH'
    | 'QR_NAME_DIACRITICS'
    | 'QR_BIRTH_DATE_MISMATCH'
    | 'QR_SEX_MISMATCH'
    | 'QR_ADDRESS_DIFFERS';
  message: string;
}

const fold = (s: string) => s.normalize('NFC').toLocaleLowerCase('vi').replace(/\s+/gu, ' ').trim();
const bare = (s: string) => fold(s).normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/gu, 'd');

/**
 * The QR read from the patient's card against what was typed. Refused (`refusals`): a
 * different name, birth date or sex — the visit would be registered, and its record signed,
 * under another identity than the card's (the gateway checks HO_TEN, NGAY_SINH and GIOI_TINH
 * against its register). Warned (`warnings`): a name that differs only in diacritics, case or
 * spacing (desks often type without them; the QR's form should be used), and a different
 * address (the QR holds the address at issue; people move). The CCCD itself comes from the
 * QR and is checked against the QR's birth year and sex by the parser. Never values, only fields.
 */
export function compareQrWithPatient(
  qr: Pick<CccdQr, 'fullName' | 'birthDate' | 'sex' | 'address'>,
  typed: TypedPatient,
): { refusals: ConsistencyFinding[]; warnings: ConsistencyFinding[] } {
  const refusals: ConsistencyFinding[] = [];
  const warnings: ConsistencyFinding[] = [];
  if (fold(qr.fullName) !== fold(typed.fullName)) {
    if (bare(qr.fullName) === bare(typed.fullName))
      warnings.push({
        field: 'patient.fullName',
        code: 'QR_NAME_DIACRITICS',
        message:
          'the name differs from the QR’s only in diacritics, case or spacing; the QR’s spelling is the card’s',
      });
    else
      refusals.push({
        field: 'patient.fullName',
        code: 'QR_NAME_MISMATCH',
        message: 'the name differs from the name in the QR',
      });
  }
  if (qr.birthDate.replace(/-/g, '') !== typed.birthDate.slice(0, 8))
    refusals.push({
      field: 'patient.birthDate',
      code: 'QR_BIRTH_DATE_MISMATCH',
      message: 'the birth date differs from the one in the QR',
    });
  const typedSex = typed.sex === '1' ? 'MALE' : typed.sex === '2' ? 'FEMALE' : undefined;
  if (typedSex && typedSex !== qr.sex)
    refusals.push({
      field: 'patient.sex',
      code: 'QR_SEX_MISMATCH',
      message: 'the sex differs from the one in the QR',
    });
  if (typed.address !== undefined && qr.address && fold(qr.address) !== fold(typed.address)) {
    warnings.push({
      field: 'patient.address',
      code: 'QR_ADDRESS_DIFFERS',
      message: 'the address differs from the QR’s (the address at the card’s issue)',
    });
  }
  return { refusals, warnings };
}
