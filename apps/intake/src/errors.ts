import { defineErrorCodes } from '@bhyt/contracts';

/** The intake's refusals (field errors stay ValidationFailed): codes ward systems code against. */
export const IntakeErrors = defineErrorCodes({
  FACILITY_UNKNOWN: 'not_found',
  REQUEST_ID_CONFLICT: 'conflict',
});
export const IntakeErrorCode = IntakeErrors.codes;
