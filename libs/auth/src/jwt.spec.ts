import { generateKeyPairSync } from 'node:crypto';
import { JwtError, keyId, signJwt, signingKeyFromPem, verificationKeysFromPem, verifyJwt } from './jwt';

const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const a = pair();
const b = pair();
const signer = signingKeyFromPem(a.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
const keys = verificationKeysFromPem(a.publicKey.export({ type: 'spki', format: 'pem' }).toString());
const opts = { issuer: 'bhyt-platform', audience: 'bhyt-api', nowSeconds: 1_000_000 };
const claims = {
  iss: 'bhyt-platform',
  aud: 'bhyt-api',
  sub: 'ward-79001',
  iat: 1_000_000,
  exp: 1_000_300,
  role: 'ward-system',
  facility: '79001',
};
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as JwtError).code;
  }
  return 'ACCEPTED';
};

describe('RS256 tokens', () => {
  it('round-trips the claims of a token signed by a configured key', () => {
    expect(verifyJwt(signJwt(claims, signer), keys, opts)).toMatchObject({
      sub: 'ward-79001',
      facility: '79001',
    });
  });

  it('refuses a token whose payload was changed after signing', () => {
    const [h, , s] = signJwt(claims, signer).split('.');
    const forged = Buffer.from(JSON.stringify({ ...claims, facility: '01001' })).toString('base64url');
    expect(code(() => verifyJwt(`${h}.${forged}.${s}`, keys, opts))).toBe('SIGNATURE');
  });

  it('refuses alg none and HS256 before any signature check', () => {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    for (const alg of ['none', 'HS256']) {
      const header = Buffer.from(JSON.stringify({ alg, kid: signer.kid })).toString('base64url');
      expect(code(() => verifyJwt(`${header}.${body}.`, keys, opts))).toBe('ALGORITHM');
    }
  });

  it('refuses a token signed by a key that is not configured, even with a known kid', () => {
    const other = signingKeyFromPem(b.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(code(() => verifyJwt(signJwt(claims, other), keys, opts))).toBe('UNKNOWN_KEY');
    expect(code(() => verifyJwt(signJwt(claims, { ...other, kid: signer.kid }), keys, opts))).toBe(
      'SIGNATURE',
    );
  });

  it('refuses expired tokens, tokens from another issuer and tokens for another audience', () => {
    expect(code(() => verifyJwt(signJwt(claims, signer), keys, { ...opts, nowSeconds: 1_000_400 }))).toBe(
      'EXPIRED',
    );
    expect(code(() => verifyJwt(signJwt({ ...claims, iss: 'elsewhere' }, signer), keys, opts))).toBe(
      'ISSUER',
    );
    expect(code(() => verifyJwt(signJwt({ ...claims, aud: 'other' }, signer), keys, opts))).toBe('AUDIENCE');
    expect(code(() => verifyJwt('not.a-token', keys, opts))).toBe('MALFORMED');
  });

  it('accepts tokens of every key in a rotation bundle', () => {
    const bundle = [a, b]
      .map((k) => k.publicKey.export({ type: 'spki', format: 'pem' }).toString())
      .join('\n');
    const both = verificationKeysFromPem(bundle);
    expect([...both.keys()]).toEqual([keyId(a.publicKey), keyId(b.publicKey)]);
    const newSigner = signingKeyFromPem(b.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    expect(verifyJwt(signJwt(claims, newSigner), both, opts).sub).toBe('ward-79001');
  });
});
