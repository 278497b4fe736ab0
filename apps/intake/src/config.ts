import { z } from 'zod';
import { baseServiceEnv, env, loadConfig, readSecret } from '@bhyt/config';
import { Services } from '@bhyt/contracts';

const schema = baseServiceEnv.extend({ HTTP_PORT: env.port(Services.intake.port) });

export function loadIntakeConfig(source: NodeJS.ProcessEnv = process.env) {
  const cfg = loadConfig('intake', schema, source);
  // Keyed hash of identifiers: the same key on every replica, from a secret.
  const identityKey = readSecret('IDENTITY_HASH_KEY', source);
  if (!identityKey || identityKey.length < 16) {
    throw new Error('intake: invalid configuration:\n  - IDENTITY_HASH_KEY (or IDENTITY_HASH_KEY_FILE) is required, at least 16 characters');
  }
  return { ...cfg, identityKey };
}
export type IntakeConfig = ReturnType<typeof loadIntakeConfig>;
export type { z };
