import { unlessSignedBefore } from './facility-sign';
import { SignerErrors } from './signer-errors';

/** The store's "signed before?" lookup, answering `signedBefore`. */
const lookupFinding = (signedBefore: boolean) => jest.fn(async () => signedBefore);

describe('unlessSignedBefore', () => {
  it('skips a redelivered message whose key was retired after the document was signed', async () => {
    const signedBefore = lookupFinding(true);
    await expect(
      unlessSignedBefore(signedBefore)(SignerErrors.raise('NO_KEY_FOR_FACILITY', 'no key')),
    ).resolves.toBeUndefined();
  });

  it('keeps a permanent signing error of a document never signed, so that it is dead-lettered', async () => {
    const error = SignerErrors.raise('CERT_EXPIRED', 'certificate expired');
    await expect(unlessSignedBefore(lookupFinding(false))(error)).rejects.toBe(error);
  });

  it('rethrows a transient failure (HSM unreachable) without looking anything up, so that the message is retried', async () => {
    const signedBefore = lookupFinding(true);
    const error = new Error('CKR_DEVICE_ERROR');
    await expect(unlessSignedBefore(signedBefore)(error)).rejects.toBe(error);
    expect(signedBefore).not.toHaveBeenCalled();
  });
});
