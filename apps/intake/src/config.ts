import { z } from 'zod';
import { baseServiceEnv, env, loadConfig, readSecret } from '@bhyt/config';
import { Services } from '@bhyt/contracts';
import { piiCipherFromEnv } from './pii-cipher';

const schema = baseServiceEnv.extend({
  HTTP_PORT: env.port(Services.intake.port),
  /** The BHYT gateway (or its simulator) for card lookups (KQNhanLichSuKCB2024). */
  GATEWAY_URL: z.string().url(),
  /** A lookup at reception waits at most this long; then the visit registers with cardCheck PENDING. */
  CARD_LOOKUP_TIMEOUT_MS: env.int(3000, 100),
  /** Card answers are cached this long (same card, name and birth date at the same facility). */
  CARD_CACHE_TTL_MS: env.int(10 * 60_000, 0),
  /** First re-check of a PENDING card after this long, doubling per attempt up to 5 minutes. */
  CARD_RECHECK_INTERVAL_MS: env.int(5000, 100),
  /** How far ahead of this service's clock a visit's registeredAt may be (DATE_IN_FUTURE beyond). Minutes. */
  CLOCK_TOLERANCE_MINUTES: z.coerce.number().min(0).max(1440).default(5),
});

export function loadIntakeConfig(source: NodeJS.ProcessEnv = process.env) {
  const cfg = loadConfig('intake', schema, source);
  // Keyed hash of identifiers: the same key on every replica, from a secret.
  const identityKey = readSecret('IDENTITY_HASH_KEY', source);
  if (!identityKey || identityKey.length < 16) {
    throw new Error(
      'intake: invalid configuration:\n  - IDENTITY_HASH_KEY (or IDENTITY_HASH_KEY_FILE) is required, at least 16 characters',
    );
  }
  // Personal data at rest: AES-256-GCM data key from a secret (pii-cipher.ts).
  return { ...cfg, identityKey, piiCipher: piiCipherFromEnv(source) };
}
export type IntakeConfig = ReturnType<typeof loadIntakeConfig>;

/**
 * The staff member a facility registered with the gateway for card lookups (hoTenCb/cccdCb).
 * Read from secrets per facility — CARD_LOOKUP_<facility>_STAFF_NAME and _STAFF_CCCD, or their
 * _FILE variants — on each use (rotation without restart). Never logged.
 */
export function lookupStaff(
  facilityCode: string,
  source: NodeJS.ProcessEnv = process.env,
): { hoTenCb: string; cccdCb: string } | undefined {
  const hoTenCb = readSecret(`CARD_LOOKUP_${facilityCode}_STAFF_NAME`, source);
  const cccdCb = readSecret(`CARD_LOOKUP_${facilityCode}_STAFF_CCCD`, source);
  return hoTenCb && cccdCb ? { hoTenCb, cccdCb } : undefined;
}
