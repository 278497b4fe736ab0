import { readSecret } from '@bhyt/config';
import type { KeyObject } from 'node:crypto';
import { ClientRegistry, loadClientRegistry } from './clients';
import { SigningKey, signingKeyFromPem, verificationKeysFromPem } from './jwt';

/**
 * Authentication settings, from the environment and secret files only:
 *  - AUTH_JWT_PUBLIC_KEYS(_FILE): PEM bundle of the token verification keys (every service).
 *    Several keys during a rotation; a token names its key by `kid`.
 *  - AUTH_JWT_PRIVATE_KEY(_FILE) + AUTH_CLIENTS_FILE: only on the service that issues tokens
 *    (intake in the default deployment), which then serves POST /oauth/token.
 *  - AUTH_ISSUER (bhyt-platform), AUTH_AUDIENCE (bhyt-api), AUTH_TOKEN_TTL_SECONDS (300).
 * Without verification keys every protected route answers 401: the platform fails closed.
 */
export interface AuthSettings {
  issuer: string;
  audience: string;
  tokenTtlSeconds: number;
  verificationKeys: Map<string, KeyObject>;
  issuing?: { signer: SigningKey; clients: ClientRegistry };
}

export function authSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): AuthSettings {
  const publicKeys = readSecret('AUTH_JWT_PUBLIC_KEYS', env);
  const privateKey = readSecret('AUTH_JWT_PRIVATE_KEY', env);
  const clientsFile = env['AUTH_CLIENTS_FILE'];
  const ttl = Number(env['AUTH_TOKEN_TTL_SECONDS'] ?? 300);
  if (!Number.isInteger(ttl) || ttl < 30 || ttl > 3600)
    throw new Error('AUTH_TOKEN_TTL_SECONDS must be a whole number between 30 and 3600');
  const settings: AuthSettings = {
    issuer: env['AUTH_ISSUER'] ?? 'bhyt-platform',
    audience: env['AUTH_AUDIENCE'] ?? 'bhyt-api',
    tokenTtlSeconds: ttl,
    verificationKeys: publicKeys ? verificationKeysFromPem(publicKeys) : new Map(),
  };
  if (privateKey) {
    if (!clientsFile) throw new Error('AUTH_CLIENTS_FILE is required with AUTH_JWT_PRIVATE_KEY');
    settings.issuing = { signer: signingKeyFromPem(privateKey), clients: loadClientRegistry(clientsFile) };
  }
  return settings;
}
