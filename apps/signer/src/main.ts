import { startTracing } from '@bhyt/service-kit';
startTracing('signer');

import { baseServiceEnv, env, loadConfig } from '@bhyt/config';
import { Services, Topics } from '@bhyt/contracts';
import { bootstrapService, ServiceRuntime } from '@bhyt/service-kit';
import { watchCertificateExpiry } from '@bhyt/observability';
import { FacilityKeyStore, loadHsmConfigFromEnv, Pkcs11Hsm } from '@bhyt/signing';
import { SignedClaims1700000000300 } from './migrations/1700000000300-signed-claims';
import { SignedCheckins1700000000301 } from './migrations/1700000000301-signed-checkins';
import { SignedXmlLz41700000000302 } from './migrations/1700000000302-signed-xml-lz4';
import { signCheckinHandler } from './sign-checkin.handler';
import { signClaimHandler } from './sign-claim.handler';

async function main() {
  const config = loadConfig('signer', baseServiceEnv.extend({ HTTP_PORT: env.port(Services.signer.port), SIGNER_CONCURRENCY: env.int(4, 1) }));
  // PKCS11_MODULE, HSM_TOKEN_LABEL, HSM_PIN or HSM_PIN_FILE, HSM_SESSIONS; SOFTHSM2_CONF must be in
  // the process environment before start (the C library reads it at load time).
  const hsmConfig = loadHsmConfigFromEnv();
  const runtime = new ServiceRuntime({ service: 'signer', migrations: [SignedClaims1700000000300, SignedCheckins1700000000301, SignedXmlLz41700000000302], databaseUrl: config.DATABASE_URL, database: config.DATABASE_NAME, poolSize: config.DB_POOL_SIZE });
  const hsm = await Pkcs11Hsm.open(hsmConfig);
  const keys = new FacilityKeyStore(hsm);
  runtime.addReadinessCheck('hsm', () => hsm.health());
  let stopCertificateGauge = () => {};
  await bootstrapService({
    runtime,
    port: config.HTTP_PORT,
    host: config.HTTP_HOST,
    module: {},
    afterStart: async () => {
      stopCertificateGauge = watchCertificateExpiry(() => keys.list(), (err) => runtime.logger.warn({ error: err instanceof Error ? err.name : 'error' }, 'certificate expiry sampling failed'));
      await runtime.consume({ name: 'claims', topics: [Topics.encounterClosed.name], handler: signClaimHandler(runtime, keys), concurrency: config.SIGNER_CONCURRENCY, inFlightPerPartition: 16 });
      await runtime.consume({ name: 'checkins', topics: [Topics.checkinReady.name], handler: signCheckinHandler(runtime, keys), concurrency: 2 });
    },
    beforeStop: async () => {
      stopCertificateGauge();
      // Consumers stop first (runtime.stop); the HSM closes after in-flight signatures finish.
    },
  });
  process.once('exit', () => void hsm.close());
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
