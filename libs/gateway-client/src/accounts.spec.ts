import {
  md5UpperHex,
  secretSourceAccountResolver,
  staticAccountResolver,
  UnknownFacilityAccountError,
} from './accounts';
import { parseExpiresIn } from './expiry';

describe('account resolution', () => {
  it('hashes the password as upper-case MD5 hex', () => {
    expect(md5UpperHex('password')).toBe('5F4DCC3B5AA765D61D8327DEB882CF99');
  });

  it('reads username and password hash for a facility from the secret source', async () => {
    const secrets: Record<string, string> = {
      BHYT_GATEWAY_79001_USERNAME: '79001_BV',
      BHYT_GATEWAY_79001_PASSWORD_MD5: '5f4dcc3b5aa765d61d8327deb882cf99',
    };
    const resolver = secretSourceAccountResolver({ get: (n) => secrets[n] });
    await expect(resolver.resolve('79001')).resolves.toEqual({
      username: '79001_BV',
      passwordMd5: '5F4DCC3B5AA765D61D8327DEB882CF99',
    });
  });

  it('refuses an unknown facility with a clear error instead of falling back to another account', async () => {
    const resolver = secretSourceAccountResolver({ get: () => undefined });
    await expect(resolver.resolve('79002')).rejects.toBeInstanceOf(UnknownFacilityAccountError);
    await expect(
      staticAccountResolver({ '79001': { username: 'a', password: 'b' } }).resolve('79002'),
    ).rejects.toThrow(/No gateway account configured for facility 79002/);
  });
});

describe('parseExpiresIn', () => {
  it('reads an absolute UTC time with seven fractional digits', () => {
    expect(parseExpiresIn('2025-03-04T02:25:07.1234567Z', 0)).toBe(Date.UTC(2025, 2, 4, 2, 25, 7, 123));
  });

  it('reads numbers defensively as epoch milliseconds, epoch seconds or a lifetime in seconds', () => {
    expect(parseExpiresIn(1_741_055_107_000, 0)).toBe(1_741_055_107_000);
    expect(parseExpiresIn(1_741_055_107, 0)).toBe(1_741_055_107_000);
    expect(parseExpiresIn('600', 1000)).toBe(601_000);
  });

  it('returns undefined for an unreadable value', () => {
    expect(parseExpiresIn('soon', 0)).toBeUndefined();
    expect(parseExpiresIn(null, 0)).toBeUndefined();
  });
});
