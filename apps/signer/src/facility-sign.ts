import { inSpan, Metrics } from '@bhyt/observability';
import { FacilityKeyStore, isSigningError, SignedDocument, signXmlDocument } from '@bhyt/signing';
import { isPermanentSigningCode, SignerErrors } from './signer-errors';

/**
 * Signs a canonical-ready document with the facility's current key in the HSM, timed and traced.
 * A permanent signing error becomes the catalogue's error of that code (dead-lettered with it); anything
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
    const signed = await inSpan(span.name, { 'bhyt.facility': facilityCode, ...span.attributes }, () =>
      signXmlDocument(xml, signer),
    );
    timer();
    return signed;
  } catch (err) {
    if (isSigningError(err) && isPermanentSigningCode(err.code))
      throw SignerErrors.raise(err.code, err.message);
    throw err;
  }
}

/**
 * Handlers sign without looking up first (a lookup per claim costs a round trip; a redelivery
 * is rare and signing again is harmless). The one case where that would mislead: a redelivered
 * message whose facility key has been retired since it was signed would be dead-lettered as if
 * it had never been signed. So before a permanent signing error is dead-lettered, look:
 * if the document is already signed, the failure is moot (resolves undefined: skip the message).
 */
export function unlessSignedBefore(signedBefore: () => Promise<boolean>) {
  return async (err: unknown): Promise<undefined> => {
    if (!SignerErrors.is(err)) throw err;
    if (await signedBefore()) return undefined;
    throw err;
  };
}
