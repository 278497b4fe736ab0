import { randomBytes } from 'node:crypto';
import { PiiCipher, piiCipherFromEnv } from './pii-cipher';

const pii = {
  fullName: 'Nguyễn Văn Mẫu',
  birthDate: '19800101',
  sex: '1',
  address: 'Số 1 Đường Mẫu',
  citizenId: '079080000001',
};
const hex = () => randomBytes(32).toString('hex');

describe('personal data at rest', () => {
  const k1 = hex();
  const cipher = piiCipherFromEnv({ PII_DATA_KEY: k1, PII_DATA_KEY_ID: 'k1' });

  it('stores no personal field in clear and decrypts back to the same data', () => {
    const blob = cipher.encrypt(pii, 'ref-1');
    for (const v of [pii.fullName, pii.citizenId, pii.birthDate, pii.address])
      expect(blob.includes(Buffer.from(v, 'utf8'))).toBe(false);
    expect(cipher.decrypt(blob, 'ref-1')).toEqual(pii);
  });

  it('refuses a ciphertext moved to another patient or altered by one bit', () => {
    const blob = cipher.encrypt(pii, 'ref-1');
    expect(() => cipher.decrypt(blob, 'ref-2')).toThrow();
    const flipped = Buffer.from(blob);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => cipher.decrypt(flipped, 'ref-1')).toThrow();
  });

  it('still reads data under a previous key after a rotation, and writes under the new one', () => {
    const old = cipher.encrypt(pii, 'ref-1');
    const rotated = piiCipherFromEnv({
      PII_DATA_KEY: hex(),
      PII_DATA_KEY_ID: 'k2',
      PII_DATA_KEYS_PREVIOUS: `k1:${k1}`,
    });
    expect(rotated.decrypt(old, 'ref-1')).toEqual(pii);
    expect(PiiCipher.keyIdOf(rotated.encrypt(pii, 'ref-1'))).toBe('k2');
    expect(() =>
      piiCipherFromEnv({ PII_DATA_KEY: hex(), PII_DATA_KEY_ID: 'k3' }).decrypt(old, 'ref-1'),
    ).toThrow('PII key k1 is not configured');
  });

  it('refuses to start without a well-formed key, naming the variable and not the value', () => {
    expect(() => piiCipherFromEnv({})).toThrow(/PII_DATA_KEY/);
    expect(() => piiCipherFromEnv({ PII_DATA_KEY: 'short-secret-value' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('short-secret-value') }),
    );
  });
});
