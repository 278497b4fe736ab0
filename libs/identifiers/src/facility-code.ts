import { findProvince, Province } from './provinces';
import { fail, IdentifierError, ok, ParseResult } from './result';
import { FACILITY_CODE_PATTERN } from './unconfirmed';

/**
 * Facility code (mã cơ sở KBCB, QĐ 384/QĐ-BYT): 5 characters, the first 2 being the province
 * code (pilot-2733.md §5.1). Not the 13-digit GLN-style identifier of QĐ 1551/2026.
 */
export interface FacilityCode {
  readonly code: string;
  readonly provinceCode: string;
  readonly province: Province;
}

/**
 * Parses a facility code. Surrounding whitespace is trimmed (inner whitespace is an error).
 * Codes: `FACILITY_CODE_EMPTY`, `FACILITY_CODE_FORMAT` (not 5 digits),
 * `FACILITY_CODE_PROVINCE` (first 2 digits not a province code).
 */
export const parseFacilityCode = (value: string): ParseResult<FacilityCode> => {
  const code = (typeof value === 'string' ? value : '').trim();
  const errors: IdentifierError[] = [];
  if (code.length === 0) {
    return fail([{ code: 'FACILITY_CODE_EMPTY', field: 'facilityCode', message: 'facility code is empty' }]);
  }
  if (!FACILITY_CODE_PATTERN.test(code)) {
    return fail([
      { code: 'FACILITY_CODE_FORMAT', field: 'facilityCode', message: 'facility code must be 5 digits' },
    ]);
  }
  const provinceCode = code.slice(0, 2);
  const province = findProvince(provinceCode);
  if (!province) {
    errors.push({
      code: 'FACILITY_CODE_PROVINCE',
      field: 'facilityCode',
      message: 'the first 2 digits of the facility code are not a province code',
    });
    return fail(errors);
  }
  return ok({ code, provinceCode, province });
};

export const isValidFacilityCode = (value: string): boolean => parseFacilityCode(value).ok;
