import { generateKeyPairSync } from 'node:crypto';
import { ClientRegistry, ClientEntry } from './clients';
import { hashClientSecret, verifyClientSecret } from './client-secrets';
import { TokenIssuer } from './issuer';
import { signingKeyFromPem, verificationKeysFromPem, verifyJwt } from './jwt';
import { principalFromClaims } from './guard';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signer = signingKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
const keys = verificationKeysFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
const o = { issuer: 'bhyt-platform', audience: 'bhyt-api', ttlSeconds: 300 };

describe('client credentials', () => {
  let issuer: TokenIssuer;
  let stored: string;
  beforeAll(async () => {
    stored = await hashClientSecret('s3cret-ward');
    const clients: ClientEntry[] = [
      { clientId: 'ward-79001', secretHash: stored, role: 'ward-system', facility: '79001', disabled: false },
      { clientId: 'old-ward', secretHash: stored, role: 'ward-system', facility: '79001', disabled: true },
    ];
    issuer = new TokenIssuer(new ClientRegistry(clients), signer, o);
  });

  it('stores secrets as salted scrypt hashes that verify only the right secret', async () => {
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(stored).not.toContain('s3cret');
    expect(await hashClientSecret('s3cret-ward')).not.toBe(stored);
    expect(await verifyClientSecret('s3cret-ward', stored)).toBe(true);
    expect(await verifyClientSecret('s3cret-warD', stored)).toBe(false);
  });

  it('issues a short-lived token carrying the client’s role and facility', async () => {
    const res = await issuer.issue('client_credentials', 'ward-79001', 's3cret-ward', 1000);
    expect(res).toMatchObject({ token_type: 'Bearer', expires_in: 300 });
    const claims = verifyJwt(res.access_token, keys, { ...o, nowSeconds: 1000 });
    expect(principalFromClaims(claims)).toEqual({
      sub: 'ward-79001',
      role: 'ward-system',
      facility: '79001',
    });
    expect(claims.exp - claims.iat).toBe(300);
  });

  it('answers a wrong secret, an unknown client and a disabled client alike', async () => {
    for (const [id, secret] of [
      ['ward-79001', 'nope'],
      ['nobody', 's3cret-ward'],
      ['old-ward', 's3cret-ward'],
    ]) {
      await expect(issuer.issue('client_credentials', id, secret)).rejects.toMatchObject({
        status: 401,
        oauthError: 'invalid_client',
      });
    }
  });

  it('supports only the client_credentials grant', async () => {
    await expect(issuer.issue('password', 'ward-79001', 's3cret-ward')).rejects.toMatchObject({
      status: 400,
      oauthError: 'unsupported_grant_type',
    });
  });

  it('refuses a registry entry whose scope does not fit its role', () => {
    expect(() =>
      ClientEntry.parse({ clientId: 'sre-x', secretHash: stored, role: 'sre', facility: '79001' }),
    ).toThrow();
    expect(() =>
      ClientEntry.parse({ clientId: 'ward-x', secretHash: stored, role: 'ward-system' }),
    ).toThrow();
  });
});
