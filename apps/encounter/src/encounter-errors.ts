import { defineErrorCodes } from '@bhyt/contracts';

/** The encounter service's refusals (codes the ward systems and operators code against). */
export const EncounterErrors = defineErrorCodes({
  FACILITY_UNKNOWN: 'not_found',
});
