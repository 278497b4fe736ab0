import { defineErrorCodes } from '@bhyt/contracts';
import type { SigningErrorCode } from '@bhyt/signing';

/**
 * The signer's refusals of a message. Every kind here is dead-lettered with its code (none is
 * 'unavailable': an HSM that does not answer is a plain error, retried until it answers).
 */
export const SignerErrors = defineErrorCodes({
  /** The message names a facility this deployment does not serve. */
  FACILITY_UNKNOWN: 'not_found',
  // Permanent signing failures: no retry can fix them; an operator re-drives the dead letter.
  NO_KEY_FOR_FACILITY: 'not_found',
  NO_CERTIFICATE: 'not_found',
  CERT_EXPIRED: 'unprocessable',
  CERT_NOT_YET_VALID: 'unprocessable',
  CERT_CHAIN_INVALID: 'unprocessable',
  NOT_CANONICAL: 'invalid',
  INVALID_XML: 'invalid',
  BAD_INPUT: 'invalid',
});

export type SignerErrorCode = keyof typeof SignerErrors.codes;

/** The signing library's codes that no retry can fix, each one a code of the catalogue. */
export const PERMANENT = [
  'NO_KEY_FOR_FACILITY',
  'NO_CERTIFICATE',
  'CERT_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_CHAIN_INVALID',
  'NOT_CANONICAL',
  'INVALID_XML',
  'BAD_INPUT',
] as const satisfies ReadonlyArray<SigningErrorCode & SignerErrorCode>;

export const isPermanentSigningCode = (code: SigningErrorCode): code is (typeof PERMANENT)[number] =>
  (PERMANENT as readonly string[]).includes(code);
