import { randomUUID } from 'node:crypto';
import { ClientRegistry } from './clients';
import { verifyClientSecret } from './client-secrets';
import { signJwt, SigningKey } from './jwt';

export class TokenRequestError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly oauthError: 'invalid_request' | 'invalid_client' | 'unsupported_grant_type',
    message: string,
  ) {
    super(message);
  }
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4): the client proves its secret, gets a short-lived
 * RS256 JWT carrying its role and scope. Unknown client and wrong secret give the same answer.
 */
export class TokenIssuer {
  constructor(
    private readonly clients: ClientRegistry,
    private readonly signer: SigningKey,
    private readonly o: { issuer: string; audience: string; ttlSeconds: number },
  ) {}

  async issue(
    grantType: unknown,
    clientId: unknown,
    clientSecret: unknown,
    nowSeconds = Math.floor(Date.now() / 1000),
  ): Promise<TokenResponse> {
    if (grantType !== 'client_credentials')
      throw new TokenRequestError(
        400,
        'unsupported_grant_type',
        'only grant_type=client_credentials is supported',
      );
    if (
      typeof clientId !== 'string' ||
      typeof clientSecret !== 'string' ||
      !clientId ||
      !clientSecret ||
      clientSecret.length > 512
    ) {
      throw new TokenRequestError(400, 'invalid_request', 'client_id and client_secret are required');
    }
    const client = this.clients.get(clientId);
    // Hash even for an unknown client so that timing does not tell which client ids exist.
    const ok = await verifyClientSecret(clientSecret, client?.secretHash ?? DUMMY_HASH);
    if (!client || !ok) throw new TokenRequestError(401, 'invalid_client', 'client authentication failed');
    const claims = {
      iss: this.o.issuer,
      aud: this.o.audience,
      sub: client.clientId,
      iat: nowSeconds,
      nbf: nowSeconds,
      exp: nowSeconds + this.o.ttlSeconds,
      jti: randomUUID(),
      role: client.role,
      ...(client.facility ? { facility: client.facility } : {}),
      ...(client.province ? { province: client.province } : {}),
    };
    return {
      access_token: signJwt(claims, this.signer),
      token_type: 'Bearer',
      expires_in: this.o.ttlSeconds,
    };
  }
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
