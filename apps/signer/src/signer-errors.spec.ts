import { PlatformError } from '@bhyt/contracts';
import { FacilityKeyStore, SigningError, type SigningErrorCode } from '@bhyt/signing';
import { signForFacility } from './facility-sign';
import { SignerErrors } from './signer-errors';

const keysFailingWith = (code: SigningErrorCode) =>
  ({
    signerFor: async () => Promise.reject(new SigningError(code, `signing failed: ${code}`)),
  }) as unknown as FacilityKeyStore;
const sign = (keys: FacilityKeyStore) =>
  signForFacility(keys, '79001', '<A/>', { name: 'hsm sign', attributes: {} });

describe('the signer error catalogue', () => {
  it('turns a permanent signing failure into its code, of a kind that is dead-lettered', async () => {
    const err: unknown = await sign(keysFailingWith('CERT_EXPIRED')).catch((e: unknown) => e);
    expect(SignerErrors.is(err, 'CERT_EXPIRED')).toBe(true);
    expect((err as PlatformError).kind).not.toBe('unavailable');
  });

  it('leaves an HSM that does not answer as it is, so that the message is retried', async () => {
    const err: unknown = await sign(keysFailingWith('HSM_UNAVAILABLE')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SigningError);
    expect(err).not.toBeInstanceOf(PlatformError);
  });

  it('refuses an unknown facility as not found (HTTP 404 where a route would raise it)', () => {
    expect(SignerErrors.raise('FACILITY_UNKNOWN', 'facility 00000 is not registered').kind).toBe('not_found');
  });
});
