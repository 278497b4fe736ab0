import { defineErrorCodes } from '@bhyt/contracts';

/**
 * What an operator's request about a submission can be refused with. Stable codes (clients and
 * the runbook key on them); the kind decides the HTTP status once, in service-kit.
 */
export const SubmissionErrors = defineErrorCodes({
  /** No submission of this MA_LK (or of this version of it) at this facility. */
  CLAIM_UNKNOWN: 'not_found',
  /** A re-drive that would break "sent once, newest version last". */
  NOT_REDRIVABLE: 'conflict',
});
export type SubmissionErrorCode = keyof typeof SubmissionErrors.codes;
