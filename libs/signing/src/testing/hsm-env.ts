import type { HsmConfig } from '../config';
import { loadHsmConfigFromEnv } from '../config';

/**
 * Integration tests need the real environment of the process: SoftHSM reads SOFTHSM2_CONF when
 * the library is loaded, so setting process.env at run time is too late.
 */
export function hsmConfigForTests(sessions = 4): HsmConfig {
  const missing = [
    'SOFTHSM2_CONF',
    'PKCS11_MODULE',
    'HSM_TOKEN_LABEL',
    'HSM_PIN_FILE',
    'DEV_CA_DIR',
    'STATE_DIR',
  ].filter((v) => !process.env[v]);
  if (missing.length > 0) {
    throw new Error(
      `SoftHSM environment missing (${missing.join(', ')}): run \`bash scripts/stack.sh up hsm\`, then \`source scripts/lib/stack-env.sh\` before jest`,
    );
  }
  return { ...loadHsmConfigFromEnv(process.env), sessions };
}
