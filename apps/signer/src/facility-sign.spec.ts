import { PoisonMessageError } from '@bhyt/messaging';
import type { ServiceRuntime } from '@bhyt/service-kit';
import { unlessSignedBefore } from './facility-sign';

const runtimeWith = (rows: unknown[]) => ({ ds: { query: jest.fn(async () => rows) } }) as unknown as ServiceRuntime & { ds: { query: jest.Mock } };

describe('unlessSignedBefore', () => {
  it('skips a redelivered message whose key was retired after the document was signed', async () => {
    const runtime = runtimeWith([{ '?column?': 1 }]);
    await expect(unlessSignedBefore(runtime, 'SELECT 1', ['79001'])(new PoisonMessageError('NO_KEY_FOR_FACILITY', 'no key'))).resolves.toBeUndefined();
  });

  it('keeps a permanent signing error of a document never signed, so that it is dead-lettered', async () => {
    const error = new PoisonMessageError('CERT_EXPIRED', 'certificate expired');
    await expect(unlessSignedBefore(runtimeWith([]), 'SELECT 1', [])(error)).rejects.toBe(error);
  });

  it('rethrows a transient failure (HSM unreachable) without looking anything up, so that the message is retried', async () => {
    const runtime = runtimeWith([{ '?column?': 1 }]);
    const error = new Error('CKR_DEVICE_ERROR');
    await expect(unlessSignedBefore(runtime, 'SELECT 1', [])(error)).rejects.toBe(error);
    expect(runtime.ds.query).not.toHaveBeenCalled();
  });
});
