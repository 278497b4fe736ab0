/** Claims signed at once (SIGNER_CONCURRENCY): the HSM's sessions are the limit. */
export const SIGNER_CONCURRENCY = Symbol('SignerConcurrency');
