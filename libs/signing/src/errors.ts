/** Error codes a caller (signer service, CLI) can branch on. Messages never contain the PIN. */
export type SigningErrorCode =
  | 'NO_KEY_FOR_FACILITY'
  | 'NO_CERTIFICATE'
  | 'CERT_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'CERT_CHAIN_INVALID'
  | 'NOT_CANONICAL'
  | 'HSM_UNAVAILABLE'
  | 'HSM_ERROR'
  | 'HSM_CLOSED'
  | 'CONFIG_MISSING'
  | 'INVALID_XML'
  | 'BAD_INPUT';

export class SigningError extends Error {
  override readonly name = 'SigningError';
  constructor(
    readonly code: SigningErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isSigningError(e: unknown, code?: SigningErrorCode): e is SigningError {
  return e instanceof SigningError && (code === undefined || e.code === code);
}
