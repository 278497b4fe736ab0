import pino from 'pino';
import { loadConfigInput } from './config';
import { simulatorModeFromEnv, startGatewaySimulator } from './simulator';

/**
 * Standalone BHYT gateway simulator (development and test only).
 *
 * Env: GATEWAY_SIMULATOR_PORT (default 3199), GATEWAY_SIMULATOR_HOST (default 127.0.0.1 — the
 * admin API has no authentication, never expose it), GATEWAY_SIMULATOR_CONFIG (JSON config
 * file), GATEWAY_SIMULATOR_CERT_DIR (directory of `<facilityCode>.pem`),
 * GATEWAY_SIMULATOR_PASSWORD (development password for default accounts; default
 * `dev-password-<code>`), GATEWAY_SIMULATOR_LOG_LEVEL (default info), GATEWAY_SIMULATOR_MODE
 * (`development` default; `production`: no lookup and no result routes, as the real gateway).
 */
async function main(): Promise<void> {
  const logger = pino({
    level: process.env['GATEWAY_SIMULATOR_LOG_LEVEL'] ?? 'info',
    base: { service: 'gateway-simulator' },
  });
  const certDir = process.env['GATEWAY_SIMULATOR_CERT_DIR'];
  const sim = await startGatewaySimulator({
    config: loadConfigInput(),
    mode: simulatorModeFromEnv(process.env['GATEWAY_SIMULATOR_MODE']),
    logger,
    ...(process.env['GATEWAY_SIMULATOR_HOST'] ? { host: process.env['GATEWAY_SIMULATOR_HOST'] } : {}),
    ...(certDir ? { certDir } : {}),
  });
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    sim.close().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error({ err: (e as Error).message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((e: unknown) => {
  console.error('gateway simulator failed to start:', (e as Error).message);
  process.exit(1);
});
