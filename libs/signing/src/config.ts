import { readFileSync } from 'node:fs';
import { SigningError } from './errors';

export interface HsmConfig {
  /** Path of the PKCS#11 module (.so). */
  modulePath: string;
  /** Label of the token to use. */
  tokenLabel: string;
  /** User PIN. Never logged, never put in an error message. */
  pin: string;
  /** Number of PKCS#11 sessions in the signing pool. */
  sessions: number;
}

export const DEFAULT_SESSIONS = 4;

/**
 * Reads the HSM configuration from the environment:
 * PKCS11_MODULE, HSM_TOKEN_LABEL, HSM_PIN_FILE (preferred) or HSM_PIN, HSM_SESSIONS (default 4).
 * Throws SigningError('CONFIG_MISSING') naming the missing variable.
 */
export function loadHsmConfigFromEnv(env: NodeJS.ProcessEnv = process.env): HsmConfig {
  const modulePath = env['PKCS11_MODULE'] ?? env['SOFTHSM2_MODULE'];
  if (!modulePath)
    throw new SigningError('CONFIG_MISSING', 'PKCS11_MODULE is not set (path of the PKCS#11 module)');
  const tokenLabel = env['HSM_TOKEN_LABEL'];
  if (!tokenLabel)
    throw new SigningError('CONFIG_MISSING', 'HSM_TOKEN_LABEL is not set (label of the HSM token)');
  let pin: string | undefined;
  const pinFile = env['HSM_PIN_FILE'];
  if (pinFile) {
    try {
      pin = readFileSync(pinFile, 'utf8').trim();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      throw new SigningError('CONFIG_MISSING', `HSM_PIN_FILE ${pinFile} cannot be read (${code})`);
    }
    if (!pin) throw new SigningError('CONFIG_MISSING', `HSM_PIN_FILE ${pinFile} is empty`);
  } else if (env['HSM_PIN']) {
    pin = env['HSM_PIN'];
  }
  if (!pin)
    throw new SigningError(
      'CONFIG_MISSING',
      'HSM_PIN_FILE (or HSM_PIN) is not set: the token user PIN is required',
    );
  const rawSessions = env['HSM_SESSIONS'];
  const sessions = rawSessions === undefined || rawSessions === '' ? DEFAULT_SESSIONS : Number(rawSessions);
  if (!Number.isInteger(sessions) || sessions < 1 || sessions > 256) {
    throw new SigningError(
      'CONFIG_MISSING',
      `HSM_SESSIONS must be an integer between 1 and 256 (got ${rawSessions})`,
    );
  }
  return { modulePath, tokenLabel, pin, sessions };
}
