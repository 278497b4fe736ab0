import { createHash, createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';

/**
 * RS256 compact JWS, the only form the platform issues and accepts. Written on node:crypto
 * rather than a JWT library: the subset is small (one algorithm, no JWE, no remote JWKS), and
 * every rule that matters is here to read — `alg` pinned, `kid` must be a configured key,
 * iss/aud/exp/nbf checked with a small clock skew.
 */
export interface JwtClaims {
  iss: string;
  aud: string;
  sub: string;
  iat: number;
  exp: number;
  nbf?: number;
  jti?: string;
  [claim: string]: unknown;
}

export class JwtError extends Error {
  constructor(
    readonly code:
      | 'MALFORMED'
      | 'ALGORITHM'
      | 'UNKNOWN_KEY'
      | 'SIGNATURE'
      | 'EXPIRED'
      | 'NOT_YET_VALID'
      | 'ISSUER'
      | 'AUDIENCE',
    message: string,
  ) {
    super(message);
    this.name = 'JwtError';
  }
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** Key id: first 16 hex characters of the SHA-256 of the public key's DER (SPKI). */
export function keyId(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(pub.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

export interface SigningKey {
  kid: string;
  key: KeyObject;
}

export function signingKeyFromPem(pem: string): SigningKey {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'rsa') throw new Error('the token signing key must be an RSA private key');
  return { kid: keyId(key), key };
}

/** Every public key in a PEM bundle (several during a rotation), by key id. */
export function verificationKeysFromPem(bundle: string): Map<string, KeyObject> {
  const blocks = bundle.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
  const keys = new Map<string, KeyObject>();
  for (const block of blocks) {
    const key = createPublicKey(block);
    if (key.asymmetricKeyType !== 'rsa') throw new Error('token verification keys must be RSA public keys');
    keys.set(keyId(key), key);
  }
  return keys;
}

export function signJwt(claims: JwtClaims, signer: SigningKey): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: signer.kid }));
  const payload = b64url(JSON.stringify(claims));
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), signer.key);
  return `${header}.${payload}.${b64url(signature)}`;
}

export interface VerifyOptions {
  issuer: string;
  audience: string;
  nowSeconds?: number;
  clockSkewSeconds?: number;
}

function parsePart(part: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new JwtError('MALFORMED', 'token is not a compact JWS');
  }
}

/** Verifies signature and registered claims; returns the claims or throws JwtError. */
export function verifyJwt(token: string, keys: Map<string, KeyObject>, o: VerifyOptions): JwtClaims {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p)))
    throw new JwtError('MALFORMED', 'token is not a compact JWS');
  const [h, p, s] = parts as [string, string, string];
  const header = parsePart(h);
  // Pinned algorithm: "none", HS256-with-the-public-key and friends are refused before any crypto.
  if (header['alg'] !== 'RS256') throw new JwtError('ALGORITHM', 'token algorithm is not RS256');
  const key = typeof header['kid'] === 'string' ? keys.get(header['kid']) : undefined;
  if (!key) throw new JwtError('UNKNOWN_KEY', 'token is signed by an unknown key');
  if (!verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')))
    throw new JwtError('SIGNATURE', 'token signature is invalid');
  const claims = parsePart(p);
  const now = o.nowSeconds ?? Math.floor(Date.now() / 1000);
  const skew = o.clockSkewSeconds ?? 30;
  if (typeof claims['exp'] !== 'number' || claims['exp'] + skew <= now)
    throw new JwtError('EXPIRED', 'token has expired');
  if (typeof claims['nbf'] === 'number' && claims['nbf'] - skew > now)
    throw new JwtError('NOT_YET_VALID', 'token is not valid yet');
  if (claims['iss'] !== o.issuer) throw new JwtError('ISSUER', 'token issuer is not trusted');
  if (claims['aud'] !== o.audience) throw new JwtError('AUDIENCE', 'token is meant for another audience');
  if (typeof claims['sub'] !== 'string') throw new JwtError('MALFORMED', 'token has no subject');
  return claims as JwtClaims;
}
