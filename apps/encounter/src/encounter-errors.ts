import { defineErrorCodes } from '@bhyt/contracts';

/** The encounter service's refusals (codes the ward systems and operators code against). */
export const EncounterErrors = defineErrorCodes({
  FACILITY_UNKNOWN: 'not_found',
  PATIENT_UNKNOWN: 'not_found',
  /** decideAccess's refusals (libs/health-book): 403. */
  ROLE_NOT_ALLOWED: 'forbidden',
  NO_CARE_RELATIONSHIP: 'forbidden',
  AUDIT_UNAVAILABLE: 'unavailable',
});
