import { generateKeyPairSync, randomBytes, scryptSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Role } from './principal';

/**
 * Development and test credentials, made on first use in the git-ignored state folder (never
 * committed, random per checkout): the token signing key pair, the client registry (hashed
 * secrets) and — for the demo and the tests only — the clients' plain secrets. Production mounts
 * its own key and registry from secrets (docs/security.md); nothing here is used there.
 */
export interface DevClient {
  clientId: string;
  role: Role;
  facility?: string;
  province?: string;
}

export interface DevAuthMaterial {
  dir: string;
  privateKeyFile: string;
  publicKeysFile: string;
  clientsFile: string;
  /** Plain secrets by client id (development only). */
  secrets: Record<string, string>;
}

/** Client ids of the development clients: `ward-79001`, `doctor-79001`, `it-79001`, `province-79`, `sre`. */
export const devClientId = {
  ward: (facility: string) => `ward-${facility}`,
  doctor: (facility: string) => `doctor-${facility}`,
  it: (facility: string) => `it-${facility}`,
  province: (province: string) => `province-${province}`,
  sre: () => 'sre',
};

export function devClients(facilities: readonly string[]): DevClient[] {
  const out: DevClient[] = [];
  for (const f of facilities) {
    out.push({ clientId: devClientId.ward(f), role: 'ward-system', facility: f });
    out.push({ clientId: devClientId.doctor(f), role: 'doctor', facility: f });
    out.push({ clientId: devClientId.it(f), role: 'facility-it', facility: f });
  }
  for (const p of [...new Set(facilities.map((f) => f.slice(0, 2)))])
    out.push({ clientId: devClientId.province(p), role: 'provincial-officer', province: p });
  out.push({ clientId: devClientId.sre(), role: 'sre' });
  return out;
}

function hashSync(secret: string): string {
  const salt = randomBytes(16);
  // Lower cost than production hashes: development start-up stays fast; format is the same.
  const hash = scryptSync(secret, salt, 32, { N: 1024, r: 8, p: 1 });
  return ['scrypt', 1024, 8, 1, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/**
 * Returns the development material in `dir`, creating it when missing. Creation is atomic
 * (built in a scratch folder, then renamed), so concurrent first starts agree on one key.
 */
export function ensureDevAuth(dir: string, facilities: readonly string[]): DevAuthMaterial {
  const material = (d: string): DevAuthMaterial => ({
    dir: d,
    privateKeyFile: join(d, 'jwt-signing-key.pem'),
    publicKeysFile: join(d, 'jwt-public-keys.pem'),
    clientsFile: join(d, 'clients.json'),
    secrets: JSON.parse(readFileSync(join(d, 'dev-client-secrets.json'), 'utf8')) as Record<string, string>,
  });
  if (existsSync(join(dir, 'dev-client-secrets.json'))) return material(dir);
  mkdirSync(dirname(dir), { recursive: true, mode: 0o700 });
  const scratch = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(scratch, { mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clients = devClients(facilities);
  const secrets = Object.fromEntries(clients.map((c) => [c.clientId, randomBytes(24).toString('base64url')]));
  const file = (name: string, content: string) =>
    writeFileSync(join(scratch, name), content, { mode: 0o600 });
  file('jwt-signing-key.pem', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  file('jwt-public-keys.pem', publicKey.export({ type: 'spki', format: 'pem' }).toString());
  file(
    'clients.json',
    JSON.stringify(
      {
        $comment: 'development clients (generated)',
        clients: clients.map((c) => ({ ...c, secretHash: hashSync(secrets[c.clientId]!) })),
      },
      null,
      2,
    ),
  );
  file('dev-client-secrets.json', JSON.stringify(secrets, null, 2));
  try {
    renameSync(scratch, dir);
  } catch {
    rmSync(scratch, { recursive: true, force: true }); // another process won the race: use its material
  }
  return material(dir);
}

/** Environment of a service for the development material: every service verifies, `issuer` issues. */
export function devAuthEnvironment(m: DevAuthMaterial, issuer: boolean): Record<string, string> {
  return {
    AUTH_JWT_PUBLIC_KEYS_FILE: m.publicKeysFile,
    ...(issuer ? { AUTH_JWT_PRIVATE_KEY_FILE: m.privateKeyFile, AUTH_CLIENTS_FILE: m.clientsFile } : {}),
  };
}

/**
 * Fetches and caches access tokens for clients (client credentials), renewing a token a little
 * before it expires. Used by the demo, the tests and the chaos driver.
 */
export class TokenClient {
  private readonly cache = new Map<string, { token: string; until: number }>();
  constructor(
    private readonly tokenUrl: string,
    private readonly secrets: Record<string, string>,
  ) {}

  async token(clientId: string): Promise<string> {
    const hit = this.cache.get(clientId);
    if (hit && hit.until > Date.now()) return hit.token;
    const secret = this.secrets[clientId];
    if (!secret) throw new Error(`no credentials for client ${clientId}`);
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(this.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: secret,
        }).toString(),
        signal: AbortSignal.timeout(10000),
      }).catch(() => undefined);
      if (res?.ok) {
        const body = (await res.json()) as { access_token: string; expires_in: number };
        this.cache.set(clientId, {
          token: body.access_token,
          until: Date.now() + Math.max(10, body.expires_in - 60) * 1000,
        });
        return body.access_token;
      }
      // The issuer may be restarting (chaos, rolling deploy): retry a while; a refusal is final.
      if ((res && res.status < 500) || attempt >= 30)
        throw new Error(`token request for ${clientId} failed with ${res?.status ?? 'no answer'}`);
      await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** Math.min(attempt, 5))));
    }
  }

  /** Forget a cached token (after a 401, e.g. when the issuer's key was rotated). */
  forget(clientId: string): void {
    this.cache.delete(clientId);
  }
}
