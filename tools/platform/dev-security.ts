import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { devAuthEnvironment, DevAuthMaterial, ensureDevAuth, TokenClient } from '@bhyt/auth/testing';
import type { ServiceKey } from '@bhyt/contracts';
import { loadFacilityRegistry } from '@bhyt/facilities';

/**
 * Development security material for the local platform (npm start, e2e, chaos), made on first
 * use under <state>/secrets and never committed: the token keys and OAuth clients (see
 * @bhyt/auth ensureDevAuth) and intake's data key for personal data at rest.
 */
export function devAuthMaterial(stateDir: string): DevAuthMaterial {
  return ensureDevAuth(
    join(stateDir, 'secrets', 'auth'),
    loadFacilityRegistry()
      .list()
      .map((f) => f.code),
  );
}

/** A random 32-byte key in a file, created once (atomically: concurrent starts agree). */
function ensureKeyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(tmp, randomBytes(32).toString('hex'), { mode: 0o600 });
    try {
      linkSync(tmp, file);
    } catch {
      /* created by another process meanwhile */
    } finally {
      unlinkSync(tmp);
    }
    return readFileSync(file, 'utf8').trim();
  }
}

export function devSecurityEnvironment(stateDir: string, key: ServiceKey): Record<string, string> {
  if (key === 'gatewaySimulator') return {};
  const env = devAuthEnvironment(devAuthMaterial(stateDir), key === 'intake');
  if (key === 'intake') {
    const file = join(stateDir, 'secrets', 'pii-data-key');
    ensureKeyFile(file);
    Object.assign(env, { PII_DATA_KEY_FILE: file, PII_DATA_KEY_ID: 'dev1' });
  }
  return env;
}

/** Tokens for the development clients, from the platform's token endpoint (intake). */
export function devTokenClient(stateDir: string, intakeUrl: string): TokenClient {
  return new TokenClient(`${intakeUrl}/oauth/token`, devAuthMaterial(stateDir).secrets);
}
