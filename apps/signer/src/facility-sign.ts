import { PoisonMessageError } from '@bhyt/messaging';
import { inSpan, Metrics } from '@bhyt/observability';
import { FacilityKeyStore, isSigningError, SignedDocument, signXmlDocument, SigningErrorCode } from '@bhyt/signing';

/** Failures that no retry can fix: dead-lettered with the code, re-driven by an operator. */
export const PERMANENT: SigningErrorCode[] = ['NO_KEY_FOR_FACILITY', 'NO_CERTIFICATE', 'CERT_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_CHAIN_INVALID', 'NOT_CANONICAL', 'INVALID_XML', 'BAD_INPUT'];

/**
 * Signs a canonical-ready document with the facility's current key in the HSM, timed and traced.
 * A permanent signing error becomes a poison message (dead-lettered with its code); anything
 * else — the HSM unreachable — is rethrown so the consumer retries and the message waits.
 */
export async function signForFacility(
  keys: FacilityKeyStore,
  facilityCode: string,
  xml: string,
  span: { name: string; attributes: Record<string, string | number> },
): Promise<SignedDocument> {
  try {
    const signer = await keys.signerFor(facilityCode);
    const timer = Metrics.hsmSignSeconds().startTimer({ facility: facilityCode });
    const signed = await inSpan(span.name, { 'bhyt.facility': facilityCode, ...span.attributes }, () => signXmlDocument(xml, signer));
    timer();
    return signed;
  } catch (err) {
    if (isSigningError(err) && PERMANENT.includes(err.code)) throw new PoisonMessageError(err.code, err.message);
    throw err;
  }
}

/**
 * Handlers sign without looking up first (a lookup per claim costs a round trip; a redelivery
 * is rare and signing again is harmless). The one case where that would mislead: a redelivered
 * message whose facility key has been retired since it was signed would be dead-lettered as if
 * it had never been signed. So before a permanent signing error becomes a poison message, look:
 * if the document is already signed, the failure is moot (resolves undefined: skip the message).
 */
export function unlessSignedBefore(signedBefore: () => Promise<boolean>) {
  return async (err: unknown): Promise<undefined> => {
    if (!(err instanceof PoisonMessageError)) throw err;
    if (await signedBefore()) return undefined;
    throw err;
  };
}
